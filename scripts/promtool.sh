#!/usr/bin/env bash
# promtool on the host, unpacked from Debian's prometheus package into the virtualenv's bin
# (installing the package would start a Prometheus service). Quick and idempotent once there.
# Usage: scripts/promtool.sh DEST_DIR
set -euo pipefail

dest="${1:?usage: scripts/promtool.sh DEST_DIR}"
log() { printf 'promtool: %s\n' "$*" >&2; }

if [ -x "$dest/promtool" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
  log "no apt-get/dpkg-deb here: put Prometheus's promtool (2.42 or later) in $dest or on PATH, then run make again."
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "unpacking promtool from Debian's prometheus package (one time)"
(cd "$work" && { apt-get download -qq prometheus 2>/dev/null || { apt-get update -qq && apt-get download -qq prometheus; }; })
dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
install -m 0755 "$work/root/usr/bin/promtool" "$dest/promtool"
"$dest/promtool" --version 2>&1 | head -1 | sed 's/^/promtool: /' >&2
