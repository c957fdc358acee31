"""The sample returns-pickup service: the default target of drillbook's drills.

It is shaped like the runbook's API (health, orders, drivers, monitoring
metrics) and is deliberately small: real PostgreSQL through a psycopg pool, the
standard library's threaded HTTP server, nothing else.
"""
