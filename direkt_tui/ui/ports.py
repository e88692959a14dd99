"""What the application needs from the outside, as typed protocols (the composition root,
``direkt_tui.launch``, plugs the real parts in; ``ui`` imports neither ``sync`` nor ``sim``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ..domain.writes import WriteRequest
from ..store.db import Store


class LiveSyncPort(Protocol):
    """The live sync as the application sees it (the live sync service, ``LiveSync``, fits): the writer
    store for local records, the outbox for writes to the platform, and the sync's controls."""

    def writer(self) -> Store:
        """The writer store (sign-offs, call marks, the audit log)."""
        ...

    def enqueue(self, actor: str, action: str, writes: Sequence[WriteRequest], detail: Any) -> str:
        """Queue ``writes`` with their audit entry (one transaction), send them soon; the batch id."""
        ...

    def sync_now(self) -> None:
        """A sync cycle at once."""
        ...

    def start(self) -> None: ...

    def shutdown(self, wait: bool = True) -> None: ...


class DemoPort(Protocol):
    """What only the demo can do: make the simulated platform go down and come back."""

    @property
    def outage(self) -> bool: ...

    def toggle_outage(self) -> bool:
        """Switch the outage; True when the platform is down now."""
        ...


__all__ = ["DemoPort", "LiveSyncPort"]
