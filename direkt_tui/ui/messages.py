"""What the screens tell the application (they post these; they never hold the app)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from ..domain.checklists import ItemStatus


@dataclass
class JumpToItem(Message):
    """Show a checklist item's cases in the main panels."""

    status: ItemStatus


@dataclass
class OpenCase(Message):
    """Open the case detail."""

    case_id: str


@dataclass
class ShiftReportRequested(Message):
    """Write the shift report and show it."""


@dataclass
class ToggleCalled(Message):
    """Mark a patient on the phone list as called (with a note), or clear the mark; ``done``
    runs once the mark is stored."""

    case_id: str
    done: Callable[[], None]
