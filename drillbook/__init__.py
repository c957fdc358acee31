"""drillbook: rehearse disaster recovery against a real, containerized replica.

This package is the floor every other one may stand on: it holds only what all
of them share (the error tree and the exit codes), so that `replicas`,
`scenarios`, `recovery`, `drills` and `reports` can raise errors the command
line understands without importing each other.
"""

__version__ = "0.1.0"
