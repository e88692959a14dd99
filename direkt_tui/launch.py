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

from .config import APP, DEFAULT_API, Config, default_config_path, default_db_path
from .sync.live import LiveSync, follow_platform
from .ui.clock import ServerClock

EXIT_FAILED = 1
EXIT_USAGE = 2
DEMO_HISTORY_WEEKS = 4  # the demo's earlier weeks: the forecast's and the typical day's history


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


def demo_reports_dir() -> Path:
    """Where the demo saves its shift reports: the user's data directory (the demo's own store
    is temporary; its reports are not), apart from a real store's reports."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP)) / "demo-reports"


def reports_dir_for(db: Path) -> Path:
    """Shift reports are saved beside the store (README): ``<store's folder>/reports``."""
    return Path(db).expanduser().absolute().parent / "reports"


def exit_now(code: int) -> None:
    """End the process at once once the application has closed and everything is stored.

    Measured (issue 12, item 11): after the app and the sync had stopped, the interpreter's
    own teardown took seconds on a long session — the final garbage collection of the day's
    boards, and joining the sync's and the outbox's worker threads (``concurrent.futures``
    joins them at exit, so a request in flight held the blank terminal up to its deadline).
    Nothing is lost by not waiting: every page the sync applied and every queued write (with
    its audit entry) is committed when it happens; a write in flight stays in the outbox as
    ``sending`` and is sent again under the same idempotency key at the next start."""
    import logging

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    logging.shutdown()
    os._exit(code)


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
        app = DirektApp(
            db,
            cfg,
            lang=lang,
            offline=True,
            read_only=True,
            reports_dir=reports_dir_for(Path(db)),
            quit_without_waiting=True,
        )
        app.run()
        return 0
    api = getattr(args, "api", None) or cfg.api.url
    existed = Path(db).exists()
    try:
        live = build_live_sync(Path(db), cfg, api)
    except StoreError as exc:
        print(f"direkt-tui: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bad certificate path, an unreadable token file …
        print(f"direkt-tui: error: {exc}", file=sys.stderr)
        return 2
    problem = first_contact(live, api, lang)
    if problem is not None:
        code, text = problem
        live.shutdown(wait=False)
        from .sync.cli import discard_store_file, store_is_empty

        empty = not existed and store_is_empty(live.store)
        live.store.close()
        if empty:  # nothing was ever stored: leave no empty store behind
            discard_store_file(Path(db))
        if code == EXIT_USAGE:  # the platform answered and refused the credentials
            print(f"direkt-tui: error: {text} (API {api})", file=sys.stderr)
            return code
        unconfigured = not getattr(args, "api", None) and cfg.api.url == DEFAULT_API
        print(_no_platform_text(lang, api, text, unconfigured, cfg.source or default_config_path()), file=sys.stderr)
        return code
    app = DirektApp(
        db,
        cfg,
        lang=lang,
        clock=live.clock,
        sync=live,
        read_only=bool(args.read_only),
        reports_dir=reports_dir_for(Path(db)),
        quit_without_waiting=True,
    )
    _run_live(app, live)
    return 0


def first_contact(live: LiveSync, api: str, lang: str) -> tuple[int, str] | None:
    """A store that has never synced gets its first sync before the application opens: if
    nothing answers at ``api`` that is not an outage (there is no snapshot to fall back on)
    but a platform that is not there or not configured. None: go on (data came, or the store
    already had some — then a failing sync is an outage, shown as one)."""
    from .sync.engine import RetryPolicy, SyncAuthError, SyncError

    if live.store.data_as_of() is not None:
        return None
    from . import i18n

    print(i18n.t("start.first_sync", lang, url=api), file=sys.stderr, flush=True)
    engine = live.scheduler.engine
    retry = engine.retry
    engine.retry = RetryPolicy(max_attempts=2, base_delay=0.2, max_delay=1.0, max_retry_after=2.0)
    try:
        engine.sync_all()
    except SyncAuthError as exc:
        return EXIT_USAGE, str(exc)
    except SyncError as exc:  # nothing answers, an error page, …: said in one place
        return EXIT_FAILED, str(exc) or type(exc).__name__
    # a damaged or full store raises on: one line from the command line (cli._fault_line)
    finally:
        engine.retry = retry
    return None


def _no_platform_text(lang: str, url: str, error: str, unconfigured: bool, config_path: Path) -> str:
    from . import i18n
    from .domain.text import visible

    key = "start.unconfigured" if unconfigured else "start.no_answer"
    head = i18n.t(key, lang, url=visible(url), error=visible(error))
    return f"direkt-tui: {head}\n  " + i18n.t("start.how", lang, config=str(config_path))


def _run_live(app: Any, live: LiveSync, *cleanup: Callable[[], Any], **run_options: Any) -> None:
    """Run the application with its sync; whatever ends it, stop the sync, close the store,
    then the extra clean-up steps. ``run_options`` go to ``App.run`` (tests: headless)."""
    live.bind(app)
    try:
        with _exit_on_hangup(app):
            app.run(**run_options)
    finally:
        close_live(live, *cleanup)


def close_live(live: LiveSync, *cleanup: Callable[[], Any]) -> None:
    """The quit path, in bounded time: stop the sync and the outbox without waiting for a job
    or a request in flight (each page and each queued write is committed when it happens; the
    store's close waits only for a transaction under way, never for a request), close the
    store, then the extra steps (the demo's simulator, its temporary folder)."""
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


def demo_people(cfg: Config) -> Config:
    """The demo's fictional support numbers and user where the configuration has none."""
    fallback = cfg.fallback
    if not (fallback.stod_och_service_phone or fallback.inera_phone):  # fictional, for the demo only
        fallback = replace(
            fallback, stod_och_service_phone="010-000 00 00 (exempel)", inera_phone="0771-00 00 00 (exempel)"
        )
    user = cfg.user if cfg.user.name else replace(cfg.user, name="Demo-användare")
    return replace(cfg, fallback=fallback, user=user)


def start_demo_backend(
    cfg: Config,
    *,
    seed: int,
    speed: float,
    port: int = 0,
    workdir: Path | None = None,
    feed_interval: float = 2.0,
    outages: Sequence[str] = (),
    db: Path | None = None,
    history_weeks: int = DEMO_HISTORY_WEEKS,
) -> tuple[Any, LiveSync, Path, Config]:
    """The simulator on 127.0.0.1, the sync, and a fresh store: ``db`` (``demo --db FILE``),
    else ``demo.db`` in ``workdir`` (a new temporary directory by default). The simulator also
    serves today's weekday of the ``history_weeks`` weeks before, so the forecast and the load
    detail's typical day have history from the first sync."""
    from .sim import SimServer, generate_world

    token = os.environ.get("DIREKT_API_TOKEN") or "demo"
    os.environ["DIREKT_API_TOKEN"] = token
    world = generate_world(seed=seed, speed=speed, history_weeks=history_weeks, history_same_weekday=True)
    if outages:
        world.set_faults(outage_windows=list(outages))
    server = SimServer(world, port=port, token=token)
    server.start()
    if db is None:
        workdir = workdir or Path(tempfile.mkdtemp(prefix="direkt-demo-"))
        db = workdir / "demo.db"
    demo_cfg = replace(
        demo_people(cfg),
        api=replace(cfg.api, url=server.base_url, token_file=None),
        sync=replace(cfg.sync, feed_interval_seconds=feed_interval, reference_interval_seconds=60),
    )
    try:
        live = build_live_sync(db, demo_cfg, server.base_url, rate=speed, follow_server=True)
    except BaseException:
        server.stop()
        raise
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


def demo_app(server: Any, live: LiveSync, db: Path, demo_cfg: Config, lang: str, *, read_only: bool = False) -> Any:
    """The application on the demo's backend, as ``direkt-tui demo`` opens it."""
    from .ui.app import DirektApp

    return DirektApp(
        db,
        demo_cfg,
        lang=lang,
        clock=live.clock,
        sync=live,
        read_only=read_only,
        refresh_seconds=5.0,
        demo=DemoControls(server.world),
        reports_dir=demo_reports_dir(),
        quit_without_waiting=True,
    )


def run_demo(args: argparse.Namespace, cfg: Config, lang: str) -> int:
    from . import i18n
    from .store.db import StoreError

    db_arg: Path | None = getattr(args, "db", None)
    workdir: Path | None = None
    if db_arg is not None:  # --db FILE: the demo's store goes there and stays
        db_arg = db_arg.expanduser()
        if db_arg.exists():
            print(f"direkt-tui demo: error: {i18n.t('demo.db_exists', lang, path=str(db_arg))}", file=sys.stderr)
            return EXIT_USAGE
    else:
        workdir = Path(tempfile.mkdtemp(prefix="direkt-demo-"))

    def remove_workdir() -> None:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)

    try:
        server, live, db, demo_cfg = start_demo_backend(
            cfg,
            seed=args.seed,
            speed=args.speed,
            port=args.port,
            workdir=workdir,
            outages=args.outage,
            db=db_arg,
            history_weeks=getattr(args, "history_weeks", DEMO_HISTORY_WEEKS),
        )
    except StoreError as exc:
        remove_workdir()
        print(f"direkt-tui demo: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        remove_workdir()
        print(f"direkt-tui demo: error: cannot start the simulator: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bad --outage window, …
        remove_workdir()
        print(f"direkt-tui demo: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    app = demo_app(server, live, db, demo_cfg, lang, read_only=bool(args.read_only))
    _run_live(app, live, server.stop, remove_workdir)
    if db_arg is not None:
        print(i18n.t("demo.db_kept", lang, path=str(db)), file=sys.stderr)
    return 0
