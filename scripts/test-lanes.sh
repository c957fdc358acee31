#!/usr/bin/env bash
# Every test, in lanes at once (docs/design.md, "How the tests run"): the real drills one at a
# time, as they would run alone; beside them, at the idle CPU priority (SCHED_IDLE: a core only
# when no drill wants it), everything that measures no drill, in two lanes: the tests that need
# no engine (two processes), then the engine tests of marker `beside` (the wheel and the
# installed command, runbook checks, the local cluster, the replica's own tests, refusals
# before any fault, interrupts); and the drills on a local Swarm cluster (marker `swarm`), whose
# daemons and containers inherit that priority. A drill's measurements need the machine as if
# alone, so the other lanes only get what the drills leave; two drills at the same priority
# were measured and refused (a steady state, a downtime changed by the other drill). The
# drills whose tests check a downtime to the probe (marker `quiet`) run last, alone, once the
# other lanes are done.
set -u
BIN=${1:-.venv/bin}
mkdir -p build
# Job control for the background lanes: a process group each, and SIGINT not ignored in them
# (bash ignores it in background jobs otherwise), so an interrupt reaches their pytest, which
# tears its replicas down.
set -m
(
  chrt --idle 0 "$BIN/pytest" -q -n 2 -m "not docker" -p no:cacheprovider
  engine_free=$?
  [ "$engine_free" -eq 2 ] && exit 2  # interrupted (or a usage error): not on to the next
  chrt --idle 0 "$BIN/pytest" -q -m "docker and beside" -p no:cacheprovider --durations=15
  engine=$?
  [ "$engine_free" -eq 0 ] && [ "$engine" -eq 0 ] || exit $((engine == 2 ? 2 : 1))
) >build/beside.log 2>&1 &
beside=$!
(
  chrt --idle 0 "$BIN/pytest" -q -m "docker and swarm" -p no:cacheprovider --durations=6
) >build/swarm.log 2>&1 &
swarm=$!
set +m
trap 'kill -INT -- -"$beside" -"$swarm" 2>/dev/null; wait "$beside" "$swarm"; exit 130' INT TERM
"$BIN/pytest" -q -m "docker and not beside and not swarm and not quiet" --durations=30
drills=$?
wait "$beside"
others=$?
wait "$swarm"
cluster=$?
# The drills that check a downtime to the probe run alone: beside the engine tests (whose
# containers run at normal priority) a cache outage's downtime of 0 was once 1.7 s, and beside
# the swarm drills (loading images into their nodes) a WebSocket outage's was 1.4 s.
quiet=2
if [ "$drills" -ne 2 ] && [ "$others" -ne 2 ] && [ "$cluster" -ne 2 ]; then
  "$BIN/pytest" -q -m "docker and quiet" --durations=5
  quiet=$?
fi
for lane in beside swarm; do
  echo "--- beside the drills, at the idle CPU priority (build/$lane.log) ---"
  cat "build/$lane.log"
done
[ "$drills" -eq 0 ] && [ "$quiet" -eq 0 ] && [ "$others" -eq 0 ] && [ "$cluster" -eq 0 ]
