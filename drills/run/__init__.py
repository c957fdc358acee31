"""Running one drill: the runner over one clock and timeline, its journal on disk,
signals, the loopback guard, secret masking, and the teardown that always runs."""
