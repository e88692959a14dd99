"""``direkt-tui serve``: the board in a browser tab or on a wall screen (textual-serve).

textual-serve starts one application process per browser tab. They must not each sync and
send writes against one store, so this process is the only writer to the platform: it runs the
one sync (and, in ``--demo``, the one simulator), and every served tab runs the application
over the store, following it as the sync changes it (``python -m direkt_tui.serve --tab …``).
Read-only unless ``--allow-writes``: then a tab queues its writes in the store's outbox (with
their audit entry, one transaction, as always) and this process's outbox sender sends them.

It listens on 127.0.0.1 unless a host is given; it has no authentication of its own, so a
served board on the network belongs behind a TLS (SITHS) terminating proxy — see the README.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .config import Config, default_db_path, load_config

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address browsers use, behind a proxy (e.g. https://direkt-tavla.example); default http://HOST:PORT",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--demo", action="store_true", help="serve the demo (one simulator and one sync for all tabs)")
    src.add_argument("--api", default=None, metavar="URL", help="base URL of the platform API (default: configured)")
    p.add_argument("--db", type=Path, default=None, help="the store the sync writes and the tabs read")
    p.add_argument("--config", type=Path, default=None, help="TOML configuration file")
    p.add_argument("--lang", choices=("sv", "en"), default=None, help="language (default: sv)")
    p.add_argument("--allow-writes", action="store_true", help="let the served tabs write (default: read-only)")
    p.add_argument("--seed", type=int, default=24, help="--demo: simulator seed")
    p.add_argument("--speed", type=float, default=30.0, help="--demo: simulated seconds per real second")


class _Headless:
    """The live sync's application hooks when no application runs in this process."""

    def on_sync_cycle(self, result: Any, exc: BaseException | None) -> None:
        pass


def _free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds: a restart may reuse it
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def host_warning(host: str) -> str | None:
    """What ``serve`` says, loudly, when it listens beyond this machine (None on loopback)."""
    if host in LOOPBACK:
        return None
    return (
        f"direkt-tui serve: WARNING: listening on {host}: the served board has NO authentication of its own.\n"
        "  Anyone who can reach this address sees the unit's cases. Put it behind a TLS (SITHS) terminating\n"
        "  proxy that authenticates users (README: 'The board in a browser'), or use --host 127.0.0.1."
    )


def run_serve(args: argparse.Namespace, cfg: Config) -> int:
    from textual_serve.server import Server

    from .launch import build_live_sync, close_live, start_demo_backend

    host = args.host or "127.0.0.1"
    lang = args.lang or cfg.ui.lang
    if not 0 < args.port < 65536:
        print("direkt-tui serve: error: --port must be between 1 and 65535", file=sys.stderr)
        return 2
    if not _free(host, args.port):
        print(
            f"direkt-tui serve: error: cannot listen on {host}:{args.port} (in use, or not an address here)",
            file=sys.stderr,
        )
        return 2
    warning = host_warning(host)
    if warning and args.allow_writes:
        print(
            f"direkt-tui serve: error: --allow-writes on {host} would let anyone who reaches it write to the "
            "platform in the configured user's name; serve writes on 127.0.0.1 behind an authenticating proxy",
            file=sys.stderr,
        )
        return 2
    if warning:
        print(warning, file=sys.stderr)
    workdir: Path | None = None
    server = None
    if args.demo:
        workdir = Path(tempfile.mkdtemp(prefix="direkt-serve-"))
        try:
            server, live, db, cfg = start_demo_backend(
                cfg, seed=args.seed, speed=args.speed, workdir=workdir, db=args.db
            )
        except Exception as exc:
            shutil.rmtree(workdir, ignore_errors=True)
            print(f"direkt-tui serve: error: cannot start the demo: {exc}", file=sys.stderr)
            return 2
    else:
        db = args.db or default_db_path()
        try:
            live = build_live_sync(Path(db), cfg, args.api or cfg.api.url)
        except Exception as exc:
            print(f"direkt-tui serve: error: {exc}", file=sys.stderr)
            return 2
    tab = [sys.executable, "-m", "direkt_tui.serve", "--tab", "--db", str(db), "--lang", lang]
    if args.config:
        tab += ["--config", str(args.config)]
    if args.allow_writes:
        tab.append("--allow-writes")
    if args.demo:
        tab += ["--demo-speed", str(args.speed)]
    mode = "writes allowed" if args.allow_writes else "read-only"
    print(f"direkt-tui serve: http://{host}:{args.port}/ ({mode}; store {db}); Ctrl+C stops", file=sys.stderr)
    import logging

    for name in ("httpx", "apscheduler"):  # textual-serve logs INFO: not every request and job
        logging.getLogger(name).setLevel(logging.WARNING)
    import os

    # the tabs never talk to the platform: they get no token (textual-serve copies the environment)
    os.environ.pop("DIREKT_API_TOKEN", None)
    try:
        live.bind(_Headless())
        live.start()
        Server(shlex.join(tab), host=host, port=args.port, title="direkt-tui", public_url=args.public_url).serve()
    finally:
        close_live(live)
        if server is not None:
            server.stop()
        if workdir is not None:  # with --db the store is elsewhere and kept; the folder is empty
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


# -- one served tab ---------------------------------------------------------------------------
class StoreFollowingClock:
    """A tab's clock in the demo: the simulated time runs at ``rate``, re-anchored (at most every
    few seconds) to the time of the sync's last success as the store records it."""

    def __init__(self, db: Path, rate: float, every: float = 5.0):
        from .ui.clock import ServerClock

        self.db = db
        self.every = every
        self._clock = ServerClock(rate)
        self._lock = threading.Lock()
        self._next = 0.0

    def _last_sync(self) -> datetime | None:
        from .store.db import Store

        try:
            with Store(self.db, read_only=True) as st:
                return st.sync_health().last_success_at
        except Exception:  # not there yet, busy: keep the current anchor
            return None

    def now(self) -> datetime:
        mono = time.monotonic()
        with self._lock:
            due = mono >= self._next
            if due:
                self._next = mono + self.every
        if due:
            t = self._last_sync()
            if t is not None and (not self._clock.anchored or t > self._clock.now()):
                self._clock.anchor(t)
        return self._clock.now()


class StoreOutboxPort:
    """``ui.ports.LiveSyncPort`` for a served tab: writes go to the store's outbox (with their
    audit entry), which the serve process's outbox sender sends; the sync is that process's."""

    def __init__(self, db: Path, clock: Any):
        from .store.db import Store

        self.clock = clock
        self.store = Store(db)

    def writer(self) -> Any:
        return self.store

    def enqueue(self, actor: str, action: str, writes: Sequence[Any], detail: Any) -> str:
        from .store import actions

        return actions.enqueue(self.store, self.clock.now(), actor, action, list(writes), detail)

    def sync_now(self) -> None:  # the serve process syncs on its schedule
        pass

    def start(self) -> None:
        pass

    def shutdown(self, wait: bool = True) -> None:
        self.store.close()


def tab_main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="direkt-tui serve --tab")
    p.add_argument("--tab", action="store_true", required=True)
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--lang", choices=("sv", "en"), default="sv")
    p.add_argument("--config", type=Path, default=None)
    p.add_argument("--allow-writes", action="store_true")
    p.add_argument("--demo-speed", type=float, default=None)
    args = p.parse_args(argv)
    from .launch import demo_people, reports_dir_for
    from .store.auditkey import configure_from
    from .ui.app import DirektApp
    from .ui.clock import SystemClock

    cfg = load_config(args.config)
    configure_from(cfg)
    clock: Any = SystemClock()
    if args.demo_speed is not None:
        cfg = demo_people(cfg)
        clock = StoreFollowingClock(args.db, args.demo_speed)
    port = StoreOutboxPort(args.db, clock) if args.allow_writes else None
    app = DirektApp(
        args.db,
        cfg,
        lang=args.lang,
        clock=clock,
        sync=port,
        read_only=not args.allow_writes,
        refresh_seconds=3.0,
        reports_dir=reports_dir_for(args.db),
    )
    try:
        app.run()
    finally:
        if port is not None:
            port.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(tab_main())
