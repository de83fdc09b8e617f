# Berth in a container. Build: `docker build -t berth .`; run it with compose.yaml beside this
# file. Works with the classic builder and BuildKit alike (no syntax line: it would need a pull).

# Build the SPA and the server; native modules (better-sqlite3, node-pty) compile here.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit
COPY . .
RUN npm run build && npm prune --omit=dev --no-fund --no-audit
# Native modules keep only their loadable .node files: no objects, C sources, other OSes' prebuilds.
RUN cd node_modules \
  && rm -rf better-sqlite3/build/Release/obj better-sqlite3/build/Release/obj.target \
    better-sqlite3/build/Release/.deps better-sqlite3/build/Release/sqlite3.a \
    better-sqlite3/build/Release/test_extension.node better-sqlite3/deps better-sqlite3/src \
    node-pty/prebuilds node-pty/deps node-pty/third_party node-pty/src \
  && test -f better-sqlite3/build/Release/better_sqlite3.node && test -f node-pty/build/Release/pty.node

# Only the docker CLI out of Debian 12's docker.io (not dockerd and containerd), the compose v2
# plugin out of Debian 13's docker-compose (Debian 12 has none) and tini: extracted, not installed.
FROM node:20-bookworm-slim AS docker-cli
WORKDIR /tmp/debs
RUN set -eu; \
  apt="-o APT::Sandbox::User=root"; \
  apt-get $apt update -qq; \
  apt-get $apt download docker.io tini; \
  mkdir -p /tmp/trixie/lists/partial /tmp/trixie/cache/archives/partial /tmp/trixie/parts; \
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    >/tmp/trixie/parts/trixie.sources; \
  trixie="$apt -o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts=/tmp/trixie/parts \
    -o Dir::State::Lists=/tmp/trixie/lists -o Dir::Cache=/tmp/trixie/cache"; \
  apt-get $trixie update -qq; \
  apt-get $trixie download docker-compose; \
  for deb in *.deb; do dpkg-deb -x "$deb" /tmp/x; done; \
  install -D -m 0755 /tmp/x/usr/bin/docker /out/usr/bin/docker; \
  install -D -m 0755 /tmp/x/usr/bin/tini-static /out/usr/bin/tini; \
  install -D -m 0755 /tmp/x/usr/libexec/docker/cli-plugins/docker-compose \
    /out/usr/local/lib/docker/cli-plugins/docker-compose; \
  rm -rf /var/lib/apt/lists/* /tmp/trixie /tmp/x

# The runtime: Node, the built server and SPA, production node_modules, the docker CLI.
FROM node:20-bookworm-slim AS runtime
COPY --from=docker-cli /out/ /
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The example stacks are the built-in templates (server/src/templates/builtin-dir.ts).
COPY --from=build /app/stacks-example ./stacks-example
ENV NODE_ENV=production \
    BERTH_STACKS_DIR=/opt/stacks \
    BERTH_DATA_DIR=/app/data \
    BERTH_HOST=0.0.0.0 \
    BERTH_PORT=5001
# The stacks dir must be mounted at the same path as on the host (see README).
VOLUME ["/opt/stacks", "/app/data"]
EXPOSE 5001
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "dist/server/src/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "dist/server/src/main.js"]
