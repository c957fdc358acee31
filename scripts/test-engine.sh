#!/usr/bin/env bash
# The tests that need the engine, in two lanes at once (docs/design.md, "How the tests run"):
# the real drills one at a time, as they would run alone; beside them, at the lowest CPU
# priority, the engine tests that measure no drill (marker `beside`: the wheel and the installed
# command, runbook checks, the local cluster, the replica's own tests). A drill's measurements
# need the machine as if alone, so the other lane only gets what the drills leave; two drills
# at once were measured and refused (a steady state, a downtime changed by the other drill).
set -u
BIN=${1:-.venv/bin}
mkdir -p build
log=build/beside.log
nice -n 19 "$BIN/pytest" -q -m "docker and beside" -p no:cacheprovider --durations=10 >"$log" 2>&1 &
beside=$!
trap 'kill -INT "$beside" 2>/dev/null; wait "$beside"; exit 130' INT TERM
"$BIN/pytest" -q -m "docker and not beside" --durations=30
drills=$?
wait "$beside"
others=$?
echo "--- beside the drills, at the lowest CPU priority ($log) ---"
cat "$log"
[ "$drills" -eq 0 ] && [ "$others" -eq 0 ]
