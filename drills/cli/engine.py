"""`drillbook images` and `drillbook cleanup`: the engine's side, with no drill."""

from __future__ import annotations

import argparse

from rich.console import Console

from drillbook.errors import ExitCode
from drillbook.replicas import cleanup, engine, images, labels, recipes
from drillbook.replicas.cluster import local, state


def cmd_cleanup(args: argparse.Namespace, console: Console) -> ExitCode:
    client = engine.connect()
    found = cleanup.survey(client)
    if args.drill:
        found = [d for d in found if d.drill_id == args.drill]
    chosen = [d for d in found if args.include_running or args.drill or not d.alive]
    for d in found:
        if d not in chosen:
            console.print(
                f"left alone: {d.drill_id} ({d.count} objects): its harness is still running "
                "(--include-running removes it too)"
            )
    removed = 0
    for d in chosen:
        removed += cleanup.remove_drill_objects(client, d.drill_id)
        console.out(f"removed {d.drill_id}: {', '.join(d.containers + d.networks + d.volumes)}")
    clusters = _cleanup_clusters(args, console)
    console.print(
        f"cleanup: {removed} objects removed" + (f", {clusters} local cluster(s)" if clusters else "")
        if chosen or clusters
        else "cleanup: nothing to remove"
    )
    return ExitCode.OK


def _cleanup_clusters(args: argparse.Namespace, console: Console) -> int:
    """Local Swarm clusters, found through their state files: their daemons, namespaces and links
    carry no label."""
    removed = 0
    for folder in state.found(args.clusters):
        cluster = state.read(folder)
        if args.drill and cluster.drill_id != args.drill:
            continue
        if labels.owner_alive(cluster.owner) and not (args.include_running or args.drill):
            console.print(f"left alone: local cluster of {cluster.drill_id}: its harness is still running")
            continue
        console.out(f"removed local cluster of {cluster.drill_id}: {', '.join(local.remove(cluster))}")
        removed += 1
    return removed


def cmd_images(args: argparse.Namespace, console: Console) -> ExitCode:
    images.ensure(engine.connect(), list(recipes.RECIPES), lambda m: console.print(m))
    console.print("images are up to date")
    return ExitCode.OK
