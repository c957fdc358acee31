"""What the harness sees of the replica: the load and its write ledger (`load/`), the
probes, the runbook's alert rules, memory samples and the runbook's diagnostics."""
