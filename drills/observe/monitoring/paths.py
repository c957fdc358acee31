"""Where the shipped rules file lives (package data, beside this module)."""

import pathlib

RUNBOOK_RULES = pathlib.Path(__file__).resolve().parent / "runbook-alerts.yaml"
"""The Incident Response Guide's five triggers as Prometheus alerting rules."""
