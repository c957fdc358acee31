"""A local Docker Swarm cluster that drillbook makes for a drill and removes after it.

N `dockerd`s on this host, each in a network namespace of its own and joined
by one bridge through veth pairs, form a swarm of managers (or managers and
workers). Daemons, namespaces and links carry no Docker label, so the cluster
keeps a state file (`state.py`) naming every piece it made; teardown and
`drillbook cleanup` work from that file alone and touch nothing it does not
name (`links.py` the namespaces and links, `daemons.py` the engines,
`local.py` the whole).
"""
