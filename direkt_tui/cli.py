"""The ``direkt-tui`` command line (shared/spec/cli.md).

Every subcommand fails with one line on stderr and exit 2 for bad arguments or an unusable
store or configuration — never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .config import ConfigError, default_db_path, load_config
from .domain.timeutil import InvalidInstant, require_instant

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad arguments: reported as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _instant(value: str) -> datetime:
    try:
        return require_instant(value)
    except InvalidInstant as exc:
        raise argparse.ArgumentTypeError(
            f"{exc} (use RFC 3339 with an offset, e.g. 2026-11-26T14:30:00+01:00)"
        ) from None


def _outage_window(value: str) -> str:
    """``--outage``: a window of simulated local time, checked before anything starts."""
    from .sim.faults import FaultError, parse_window

    try:
        parse_window(value)
    except FaultError:
        raise argparse.ArgumentTypeError(f"not a window: {value!r} (use HH:MM-HH:MM, e.g. 09:30-09:45)") from None
    return value.strip()


def _common(p: argparse.ArgumentParser, *, api: bool = False, offline: bool = False) -> None:
    p.add_argument("--db", type=Path, default=None, help="the local store (default: user data directory)")
    p.add_argument("--config", type=Path, default=None, help="TOML configuration file")
    p.add_argument(
        "--unit", action="append", default=None, metavar="UNIT_ID", help="restrict to this unit (repeatable)"
    )
    p.add_argument("--lang", choices=("sv", "en"), default=None, help="language (default: sv)")
    if api:
        p.add_argument("--api", default=None, metavar="URL", help="base URL of the platform API")
    if offline:
        p.add_argument("--offline", action="store_true", help="open the store read-only; never contact the API")


def build_parser(command: str | None = "sim") -> argparse.ArgumentParser:
    """The parser; the simulator's own options are added only when ``command`` is ``sim``
    (importing the simulator costs start-up time every other command would pay)."""
    parser = _Parser(prog="direkt-tui", description="The coordinator's view of 1177 direkt (Övergripande ansvarig).")
    parser.add_argument("--version", action=_LazyVersion)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    rep = sub.add_parser("report", help="the findings without a UI (report.md)")
    _common(rep)
    rep.add_argument("--at", type=_instant, default=None, metavar="INSTANT", help="evaluation instant (default: now)")
    rep.add_argument("--format", choices=("json", "markdown"), default="json")
    rep.add_argument(
        "--fail-on",
        choices=("critical", "high", "medium", "low", "info"),
        default=None,
        metavar="SEVERITY",
        help="exit 1 when a finding has this severity or a higher one",
    )
    rep.add_argument(
        "--since",
        type=_instant,
        default=None,
        metavar="INSTANT",
        help="start of the shift for the Markdown shift report (default: the local day of --at)",
    )

    sim = sub.add_parser("sim", help="the platform simulator alone (127.0.0.1)")
    if command in ("sim", "completion"):
        from .sim.cli import configure_parser as _sim_args

        _sim_args(sim)

    syn = sub.add_parser("sync", help="sync the store from the platform API")
    _common(syn, api=True)
    mode = syn.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one sync cycle of every collection, then exit")
    mode.add_argument("--watch", action="store_true", help="keep syncing on the schedule")
    syn.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="name the API, the store and the TLS CA source; log progress (-vv: debug)",
    )

    for name, text in (("tui", "the terminal application"), ("demo", "simulator + sync + application, no setup")):
        p = sub.add_parser(name, help=text)
        _common(p, api=name == "tui", offline=name == "tui")
        if name == "demo":
            p.add_argument("--seed", type=int, default=24, help="simulator seed")
            p.add_argument("--speed", type=float, default=30.0, help="simulated seconds per real second")
            p.add_argument("--port", type=int, default=0, help="simulator port (default: any free port)")
            p.add_argument(
                "--history-weeks",
                type=int,
                choices=range(0, 9),
                default=4,
                metavar="N",
                help="the simulator also serves today's weekday of the N weeks before, 0-8 (default 4): "
                "the forecast's and the typical day's history",
            )
            p.add_argument(
                "--outage",
                action="append",
                default=[],
                type=_outage_window,
                metavar="HH:MM-HH:MM",
                help="the simulated platform is down in this window of simulated local time (repeatable)",
            )
        p.add_argument("--read-only", action="store_true", help="disable every write action")

    aud = sub.add_parser("audit", help="the audit log: verify the chain, list the entries")
    from .reports.audit import configure_parser as _audit_args

    _audit_args(aud)

    chk = sub.add_parser("check-api", help="conformance checks of a platform adapter (openapi.yaml)")
    if command in ("check-api", "completion"):
        from .checkapi.cli import configure_parser as _check_args

        _check_args(chk)

    srv = sub.add_parser("serve", help="the application in a browser (textual-serve); read-only by default")
    from .serve import configure_parser as _serve_args

    _serve_args(srv)

    sub.add_parser("paths", help="where the configuration, the store, the audit key and the reports live")
    cfgp = sub.add_parser("config", help="the configuration: config check validates it and shows the values in effect")
    cfg_sub = cfgp.add_subparsers(dest="config_command", metavar="check", parser_class=_Parser, required=True)
    chk_cfg = cfg_sub.add_parser(
        "check", help="every problem with its key and line; the effective values and their source"
    )
    chk_cfg.add_argument("--config", type=Path, default=None, help="TOML configuration file (default: the user's)")

    comp = sub.add_parser("completion", help="a shell completion script: direkt-tui completion bash|zsh|fish")
    comp.add_argument("shell", choices=("bash", "zsh", "fish"))

    cl = sub.add_parser("calllist", help="the fallback routine's phone list (domain.md §8)")
    _common(cl)
    cl.add_argument("--at", type=_instant, default=None, metavar="INSTANT")
    cl.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    return parser


def _json_text(doc: dict) -> str:
    """The report document, indented, UTF-8 (orjson: the standard encoder is pure Python when
    indenting and took a fifth of a second on a region's report)."""
    return _json_bytes(doc).decode("utf-8")


def _write_json(stream: Any, doc: dict, items: dict[str, Any]) -> None:
    """Write :func:`_json_bytes` of ``doc`` with the lists ``items`` (key → iterable of dicts,
    empty lists in ``doc``, keys at its top level in document order) in them, the same bytes,
    serializing the lists' items one by one: neither the items as dicts nor the whole text are
    ever held at once (a report at 100,000 open cases held both, several hundred MB)."""
    from .faults import write_all

    try:
        import orjson
    except ImportError:  # pragma: no cover - a dependency
        write_all(stream, _json_bytes(dict(doc, **{k: list(v) for k, v in items.items()})))
        return
    head = orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    dumps, indent2 = orjson.dumps, orjson.OPT_INDENT_2
    pos = 0
    for key, values in items.items():
        marker = b'\n  "' + key.encode("utf-8") + b'": []'  # a top-level key (strings escape their quotes)
        at = head.index(marker, pos) + len(marker) - 2
        write_all(stream, head[pos:at])
        chunk: list[bytes] = []
        sep = b"[\n    "
        for value in values:  # one level deeper: four spaces before each of the item's lines
            chunk.append(sep + dumps(value, option=indent2).replace(b"\n", b"\n    "))
            sep = b",\n    "
            if len(chunk) >= 2000:
                write_all(stream, b"".join(chunk))
                chunk.clear()
        chunk.append(b"[]" if sep == b"[\n    " else b"\n  ]")
        write_all(stream, b"".join(chunk))
        pos = at + 2
    write_all(stream, head[pos:])


def _json_bytes(doc: dict) -> bytes:
    """:func:`_json_text` as the UTF-8 bytes written: no text copy of a document of tens of
    megabytes (at 100,000 open cases each copy is ~70 MB of peak memory)."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - a dependency
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _now() -> datetime:
    return datetime.now(UTC)


def cmd_report(args: argparse.Namespace) -> int:
    from .domain.report import report_head, report_items
    from .domain.rules import RuleEngine, severity_at_least
    from .store.db import Store, StoreError

    cfg = load_config(args.config)
    db = args.db or default_db_path()
    at = args.at or _now()
    try:
        store = Store(db, read_only=True)
    except StoreError as exc:
        raise UsageError(str(exc)) from exc
    with store:
        data_as_of = store.data_as_of()
        # looking back (§14): an instant before the data was fetched shows the cases as they were then
        looking_back = data_as_of is not None and at < data_as_of - timedelta(minutes=1)
        lang = args.lang or cfg.ui.lang
        engine = RuleEngine(cfg.params_for, lang=lang)
        units = store.units()
        known = {u.id for u in units}
        for uid in args.unit or ():
            if uid not in known:
                raise UsageError(f"unknown unit {uid!r} (the store has: {', '.join(sorted(known)) or 'none'})")
        # the JSON never shows a patient: read without their identity; the Markdown masks numbers
        snap = (
            store.snapshot_at(at)
            if looking_back
            else store.snapshot(around=at, identity=args.format != "json", **engine.read_plan(units, at))
        )
        ev = engine.evaluate(snap, at, args.unit)
        doc = items = data = None
        if args.format == "json":
            doc = report_head(ev, snap, cfg.rules)
            if looking_back:
                doc["looking_back"] = True
            else:  # the forecast for today's closing, each term and its method (README)
                from .reports.forecast import unit_forecast

                by_id = {u.id: u for u in units}
                for u in doc["units"]:
                    f = unit_forecast(store, snap, by_id[u["id"]], at, cfg.forecast.cases_per_clinician_hour)
                    u["forecast"] = f.to_json() if f is not None else None
            items = report_items(ev)  # written below, item by item
        else:
            from .reports.shift import shift_report_markdown

            tz = ZoneInfo(snap.units[0].timezone if snap.units else "Europe/Stockholm")
            since = args.since or datetime.combine(at.astimezone(tz).date(), time(0), tz)
            data = shift_report_markdown(store, ev, snap, since, at, lang).encode("utf-8")
        skipped = store.skipped_text()  # rows an older version stored that cannot be used
    from .faults import write_all

    # a full disk under stdout: one line, exit 2
    if doc is not None and items is not None:
        _write_json(sys.stdout.buffer, doc, items)
    elif data is not None:
        write_all(sys.stdout.buffer, data)
    if skipped:
        print(f"direkt-tui: warning: {skipped}", file=sys.stderr)
    if args.fail_on and any(severity_at_least(f.severity, args.fail_on) for f in ev.findings):
        return 1
    return 0


def cmd_sim(args: argparse.Namespace) -> int:
    from .sim.cli import run

    return run(args)


def _with_audit_key(cfg):
    """The audit log's key file from the configuration; an existing one that cannot be used
    (readable by others, not a key) stops the command now, in one line (a ConfigError)."""
    from .store.auditkey import configure_from

    configure_from(cfg)
    return cfg


def cmd_sync(args: argparse.Namespace) -> int:
    from .sync.cli import run_sync

    return run_sync(args, _with_audit_key(load_config(args.config)))


def cmd_app(args: argparse.Namespace) -> int:
    from .launch import run_app

    return run_app(args, _with_audit_key(load_config(args.config)))


def cmd_calllist(args: argparse.Namespace) -> int:
    from .reports.calllist import run_calllist

    return run_calllist(args, load_config(args.config))


def cmd_check_api(args: argparse.Namespace) -> int:
    from .checkapi.cli import run

    return run(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import run_serve

    return run_serve(args, _with_audit_key(load_config(args.config)))


def cmd_paths(args: argparse.Namespace) -> int:
    from .configcheck import run_paths

    return run_paths(args)


def cmd_config(args: argparse.Namespace) -> int:
    from .configcheck import run_config_check

    return run_config_check(args)


def cmd_completion(args: argparse.Namespace) -> int:
    from .completion import run_completion

    return run_completion(args, build_parser("completion"))


class _LazyVersion(argparse._VersionAction):
    """``--version``, the package's version looked up only when asked (``importlib.metadata``
    costs every command a few hundredths of a second to import)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option_string: Any = None) -> None:
        self.version = f"direkt-tui {_version()}"
        super().__call__(parser, namespace, values, option_string)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("direkt-tui")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without installing
        return "unknown"


def cmd_audit(args: argparse.Namespace) -> int:
    from .reports.audit import run_audit

    return run_audit(args)


COMMANDS = {
    "audit": cmd_audit,
    "report": cmd_report,
    "sim": cmd_sim,
    "sync": cmd_sync,
    "tui": cmd_app,
    "demo": cmd_app,
    "calllist": cmd_calllist,
    "check-api": cmd_check_api,
    "serve": cmd_serve,
    "paths": cmd_paths,
    "config": cmd_config,
    "completion": cmd_completion,
}


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(argv if argv is not None else sys.argv[1:])
    # no subcommand (only options, or nothing) is the application: cli.md
    if not args_in or (args_in[0] not in COMMANDS and args_in[0] not in ("-h", "--help", "--version")):
        args_in = ["tui", *args_in]
    parser = build_parser(args_in[0])
    args = parser.parse_args(args_in)
    try:
        code = COMMANDS[args.command](args)
    except (UsageError, ConfigError) as exc:
        print(f"direkt-tui {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a damaged store, a full disk, a read-only file system: one line, exit 2
        line = _fault_line(exc, args)
        if line is None:
            raise
        print(f"direkt-tui {args.command}: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    if argv is None and args.command in ("tui", "demo"):
        # the program (not a caller in this process): the application has closed and
        # everything is stored; do not wait for the interpreter's teardown (launch.exit_now)
        from .launch import exit_now

        exit_now(code)
    return code


def _fault_line(exc: BaseException, args: argparse.Namespace) -> str | None:
    """One line for a store or file-system fault that reached the top (None: not one)."""
    import sqlite3

    from .faults import fault_text

    store_db = sys.modules.get("direkt_tui.store.db")
    if store_db is not None and isinstance(exc, store_db.StoreError):
        line = str(exc)
    elif isinstance(exc, OSError):
        line = fault_text(exc)
    elif isinstance(exc, (UnicodeDecodeError, sqlite3.Error)):
        line = fault_text(exc, getattr(args, "db", None) or default_db_path())
    else:
        return None
    try:  # output that could not be written (a full disk under stdout) must not fail again at exit
        sys.stdout.flush()
    except OSError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return line


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
