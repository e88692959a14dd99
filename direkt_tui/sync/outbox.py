"""The outbox sender: delivers queued writes (``store.actions``) to the platform API.

- Bounded concurrency: worker threads only make the HTTP requests; every store write (mark
  ``sending``, schedule a retry, record the outcome) happens on the thread that called
  :meth:`OutboxSender.send_due`, through ``store.actions`` (each in its own transaction).
- A row is marked ``sending`` just before its attempt. A row left ``sending`` by a crash is
  simply sent again on the next start with the **same** ``Idempotency-Key``: the platform
  answers a repeated key with its first result, so nothing is lost and nothing applied twice.
- Network errors, timeouts, 5xx and unreadable 2xx answers leave the outcome unknown: the row
  is retried with the same key after an exponential backoff with jitter (capped); after
  ``max_attempts`` such attempts it ends ``failed`` (code ``undelivered``, outcome unknown —
  the next sync shows what the platform did).
- 429/503 with ``Retry-After``: that row waits as long as the server said and the sender starts
  no new request before then (the server is busy for everyone).
- 409 ``version_conflict``: ``conflict``, the current case from the answer is stored; never
  retried (the coordinator decides again on the new state). Other 409 codes, 404, 422 and other
  4xx: ``failed`` with the code (the current case, when sent, is stored too).
- 2xx: ``done``; the returned case (or coordinator) is stored, highest version wins.
- 401/403: the row goes back to ``pending`` unchanged, sending stops (``auth_error``) until
  :meth:`OutboxSender.resume` — nothing is dropped because the credentials were refused.

For the UI: put :meth:`OutboxSender.job` on the APScheduler (every 1–2 s, ``max_instances=1``,
``coalesce=True``) or run it from a non-exclusive thread worker; ``on_outcome(row, status)``
is called for every final outcome (from the sending thread — use ``call_from_thread``).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ..domain import writes
from ..domain.models import Case, Coordinator
from ..store import actions
from ..store.actions import OutboxRow
from ..store.db import Store
from .client import (
    ApiClient,
    ApiError,
    AuthError,
    BadPage,
    Conflict,
    NetworkError,
    RequestRejected,
    RetryLater,
    ServerError,
)

log = logging.getLogger("direkt_tui.sync.outbox")

Outcome = Callable[[OutboxRow, str], None]


def utcnow() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------------------- building writes
# the write requests are built in one place (domain/writes.py); the outbox's names for them
assign_write = writes.assign
move_write = writes.move
template_write = writes.send_template
coordinator_write = writes.set_coordinator


def request_for(row: OutboxRow) -> tuple[str, str]:
    """(method, path) of the API request that delivers ``row`` (``domain.writes.ENDPOINTS``)."""
    return writes.endpoint(row.kind, row.case_id, row.unit_id)


# ------------------------------------------------------------------------------- results
@dataclass
class SendResult:
    """What one :meth:`OutboxSender.send_due` did."""

    attempted: int = 0
    done: int = 0
    conflict: int = 0
    failed: int = 0
    retrying: int = 0
    auth_error: str | None = None
    paused_until: datetime | None = None
    outcomes: dict[int, str] = field(default_factory=dict)  # row id -> final status

    @property
    def finished(self) -> int:
        return self.done + self.conflict + self.failed


@dataclass(frozen=True)
class _Attempt:
    """The answer to one attempt (computed in a worker thread, recorded on the caller's)."""

    row: OutboxRow
    status: int | None = None
    data: Any = None
    error: BaseException | None = None


def _case_or_none(data: Any) -> Case | None:
    if not isinstance(data, Mapping):
        return None
    try:
        return Case.from_api(data)
    except Exception as exc:  # ValidationError and anything odd: the sync will bring the case
        log.warning("a case returned by a write could not be read: %s", type(exc).__name__)
        return None


def _summary(case: Case | None) -> dict | None:
    """What is kept of a returned case in the outbox row (no patient data)."""
    if case is None:
        return None
    owner = None if case.owner is None else case.owner.to_api()
    return {"id": case.id, "version": case.version, "unit_id": case.unit_id, "status": case.status, "owner": owner}


# ------------------------------------------------------------------------------- the sender
class OutboxSender:
    """Delivers due outbox rows of ``store`` through ``client``.

    ``clock()`` gives the current instant (aware); ``sleep(seconds)`` waits (used by
    :meth:`run_until_idle`; default an interruptible wait that :meth:`stop` ends); ``rand()``
    gives jitter in [0, 1). ``max_attempts`` bounds the attempts of a row (every attempt
    counts); only a failure with unknown outcome (network, 5xx) ends a row at the bound, a
    ``Retry-After`` answer never does. ``deadline`` (seconds) bounds each
    request (default: the client's). ``on_outcome(row, status)`` is called for every final
    outcome with the row as recorded; ``on_auth_error(exc)`` once when the credentials are
    refused. ``actor`` is written on the batch outcome entries of the audit chain."""

    def __init__(
        self,
        store: Store,
        client: ApiClient,
        *,
        concurrency: int = 8,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] | None = None,
        rand: Callable[[], float] | None = None,
        max_attempts: int = 20,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        deadline: float | None = None,
        batch_limit: int = 1000,
        on_outcome: Outcome | None = None,
        on_auth_error: Callable[[BaseException], None] | None = None,
        actor: str = "direkt-tui",
    ):
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.store = store
        self.client = client
        self.concurrency = int(concurrency)
        self.clock = clock
        self._stop = threading.Event()
        self._sleep = sleep or (lambda s: self._stop.wait(max(0.0, s)))
        self._rand = rand or random.Random().random
        self.max_attempts = int(max_attempts)
        self.backoff_base = float(backoff_base)
        self.backoff_cap = float(backoff_cap)
        self.deadline = deadline
        self.batch_limit = int(batch_limit)
        self.on_outcome = on_outcome
        self.on_auth_error = on_auth_error
        self.actor = actor
        self.auth_error: AuthError | None = None
        self.paused_until: datetime | None = None  # Retry-After: no new request before this instant
        self._run_lock = threading.Lock()  # one send_due at a time (job + a manual call)
        self._pool: ThreadPoolExecutor | None = None

    # -------------------------------------------------------------------- control
    def stop(self) -> None:
        """End waits at once; requests in flight finish within their deadline and are recorded."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def resume(self) -> None:
        """Send again after an auth error (the credentials were fixed)."""
        self.auth_error = None

    def close(self) -> None:
        self.stop()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def pending(self) -> int:
        return actions.pending_count(self.store)

    def backoff(self, attempt: int) -> float:
        """Seconds before attempt ``attempt + 1`` after ``attempt`` attempts with unknown outcome."""
        d = min(self.backoff_cap, self.backoff_base * (2 ** max(0, attempt - 1)))
        return d / 2 + d / 2 * self._rand()

    # -------------------------------------------------------------------- one round
    def send_due(self) -> SendResult:
        """Deliver every row due now (bounded concurrency); returns what happened.

        Rows that must wait (backoff, Retry-After) stay ``pending`` with their next attempt
        time; call again later (the scheduler job does)."""
        result = SendResult()
        if self.auth_error is not None:
            result.auth_error = str(self.auth_error)
            return result
        with self._run_lock:
            now = self.clock()
            if self.paused_until is not None:
                if now < self.paused_until:
                    result.paused_until = self.paused_until
                    return result
                self.paused_until = None
            rows = actions.due(self.store, now, self.batch_limit)
            if not rows:
                return result
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="outbox")
            queue = list(rows)
            in_flight: set[Future] = set()
            try:
                while queue or in_flight:
                    while (
                        queue
                        and len(in_flight) < self.concurrency
                        and self.auth_error is None
                        and self.paused_until is None
                        and not self._stop.is_set()
                    ):
                        row = queue.pop(0)
                        actions.mark_sending(self.store, row.id, self.clock())
                        result.attempted += 1
                        in_flight.add(self._pool.submit(self._attempt, row))
                    if not in_flight:
                        break
                    finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        self._record(fut.result(), result)
            finally:
                # anything not yet finished (an exception while recording) is recorded as far as possible
                for fut in in_flight:
                    try:
                        self._record(fut.result(), result)
                    except Exception:  # pragma: no cover - recorded on the next start
                        log.exception("could not record an outbox outcome; the row is sent again later")
            result.paused_until = self.paused_until
            if self.auth_error is not None:
                result.auth_error = str(self.auth_error)
            return result

    def _attempt(self, row: OutboxRow) -> _Attempt:
        """One HTTP request (a worker thread; touches no store)."""
        try:
            method, path = request_for(row)
            r = self.client.request(
                method, path, json_body=row.body, idempotency_key=row.idempotency_key, deadline=self.deadline
            )
            if not isinstance(r.data, Mapping):
                raise BadPage(f"{method} {path}: the answer is not an object", status=r.status)
            return _Attempt(row, r.status, r.data)
        except BaseException as exc:  # noqa: BLE001 - every failure is recorded, none lost
            return _Attempt(row, getattr(exc, "status", None), None, exc)

    # -------------------------------------------------------------------- recording
    def _record(self, a: _Attempt, result: SendResult) -> None:
        row, exc = a.row, a.error
        now = self.clock()
        if exc is None:
            if row.kind == "coordinator":
                self._done_coordinator(a, now, result)
            else:
                case = _case_or_none(a.data)
                detail = None if case is not None else "the platform's answer could not be read; the sync will show it"
                self._finish(
                    row, now, "done", result, http_status=a.status, detail=detail, case=case, result_data=_summary(case)
                )
            return
        if isinstance(exc, AuthError):
            if self.auth_error is None:
                self.auth_error = exc
                log.warning("outbox: the API refused the credentials; sending stopped (%s)", exc)
                if self.on_auth_error is not None:
                    try:
                        self.on_auth_error(exc)
                    except Exception:
                        log.exception("on_auth_error failed")
            # not an attempt that counts: back to pending, due at once when resumed
            actions.retry_later(self.store, row.id, now, now, f"auth: {exc}")
            return
        if isinstance(exc, Conflict):
            current = _case_or_none(exc.current)
            status = "conflict" if exc.code == "version_conflict" else "failed"
            self._finish(
                row,
                now,
                status,
                result,
                http_status=exc.status or 409,
                code=exc.code or "conflict",
                detail=str(exc),
                case=current,
                result_data=_summary(current),
            )
            return
        if isinstance(exc, RetryLater):
            wait_s = exc.retry_after if exc.retry_after is not None else self.backoff(row.attempts + 1)
            until = now + timedelta(seconds=wait_s)
            if exc.retry_after is not None:
                self.paused_until = max(self.paused_until or until, until)
            actions.retry_later(self.store, row.id, now, until, str(exc))
            result.retrying += 1
            return
        if isinstance(exc, RequestRejected):  # 404, 422, other 4xx: the request itself is wrong
            self._finish(
                row,
                now,
                "failed",
                result,
                http_status=exc.status,
                code=exc.code or f"http_{exc.status}",
                detail=str(exc),
            )
            return
        # NetworkError, ServerError, BadPage, GoneError, anything unexpected: outcome unknown
        if not isinstance(exc, (NetworkError, ServerError, BadPage, ApiError)):
            log.error(
                "outbox: unexpected %s while sending row %s",
                type(exc).__name__,
                row.id,
                exc_info=(type(exc), exc, exc.__traceback__),
            )
        attempts = row.attempts + 1  # mark_sending counted this attempt
        message = str(exc) or type(exc).__name__
        if attempts >= self.max_attempts:
            self._finish(
                row,
                now,
                "failed",
                result,
                http_status=getattr(exc, "status", None),
                code="undelivered",
                detail=f"gave up after {attempts} attempts, outcome unknown: {message}",
            )
            return
        until = now + timedelta(seconds=self.backoff(attempts))
        actions.retry_later(self.store, row.id, now, until, message)
        result.retrying += 1

    def _done_coordinator(self, a: _Attempt, now: datetime, result: SendResult) -> None:
        row = a.row
        coord = None
        try:
            coord = Coordinator.from_api(a.data)
        except Exception as exc:
            log.warning("a coordinator returned by a write could not be read: %s", type(exc).__name__)
        if coord is not None:
            # its own transaction before the outcome: a crash in between re-sends the same key,
            # which returns the same coordinator — stored again, harmless
            self.store.replace_reference(coordinators=[coord], fetched_at=now)
        data = {"unit_id": coord.unit_id, "staff_id": coord.staff_id} if coord is not None else None
        self._finish(
            row,
            now,
            "done",
            result,
            http_status=a.status,
            result_data=data,
            detail=None if coord is not None else "the platform's answer could not be read",
        )

    def _finish(
        self,
        row: OutboxRow,
        now: datetime,
        status: str,
        result: SendResult,
        *,
        http_status: int | None,
        code: str | None = None,
        detail: str | None = None,
        case: Case | None = None,
        result_data: Any = None,
    ) -> None:
        recorded = actions.finish(
            self.store,
            row.id,
            now,
            status,
            http_status=http_status,
            code=code,
            detail=detail,
            result=result_data,
            case=case,
            actor=self.actor,
        )
        if not recorded:
            return
        setattr(result, status, getattr(result, status) + 1)
        result.outcomes[row.id] = status
        if self.on_outcome is not None:
            final = replace(
                row,
                status=status,
                attempts=row.attempts + 1,
                http_status=http_status,
                code=code,
                detail=(detail or "")[:300] or None,
                result=result_data,
                updated_at=now,
                next_attempt_at=None,
            )
            try:
                self.on_outcome(final, status)
            except Exception:
                log.exception("on_outcome failed")

    # -------------------------------------------------------------------- loops
    def _next_due(self) -> datetime | None:
        return actions.next_due(self.store)

    def run_until_idle(self, timeout: float) -> bool:
        """Send until nothing is pending (True), or until ``timeout`` seconds passed, sending
        stopped on an auth error or :meth:`stop` was called (False)."""
        end = time.monotonic() + timeout
        while True:
            self.send_due()
            if self.pending() == 0:
                return True
            if self.auth_error is not None or self._stop.is_set():
                return False
            left = end - time.monotonic()
            if left <= 0:
                return False
            now = self.clock()
            nxt = self._next_due()
            if self.paused_until is not None:
                nxt = max(nxt or self.paused_until, self.paused_until)
            wait_s = 0.05 if nxt is None else (nxt - now).total_seconds()
            self._sleep(min(max(wait_s, 0.01), left))

    def schedule(
        self,
        scheduler: Any,
        *,
        interval: float = 1.5,
        job_id: str = "outbox",
        executor: str = "default",
        run_now: bool = True,
    ) -> Any:
        """Add :meth:`job` to an APScheduler 3.x ``scheduler`` every ``interval`` seconds
        (``max_instances=1``, ``coalesce=True``). Use an executor other than the sync's single
        worker if a long sync cycle should not delay sends. ``scheduler.modify_job(job_id,
        next_run_time=now)`` sends at once (after the coordinator confirmed a bulk action)."""
        from apscheduler.triggers.interval import IntervalTrigger

        return scheduler.add_job(
            self.job,
            IntervalTrigger(seconds=interval),
            id=job_id,
            name="outbox",
            executor=executor,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(interval)),
            replace_existing=True,
            next_run_time=datetime.now(UTC) if run_now else None,
        )

    def job(self) -> None:
        """One round for a scheduler (APScheduler: every 1–2 s, ``max_instances=1``). Never
        raises: failures are logged; outcomes go to ``on_outcome``."""
        if self._stop.is_set():
            return
        try:
            self.send_due()
        except Exception:
            log.exception("outbox job failed; pending rows are sent on the next run")


__all__ = [
    "OutboxSender",
    "SendResult",
    "assign_write",
    "move_write",
    "template_write",
    "coordinator_write",
    "request_for",
]
