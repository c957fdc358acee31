"""The environment a drill runs against: images, the sample service, the replica.

This floor knows Docker and the target's description; it knows nothing of
scenarios, procedures or the runner, so it can be reused by all of them.
"""
