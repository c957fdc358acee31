"""The harness, by job: `run/` sequences a drill and always tears it down; `observe/`
watches the replica (load and write ledger, probes, alert rules, memory,
diagnostics); `judge/` turns observations into figures and verdicts; `campaigns/`
are many drills or a person's (game days, comparisons, rehearsals, evidence,
history); `cli/` is the command line. The drill file (`spec`), the result
(`result`) and the preconditions stay here, beside `catalog/`, the built-in drills."""
