"""Reports rendered from a result document (JSON) alone.

Nothing here imports the rest of drillbook: a stored result can be rendered
again later, on a machine with no Docker.
"""
