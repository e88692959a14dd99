"""How a sync job ends when it does not complete, and how one request inside it is retried.

- :class:`SyncError` (try again later), :class:`SyncAuthError` (stop until the configuration is
  fixed), :class:`SyncStopped` (shutdown);
- :class:`RetryPolicy`: exponential backoff with jitter, ``Retry-After`` honoured as sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class SyncError(Exception):
    """A job that did not complete; the message is one line for a status bar or stderr.
    What was committed before the failure stays (pages are atomic)."""


class SyncAuthError(SyncError):
    """The API refused the credentials: stop syncing until the configuration is fixed."""


class SyncStopped(SyncError):
    """The engine was asked to stop (shutdown) while the job waited."""


# ------------------------------------------------------------------------------- retries
@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter for one request inside a job.

    Attempt n (from 0) waits ``min(max_delay, base_delay * 2**n)`` scaled by a random factor in
    [0.5, 1). ``Retry-After`` is honoured as sent (up to ``max_retry_after``); a wait that would
    pass the job's deadline ends the job instead (the next job resumes from the cursor)."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 15.0
    max_retry_after: float = 3600.0

    def backoff(self, attempt: int, rand: Callable[[], float]) -> float:
        delay = min(self.max_delay, self.base_delay * (2**attempt))
        return delay * (0.5 + 0.5 * rand())


__all__ = ["RetryPolicy", "SyncAuthError", "SyncError", "SyncStopped"]
