"""The phases of a drill, one module each, in the order docs/design.md gives them.

provision -> steady state -> inject -> detect -> recover -> verify -> measure,
and teardown in every outcome (`drills/run/teardown.py`). Each phase is a
function over the drill's state (`drills/run/state.py`); the runner calls them.
"""
