"""``direkt-tui sim``: run the simulator in the foreground.

The lead wires it up with ``configure_parser(subparser)`` and ``run(args)``; it also runs as
``python -m direkt_tui.sim``.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import threading
from datetime import datetime

from .faults import FaultError, Faults, parse_window

DEFAULT_PORT = 8024


class UsageError(Exception):
    pass


def _instant(text: str) -> datetime:
    from .timeutil import UTC, zone

    t = text.strip()
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an instant: {text!r} (use e.g. 2026-11-26T07:30 or 2026-11-26T07:30:00+01:00)"
        ) from None
    if dt.tzinfo is None:  # local wall time in Stockholm
        dt = dt.replace(tzinfo=zone("Europe/Stockholm"))
    return dt.astimezone(UTC)


def _window(text: str) -> str:
    try:
        parse_window(text)
    except FaultError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def _float(text: str, lo: float, hi: float, out_of_range: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not lo <= v <= hi:
        raise argparse.ArgumentTypeError(out_of_range)
    return v


def _rate(text: str) -> float:
    return _float(text, 0, 1, "a rate is between 0 and 1")


def _nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return v


def _speed(text: str) -> float:
    return _float(text, 0, 100_000, "speed must be between 0 and 100000")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``sim`` options to ``parser``."""
    src = parser.add_argument_group("what to serve")
    src.add_argument(
        "--scenario", metavar="FILE", help="serve a direkt-scenario/1 file with the clock frozen at its as_of"
    )
    src.add_argument("--seed", type=int, default=None, help="generated live day: the random seed (default 1)")
    src.add_argument(
        "--speed", type=_speed, default=1.0, help="simulated seconds per real second (default 1; 0 freezes the clock)"
    )
    src.add_argument(
        "--start",
        type=_instant,
        default=None,
        metavar="INSTANT",
        help="simulated start (RFC 3339; without offset = Stockholm local time); "
        "default: the latest working day 07:30 at or before now",
    )
    src.add_argument(
        "--preload-cases",
        type=_nonneg_int,
        default=0,
        metavar="N",
        help="start with N extra open cases spread over the units (benchmarks)",
    )
    src.add_argument(
        "--units", type=int, choices=(3, 4, 5), default=None, help="number of generated units (default: from the seed)"
    )
    src.add_argument(
        "--history-weeks",
        type=_nonneg_int,
        default=0,
        metavar="N",
        help="also serve the closed cases and shifts of the N weeks before the live day (0-8; default 0)",
    )
    src.add_argument(
        "--history-same-weekday",
        action="store_true",
        help="of those weeks only the live day's weekday (what the forecast and the typical day read; 7x faster)",
    )
    src.add_argument(
        "--reassign-person-held",
        action="store_true",
        help="capability: a person-held case may be reassigned by someone else",
    )
    src.add_argument(
        "--log-retention",
        type=_nonneg_int,
        default=10_000,
        metavar="N",
        help="superseded changes kept per feed before old cursors get 410",
    )
    net = parser.add_argument_group("network")
    net.add_argument("--host", default="127.0.0.1", help="address to bind: only 127.0.0.1 / localhost are accepted")
    net.add_argument(
        "--port", type=_nonneg_int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = any free port)"
    )
    net.add_argument("--token", default=None, help="bearer token to accept (default: $DIREKT_API_TOKEN, else 'demo')")
    net.add_argument("--verbose", action="store_true", help="log every request to stderr")
    ch = parser.add_argument_group("fault injection (also at runtime: POST /_sim/control)")
    ch.add_argument("--latency-ms", type=_nonneg_int, default=0, help="delay every request")
    ch.add_argument("--error-rate", type=_rate, default=0.0, help="share of random 500s")
    ch.add_argument(
        "--outage",
        type=_window,
        action="append",
        default=[],
        metavar="HH:MM-HH:MM",
        help="503 + Retry-After during this window of simulated local time (repeatable)",
    )
    ch.add_argument(
        "--garbage-rate", type=_rate, default=0.0, help="share of feed pages answered 200 with a truncated JSON body"
    )
    ch.add_argument(
        "--rate-limit-every",
        type=_nonneg_int,
        default=0,
        metavar="N",
        help="every Nth request gets 429 with Retry-After: 1",
    )
    ch.add_argument("--repeat-rate", type=_rate, default=0.0, help="chance a page repeats items of earlier pages")
    ch.add_argument(
        "--old-version-rate",
        type=_rate,
        default=0.0,
        help="chance an older version of an entity is re-sent after a newer one",
    )
    ch.add_argument(
        "--max-page-size",
        type=int,
        default=None,
        metavar="N",
        help="serve at most N items per page whatever limit says (1..1000)",
    )
    from .broken import MODES

    ch.add_argument(
        "--broken",
        action="append",
        default=[],
        choices=MODES,
        metavar="MODE",
        help=f"break the contract on purpose, for check-api (repeatable): {', '.join(MODES)}",
    )


def build(args):
    """World and (unstarted) SimServer from parsed args; raises UsageError."""
    from .generate import MAX_HISTORY_WEEKS, generate_world
    from .scenario import ScenarioError, load_scenario
    from .server import HostNotAllowed, SimServer

    if args.scenario and args.seed is not None:
        raise UsageError("--scenario and --seed exclude each other")
    if args.max_page_size is not None and not 1 <= args.max_page_size <= 1000:
        raise UsageError("--max-page-size must be between 1 and 1000")
    if args.host not in ("127.0.0.1", "localhost"):
        raise UsageError(
            f"--host must be 127.0.0.1 or localhost (got {args.host!r}); "
            "the simulator never listens on other interfaces"
        )
    if args.port > 65535:
        raise UsageError("--port must be at most 65535")
    token = args.token or os.environ.get("DIREKT_API_TOKEN") or "demo"
    if args.scenario:
        if args.preload_cases:
            raise UsageError("--preload-cases applies to a generated day, not to --scenario")
        if args.history_weeks:
            raise UsageError("--history-weeks applies to a generated day, not to --scenario")
        try:
            world = load_scenario(args.scenario, log_retention=args.log_retention)
        except ScenarioError as exc:
            raise UsageError(str(exc)) from None
        what = f"scenario {world.name} at {world.scenario['as_of']} (clock frozen)"
    else:
        seed = 1 if args.seed is None else args.seed
        if args.history_weeks > MAX_HISTORY_WEEKS:
            raise UsageError(f"--history-weeks must be at most {MAX_HISTORY_WEEKS}")
        world = generate_world(
            seed=seed,
            start=args.start,
            speed=args.speed,
            preload_cases=args.preload_cases,
            units=args.units,
            history_weeks=args.history_weeks,
            history_same_weekday=args.history_same_weekday,
            log_retention=args.log_retention,
            reassign_person_held=args.reassign_person_held,
        )
        from .timeutil import iso

        what = (
            f"generated day, seed {seed}, start {iso(world.clock.start)}, speed {args.speed:g}"
            + (f", {args.preload_cases} preloaded cases" if args.preload_cases else "")
            + (f", {args.history_weeks} weeks of history" if args.history_weeks else "")
        )
    faults = {
        "latency_ms": args.latency_ms,
        "error_rate": args.error_rate,
        "outage_windows": list(args.outage),
        "garbage_rate": args.garbage_rate,
        "rate_limit_every": args.rate_limit_every,
        "repeat_rate": args.repeat_rate,
        "old_version_rate": args.old_version_rate,
        "max_page_size": args.max_page_size,
        "broken": list(getattr(args, "broken", None) or []),
    }
    Faults().validated_update(faults)
    world.set_faults(**faults)
    try:
        server = SimServer(world, host=args.host, port=args.port, token=token, verbose=args.verbose)
    except HostNotAllowed as exc:
        raise UsageError(str(exc)) from None
    if faults["broken"]:
        what += f" — BROKEN on purpose: {', '.join(faults['broken'])}"
    return world, server, what


def run(args) -> int:
    """Serve until Ctrl-C / SIGTERM. Returns the exit status (2 on bad arguments)."""
    try:
        world, server, what = build(args)
        try:
            server.bind()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {args.port} on {server.host} is already in use (another simulator running? try --port 0)"
                ) from None
            raise UsageError(f"cannot listen on {server.host}:{args.port}: {exc.strerror}") from None
    except UsageError as exc:
        print(f"direkt-tui sim: error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _on_signal(signum, frame):
        stop.set()

    old = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            old[sig] = signal.signal(sig, _on_signal)
        except ValueError:  # not in the main thread
            pass
    server.start()
    print(f"direkt-tui sim: serving {server.base_url} — {what}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for sig, h in old.items():
            signal.signal(sig, h)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m direkt_tui.sim", description="The direkt platform simulator (openapi.yaml on 127.0.0.1)."
    )
    configure_parser(parser)
    return run(parser.parse_args(argv))
