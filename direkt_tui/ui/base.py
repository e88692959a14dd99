"""What every part of the application shares: its state, the panels, the one switch for
writes, the selection, and the local time (``DirektApp`` is put together from the parts in
``board``, ``shift``, ``case_actions`` and ``commands`` on this base)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from textual.app import App

from .. import i18n
from ..config import Config
from ..domain.text import visible
from ..store.db import Store
from .model import Board, BoardBuilder, CaseFilter
from .ports import DemoPort, LiveSyncPort
from .widgets.table import VirtualTable

PANELS = ("active", "absent", "roles", "overdue", "load")
CASE_PANELS = ("active", "absent", "roles", "overdue")
# every action that writes to the platform: disabled in one place (check_action + _writes_denied)
WRITE_ACTIONS = frozenset({"assign", "move", "send_template", "coordinator_role"})


def while_mounted(method: Callable[..., Any]) -> Callable[..., Any]:
    """Timers and thread callbacks can fire while the app is closing and its widgets are
    gone: then the update is simply dropped."""
    from textual.css.query import NoMatches

    @functools.wraps(method)
    def wrapper(self: DirektBase, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except NoMatches:
            screen = self.default_screen if self.screen_stack else None
            closing = self._exiting or self._closing or self._closed or screen is None or screen._closing
            if not closing:
                raise
            return None

    return wrapper


class Clock(Protocol):
    def now(self) -> datetime: ...


class DirektBase(App[None]):
    """The application's state and the helpers every part uses; the parts override the hooks
    at the end."""

    store_path: Path
    config: Config
    lang: str
    clock: Clock
    sync: LiveSyncPort | None
    offline: bool
    read_only: bool
    demo: DemoPort | None
    filter: CaseFilter
    unit: str | None
    marks: set[str]
    outage: bool
    view_at: datetime | None
    board: Board | None
    _builder: BoardBuilder | None
    _store: Store | None
    _exiting: bool

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast, shown literally: a message may quote the platform (a sync error carries the
        server's problem detail, a name), so it is never read as markup and its control
        characters are made visible (line breaks kept)."""
        super().notify(
            visible(message, multiline=True), title=visible(title), severity=severity, timeout=timeout, markup=markup
        )

    def _table(self, pid: str) -> VirtualTable:
        return self.query_one(f"#{pid}", VirtualTable)

    def _zone(self) -> ZoneInfo:
        """The units' local time zone (the first unit's; Stockholm before any data)."""
        board = self.board
        return ZoneInfo(
            board.snapshot.units[0].timezone if board is not None and board.snapshot.units else "Europe/Stockholm"
        )

    def _today(self) -> date:
        return self.clock.now().astimezone(self._zone()).date()

    def set_filter(self, filt: CaseFilter) -> None:
        self.filter = filt
        self._update_statusbar()
        self.request_refresh()

    def _marks_changed(self) -> None:
        for pid in CASE_PANELS:
            self._table(pid).refresh()
        self._update_statusbar()

    def selection(self) -> list[str]:
        """The marked cases, or the case under the cursor (k9s)."""
        if self.marks:
            return sorted(self.marks)
        focused = self.focused
        if isinstance(focused, VirtualTable) and focused.marks is not None and focused.cursor_key:
            return [focused.cursor_key]
        return []

    def writes_denied(self) -> str | None:
        """Why write actions are off now (None when they are allowed)."""
        if self.offline:
            return i18n.t("ro.offline", self.lang)
        if self.read_only:
            return i18n.t("ro.read_only", self.lang)
        if self.outage:
            return i18n.t("ro.outage", self.lang)
        if self.view_at is not None:
            return i18n.t("ro.history", self.lang)
        if self.sync is None:
            return i18n.t("ro.no_sync", self.lang)
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.writes_denied() is not None:
            return None  # shown, but unavailable
        return True

    def _write_guard(self) -> bool:
        why = self.writes_denied()
        if why is not None:
            self.notify(i18n.t("ro.denied", self.lang, why=why), severity="warning")
            return False
        return True

    def actor(self) -> str:
        import getpass

        user = self.config.user
        name = user.name or getpass.getuser()
        return f"{name} ({user.staff_id})" if user.staff_id else name

    def _local_writer(self) -> Store | None:
        """The writer store for local records (sign-offs, call marks, audit): not offline."""
        if self.offline or self.sync is None:
            return None
        return self.sync.writer()

    # -- hooks the parts provide --------------------------------------------------------------------
    def request_refresh(self) -> None:
        raise NotImplementedError

    def _update_statusbar(self) -> None:
        raise NotImplementedError

    def action_fallback(self) -> None:
        raise NotImplementedError
