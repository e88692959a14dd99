"""The live-sync service the application talks to: the sync scheduler over a writer store, the
outbox sender on its own worker, and a clock (in the demo it follows the simulated platform).

The application sees it through ``ui.ports.LiveSyncPort`` (``writer()``, ``enqueue()``,
``sync_now()``, ``start()``, ``shutdown()``); the composition root (``direkt_tui.launch``)
builds it with :func:`build_live_sync` and binds it to the application.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from ..config import Config
from ..domain.models import sane_instant
from ..domain.writes import WriteRequest
from ..store import actions
from ..store.db import Store


class AnchoredClock(Protocol):
    """A clock that can be set to an instant (``ui.clock.ServerClock`` fits)."""

    def now(self) -> datetime: ...
    def anchor(self, at: datetime) -> None: ...


class AppHooks(Protocol):
    """What the live sync calls back on the application (from its own threads)."""

    def on_sync_cycle(self, result: Any, exc: BaseException | None) -> None: ...


def follow_platform(clock: AnchoredClock, result: Any) -> None:
    """Set the demo's clock to the simulated platform's time of a sync (its ``X-Server-Time``;
    not ``data_as_of``, which is never later than our clock and would let the clock lag more
    with every cycle)."""
    t = getattr(result, "server_time", None)
    if not sane_instant(t):
        t = getattr(result, "data_as_of", None)
    if t is not None:
        clock.anchor(t)


class LiveSync:
    """The sync as the application sees it: a scheduler over a writer store, a clock (in the
    demo it follows the simulated platform), and the load history written after each board."""

    def __init__(
        self, store: Store, scheduler: Any, clock: AnchoredClock, sender: Any = None, *, follow_server: bool = False
    ):
        self.store = store
        self.scheduler = scheduler
        self.clock = clock
        # the demo's clock follows the simulated platform's; against a real platform the
        # application's clock is the local one (report.md): a platform clock is reported as skew,
        # never followed (a bogus one would carry the application, and the data's age, with it)
        self.follow_server = follow_server
        self.sender = sender
        self._app_hook: Callable[[Any, BaseException | None], None] | None = None
        self._app_outcome: Callable[[Any, str], None] | None = None
        if sender is not None:
            from apscheduler.executors.pool import ThreadPoolExecutor
            from apscheduler.triggers.interval import IntervalTrigger

            # writes on their own worker: a long feed sync never delays a coordinator's write
            scheduler.scheduler.add_executor(ThreadPoolExecutor(max_workers=1), alias="outbox")
            scheduler.scheduler.add_job(
                self._send,
                IntervalTrigger(seconds=1),
                id="outbox",
                name="outbox",
                executor="outbox",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=5,
                replace_existing=True,
            )
            sender.on_outcome = self._on_outcome

    @classmethod
    def open(
        cls, store_path: Path, cfg: Config, base_url: str, clock: AnchoredClock, *, follow_server: bool = False
    ) -> LiveSync:
        """The writer store at ``store_path``, the sync engine and scheduler against
        ``base_url`` and the outbox sender, all on ``clock``."""
        from .engine import build_engine
        from .outbox import OutboxSender
        from .recorder import Recorder
        from .scheduler import SyncScheduler

        store = Store(store_path)
        # the engine stamps failures on the platform's clock too, like the data it syncs
        engine = build_engine(store, cfg, base_url=base_url, on_synced=Recorder(store, cfg), clock=clock.now)
        scheduler = SyncScheduler(engine, cfg)
        sender = OutboxSender(store, engine.client, concurrency=8, clock=clock.now, actor=actor_name(cfg))
        return cls(store, scheduler, clock, sender, follow_server=follow_server)

    def bind(self, app: AppHooks) -> None:
        self._app_hook = app.on_sync_cycle
        self._app_outcome = getattr(app, "on_write_outcome", None)
        self.scheduler.on_cycle = self._on_cycle

    def writer(self) -> Store:
        """The writer store (local records: sign-offs, call marks, the audit log)."""
        return self.store

    def _send(self) -> None:
        if self.sender is not None:
            self.sender.job()

    def _on_outcome(self, row: Any, status: str) -> None:
        if self._app_outcome is not None:
            self._app_outcome(row, status)

    def enqueue(self, actor: str, action: str, writes: Sequence[WriteRequest], detail: Any) -> str:
        """Queue writes with their audit entry (one transaction) and send them at once."""
        batch = actions.enqueue(self.store, self.clock.now(), actor, action, writes, detail)
        self.kick()
        return batch

    def kick(self) -> None:
        job = self.scheduler.scheduler.get_job("outbox")
        if job is not None:
            job.modify(next_run_time=datetime.now(UTC))

    def _on_cycle(self, result: Any, exc: BaseException | None) -> None:
        if self.follow_server and result is not None:
            follow_platform(self.clock, result)
        if self._app_hook is not None:
            self._app_hook(result, exc)

    def start(self) -> None:
        self.scheduler.start()

    def sync_now(self) -> None:
        """A sync cycle at once (the coordinator pressed ``r``)."""
        self.scheduler.run_now()

    def shutdown(self, wait: bool = True) -> None:
        if self.sender is not None:
            self.sender.stop()
        self.scheduler.shutdown(wait=wait)


def actor_name(cfg: Config) -> str:
    """Who the audit log names: the configured user (and staff id), else the login name."""
    import getpass

    name = cfg.user.name or getpass.getuser()
    return f"{name} ({cfg.user.staff_id})" if cfg.user.staff_id else name


__all__ = ["AnchoredClock", "AppHooks", "LiveSync", "actor_name", "follow_platform"]
