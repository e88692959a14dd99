"""Sync: keeps the local store current from the platform API (shared/api/openapi.yaml).

- :mod:`.client` — :class:`ApiClient` (httpx, per-request deadline, token, TLS) and typed errors;
- :mod:`.engine` — :class:`SyncEngine` (reference data, change feeds, 410 re-reads, retries,
  quarantine, sync health, retention purge);
- :mod:`.scheduler` — :class:`SyncScheduler` (APScheduler 3.x jobs, background or blocking);
- :mod:`.cli` — ``direkt-tui sync --once / --watch``.

Imports are lazy so that ``import direkt_tui.sync`` stays cheap (the scheduler pulls in
APScheduler only when used).
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "ApiClient": "client",
    "ApiError": "client",
    "AuthError": "client",
    "BadPage": "client",
    "ClientConfigError": "client",
    "Conflict": "client",
    "GoneError": "client",
    "NetworkError": "client",
    "NotFound": "client",
    "RequestRejected": "client",
    "RetryLater": "client",
    "ServerError": "client",
    "SyncEngine": "engine",
    "SyncError": "engine",
    "SyncAuthError": "engine",
    "SyncStopped": "engine",
    "RetryPolicy": "engine",
    "CycleResult": "engine",
    "build_engine": "engine",
    "SyncScheduler": "scheduler",
    "run_sync": "cli",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'direkt_tui.sync' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
