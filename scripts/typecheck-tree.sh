#!/bin/sh
# Lay the installed package's layout out in symlinks, for mypy: the floors live at the
# top of the repository and are mapped under `drillbook` by the build backend, which
# mypy cannot follow through the editable install's import hook.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-$root/build/typecheck}
rm -rf "$tree"
mkdir -p "$tree/drillbook"
for entry in "$root"/drillbook/*; do
    case "$(basename "$entry")" in __pycache__) continue ;; esac
    ln -s "$entry" "$tree/drillbook/$(basename "$entry")"
done
for floor in drills reports recovery scenarios replicas; do
    ln -s "$root/$floor" "$tree/drillbook/$floor"
done
ln -s "$root/tests" "$tree/tests"
ln -s "$root/bench" "$tree/bench"
