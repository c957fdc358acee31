"""From observations to verdicts: the measured figures (outages, downtime, RPO), the
objectives, the steady state, the data check, the verification checklist, findings
about the service and a rehearsal's score."""
