"""`make bench-rollbacks`: a bad rollout on the swarm rolled back the swarm's way and the GitOps way.

Issue #23 asks for `bad_rollout` recovered by `service_rollback` (`docker service
rollback`, then the deploy reverted in git so that git and the swarm agree) and
by `git_rollback` (the deploy reverted in git, then a reconcile that rolls the
swarm forward to the old release), compared. This runs the catalog's
bad-rollout drill as a comparison (`compare:` both procedures, each on a fresh
cluster of its own), exactly as `drillbook run` runs one, and reports each
procedure's downtime, time to recover, lost writes and the rollout's own time,
from the comparison's result. Targets: both procedures pass, and neither loses
an acknowledged write. Which is faster is what is measured, not a target.

Results go to bench/rollbacks_results.json and .md; exits 1 naming each missed target.
About four minutes; needs root (the clusters' namespaces) and `make images`.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import tempfile

from drillbook.drills import spec
from drillbook.drills.cli import main as drillbook

ROOT = pathlib.Path(__file__).resolve().parents[1]
CATALOG = ROOT / "drills" / "catalog"
RESULTS = ROOT / "bench" / "rollbacks_results.json"
TABLE = ROOT / "bench" / "rollbacks_results.md"
PROCEDURES = ("service_rollback", "git_rollback")


def compared(folder: pathlib.Path) -> dict[str, dict[str, object]]:
    """The comparison's row for each procedure, by name."""
    path = spec.write_variant(
        CATALOG / "bad-rollout.yaml",
        folder,
        "bad-rollout-compared",
        recovery=None,
        compare=[{"name": name} for name in PROCEDURES],
    )
    drillbook(["run", str(path), "--out", str(folder / "out"), "--no-live"])
    document = json.loads((folder / "out" / "comparison.json").read_text())
    return {str(row["procedure"]): row for row in document["procedures"]}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="drillbook-bench-") as folder:
        rows = compared(pathlib.Path(folder))
    missed = []
    for name in PROCEDURES:
        row = rows.get(name)
        if row is None:
            missed.append(f"{name} did not run")
        elif row["verdict"] != "passed":
            missed.append(f"{name} {row['verdict']}")
        elif row["lost_writes"]:
            missed.append(f"{name} lost {row['lost_writes']} acknowledged writes")
    document = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "procedures": rows, "missed": missed}
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    columns = ("verdict", "downtime_s", "time_to_recover_s", "lost_writes", "rpo_s")
    lines = [f"| {name} | " + " | ".join(str(row.get(c)) for c in columns) + " |" for name, row in rows.items()]
    TABLE.write_text(
        "# A bad rollout on a three-node swarm, rolled back two ways\n\n"
        f"| procedure | {' | '.join(columns)} |\n|---|{'---|' * len(columns)}\n" + "\n".join(lines) + "\n\n"
        "Each on a fresh local cluster (`compare:`), the catalog's bad-rollout drill otherwise as it is.\n"
    )
    print(TABLE.read_text())
    for line in missed:
        print(f"bench-rollbacks: missed: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
