"""drillbook's observations as Prometheus sees them: the runbook's triggers as a rules file,
the series they read, and the time scaling a team's rules get in a scaled drill."""
