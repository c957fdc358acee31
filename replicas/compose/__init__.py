"""A team's Compose file as a drill's target, read by the Compose Specification's rules.

`project.py` reads the files (the main one, the override Compose merges by
itself, `include` and `extends`), `interpolate.py` substitutes variables from
the process environment and the project's `.env`, and `services.py` turns each
service into the replica's `Service`, refusing what a throwaway replica cannot
honour and listing once what it safely ignores.
"""
