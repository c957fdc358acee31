"""The toolbox: a container on the replica's internal network where a team's runbook runs.

`box.py` makes it (and the TLS front that answers for the runbook's production
host names), `ca.py` the drill's certificate authority, `shell.py` runs one
command under a pseudo-terminal, `origin.py` is the git remote the runbook
pushes to. Nothing a runbook says ever runs on the host.
"""
