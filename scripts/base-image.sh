#!/usr/bin/env bash
# Make sure the Debian base image (default debian:bookworm-slim) exists locally.
# Use it if present; pull it where a registry serves it; else build it from
# Debian's packages with debootstrap and `docker import` it under the same name.
set -euo pipefail

image="${1:-debian:bookworm-slim}"
suite="${SUITE:-bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
log() { printf 'base-image: %s\n' "$*" >&2; }

if docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi

if timeout 20 docker pull "$image" >/dev/null 2>&1; then
  log "pulled $image"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "$image is not on this machine, no registry serves it, and building it with debootstrap needs root."
  log "Run 'sudo make images', or load the image yourself ('docker load'), then try again."
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
fi

root=$(mktemp -d /tmp/drillbook-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
log "building $image with debootstrap ($suite from $mirror, about a minute)"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.log" 2>&1 \
  || { log "debootstrap failed; its log is $root.log"; exit 1; }
rm -f "$root.log"
# Keep the image slim the way the official one is: no apt lists, no docs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
tar -C "$root" -c . | docker import --change 'CMD ["bash"]' - "$image" >/dev/null
log "imported $image"
