# syntax=docker/dockerfile:1
# Berth in a container. Build: docker build -t berth . ; run it with compose.yaml beside this file.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Native modules (better-sqlite3, node-pty) compile here; the runtime stage gets only the result.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
# The docker CLI talks to the host's engine through the mounted socket; compose v2 is a CLI plugin.
RUN apt-get update \
  && apt-get install -y --no-install-recommends docker.io ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /app/dist /app/dist
COPY --from=build /app/package.json /app/package.json
WORKDIR /app
ENV NODE_ENV=production \
    BERTH_STACKS_DIR=/opt/stacks \
    BERTH_DATA_DIR=/app/data \
    BERTH_PORT=5001
VOLUME ["/opt/stacks", "/app/data"]
EXPOSE 5001
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:5001/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "dist/server/src/main.js"]
