"""The labels every Docker object of a drill carries.

The harness only ever acts on objects that carry them: they are how a drill's
containers, networks and volumes are found for teardown and cleanup, and the
guarantee that a decoy of someone else's is never touched.
"""

from __future__ import annotations

MANAGED = "io.drillbook.managed"
DRILL = "io.drillbook.drill"
SERVICE = "io.drillbook.service"


def for_drill(drill_id: str, service: str | None = None) -> dict[str, str]:
    labels = {MANAGED: "true", DRILL: drill_id}
    if service is not None:
        labels[SERVICE] = service
    return labels


def filter_for(drill_id: str | None = None) -> dict[str, str | list[str] | bool]:
    """A Docker API filter selecting drillbook's objects, or one drill's."""
    wanted: list[str] = [f"{MANAGED}=true"]
    if drill_id is not None:
        wanted.append(f"{DRILL}={drill_id}")
    return {"label": wanted}


def belongs_to(object_labels: dict[str, str] | None, drill_id: str) -> bool:
    labels = object_labels or {}
    return labels.get(MANAGED) == "true" and labels.get(DRILL) == drill_id
