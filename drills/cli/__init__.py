"""The command line: the subcommands (`commands`), their argument tree, shell
completion, the live view and the terminal tables."""

from drillbook.drills.cli.commands import main

__all__ = ["main"]
