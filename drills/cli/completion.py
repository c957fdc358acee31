"""Shell completion scripts for bash and zsh, generated from the argument parser.

Generated, not written by hand, so that every subcommand and option added later
is completed without anyone remembering to update a script. Positional file
arguments complete file names and the built-in drills' names.
"""

from __future__ import annotations

import argparse
import shlex

SHELLS = ("bash", "zsh")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(o for action in parser._actions for o in action.option_strings)


def _choices(parser: argparse.ArgumentParser) -> list[str]:
    """Fixed values of positional arguments and options (`--format md`, `completion bash`)."""
    return sorted(
        str(c)
        for action in parser._actions
        if action.choices and not isinstance(action.choices, dict)
        for c in action.choices
    )


def _takes_file(parser: argparse.ArgumentParser) -> bool:
    return any(not a.option_strings and a.dest in ("file", "files", "result") for a in parser._actions)


def script(shell: str, parser: argparse.ArgumentParser, drills: list[str]) -> str:
    if shell not in SHELLS:
        raise ValueError(f"no completion for {shell!r}")
    commands = _subcommands(parser)
    cases = []
    for name, sub in commands.items():
        words = _options(sub) + _choices(sub) + (drills if _takes_file(sub) else [])
        cases.append((name, " ".join(words), _takes_file(sub)))
    top = " ".join([*commands, *_options(parser)])
    return _bash(top, cases) if shell == "bash" else _zsh(top, cases)


def _bash(top: str, cases: list[tuple[str, str, bool]]) -> str:
    body = "\n".join(
        f"        {name}) words={shlex.quote(words)}; files={'1' if files else ''} ;;" for name, words, files in cases
    )
    return f"""# drillbook completion for bash: eval "$(drillbook completion bash)"
_drillbook() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} command=${{COMP_WORDS[1]}} words files
    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W {shlex.quote(top)} -- "$cur"))
        return
    fi
    case $command in
{body}
        *) words=''; files=1 ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    if [[ -n $files && $cur != -* ]]; then
        COMPREPLY+=($(compgen -f -- "$cur"))
    fi
}}
complete -o filenames -F _drillbook drillbook
"""


def _zsh(top: str, cases: list[tuple[str, str, bool]]) -> str:
    body = "\n".join(f"        {name}) opts=({words}); files={'1' if files else ''} ;;" for name, words, files in cases)
    return f"""#compdef drillbook
# drillbook completion for zsh: eval "$(drillbook completion zsh)" after compinit
_drillbook() {{
    local -a opts
    local files=
    if (( CURRENT == 2 )); then
        compadd -- {top}
        return
    fi
    case $words[2] in
{body}
        *) opts=(); files=1 ;;
    esac
    compadd -- $opts
    [[ -n $files ]] && _files
}}
compdef _drillbook drillbook
"""
