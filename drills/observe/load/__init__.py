"""Traffic on the replica: a locust process, and the ledger of what it wrote.

The worker (`drills.load.worker`) runs in its own process because locust
patches the standard library with gevent; the harness only starts it, reads
the files it appends to, and stops it.
"""
