"""The composition root: wires the store, the sync, the simulator and the application.

Starting the application: ``direkt-tui tui`` (against the configured API), ``direkt-tui
demo`` (simulator + sync + application, nothing to configure) and ``--offline`` review."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .config import Config, default_db_path
from .sync.live import LiveSync, follow_platform
from .ui.clock import ServerClock


class _exit_on_hangup:
    """A closed terminal (SIGHUP) or SIGTERM ends the app the normal way, so the sync stops
    cleanly and the demo's temporary store is removed."""

    def __init__(self, app: Any):
        self.app = app
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> None:
        import signal

        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                self.previous[sig] = signal.signal(sig, lambda *_: self.app.exit())
            except (ValueError, OSError):  # not the main thread
                pass

    def __exit__(self, *exc: object) -> None:
        import signal

        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


def _lang(args: argparse.Namespace, cfg: Config) -> str:
    return getattr(args, "lang", None) or cfg.ui.lang


def build_live_sync(
    store_path: Path, cfg: Config, base_url: str, rate: float = 1.0, *, follow_server: bool = False
) -> LiveSync:
    """The live sync over the store at ``store_path`` against ``base_url``, on a server clock
    running at ``rate`` (the demo's simulated day runs faster)."""
    return LiveSync.open(store_path, cfg, base_url, ServerClock(rate), follow_server=follow_server)


def run_app(args: argparse.Namespace, cfg: Config) -> int:
    from .store.db import Store, StoreError
    from .ui.app import DirektApp

    lang = _lang(args, cfg)
    if args.command == "demo":
        return run_demo(args, cfg, lang)
    db = args.db or default_db_path()
    offline = bool(getattr(args, "offline", False))
    if offline:
        try:
            Store(db, read_only=True).close()
        except StoreError as exc:
            print(f"direkt-tui: error: {exc}", file=sys.stderr)
            return 2
        app = DirektApp(db, cfg, lang=lang, offline=True, read_only=True)
        app.run()
        return 0
    api = getattr(args, "api", None) or cfg.api.url
    try:
        live = build_live_sync(Path(db), cfg, api)
    except StoreError as exc:
        print(f"direkt-tui: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bad certificate path, an unreadable token file …
        print(f"direkt-tui: error: {exc}", file=sys.stderr)
        return 2
    app = DirektApp(db, cfg, lang=lang, clock=live.clock, sync=live, read_only=bool(args.read_only))
    _run_live(app, live)
    return 0


def _run_live(app: Any, live: LiveSync, *cleanup: Callable[[], Any]) -> None:
    """Run the application with its sync; whatever ends it, stop the sync, close the store,
    then the extra clean-up steps."""
    live.bind(app)
    try:
        with _exit_on_hangup(app):
            app.run()
    finally:
        live.shutdown(wait=False)
        live.store.close()
        for step in cleanup:
            step()


class DemoControls:
    """What only the demo can do: make the simulated platform go down and come back."""

    def __init__(self, world: Any):
        self.world = world

    @property
    def outage(self) -> bool:
        return bool(self.world.control_state().get("outage"))

    def toggle_outage(self) -> bool:
        down = not self.outage
        self.world.set_faults(outage=down)
        return down


def start_demo_backend(
    cfg: Config,
    *,
    seed: int,
    speed: float,
    port: int = 0,
    workdir: Path | None = None,
    feed_interval: float = 2.0,
    outages: Sequence[str] = (),
) -> tuple[Any, LiveSync, Path, Config]:
    """The simulator on 127.0.0.1, a fresh store in a temporary directory, and the sync."""
    from .sim import SimServer, generate_world

    token = os.environ.get("DIREKT_API_TOKEN") or "demo"
    os.environ["DIREKT_API_TOKEN"] = token
    world = generate_world(seed=seed, speed=speed)
    if outages:
        world.set_faults(outage_windows=list(outages))
    server = SimServer(world, port=port, token=token)
    server.start()
    workdir = workdir or Path(tempfile.mkdtemp(prefix="direkt-demo-"))
    db = workdir / "demo.db"
    fallback = cfg.fallback
    if not (fallback.stod_och_service_phone or fallback.inera_phone):  # fictional, for the demo only
        fallback = replace(
            fallback, stod_och_service_phone="010-000 00 00 (exempel)", inera_phone="0771-00 00 00 (exempel)"
        )
    user = cfg.user if cfg.user.name else replace(cfg.user, name="Demo-användare")
    demo_cfg = replace(
        cfg,
        api=replace(cfg.api, url=server.base_url, token_file=None),
        sync=replace(cfg.sync, feed_interval_seconds=feed_interval, reference_interval_seconds=60),
        fallback=fallback,
        user=user,
    )
    live = build_live_sync(db, demo_cfg, server.base_url, rate=speed, follow_server=True)
    # the demo's day runs fast: retry briefly, so an outage shows within moments, not minutes
    from .sync.engine import RetryPolicy

    live.scheduler.engine.retry = RetryPolicy(max_attempts=2, base_delay=0.2, max_delay=1.0, max_retry_after=1.0)
    # the first cycle before the application opens, so every panel has data at first paint
    try:
        result = live.scheduler.engine.sync_all()
        follow_platform(live.clock, result)
    except Exception:  # the scheduler retries; the header shows the failure
        pass
    return server, live, db, demo_cfg


def run_demo(args: argparse.Namespace, cfg: Config, lang: str) -> int:
    from .ui.app import DirektApp

    workdir = Path(tempfile.mkdtemp(prefix="direkt-demo-"))
    try:
        server, live, db, demo_cfg = start_demo_backend(
            cfg, seed=args.seed, speed=args.speed, port=args.port, workdir=workdir, outages=args.outage
        )
    except OSError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"direkt-tui demo: error: cannot start the simulator: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bad --outage window, …
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"direkt-tui demo: error: {exc}", file=sys.stderr)
        return 2
    app = DirektApp(
        db,
        demo_cfg,
        lang=lang,
        clock=live.clock,
        sync=live,
        read_only=bool(args.read_only),
        refresh_seconds=5.0,
        demo=DemoControls(server.world),
    )
    _run_live(app, live, server.stop, lambda: shutil.rmtree(workdir, ignore_errors=True))
    return 0
