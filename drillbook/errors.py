"""Every error drillbook raises on purpose, and the exit codes they map to.

The command line catches `DrillbookError` once and prints its message, which is
written for the person running the drill: what went wrong and what to do.

    DrillbookError                      exit 2 unless stated
    ├── SpecError                       the drill file is malformed or invalid
    ├── PluginError                     unknown scenario/procedure, or bad arguments to one
    ├── EngineError                     the Docker engine cannot be reached or refused a call
    │   ├── MissingImageError           an image the target needs is not on this machine
    │   └── ClusterError                a local cluster's daemons, namespaces or links could not be
    │                                   made or removed
    ├── ReplicaError                    the replica did not start or become healthy
    │   └── ServiceNotReady             a service's container exited or never answered (during a
    │                                   deploy: the fault itself, measured, not an error)
    ├── SteadyStateError                the hypothesis failed before any fault: the drill proves nothing
    ├── RecoveryStepFailed              a procedure's step could not do its job (recorded, not fatal)
    ├── DrillTimeout                    the drill ran past its maximum duration (torn down)
    ├── ResultError                     a result document cannot be read or written
    │   └── EvidenceError               the evidence repository cannot be committed to
    └── DrillInterrupted                SIGINT/SIGTERM; teardown has run (exit 130)
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """The process exit codes of the command line; docs/design.md fixes their meaning."""

    OK = 0
    OBJECTIVE_MISSED = 1
    BAD_INPUT = 2
    INTERRUPTED = 130


class DrillbookError(Exception):
    """Root of drillbook's errors; the message is the user-facing paragraph."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class SpecError(DrillbookError):
    pass


class PluginError(DrillbookError):
    pass


class EngineError(DrillbookError):
    pass


class MissingImageError(EngineError):
    pass


class ClusterError(EngineError):
    pass


class ReplicaError(DrillbookError):
    pass


class ServiceNotReady(ReplicaError):
    def __init__(self, message: str, service: str, reason: str) -> None:
        super().__init__(message)
        self.service = service
        self.reason = reason
        """One line: "exited with code 2: tracker: error: unrecognized arguments: --prot"."""


class SteadyStateError(DrillbookError):
    pass


class RecoveryStepFailed(DrillbookError):
    pass


class DrillTimeout(DrillbookError):
    pass


class ResultError(DrillbookError):
    pass


class EvidenceError(ResultError):
    pass


class DrillInterrupted(DrillbookError):
    exit_code = ExitCode.INTERRUPTED
