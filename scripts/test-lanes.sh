#!/usr/bin/env bash
# Every test, in lanes at once (docs/design.md, "How the tests run"): the real drills one at a
# time, as they would run alone; beside them, at a lower CPU priority, everything that
# judges outcomes, not timings, in two lanes: the tests of marker `beside` in two processes (the
# wheel and the installed command, runbook checks, the local cluster, the replica's own tests,
# refusals before any fault, interrupts, and the drills judged by verdicts with wide margins),
# at nice 10, whose containers get the matching CPU weight (replicas/priority.py); and, at nice
# 19, the tests that need no engine (two processes), then the drills on a local Swarm cluster
# (marker `swarm`), whose daemons and containers inherit that priority. A drill's measurements need the
# machine as if alone, so the other lanes only get what the drills leave; two drills at the same
# priority were measured and refused (a steady state, a downtime changed by the other drill).
# The drills whose tests check a downtime to the probe (marker `quiet`) run last, alone, once
# the other lanes are done.
set -u
BIN=${1:-.venv/bin}
mkdir -p build
# Bytecode is written as usual: with PYTHONDONTWRITEBYTECODE set, as in some shells, every pytest
# process compiled the tests and rewrote their asserts again (collecting: 5.4 s of CPU, not 2.4 s)
# and every `drillbook` command a test starts compiled what it imports.
unset PYTHONDONTWRITEBYTECODE
log=build/beside.log
free_log=build/engine-free.log
# Job control for the background lanes: each its own process group, and SIGINT not ignored in
# it (bash ignores it in background jobs otherwise), so an interrupt reaches its pytest, which
# tears its replicas down. (Alongside the engine tests a forwarder test once failed: its switch
# closed keep-alive connections, racing the clients' next requests; the forwarder now moves them.)
set -m
(
  nice -n 19 "$BIN/pytest" -q -n 2 -m "not docker" -p no:cacheprovider
  unit=$?
  [ "$unit" -eq 2 ] && exit 2  # interrupted (or a usage error): not on to the next
  echo "--- then the swarm drills ---"
  nice -n 19 "$BIN/pytest" -q -m "docker and swarm" -p no:cacheprovider --durations=6
  swarm=$?
  [ "$unit" -eq 0 ] && [ "$swarm" -eq 0 ]
) >"$free_log" 2>&1 &
free=$!
# Two processes, each taking the next test when it is free (the catalog drill that several of
# them read runs once: tests/conftest.py::catalog_db_outage). At nice 10, not 19: their drills'
# containers get the CPU weight of that level (replicas/priority.py), and at 19's (15 against
# 1024) a drill could not hold its steady state beside the runaway-cpu drill's busy loops (its
# probes timed out; reproduced beside two busy containers, where at 10's weight, 110, it held).
nice -n 10 "$BIN/pytest" -q -n 2 --dist worksteal -m "docker and beside" -p no:cacheprovider --durations=20 >"$log" 2>&1 &
beside=$!
set +m
trap 'kill -INT -- -"$free" -"$beside" 2>/dev/null; wait; exit 130' INT TERM
"$BIN/pytest" -q -m "docker and not beside and not swarm and not quiet" --durations=30
drills=$?
wait "$free"
engine_free=$?
wait "$beside"
others=$?
# The drills that check a downtime to the probe run alone: beside the engine tests (whose
# containers run at normal priority) a cache outage's downtime of 0 was once 1.7 s, and beside
# the swarm drills (loading images into their nodes) a WebSocket outage's was 1.4 s.
quiet=2
if [ "$drills" -ne 2 ] && [ "$others" -ne 2 ] && [ "$engine_free" -ne 2 ]; then
  "$BIN/pytest" -q -m "docker and quiet" --durations=5
  quiet=$?
fi
echo "--- beside the drills, at the lowest CPU priority: what needs no engine, then the swarm drills ($free_log) ---"
cat "$free_log"
echo "--- and the engine tests ($log) ---"
cat "$log"
[ "$drills" -eq 0 ] && [ "$quiet" -eq 0 ] && [ "$engine_free" -eq 0 ] && [ "$others" -eq 0 ]
