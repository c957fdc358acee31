#!/usr/bin/env bash
# Make sure the Debian base image (default debian:bookworm-slim) exists locally.
# Use it if present; pull it where a registry serves it; else build it from
# Debian's packages with debootstrap and `docker import` it under the same name.
set -euo pipefail

image="${1:-debian:bookworm-slim}"
suite="${SUITE:-bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
log() { printf 'base-image: %s\n' "$*" >&2; }

# The recipe below, numbered: a base this script built from an older one is built again (one it
# did not build, pulled or loaded by hand, is used as it is).
recipe=3
if docker image inspect "$image" >/dev/null 2>&1; then
  built=$(docker image inspect --format '{{ index .Config.Labels "io.drillbook.base-recipe" }}' "$image" 2>/dev/null || true)
  if [ -z "$built" ] || [ "$built" = "$recipe" ] || [ "$built" = "<no value>" ]; then
    exit 0
  fi
  log "$image was built from base recipe $built; building recipe $recipe"
elif timeout 20 docker pull "$image" >/dev/null 2>&1; then
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
# Slim the way the official image is: no apt lists or caches, no documentation, no translations,
# and dpkg told to leave them out of every package the images install later. Every image is
# built on this one and copied into each node of a local cluster: 144 MB was 64 MB of caches
# and translations.
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
cat > "$root/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
CFG
# And apt told to delete the packages it downloaded once they are installed, as the official
# image's docker-clean does: without it every image kept its .deb files (149 MB of the 370 MB
# PostgreSQL image, 91 MB of the sample service's 264 MB).
cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT::Keep-Downloaded-Packages "false";
CFG
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
tar -C "$root" -c . | docker import --change 'CMD ["bash"]' --change "LABEL io.drillbook.base-recipe=$recipe" - "$image" >/dev/null
log "imported $image"
