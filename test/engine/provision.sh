#!/usr/bin/env bash
# Provisions what Berth's integration and browser tests need on a Debian 12 machine:
# a Docker engine (docker.io), the compose v2 plugin (from Debian 13's package), an offline
# busybox test image, Chromium, debootstrap (the image test's stand-in base image), and a local
# registry (docker-registry, with apache2-utils for its htpasswd file) for the image update tests.
# Idempotent and offline-safe: every step checks first.
set -euo pipefail

log() { printf '[provision] %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

IMAGE="${BERTH_TEST_IMAGE:-berth-test/busybox:latest}"
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated -eq 0 ]; then
    log "apt-get update"
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

apt_install docker.io busybox-static chromium ca-certificates fonts-dejavu-core debootstrap \
  docker-registry apache2-utils iproute2

# Compose v2 is not packaged for Debian 12; Debian 13's static Go binary works as a CLI plugin.
# A private apt state directory keeps the trixie source out of the system's lists.
if ! docker compose version >/dev/null 2>&1; then
  log "installing the compose v2 plugin from Debian 13's docker-compose package"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/deb"
  cat >"$work/trixie.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  aptopts=(-o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$work/parts"
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
  mkdir -p "$work/parts" && cp "$work/trixie.sources" "$work/parts/trixie.sources"
  apt-get "${aptopts[@]}" update -qq
  (cd "$work/deb" && apt-get "${aptopts[@]}" download docker-compose >/dev/null)
  dpkg-deb -x "$work"/deb/docker-compose_*.deb "$work/x"
  $SUDO mkdir -p "$PLUGIN_DIR"
  $SUDO install -m 0755 "$work/x/usr/libexec/docker/cli-plugins/docker-compose" "$PLUGIN_DIR/docker-compose"
  docker compose version
fi

# dockerd runs detached (own session, no inherited stdio) so CI's output pipe is never held.
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  $SUDO bash -c 'setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &'
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { log "dockerd did not come up; see /var/log/dockerd.log"; tail -20 /var/log/dockerd.log; exit 1; }
fi

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "building $IMAGE from busybox-static"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/www" "$rootfs/root"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  echo 'berth test' >"$rootfs/www/index.html"
  chmod 1777 "$rootfs/tmp"
  tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$IMAGE" >/dev/null
  rm -rf "$rootfs"
fi

log "docker $(docker version --format '{{.Server.Version}}'), $(docker compose version --short 2>/dev/null || echo 'no compose'), image $IMAGE ready, chromium $(command -v chromium)"
