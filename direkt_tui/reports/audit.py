"""``direkt-tui audit verify | list [--db PATH] [--config PATH] [--lang sv|en]``: check and show
the audit log.

- ``verify``: "Granskningsloggen är hel (N poster)." and exit 0, or one line per problem
  (which entry was edited, which were removed, which row is malformed) and exit 1. Entries
  written before the key (an upgraded store) are checked as the plain SHA-256 chain they were,
  and the output says so. ``--anchor N:HASH`` (repeatable) also checks that entry N, as printed
  on a sign-off or a shift report, is still in the log unchanged: truncation or rewriting after
  the print is caught even by someone who has the key.
- ``list``: the entries as a table (number, time, who, action, what it concerns — the case of a
  revealed number —, outcome) and the chain head to note down; a malformed row is one line in
  the table and exit 1.
- An unusable store (missing, unreadable, not a database, newer schema), configuration or key
  file (refused, not a key, missing while the log needs it): one line on stderr, exit 2.

The store is opened read-only and the key file is never created: checking never writes. The
key comes from ``[audit] key_file`` in the configuration, by default ``audit.key`` in the user's
configuration directory; it is never printed.

Swedish by default (the configuration's ``[ui] lang``), English with ``--lang en``.

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
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
LOCAL = ZoneInfo("Europe/Stockholm")
MAX_PROBLEM_LINES = 50
PREFIX = "direkt-tui audit"


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add ``verify`` / ``list`` (``args.audit_command``), ``--db``, ``--config``, ``--lang`` and
    (verify) ``--anchor`` to ``parser``."""
    sub = parser.add_subparsers(dest="audit_command", metavar="{verify,list}")
    for name, text in (
        ("verify", "check that no entry was edited or removed (exit 1 if one was)"),
        ("list", "show the entries"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument(
            "--db", type=Path, default=argparse.SUPPRESS, help="the local store (default: user data directory)"
        )
        p.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="TOML configuration file")
        p.add_argument("--lang", choices=("sv", "en"), default=argparse.SUPPRESS, help="language (default: sv)")
        if name == "verify":
            p.add_argument(
                "--anchor",
                action="append",
                default=[],
                metavar="N:HASH",
                help="a chain head printed on a sign-off or shift report: check that the log "
                "still holds that entry unchanged (repeatable)",
            )
    options = {o for a in parser._actions for o in a.option_strings}
    if "--db" not in options:
        parser.add_argument("--db", type=Path, default=None, help="the local store (default: user data directory)")
    if "--config" not in options:
        parser.add_argument("--config", type=Path, default=None, help="TOML configuration file")
    if "--lang" not in options:
        parser.add_argument("--lang", choices=("sv", "en"), default=None, help="language (default: sv)")


def _open(db: Path):
    from ..store.db import Store, StoreError

    try:
        return Store(db, read_only=True)
    except StoreError as exc:
        raise _Unusable(str(exc)) from None
    except (sqlite3.Error, OSError) as exc:
        from ..faults import fault_text

        raise _Unusable(fault_text(exc, db)) from None


class _Unusable(Exception):
    pass


def _say(stream: TextIO, text: str) -> None:
    """One line: whatever a message carries (a path with a newline …) stays on one line."""
    stream.write(str(text).replace("\r", " ").replace("\n", " ") + "\n")


def _outcome(entry: Any, lang: str) -> str:
    """The entry's outcome, with the counts of a batch outcome (klara 198, konflikt 2)."""
    from .. import i18n

    def word(prefix: str, value: str) -> str:
        text = i18n.t(f"{prefix}.{value}", lang)
        return value if text == f"{prefix}.{value}" else text

    text = word("audit.outcome", entry.outcome)
    if (
        entry.action == "outcome"
        and isinstance(entry.detail, Mapping)
        and isinstance(entry.detail.get("counts"), Mapping)
    ):
        counts = ", ".join(f"{word('audit.count', str(k))} {v}" for k, v in sorted(entry.detail["counts"].items()))
        return f"{text} ({counts})"
    return text


def _action(entry: Any, lang: str) -> str:
    from .. import i18n

    key = f"audit.action.{entry.action}"
    text = i18n.t(key, lang)
    return entry.action if text == key else text


def _ids(values: Any, lang: str, at_most: int = 3) -> str:
    from .. import i18n

    items = [str(v) for v in values] if isinstance(values, (list, tuple)) else []
    text = ", ".join(items[:at_most])
    if len(items) > at_most:
        text += " " + i18n.t("audit.subject.more", lang, n=len(items) - at_most)
    return text


def _subject(entry: Any, lang: str) -> str:
    """What an entry concerns: the case (a revealed number, a call mark), the checklist, the
    cases of a batch; never patient data (the audit log holds none)."""
    from .. import i18n

    s = entry.subject
    if not isinstance(s, Mapping):
        return "" if s in (None, "", {}) else str(s)
    parts: list[str] = []
    if s.get("case"):
        parts.append(str(s["case"]))
    if s.get("checklist"):
        from ..domain.checklists import checklist_title

        try:
            parts.append(checklist_title(str(s["checklist"]), lang))
        except Exception:  # an unknown list in an old entry: its id
            parts.append(str(s["checklist"]))
    detail = getattr(entry, "detail", None)
    batch_cases = detail.get("cases") if isinstance(detail, Mapping) else None
    if s.get("cases"):
        parts.append(_ids(s["cases"], lang))
    elif s.get("batch") and isinstance(batch_cases, Mapping) and batch_cases:
        parts.append(_ids(list(batch_cases), lang))  # a batch's outcome: the cases it concerned
    elif s.get("batch"):
        parts.append(i18n.t("audit.subject.batch", lang, id=str(s["batch"])[:8]))
    if s.get("units") and not s.get("checklist") and not s.get("cases"):
        parts.append(_ids(s["units"], lang))
    return "; ".join(parts)


def _cell(text: str) -> str:
    """One table cell on one line, control characters shown, never acted on by the terminal
    (an actor named with an escape sequence cannot repaint the screen)."""
    return "".join(
        c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in str(text)
    )


def _table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()  # noqa: E731
    return [line(headers), line(tuple("-" * w for w in widths))] + [line(r) for r in rows]


def _verify(store: Any, anchors: list[Any], lang: str, out: TextIO) -> int:
    from .. import i18n
    from ..store import actions

    check = actions.audit_check(store, anchors)
    T = i18n.translator(lang)
    for p in check.problems[:MAX_PROBLEM_LINES]:
        _say(out, T("audit.verify.bad", problem=p.text(lang)))
    if len(check.problems) > MAX_PROBLEM_LINES:
        _say(out, T("audit.verify.more", n=len(check.problems) - MAX_PROBLEM_LINES))
    if check.ok:
        _say(out, T("audit.verify.ok", n=check.entries))
    for a in check.anchors_ok:
        _say(out, T("audit.verify.anchor_ok", anchor=str(a), n=a.seq))
    if check.plain_until and check.entries:
        last = check.head[0]
        if last <= check.plain_until:
            _say(out, T("audit.verify.plain_all", n=check.plain_until, path=check.key_path))
        else:
            _say(
                out,
                T(
                    "audit.verify.plain_some",
                    plain=check.plain_until,
                    first=check.plain_until + 1,
                    last=last,
                    path=check.key_path,
                ),
            )
    return EXIT_OK if check.ok else EXIT_PROBLEMS


def _list(store: Any, lang: str, out: TextIO) -> int:
    from .. import i18n
    from ..store import actions

    T = i18n.translator(lang)
    rows: list[tuple[str, ...]] = []
    bad = 0
    for e in actions.audit_rows(store):
        if isinstance(e, actions.AuditProblem):
            bad += 1
            rows.append((str(e.first), "", "", "", "", _cell(e.text(lang))))
            continue
        rows.append(
            (
                str(e.seq),
                e.at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(e.actor),
                _cell(_action(e, lang)),
                _cell(_subject(e, lang)),
                _cell(_outcome(e, lang)),
            )
        )
    cols = ("seq", "time", "actor", "action", "subject", "outcome")
    for line in _table(rows, tuple(T(f"audit.list.col.{c}") for c in cols)):
        print(line, file=out)
    _say(out, T("audit.list.count_bad", n=len(rows), bad=bad) if bad else T("audit.list.count", n=len(rows)))
    _say(out, T("audit.list.head", anchor=actions.head_anchor(store)))
    return EXIT_PROBLEMS if bad else EXIT_OK


def run_audit(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``audit verify`` or ``audit list``; returns the exit status."""
    from ..config import ConfigError, default_db_path, load_config
    from ..store import actions, auditkey

    out = out or sys.stdout
    err = err or sys.stderr
    command = getattr(args, "audit_command", None) or "verify"
    if command not in ("verify", "list"):
        _say(err, f"{PREFIX}: unknown command {command!r} (verify or list)")
        return EXIT_USAGE
    try:
        anchors = [actions.parse_anchor(a) for a in getattr(args, "anchor", None) or ()]
    except ValueError as exc:
        _say(err, f"{PREFIX}: {exc}")
        return EXIT_USAGE
    try:
        cfg = load_config(getattr(args, "config", None))
        lang = getattr(args, "lang", None) or cfg.ui.lang
        auditkey.configure_from(cfg)  # refuses a group/other-readable key at once; never creates one
    except ConfigError as exc:  # AuditKeyError is one
        _say(err, f"{PREFIX}: {exc}")
        return EXIT_USAGE
    db = getattr(args, "db", None) or default_db_path()
    try:
        store = _open(Path(db))
    except _Unusable as exc:
        _say(err, f"{PREFIX}: {exc}")
        return EXIT_USAGE
    try:
        with store:
            if command == "verify":
                return _verify(store, anchors, lang, out)
            return _list(store, lang, out)
    except auditkey.AuditKeyError as exc:
        _say(err, f"{PREFIX}: {exc}")
        return EXIT_USAGE
    except (sqlite3.Error, UnicodeDecodeError) as exc:  # damaged, never quoting the damaged text
        from ..faults import fault_text

        _say(err, f"{PREFIX}: {fault_text(exc, db)}")
        return EXIT_USAGE
    except (ValueError, UnicodeError) as exc:
        _say(err, f"{PREFIX}: the store {db} cannot be read: {exc}")
        return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    """``python -m direkt_tui.reports.audit verify|list [--db PATH]`` (also ``direkt-tui audit``)."""
    parser = argparse.ArgumentParser(prog="direkt-tui audit", description="Check or list the audit chain.")
    configure_parser(parser)
    args = parser.parse_args(argv)
    if args.audit_command is None:
        parser.print_usage(sys.stderr)
        return EXIT_USAGE
    return run_audit(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
