#!/usr/bin/env bash
# Makes a local stand-in for the Dockerfile's base image (node:20-bookworm-slim) when no registry
# is reachable: Debian 12 from debootstrap plus this machine's Node 20 and npm, imported with
# `docker import` under the base image's name. Does nothing when that tag already exists.
#
# The stand-in also carries this machine's npm settings (its CA bundle, for an egress proxy that
# re-signs TLS, and `nodedir` pointing at the copied Node headers, since nodejs.org may be
# unreachable for node-gyp). Both live in npm's global config of the image, not in the Dockerfile.
set -euo pipefail

IMAGE="${BERTH_BASE_IMAGE:-node:20-bookworm-slim}"
MIRROR="${BERTH_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
log() { printf '[base-image] %s\n' "$*"; }

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE exists, nothing to do"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { log "needs root (debootstrap)"; exit 1; }
command -v debootstrap >/dev/null || { log "debootstrap is missing: run test/engine/provision.sh"; exit 1; }
node_bin=$(command -v node)
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || { log "this machine's node is $("$node_bin" -v), not 20"; exit 1; }
headers=$(dirname "$node_bin")/../include/node
[ -f "$headers/node_version.h" ] || { log "no Node headers at $headers"; exit 1; }

root=$(mktemp -d /tmp/berth-base-XXXXXX)
cleanup() {
  # debootstrap mounts proc and sys inside the target; never rm -rf through a mount.
  for m in $(awk -v r="$root" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do umount -l "$m" || true; done
  if awk -v r="$root" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    log "mounts remain under $root; leaving it"
  else
    rm -rf "$root"
  fi
}
trap cleanup EXIT

log "debootstrap bookworm (minbase) from $MIRROR"
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$root.log" 2>&1 || {
  tail -20 "$root.log"
  exit 1
}
rm -f "$root.log"

# As debian:bookworm-slim: no docs, man pages or locales from later apt installs; all suites.
cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
CFG
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*

# Node where the official image has it.
install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules" "$root/usr/local/include" "$root/usr/local/etc/ssl"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
cp -a "$headers" "$root/usr/local/include/node"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
cp /etc/ssl/certs/ca-certificates.crt "$root/usr/local/etc/ssl/machine-ca.crt"
cat >"$root/usr/local/etc/npmrc" <<'RC'
cafile=/usr/local/etc/ssl/machine-ca.crt
nodedir=/usr/local
RC
chroot "$root" /usr/bin/env -i /usr/local/bin/node -e "process.exit(0)"

log "importing as $IMAGE"
version=$("$node_bin" -p process.versions.node)
tar -C "$root" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
  docker import \
    -c "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    -c "ENV NODE_VERSION=$version" \
    -c 'LABEL org.berth.stand-in="debootstrap bookworm + the machine node"' \
    -c 'CMD ["node"]' \
    - "$IMAGE" >/dev/null
log "$IMAGE ready ($(docker image inspect -f '{{.Size}}' "$IMAGE") bytes, node $version)"
