"""Benchmarks: what a drill costs and how exactly it measures (`make bench`)."""
