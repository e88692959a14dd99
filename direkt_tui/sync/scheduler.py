"""Periodic sync jobs on APScheduler 3.x (pinned ``<4``).

Jobs (each ``max_instances=1``, ``coalesce=True``, with a ``misfire_grace_time``):

- ``feeds``: a sync cycle every ``sync.feed_interval_seconds`` (15 s), first run at once;
  reference data is included when it is due or has never been read;
- ``reference``: reference data every ``sync.reference_interval_seconds`` (5 min);
- ``purge``: the retention purge nightly at 04:15 Europe/Stockholm — outside 02:00–03:00, where
  cron times fire twice or not at all on the daylight-saving change days.

All jobs run on **one** worker thread, so the store's writer connection is only ever used by
that sync thread and jobs never interleave. Every request has a deadline and every job a total
deadline (see :class:`~direkt_tui.sync.engine.SyncEngine`), so a hung server cannot hold the
thread and make later runs skip.

:class:`SyncScheduler` is the ``BackgroundScheduler`` variant for the UI (``start()`` returns);
:meth:`SyncScheduler.run_forever` is the blocking variant for ``direkt-tui sync --watch``: it
blocks until SIGINT/SIGTERM (or :meth:`stop`), then shuts down cleanly — the running job's
waits are interrupted and its request ends within its deadline; nothing is half-applied
because every page commits atomically.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .engine import CycleResult, SyncAuthError, SyncEngine, SyncStopped

log = logging.getLogger("direkt_tui.sync.scheduler")

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PURGE_AT = dtime(4, 15)
JOB_FEEDS = "feeds"
JOB_REFERENCE = "reference"
JOB_PURGE = "purge"


def _check_purge_time(at: dtime) -> None:
    if at.hour == 2:
        raise ValueError("the nightly purge must not run between 02:00 and 03:00 local (daylight-saving changes)")


class SyncScheduler:
    """The sync jobs of one engine.

    ``on_cycle(result, error)`` is called after every feeds job with the
    :class:`CycleResult` or the exception (for a status line); ``on_auth_error(exc)`` when
    the API refuses the credentials — the jobs are paused then (nothing more is tried until
    :meth:`resume`)."""

    def __init__(
        self,
        engine: SyncEngine,
        config: Any = None,
        *,
        tz: ZoneInfo = STOCKHOLM,
        purge_at: dtime = PURGE_AT,
        feed_interval: float | None = None,
        reference_interval: float | None = None,
        on_cycle: Callable[[CycleResult | None, BaseException | None], None] | None = None,
        on_auth_error: Callable[[BaseException], None] | None = None,
        run_now: bool = True,
    ):
        _check_purge_time(purge_at)
        self.engine = engine
        cfg = config if config is not None else engine.config
        self.feed_interval = float(feed_interval or cfg.sync.feed_interval_seconds)
        self.reference_interval = float(reference_interval or cfg.sync.reference_interval_seconds)
        self.tz = tz
        self.purge_at = purge_at
        self.on_cycle = on_cycle
        self.on_auth_error = on_auth_error
        self.auth_failed: BaseException | None = None
        self._stopped = threading.Event()
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"max_instances": 1, "coalesce": True},
            timezone=tz,
            daemon=True,
        )
        now = datetime.now(UTC)
        self.scheduler.add_job(
            self._feeds,
            IntervalTrigger(seconds=self.feed_interval, timezone=tz),
            id=JOB_FEEDS,
            name="change feeds",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(self.feed_interval)),
            next_run_time=now if run_now else None,
            replace_existing=True,
        )
        self.scheduler.add_job(
            self._reference,
            IntervalTrigger(seconds=self.reference_interval, timezone=tz),
            id=JOB_REFERENCE,
            name="reference data",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(self.reference_interval // 2)),
            next_run_time=now + timedelta(seconds=self.reference_interval),
            replace_existing=True,
        )
        self.scheduler.add_job(
            self._purge,
            CronTrigger(hour=purge_at.hour, minute=purge_at.minute, timezone=tz),
            id=JOB_PURGE,
            name="retention purge",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
            replace_existing=True,
        )
        self.scheduler.add_listener(self._listen, EVENT_JOB_ERROR | EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)

    # -------------------------------------------------------------------- jobs
    # Job functions never raise: APScheduler would log a traceback. Failures are already in the
    # store's sync health; they are reported through the hooks and one log line.
    def _feeds(self) -> CycleResult | None:
        try:
            result = self.engine.feeds_job()
        except Exception as exc:
            if not isinstance(exc, SyncStopped):
                log.info("sync run failed: %s", exc)
            self._after(None, exc)
            return None
        self._after(result, None)
        return result

    def _after(self, result: CycleResult | None, exc: BaseException | None) -> None:
        if isinstance(exc, SyncAuthError):
            self._auth_failed(exc)
        if self.on_cycle is not None:
            try:
                self.on_cycle(result, exc)
            except Exception:
                log.exception("on_cycle hook failed")

    def _reference(self) -> None:
        try:
            self.engine.reference_job()
        except SyncAuthError as exc:
            self._auth_failed(exc)
        except SyncStopped:
            pass
        except Exception as exc:
            log.warning("reference data sync failed: %s", exc)

    def _purge(self) -> int:
        try:
            return self.engine.purge()
        except Exception as exc:
            log.warning("retention purge failed: %s", exc)
            return 0

    def _auth_failed(self, exc: BaseException) -> None:
        self.auth_failed = exc
        try:
            self.scheduler.pause()
        except Exception:  # already shut down
            pass
        if self.on_auth_error is not None:
            self.on_auth_error(exc)

    def _listen(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.info("sync job %s missed its run time; it will run at the next interval", event.job_id)
        elif event.exception is not None:
            log.warning("sync job %s failed: %s", event.job_id, event.exception)

    # -------------------------------------------------------------------- lifecycle
    def job(self, job_id: str) -> Any:
        return self.scheduler.get_job(job_id)

    def start(self) -> None:
        """Start in the background (the UI); returns at once."""
        self.scheduler.start()

    def resume(self) -> None:
        self.auth_failed = None
        self.scheduler.resume()

    def run_now(self, job_id: str = JOB_FEEDS) -> None:
        """Run a job as soon as the worker is free (a manual "sync now")."""
        job = self.scheduler.get_job(job_id)
        if job is not None:
            job.modify(next_run_time=datetime.now(UTC))

    def shutdown(self, wait: bool = True) -> None:
        """Stop: interrupt the engine's waits, then wait for a running job to end."""
        self._stopped.set()
        self.engine.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)

    def stop(self) -> None:
        """Make :meth:`run_forever` return (safe from a signal handler or another thread)."""
        self._stopped.set()

    def run_forever(self, *, handle_signals: bool = True) -> BaseException | None:
        """The blocking variant: run until SIGINT/SIGTERM, :meth:`stop`, or an auth failure;
        then shut down cleanly. Returns the auth failure, if that is what ended it."""
        previous: dict[signal.Signals, Any] = {}
        if handle_signals and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous[sig] = signal.signal(sig, lambda *_: self._stopped.set())
        try:
            self.start()
            while not self._stopped.wait(0.2):
                if self.auth_failed is not None:
                    break
        finally:
            self.shutdown(wait=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self.auth_failed
