"""``direkt-tui completion bash|zsh|fish``: a shell completion script, generated from the real
argument parser (shtab), so it never disagrees with the commands and their flags."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

SHELLS = ("bash", "zsh", "fish")


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    if shell == "fish":
        return _fish(parser)
    import shtab

    return shtab.complete(parser, shell=shell)


def _fish(parser: argparse.ArgumentParser) -> str:
    """fish: shtab has no fish backend; the subcommands and each one's long options."""
    prog = parser.prog
    lines = [f"# fish completion for {prog} (generated)", f"complete -c {prog} -f"]
    subs = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    if subs is None:
        return "\n".join(lines) + "\n"
    names = list(subs.choices)
    helps = {a.dest: a.help for a in subs._choices_actions}
    for name in names:
        text = (helps.get(name) or "").replace("'", "")
        lines.append(f"complete -c {prog} -n '__fish_use_subcommand' -a {name} -d '{text}'")
    for name, sub in subs.choices.items():
        for action in sub._actions:
            for opt in action.option_strings:
                if opt.startswith("--"):
                    text = (action.help or "").replace("'", "").replace("%", "%%")[:80]
                    lines.append(f"complete -c {prog} -n '__fish_seen_subcommand_from {name}' -l {opt[2:]} -d '{text}'")
    return "\n".join(lines) + "\n"


def run_completion(args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO | None = None) -> int:
    (out or sys.stdout).write(script(parser, args.shell))
    return 0
