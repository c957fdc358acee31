"""drillbook: rehearse disaster recovery against a real, containerized replica.

This package is the floor every other one may stand on: it holds only what all
of them share (the error tree and the exit codes), so that `replicas`,
`scenarios`, `recovery`, `drills` and `reports` can raise errors the command
line understands without importing each other. `from drillbook import
run_drill` is the Python API (drills/api.py), re-exported lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drillbook.drills.api import run_drill

__version__ = "0.1.0"
__all__ = ["__version__", "run_drill"]


def __getattr__(name: str) -> Any:
    """`run_drill` loads the harness only when asked for: this floor imports nothing above it."""
    if name == "run_drill":
        from drillbook.drills.api import run_drill

        return run_drill
    raise AttributeError(f"module 'drillbook' has no attribute {name!r}")
