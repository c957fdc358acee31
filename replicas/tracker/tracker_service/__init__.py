"""A small experiment-tracking server, shaped like MLflow's: a stack drillbook was not built around.

It is the second target of drillbook's own tests and differs from the sample on
purpose, in the ways real services do: the new record's id is nested in the
answer (`run.info.run_id`), searching is a POST with a JSON body, each worker's
first request is slow (its caches load), the health endpoint does not touch the
database, and a column is an integer where the JSON payload sends a string.
"""
