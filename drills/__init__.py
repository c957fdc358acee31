"""The harness: drill specs, the runner, load and ledger, probes and alert
rules, measurement, and the command line."""
