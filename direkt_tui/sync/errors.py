"""The typed errors of the platform API client, one class per way a request can end."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Base of every error the client raises. Messages are one line and never hold the token."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return self.message


class ClientConfigError(ApiError):
    """The client cannot be built from the configuration (missing certificate file, …)."""


class AuthError(ApiError):
    """401/403: the credentials were refused. Stop; retrying will not help."""


class GoneError(ApiError):
    """410: the cursor is no longer known; re-read the collection from the beginning."""


class RetryLater(ApiError):
    """429 or 503: the server asked to come back later (``retry_after`` seconds, if it said)."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None, *, status: int | None = None, code: str | None = None):
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx (other than a 503 with Retry-After)."""

    retryable = True


class NetworkError(ApiError):
    """Connect/read/write errors, timeouts and the request deadline. For a write, the outcome
    is unknown: repeat it only with the same Idempotency-Key."""

    retryable = True


class BadPage(ApiError):
    """A 2xx response whose body is not JSON or not of the documented shape."""

    retryable = True


class RequestRejected(ApiError):
    """Another 4xx (400, 404, 422, …): the request itself is wrong; retrying will not help."""


class NotFound(RequestRejected):
    """404."""


class Conflict(RequestRejected):
    """409 on a write: ``code`` (``version_conflict``, ``case_closed``, …) and, when the server
    sent it, ``current`` — the entity as it is now (a plain API dict)."""

    def __init__(self, message: str, code: str | None, current: Any = None, *, status: int = 409):
        super().__init__(message, status=status, code=code)
        self.current = current


__all__ = [
    "ApiError",
    "ClientConfigError",
    "AuthError",
    "GoneError",
    "RetryLater",
    "ServerError",
    "NetworkError",
    "BadPage",
    "RequestRejected",
    "NotFound",
    "Conflict",
]
