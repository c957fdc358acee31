#!/usr/bin/env bash
# Make sure a Docker engine answers. Quick and idempotent when one already runs;
# on a Debian-like machine with none and as root, installs Debian's docker.io and
# starts dockerd; otherwise says what to install and exits non-zero.
set -euo pipefail

log() { printf 'docker-engine: %s\n' "$*" >&2; }

engine_up() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

if engine_up; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "no Docker engine answers, and this machine is not one drillbook can set up by itself"
  log "(that needs root on a Debian-like system). Install and start Docker"
  log "(https://docs.docker.com/engine/install/), make sure 'docker info' works for this user, then run make again."
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing Debian's docker.io (one time, about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl start docker || true
fi

if ! engine_up; then
  # No init system here (a container or a bare VM): run dockerd in the background.
  # A stale pid file from a killed daemon would make it refuse to start.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  log "starting dockerd (log: /var/log/dockerd.log)"
  nohup dockerd >/var/log/dockerd.log 2>&1 </dev/null &
fi

for _ in $(seq 1 60); do
  if engine_up; then
    log "engine is up"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within 60 s; see /var/log/dockerd.log"
exit 1
