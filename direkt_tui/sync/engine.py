"""The sync engine: keeps the local store current from the platform API.

- Reference data (capabilities, units, templates, the coordinator of each unit) is read whole
  and stored in one transaction.
- Change feeds (staff, shifts, cases) are read page by page from the stored cursor; every page
  and its next cursor commit in one ``Store.apply_page`` transaction (highest version wins), so
  a crash at any point leaves a consistent store that the next run continues from.
- Items that break the contract are quarantined with the reason; the rest of the page syncs.
  What is accepted (``domain.models``): instants from 2000 to 2 days after the page's server
  time (planned ones: 400 days), versions 1 … 2^53-1, ids and text within length limits. The
  reason names the field and the problem, never the value; the quarantined payload keeps no
  patient data, not the rejected value, nothing long and nothing that looks like a personal
  identity number. A page that cannot be parsed at all, or whose next cursor is longer than
  4 KB, is retried and never applied in part (the old cursor stays).
- ``data_as_of`` is the server's time of the cycle, never later than our clock at its end; the
  skew (server minus ours) is recorded with it (report.md).
- 410 on a cursor: ``begin_resync`` and re-read from the beginning with ``resync=True``; only
  when the re-read has completed does ``finish_resync`` drop what the server no longer has.
- Retries: network errors, 5xx and unparsable pages back off exponentially with jitter
  (capped); 429/503 wait the server's ``Retry-After`` (also across jobs); 401/403 stop at
  once. Every job has a deadline, and every request gets at most what is left of it.

The engine is used from one thread at a time (the sync thread); a lock makes concurrent
callers queue rather than interleave. The errors and the retry policy live in :mod:`.retry`, the
results in :mod:`.results`, what quarantine keeps and the ingest window in :mod:`.quarantine`; every
name stays importable from here.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from ..domain.models import (
    CLOCK_SKEW_SHOWN_SECONDS,
    Capabilities,
    Case,
    Coordinator,
    IngestWindow,
    Shift,
    Staff,
    Template,
    Unit,
)
from ..store.db import FEEDS, Quarantined, Store
from .client import (
    MAX_CURSOR_BYTES,
    ApiClient,
    ApiError,
    AuthError,
    BadPage,
    GoneError,
    NetworkError,
    NotFound,
    RetryLater,
    ServerError,
)
from .quarantine import REDACTED
from .quarantine import page_window as _window
from .quarantine import quarantined as _quarantined
from .quarantine import reason as _reason  # noqa: F401 (re-exported: kept importable from here)
from .results import CycleResult, FeedResult, ReferenceResult, data_instant
from .retry import RetryPolicy, SyncAuthError, SyncError, SyncStopped

log = logging.getLogger("direkt_tui.sync")

T = TypeVar("T")
E = TypeVar("E")

PARSERS: dict[str, Callable[[Any, IngestWindow], Any]] = {
    "staff": Staff.from_api,
    "shifts": Shift.from_api,
    "cases": Case.from_api,
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _parse_items(
    feed: str,
    items: Any,
    parse: Callable[[Any, IngestWindow], E],
    window: IngestWindow,
    quarantine: list[Quarantined],
) -> list[E]:
    """The items of a reference list that keep the contract; the others go to ``quarantine``."""
    parsed: list[E] = []
    for item in items:
        try:
            parsed.append(parse(item, window))
        except Exception as exc:
            quarantine.append(_quarantined(feed, item, exc))
    return parsed


class SyncEngine:
    """Sync jobs over one writer :class:`Store` and one :class:`ApiClient`.

    ``clock`` gives the current instant (aware); ``sleep(seconds)`` waits (default: an
    interruptible wait that :meth:`stop` ends); ``rand`` gives jitter in [0, 1);
    ``job_deadline`` bounds every job in seconds; ``on_synced(result)`` runs after every
    successful :meth:`sync_all` (in the sync thread; its errors are logged, not raised)."""

    def __init__(
        self,
        store: Store,
        client: ApiClient,
        config: Any = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] | None = None,
        rand: Callable[[], float] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        retry: RetryPolicy | None = None,
        job_deadline: float | None = None,
        page_size: int | None = None,
        on_synced: Callable[[CycleResult], None] | None = None,
    ):
        from ..config import Config

        self.store = store
        self.client = client
        self.config = config if config is not None else Config()
        self.clock = clock
        self._stop = threading.Event()
        self._sleep = sleep or self._interruptible_sleep
        self._rand = rand or random.Random().random
        self._monotonic = monotonic
        self.retry = retry or RetryPolicy()
        api_deadline = float(getattr(self.config.api, "deadline", 20.0))
        self.job_deadline = float(job_deadline) if job_deadline is not None else max(60.0, 3 * api_deadline)
        self.page_size = max(1, min(int(page_size or self.config.sync.page_size), 1000))
        self.on_synced = on_synced
        self._lock = threading.RLock()
        self._not_before = 0.0  # monotonic instant before which no request is made (Retry-After)
        self.reference_synced_at: datetime | None = None
        self.last_result: CycleResult | None = None
        self.last_error: str | None = None

    # -------------------------------------------------------------------- control
    def stop(self) -> None:
        """Make waits end at once (shutdown); a request in flight ends within its deadline."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _interruptible_sleep(self, seconds: float) -> None:
        self._stop.wait(max(0.0, seconds))

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)
        if self._stop.is_set():
            raise SyncStopped("sync stopped")

    # -------------------------------------------------------------------- one request with retries
    def _call(self, what: str, fn: Callable[[float], T], job_end: float) -> T:
        """``fn(deadline)`` with the retry policy, within the job ending at ``job_end``."""
        policy = self.retry
        attempt = 0
        while True:
            if self._stop.is_set():
                raise SyncStopped("sync stopped")
            wait = self._not_before - self._monotonic()
            if wait > 0:
                if self._monotonic() + wait > job_end:
                    raise SyncError(f"{what}: the server asked to wait {wait:.0f} s more")
                self._wait(wait)
            left = job_end - self._monotonic()
            if left <= 0.05:
                raise SyncError(f"{what}: the job ran out of time ({self.job_deadline:g} s)")
            deferred = False
            try:
                value = fn(left)
            except AuthError as exc:
                raise SyncAuthError(str(exc)) from None
            except (GoneError, NotFound):
                raise
            except RetryLater as exc:
                if exc.retry_after is not None:
                    delay = min(exc.retry_after, policy.max_retry_after)
                    self._not_before = self._monotonic() + delay  # also holds off later jobs
                    deferred = True
                else:
                    delay = policy.backoff(attempt, self._rand)
                error: ApiError = exc
            except (NetworkError, ServerError, BadPage) as exc:
                delay = policy.backoff(attempt, self._rand)
                error = exc
            except ApiError as exc:  # 400/404/422…: not going to get better by retrying
                raise SyncError(str(exc)) from None
            else:
                self._not_before = 0.0
                return value
            attempt += 1
            if attempt >= policy.max_attempts:
                raise SyncError(f"{error} (gave up after {attempt} attempts)") from None
            if self._monotonic() + delay > job_end:
                raise SyncError(f"{error} (no time left in this run to retry)") from None
            log.info("%s failed (%s); retrying in %.2f s", what, error, delay)
            if not deferred:  # a Retry-After wait happens at the top of the loop
                self._wait(delay)

    def _job_end(self) -> float:
        return self._monotonic() + self.job_deadline

    # -------------------------------------------------------------------- reference data
    def sync_reference(self, *, job_end: float | None = None) -> ReferenceResult:
        """Capabilities, units, templates and each unit's coordinator, stored in one transaction."""
        with self._lock:
            end = job_end if job_end is not None else self._job_end()
            result = ReferenceResult()
            quarantine: list[Quarantined] = []

            caps_resp = self._call("capabilities", lambda d: self.client.capabilities(deadline=d), end)
            window = _window(self.clock(), caps_resp.server_time)
            capabilities: Capabilities | None
            try:
                capabilities = Capabilities.from_api(caps_resp.data, window)
            except Exception as exc:
                capabilities = None
                quarantine.append(_quarantined("capabilities", caps_resp.data, exc, None))

            units_resp = self._call("units", lambda d: self.client.units(deadline=d), end)
            units = _parse_items("units", units_resp.data["items"], Unit.from_api, window, quarantine)

            tmpl_resp = self._call("templates", lambda d: self.client.templates(deadline=d), end)
            templates = _parse_items("templates", tmpl_resp.data["items"], Template.from_api, window, quarantine)

            coordinators: list[Coordinator] = []
            last_time = tmpl_resp.server_time
            for unit in units:
                try:

                    def coordinator_of(d: float, uid: str = unit.id) -> Any:
                        return self.client.coordinator(uid, deadline=d)

                    resp = self._call(f"coordinator of {unit.id}", coordinator_of, end)
                except NotFound:  # a unit without a coordinator resource
                    continue
                last_time = resp.server_time or last_time
                try:
                    coordinators.append(Coordinator.from_api(resp.data, window))
                except Exception as exc:
                    quarantine.append(_quarantined("coordinators", resp.data, exc, unit.id))

            now = self.clock()
            self.store.replace_reference(
                units=units,
                templates=templates,
                capabilities=capabilities,
                coordinators=coordinators,
                fetched_at=now,
                quarantined=quarantine,
            )
            self.reference_synced_at = now
            result.units = len(units)
            result.templates = len(templates)
            result.coordinators = len(coordinators)
            result.quarantined = len(quarantine)
            result.server_time = last_time or units_resp.server_time
            for q in quarantine:
                log.warning("quarantined %s %s: %s", q.feed, q.item_id or "?", q.reason)
            return result

    # -------------------------------------------------------------------- change feeds
    def sync_feed(self, feed: str, *, job_end: float | None = None) -> FeedResult:
        """Read ``feed`` from its cursor to the end, committing page by page."""
        if feed not in FEEDS:
            raise ValueError(f"unknown feed {feed!r}")
        with self._lock:
            end = job_end if job_end is not None else self._job_end()
            parse = PARSERS[feed]
            result = FeedResult(feed)
            resync = self.store.resync_pending(feed)
            result.resynced = resync
            cursor = self.store.cursor(feed)
            if cursor is not None and len(cursor.encode("utf-8", "replace")) > MAX_CURSOR_BYTES:
                # stored by an older version (which kept any cursor): it cannot be sent; re-read
                log.warning(
                    "%s: the stored cursor is longer than %d bytes; re-reading the feed from the beginning",
                    feed,
                    MAX_CURSOR_BYTES,
                )
                self.store.begin_resync(feed)
                resync = result.resynced = True
                cursor = None
            gone = 0

            def fetch(since: str | None) -> Any:
                return self._call(
                    f"{feed} page",
                    lambda d: self.client.feed(feed, since=since, limit=self.page_size, deadline=d),
                    end,
                )

            # pages are fetched one after the other: fetching the next one in a thread while this
            # one is parsed was measured slower (both decode JSON under the GIL)
            while True:
                try:
                    page = fetch(cursor)
                except GoneError as exc:
                    gone += 1
                    if cursor is None or gone > 2:
                        raise SyncError(f"{feed}: {exc} even when re-reading from the beginning") from None
                    log.warning("%s: cursor gone (410); re-reading the feed from the beginning", feed)
                    self.store.begin_resync(feed)
                    resync = result.resynced = True
                    cursor = None
                    continue
                cursor = self._apply(feed, page, cursor, parse, result, resync)
                if not page.has_more:
                    break
                if self._stop.is_set():
                    raise SyncStopped("sync stopped")
            if resync:
                result.removed = self.store.finish_resync(feed)
                if result.removed:
                    log.info("%s: re-read complete; %d entities no longer on the server removed", feed, result.removed)
            return result

    def _apply(
        self,
        feed: str,
        page: Any,
        cursor: str | None,
        parse: Callable[[Any, IngestWindow], Any],
        result: FeedResult,
        resync: bool,
    ) -> str | None:
        """Parse one page (quarantining what breaks the contract) and commit it with its
        cursor in one transaction. Returns the new cursor."""
        entities: list[Any] = []
        quarantine: list[Quarantined] = []
        window = _window(self.clock(), page.server_time)
        for item in page.items:
            try:
                entities.append(parse(item, window))
            except Exception as exc:  # ValidationError; anything else is a parser gap
                q = _quarantined(feed, item, exc)
                quarantine.append(q)
                log.warning("quarantined %s %s: %s", feed, q.item_id or "?", q.reason)
        if page.has_more and page.next_cursor == cursor:
            raise SyncError(f"{feed}: the server says more follows but does not advance its cursor")
        result.changed += self.store.apply_page(
            feed, entities, page.next_cursor, quarantine, resync=resync, received_at=self.clock()
        )
        result.pages += 1
        result.items += len(page.items)
        result.quarantined += len(quarantine)
        result.server_time = page.server_time
        return page.next_cursor

    # -------------------------------------------------------------------- one cycle
    def reference_due(self) -> bool:
        if self.reference_synced_at is None:
            return True
        age = (self.clock() - self.reference_synced_at).total_seconds()
        return age >= float(self.config.sync.reference_interval_seconds)

    def sync_all(self, *, reference: bool | None = True) -> CycleResult:
        """One cycle: reference data (always when ``True``; when due if ``None``; never if
        ``False``), then every feed. Records the outcome in the store's sync health.

        Raises :class:`SyncAuthError` (stop) or :class:`SyncError` (try again later)."""
        with self._lock:
            started = self.clock()
            t0 = self._monotonic()
            end = t0 + self.job_deadline
            try:
                ref = None
                if reference or (reference is None and self.reference_due()):
                    ref = self.sync_reference(job_end=end)
                feeds: dict[str, FeedResult] = {}
                for feed in FEEDS:
                    feeds[feed] = self.sync_feed(feed, job_end=end)
                times = [r.server_time for r in feeds.values()]
                if all(t is not None for t in times):
                    server_time = min(times)  # type: ignore[type-var]
                else:
                    server_time = self._health_time(end)
                finished = self.clock()
                data_as_of, skew = data_instant(server_time, finished)
                if skew is not None and abs(skew) > CLOCK_SKEW_SHOWN_SECONDS:
                    log.info("the platform's clock differs from ours by %+.0f s", skew)
                self.store.record_sync_success(data_as_of, finished, clock_skew_seconds=skew)
            except SyncStopped:
                raise  # a shutdown is not a failure of the platform
            except SyncError as exc:
                self._record_failure(str(exc))
                raise
            except ApiError as exc:  # a GoneError outside a feed, or anything unforeseen
                self._record_failure(str(exc))
                raise SyncError(str(exc)) from None
            except Exception as exc:  # a store error, a bug: recorded, then raised as is
                self._record_failure(f"{type(exc).__name__}: {exc}")
                raise
            result = CycleResult(started, finished, data_as_of, feeds, ref, skew, self._monotonic() - t0, server_time)
            self.last_result = result
            self.last_error = None
            if self.on_synced is not None:
                try:
                    self.on_synced(result)
                except Exception:  # the hook is the UI's; a bug there must not stop syncing
                    log.exception("on_synced hook failed")
            return result

    def _health_time(self, end: float) -> datetime | None:
        try:
            return self._call("health", lambda d: self.client.health_time(deadline=d), end)
        except SyncAuthError:
            raise
        except SyncError as exc:
            log.info("no server time from /health (%s); using the local clock", exc)
            return None

    def _record_failure(self, reason: str) -> None:
        line = " ".join(reason.split())
        self.last_error = line
        try:
            self.store.record_sync_failure(line, self.clock())
        except Exception as exc:  # the store itself failing must not hide the original error
            from ..faults import STORE_FAULTS, fault_text

            if isinstance(exc, STORE_FAULTS):  # full, read-only, damaged: one line, never a traceback
                log.warning("could not record the sync failure: %s", fault_text(exc, self.store.path))
            else:
                log.exception("could not record the sync failure")

    # -------------------------------------------------------------------- jobs for the scheduler
    def feeds_job(self) -> CycleResult | None:
        """The periodic job: a cycle (reference data only when due). Returns ``None`` while the
        server's Retry-After is still running (nothing is requested then)."""
        if self._monotonic() < self._not_before:
            log.info("skipping a sync run: the server asked to wait")
            return None
        return self.sync_all(reference=None)

    def reference_job(self) -> ReferenceResult | None:
        if self._monotonic() < self._not_before:
            return None
        try:
            return self.sync_reference()
        except SyncError as exc:
            self._record_failure(str(exc))
            raise

    # -------------------------------------------------------------------- retention
    def purge(self, now: datetime | None = None) -> int:
        """Delete closed cases closed more than ``retention_days`` ago (and load history as
        old). Returns the number of cases removed."""
        with self._lock:
            now = now or self.clock()
            before = now - timedelta(days=int(self.config.sync.retention_days))
            removed = self.store.purge_closed(before)
            self.store.purge_load_history(before)
            if removed:
                log.info("retention: removed %d closed cases closed before %s", removed, before.isoformat())
            return removed


def build_engine(store: Store, config: Any, *, base_url: str | None = None, **kwargs: Any) -> SyncEngine:
    """A client from the configuration and an engine over ``store``."""
    client = ApiClient.from_config(config.api, base_url=base_url)
    return SyncEngine(store, client, config, **kwargs)


__all__: Sequence[str] = (
    "SyncEngine",
    "SyncError",
    "SyncAuthError",
    "SyncStopped",
    "RetryPolicy",
    "CycleResult",
    "FeedResult",
    "ReferenceResult",
    "build_engine",
    "data_instant",
    "REDACTED",
)
