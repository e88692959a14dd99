"""``direkt-tui audit verify | list [--db PATH]``: check and show the audit chain.

- ``verify``: "Granskningsloggen är hel (N poster)." and exit 0, or one line per problem
  (which entry was edited, which were removed) and exit 1.
- ``list``: the entries as a table (seq, time, actor, action, outcome), exit 0.
- An unusable store (missing, unreadable, not a database, newer schema): one line on stderr,
  exit 2.

The store is opened read-only: checking the chain never writes to it.

The lead wires the subcommand::

    aud = sub.add_parser("audit", help="check or list the audit chain")
    configure_parser(aud)           # adds the verify/list subcommands and --db
    ...
    "audit": run_audit,
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
LOCAL = ZoneInfo("Europe/Stockholm")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add ``verify`` / ``list`` (``args.audit_command``) and ``--db`` to ``parser``."""
    sub = parser.add_subparsers(dest="audit_command", metavar="{verify,list}")
    for name, text in (("verify", "check that no entry was edited or removed (exit 1 if one was)"),
                       ("list", "show the entries")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--db", type=Path, default=argparse.SUPPRESS,
                       help="the local store (default: user data directory)")
    if not any("--db" in a.option_strings for a in parser._actions):
        parser.add_argument("--db", type=Path, default=None, help="the local store (default: user data directory)")


def _open(db: Path):
    from .store.db import Store, StoreError

    try:
        return Store(db, read_only=True)
    except StoreError as exc:
        raise _Unusable(str(exc)) from None
    except (sqlite3.Error, OSError) as exc:
        raise _Unusable(f"the store {db} cannot be read: {exc}") from None


class _Unusable(Exception):
    pass


def _outcome(entry) -> str:
    """The entry's outcome, with the counts of a batch outcome (done 198, conflict 2)."""
    if entry.action == "outcome" and isinstance(entry.detail, dict) and isinstance(entry.detail.get("counts"), dict):
        counts = ", ".join(f"{k} {v}" for k, v in sorted(entry.detail["counts"].items()))
        return f"{entry.outcome} ({counts})"
    return entry.outcome


def _table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return [line(headers), line(tuple("-" * w for w in widths))] + [line(r) for r in rows]


def run_audit(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``audit verify`` or ``audit list``; returns the exit status."""
    from .config import default_db_path
    from .store import actions

    out = out or sys.stdout
    err = err or sys.stderr
    command = getattr(args, "audit_command", None) or "verify"
    if command not in ("verify", "list"):
        print(f"direkt-tui audit: unknown command {command!r} (verify or list)", file=err)
        return EXIT_USAGE
    db = getattr(args, "db", None) or default_db_path()
    try:
        store = _open(Path(db))
    except _Unusable as exc:
        print(f"direkt-tui audit: {exc}", file=err)
        return EXIT_USAGE
    try:
        with store:
            if command == "verify":
                problems = actions.audit_verify(store)
                n = store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
                if problems:
                    for p in problems:
                        print(f"Granskningsloggen är inte hel: {p}", file=out)
                    return EXIT_PROBLEMS
                print(f"Granskningsloggen är hel ({n} poster).", file=out)
                return EXIT_OK
            entries = actions.audit_entries(store)
            rows = [(str(e.seq), e.at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action,
                     _outcome(e)) for e in entries]
            for line in _table(rows, ("Nr", "Tid", "Vem", "Åtgärd", "Utfall")):
                print(line, file=out)
            print(f"{len(rows)} poster.", file=out)
            return EXIT_OK
    except (sqlite3.Error, ValueError) as exc:
        print(f"direkt-tui audit: the store {db} cannot be read: {exc}", file=err)
        return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    """``python -m direkt_tui.audit_cli verify|list [--db PATH]`` (until the lead wires it)."""
    parser = argparse.ArgumentParser(prog="direkt-tui audit", description="Check or list the audit chain.")
    configure_parser(parser)
    args = parser.parse_args(argv)
    if args.audit_command is None:
        parser.print_usage(sys.stderr)
        return EXIT_USAGE
    return run_audit(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
