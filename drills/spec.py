"""The drill file: a YAML document validated by a schema at the edge.

Errors name the field and the line of the file, the way a compiler does, so
`drillbook validate` can be fixed without guessing. Past this module nothing
sees YAML or dictionaries: the runner gets a frozen `DrillSpec` and a
`replicas.target.Target`.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import ValidationError

from drillbook import inputs
from drillbook.drills.schema import BackupsModel, DrillModel, RecoveryModel, ServiceChangeModel
from drillbook.drills.schema_target import TargetModel, volume_sizes
from drillbook.errors import ReplicaError, SpecError
from drillbook.replicas import backups, proxy
from drillbook.replicas import target as t
from drillbook.replicas.toolbox.network import on_toolbox_network

HERE = pathlib.Path(__file__).resolve().parent
BUILTIN_TARGETS = {
    "sample": HERE.parent / "replicas" / "sample" / "target.yaml",
    "sample-cache": HERE.parent / "replicas" / "sample" / "target-cache.yaml",
    "sample-realtime": HERE.parent / "replicas" / "sample" / "target-realtime.yaml",
    "tracker": HERE.parent / "replicas" / "tracker" / "target.yaml",
}


class DrillSpec:
    """A validated drill: the schema model plus the resolved target."""

    def __init__(
        self,
        model: DrillModel,
        target: t.Target,
        path: pathlib.Path,
        raw: dict[str, Any],
        lines: Mapping[tuple[str | int, ...], int] | None = None,
    ) -> None:
        self.model = model
        self.target = target
        self.path = path
        self.raw = raw
        self.lines = dict(lines or {})

    def locate(self, *where: str | int) -> str:
        """`file:line: ` of the deepest part of `where` the file has, for a message."""
        line = inputs.line_of(self.lines, where)
        return f"{self.path}:{line}: " if line else f"{self.path}: "

    @property
    def name(self) -> str:
        return self.model.name

    def compared(self) -> list[DrillSpec]:
        """One drill per procedure of `compare` (named `<drill>-<procedure>`), or this drill alone."""
        if not self.model.compare:
            return [self]
        return [
            DrillSpec(
                self.model.model_copy(
                    update={
                        "name": f"{self.name}-{_slug(r)}"[:60],
                        "recovery": r,
                        "compare": [],
                    }
                ),
                self.target,
                self.path,
                self.raw,
                self.lines,
            )
            for r in self.model.compare
        ]


def _slug(recovery: RecoveryModel) -> str:
    if recovery.runbook is None:
        return recovery.name.replace("_", "-")
    words = "".join(c if c.isalnum() else "-" for c in recovery.runbook.section.lower())
    return "runbook-" + "-".join(w for w in words.split("-") if w)


def write_variant(base: pathlib.Path, folder: pathlib.Path, name: str, **changes: Any) -> pathlib.Path:
    """A copy of the drill file `base` named `name`, with top-level sections changed:
    a mapping is merged into the section, None removes it, anything else replaces it.
    Tests, benchmarks and game days derive their drills this way."""
    doc, _lines = _load_yaml(base)
    doc["name"] = name
    _rebase(doc, base.parent.resolve())
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        elif isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _absolute(section: Any, key: str, folder: pathlib.Path, *, existing_only: bool = False) -> None:
    """`section[key]`, a path relative to `folder`, made absolute: the document is read from
    elsewhere now (a game day's copy of a drill, the target another one extends)."""
    if isinstance(section, dict) and isinstance(section.get(key), str):
        path = folder / section[key]
        if not existing_only or path.exists():
            section[key] = str(path)


def _rebase(doc: dict[str, Any], folder: pathlib.Path) -> None:
    """The files a drill names relative to itself, made absolute: the copy lives elsewhere."""
    monitoring = doc.get("monitoring")
    _absolute(monitoring, "rules", folder, existing_only=True)
    _absolute(monitoring, "alertmanager", folder, existing_only=True)
    recoveries = [doc.get("recovery"), *(doc.get("compare") or [])]
    for recovery in recoveries:
        if isinstance(recovery, dict):
            _absolute(recovery.get("runbook"), "file", folder, existing_only=True)


# --- loading -------------------------------------------------------------------


def read(path: pathlib.Path) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """The drill file's document and the line of each of its keys."""
    return _load_yaml(path)


def _load_yaml(path: pathlib.Path, kind: str = "drill") -> tuple[Any, dict[tuple[str | int, ...], int]]:
    return inputs.load_yaml(inputs.read_text(path, kind), path, kind)


def _explain(
    path: pathlib.Path,
    exc: ValidationError,
    lines: dict[tuple[str | int, ...], int],
    prefix: tuple[str | int, ...] = (),
) -> SpecError:
    problems = []
    for error in exc.errors():
        loc = tuple(
            p
            for p in error["loc"]
            if not (isinstance(p, str) and (p in ("TargetModel", "str") or p.startswith("function-after[")))
        )
        loc = tuple("with" if p == "with_" else p for p in loc)
        full = (*prefix, *loc)
        line = inputs.line_of(lines, full)
        field = ".".join(str(p) for p in full) or "(document)"
        problems.append(f"  {path}:{line or '?'}: {field}: {error['msg']}")
    return SpecError(
        f"The drill file {path} is not valid:\n"
        + "\n".join(problems)
        + "\nFix these fields (docs/design.md and drills/catalog/ show complete drills) and run "
        "`drillbook validate` again."
    )


def load(path: str | pathlib.Path) -> DrillSpec:
    """Read, validate and resolve a drill file; every failure is a `SpecError`."""
    path = pathlib.Path(path)
    data, lines = _load_yaml(path)
    return from_document(data, lines, path)


def from_document(data: Any, lines: dict[tuple[str | int, ...], int], path: pathlib.Path) -> DrillSpec:
    """A drill from its parsed document, as if read from `path` (relative paths resolve from its
    folder): the Python API's drill with overrides merged into it."""
    if not isinstance(data, dict):
        raise SpecError(f"The drill file {path} must be a YAML mapping with at least `name` and `scenario`.")
    try:
        model = DrillModel.model_validate(data)
    except ValidationError as exc:
        raise _explain(path, exc, lines) from None
    target = _changed(_resolve_target(model.target, path), model.services, path)
    if model.backups is not None:
        target = _backed_up(target, model.backups, path)
    if model.fault_proxy is not None:
        target = _fronted(target, model.fault_proxy.service or target.database.service, path)
    if model.runbooks():
        target = _toolboxed(target, path, lines)
    return DrillSpec(model, target, path, data, lines)


def _toolboxed(target: t.Target, path: pathlib.Path, lines: dict[tuple[str | int, ...], int]) -> t.Target:
    """A drill recovering by a runbook gets the toolbox's network; its hosts must be services."""
    names = [s.name for s in target.services]
    for host, service in target.hosts.items():
        if service not in names:
            line = inputs.line_of(lines, ("target", "hosts", host))
            raise SpecError(
                f"{path}:{line or '?'}: target.hosts maps {host!r} to service {service!r}, which target "
                f"{target.name!r} does not have (it has {', '.join(names)}). Map it to one of those."
            )
    try:
        return on_toolbox_network(target, target.hosts)
    except ReplicaError as exc:
        raise SpecError(f"{path}: {exc}") from None


def _changed(target: t.Target, changes: dict[str, ServiceChangeModel], path: pathlib.Path) -> t.Target:
    names = [s.name for s in target.services]
    unknown = sorted(set(changes) - set(names))
    if unknown:
        raise SpecError(
            f"{path}: `services` changes {', '.join(unknown)}, which target {target.name!r} does not have "
            f"(it has {', '.join(names)})."
        )
    services = tuple(_change(s, changes[s.name]) if s.name in changes else s for s in target.services)
    return dataclasses.replace(target, services=services)


def _backed_up(target: t.Target, model: BackupsModel, path: pathlib.Path) -> t.Target:
    try:
        return backups.with_backups(
            target,
            model.dump.interval_s if model.dump else None,
            model.wal_archive,
            model.standby.mode if model.standby else None,
        )
    except backups.NotDrillbookPostgres as exc:
        raise SpecError(
            f"{path}: `backups` needs drillbook's PostgreSQL image for the database (it archives, dumps and "
            f"streams on its environment); target {target.name!r} runs {exc}. Use drillbook/postgres:15."
        ) from None


def _fronted(target: t.Target, service: str, path: pathlib.Path) -> t.Target:
    names = [s.name for s in target.services]
    if service not in names:
        raise SpecError(
            f"{path}: `fault_proxy` fronts service {service!r}, which target {target.name!r} does not have "
            f"(it has {', '.join(names)})."
        )
    if f"{service}-proxy" in names or f"{service}-upstream" in names:
        raise SpecError(
            f"{path}: `fault_proxy` needs the names {service}-proxy and {service}-upstream, and target "
            f"{target.name!r} already uses one of them. Rename that service."
        )
    return proxy.fronted(target, service)


def _change(service: t.Service, change: ServiceChangeModel) -> t.Service:
    limits = change.model_dump(exclude_none=True, exclude={"env", "volume_sizes"})
    sizes = {**service.volume_sizes, **volume_sizes(service.name, change.volume_sizes, service.volumes)}
    return dataclasses.replace(service, **limits, env={**service.env, **change.env}, volume_sizes=sizes)


def target_named(ref: str) -> t.Target:
    """A built-in target by name, or a target file (`drillbook runbook check --target`)."""
    return _resolve_target(ref, pathlib.Path.cwd() / "(command line)")


def _extended(data: dict[str, Any], file: pathlib.Path) -> dict[str, Any]:
    """A target file that `extends` another (a built-in or a file beside it): the other's sections,
    with this file's in their place (the same stack with a Compose profile more, say). The
    other's files are read from its own folder."""
    ref = data.pop("extends")
    base_file = BUILTIN_TARGETS.get(ref) if isinstance(ref, str) else None
    base_file = base_file or (file.parent / str(ref))
    if not isinstance(ref, str) or not base_file.is_file() or base_file.resolve() == file.resolve():
        raise SpecError(
            f"{file}: `extends: {ref!r}` names neither a built-in target ({', '.join(BUILTIN_TARGETS)}) nor "
            "another target file beside this one."
        )
    base, _lines = _load_yaml(base_file, "target")
    if not isinstance(base, dict) or "extends" in base:
        raise SpecError(
            f"{file}: the target it extends, {base_file}, is not a target file of its own (one level only)."
        )
    folder = base_file.parent.resolve()
    _absolute(base, "compose", folder)
    _absolute(base, "env_file", folder)
    _absolute(base.get("load"), "locustfile", folder)
    return {**base, **data}


def _resolve_target(ref: str | TargetModel, spec_path: pathlib.Path) -> t.Target:
    if isinstance(ref, TargetModel):
        return ref.to_target(spec_path.parent)
    file = BUILTIN_TARGETS.get(ref) or (spec_path.parent / ref)
    if not file.is_file():
        raise SpecError(
            f"{spec_path}: target {ref!r} is neither a built-in target ({', '.join(BUILTIN_TARGETS)}) "
            "nor a target file next to the drill. Name one of those, or describe the target inline."
        )
    data, lines = _load_yaml(file, "target")
    if isinstance(data, dict) and "extends" in data:
        data = _extended(data, file)
    try:
        model = TargetModel.model_validate(data)
    except ValidationError as exc:
        raise _explain(file, exc, lines) from None
    return model.to_target(file.parent)
