"""The coordinator's application (issue: the terminal application).

Threads: the sync scheduler runs its jobs in its own thread and tells the app when a cycle
ended; the board (snapshot + rules) is built in a thread worker; the UI thread only swaps rows
into the virtualised tables. Nothing here talks HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from .. import i18n
from ..config import Config
from ..domain.rules import RuleEngine
from ..store.db import Store, StoreError
from . import keys
from .base import CASE_PANELS, PANELS, Clock
from .board import BoardMixin
from .case_actions import CaseActionsMixin
from .clock import SystemClock
from .commands import KeysMixin
from .messages import OpenCase
from .model import (
    Board,
    BoardBuilder,
    CaseFilter,
    FilterError,
    columns,
    parse_date,
    parse_filter,
)
from .ports import DemoPort, LiveSyncPort
from .screens.detail import CaseDetailScreen
from .screens.dialogs import PromptScreen, UnitPicker, date_validator
from .shift import ShiftWorkMixin
from .widgets.table import VirtualTable


class _DetachedExecutor(ThreadPoolExecutor):
    """The event loop's executor for thread workers when the program quits without waiting:
    closing the loop does not join a worker still running (``App.run`` would block on it)."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=True)


class DirektApp(BoardMixin, CaseActionsMixin, ShiftWorkMixin, KeysMixin):
    CSS_PATH = "styles.tcss"
    TITLE = "direkt-tui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = keys.bindings()  # the key table (ui/keys.py); descriptions translated per instance

    def __init__(
        self,
        store_path: str | Path,
        config: Config | None = None,
        *,
        lang: str = "sv",
        clock: Clock | None = None,
        sync: LiveSyncPort | None = None,
        offline: bool = False,
        read_only: bool = False,
        refresh_seconds: float = 30.0,
        on_exit: Callable[[], None] | None = None,
        demo: DemoPort | None = None,
        reports_dir: str | Path | None = None,
        quit_without_waiting: bool = False,
    ) -> None:
        super().__init__()
        self.store_path = Path(store_path)
        self.config = config or Config()
        self.lang = lang
        self.clock: Clock = clock or SystemClock()
        self.sync = sync
        self.offline = offline
        self.read_only = read_only or offline
        self.refresh_seconds = refresh_seconds
        self._on_exit = on_exit
        self.demo = demo  # the demo's controls of the simulated platform (None outside the demo)
        # shift reports: where the composition root says (default: beside the store)
        self.reports_dir = Path(reports_dir) if reports_dir is not None else self.store_path.parent / "reports"
        self.report_worker = None
        # the program quits without waiting for thread workers still running (a board being
        # built, a report being written: read-only work, the report saved atomically); asyncio
        # would otherwise join them when the loop closes (the composition root sets this)
        self.quit_without_waiting = quit_without_waiting
        # offline review: the board is evaluated at the snapshot's instant, never at the wall
        # clock (an old snapshot at today's time would show waits and load nobody has)
        self.snapshot_at: datetime | None = None
        self._offline_fallback_shown = False
        self.filter = CaseFilter()
        self.unit: str | None = None  # None = every unit
        self.marks: set[str] = set()  # marked case ids, shared by the four case panels
        self.outage = False  # set by outage mode
        self._dirty = False  # a write outcome arrived: refresh on the next tick
        self.view_at: datetime | None = None  # looking back to this instant (None = live)
        self.board: Board | None = None
        self._builder: BoardBuilder | None = None
        self._store: Store | None = None
        self._seen_critical: frozenset | None = None
        self._skipped_seen: frozenset = frozenset()  # stored rows skipped that a notice has named
        self._retired: list[Board] = []  # replaced boards, freed by the next worker, not the UI thread
        self.boards_built = 0
        self._exiting = False
        self.last_refresh_ms = 0.0
        self._translate_bindings()

    # -- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        T = i18n.translator(self.lang)
        yield Static(id="statusbar")
        yield Static(id="coordinators")
        yield Static(id="banner")
        yield Static(id="alerts")
        with Horizontal(id="main"):
            yield VirtualTable(
                columns("cases", self.lang, True), empty_text=T("empty"), id="active", classes="panel", marks=self.marks
            )
            with Vertical(id="side"):
                for pid in ("absent", "roles", "overdue"):
                    yield VirtualTable(
                        columns("side", self.lang, True),
                        empty_text=T("empty"),
                        id=pid,
                        classes="panel",
                        marks=self.marks,
                    )
        yield VirtualTable(columns("load", self.lang, True), empty_text=T("empty"), id="load", classes="panel")
        yield Footer()

    def on_unmount(self) -> None:
        self._exiting = True

    def on_mount(self) -> None:
        if self.quit_without_waiting:
            asyncio.get_running_loop().set_default_executor(_DetachedExecutor(thread_name_prefix="direkt-worker"))
        self.title = i18n.t("app.title", self.lang)
        self._apply_key_settings()
        for pid in PANELS:
            self.query_one(f"#{pid}", VirtualTable).border_title = i18n.t(f"panel.{pid}", self.lang)
        self.query_one("#alerts").display = False
        self.query_one("#banner").display = False
        try:
            self._store = Store(self.store_path, read_only=True)
        except StoreError as exc:
            self.notify(str(exc), severity="error", timeout=30)
            return
        self._builder = BoardBuilder(self._store, RuleEngine(self.config.params_for, lang=self.lang), self.lang)
        if self.offline:
            self.snapshot_at = self._store.data_as_of()
        self.query_one("#active", VirtualTable).focus()
        self._update_statusbar()
        self.request_refresh()
        self.set_interval(self.refresh_seconds, self.request_refresh, name="re-evaluate")
        self.set_interval(1.0, self._refresh_if_dirty, name="clock")
        if self.sync is not None and not self.offline:
            self.sync.start()

    # -- offline review ---------------------------------------------------------------------------
    def request_refresh(self) -> None:
        """Offline, the board is evaluated at the snapshot's instant (``data_as_of``); looking
        back and live use go the usual way."""
        if self.offline and self.view_at is None and self.snapshot_at is not None and self._builder is not None:
            self._build_board(self.snapshot_at, self.filter, self.unit, False)
            return
        super().request_refresh()

    def _apply_board(self, board: Board) -> None:
        super()._apply_board(board)
        # offline review is the outage routine's tool: Reservrutin opens by itself (README), once
        if self.offline and not self._offline_fallback_shown and self.board is board and not self._exiting:
            self._offline_fallback_shown = True
            self.notify(i18n.t("offline.evaluated_at", self.lang, at=self._snapshot_text()), timeout=10)
            self.action_fallback()

    def _snapshot_text(self) -> str:
        if self.snapshot_at is None:
            return "–"
        return self.snapshot_at.astimezone(self._zone()).strftime("%Y-%m-%d %H:%M")

    def _look(self, minutes: int) -> None:
        """Offline, looking back starts from the snapshot's instant, not from now."""
        if not (self.offline and self.snapshot_at is not None):
            super()._look(minutes)
            return
        target = (self.view_at or self.snapshot_at) + timedelta(minutes=minutes)
        if target >= self.snapshot_at:
            self.action_look_now()
            return
        self.view_at = target.replace(second=0, microsecond=0)
        self.refresh_bindings()
        self.request_refresh()

    async def action_quit(self) -> None:
        self._exiting = True
        if self.sync is not None:
            self.sync.shutdown(wait=False)
        if self._on_exit is not None:
            self._on_exit()
        self.exit()

    # -- case detail ----------------------------------------------------------------------------------
    def open_case(self, case_id: str) -> None:
        """The case detail, with the patient's identity read for it alone."""
        if self.board is None:
            return
        full = self._store.case(case_id) if self._store is not None else None
        self.push_screen(CaseDetailScreen(self.board, case_id, self.lang, reveal=self.reveal_pnr, case=full))

    def on_open_case(self, message: OpenCase) -> None:
        self.open_case(message.case_id)

    # -- filters ----------------------------------------------------------------------------------------
    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        if event.table.id not in CASE_PANELS or self.board is None:
            return
        self.open_case(event.key)

    def action_filter(self) -> None:
        current = self.filter

        def check(text: str) -> str | None:
            try:
                parse_filter(text, current)
            except FilterError as exc:
                return i18n.t("filter.bad", self.lang, token=str(exc))
            return None

        def done(value: str | None) -> None:
            if value is None:
                return
            self.set_filter(parse_filter(value, self.filter))

        self.push_screen(
            PromptScreen(
                i18n.t("filter.title", self.lang), i18n.t("filter.help", self.lang), self._filter_text(), check
            ),
            done,
        )

    def _filter_text(self) -> str:
        f = self.filter
        parts = [f.text] if f.text else []
        parts += [f"regel:{r}" for r in sorted(f.rules)] + [f"prio:{p}" for p in sorted(f.priorities)]
        parts += [f"status:{i18n.t(f'status.{s}', self.lang)}" for s in sorted(f.statuses)]
        parts += [f"enhet:{u}" for u in sorted(f.units)]
        return " ".join(parts)

    def action_date_filter(self) -> None:
        def done(value: str | None) -> None:
            if value is None:
                return
            up_to = parse_date(value, self._today())
            self.set_filter(
                CaseFilter(
                    self.filter.text,
                    self.filter.rules,
                    self.filter.priorities,
                    self.filter.statuses,
                    self.filter.units,
                    up_to,
                )
            )

        current = self.filter.up_to.isoformat() if self.filter.up_to else ""
        self.push_screen(
            PromptScreen(
                i18n.t("date.title", self.lang),
                i18n.t("date.help", self.lang),
                current,
                date_validator(self._today(), self.lang),
            ),
            done,
        )

    def action_clear_filter(self) -> None:
        """Esc: clear the marks first, then the filter."""
        if self.marks:
            self.marks.clear()
            self._marks_changed()
        elif self.filter.active:
            self.set_filter(CaseFilter())

    # -- marks and selection ------------------------------------------------------------------------
    def on_virtual_table_marks_changed(self, event: VirtualTable.MarksChanged) -> None:
        self._marks_changed()

    def action_mark_all(self) -> None:
        table = (
            self.focused
            if isinstance(self.focused, VirtualTable) and self.focused.marks is not None
            else self._table("active")
        )
        table.action_mark_all()

    # -- unit and sync ------------------------------------------------------------------------------
    def action_choose_unit(self) -> None:
        if self.board is None:
            return

        def done(value: str | None) -> None:
            if value is None:
                return
            self.set_unit(value or None)

        self.push_screen(UnitPicker(self.board.all_units, self.unit or "", self.lang), done)

    def set_unit(self, unit: str | None) -> None:
        self.unit = unit
        self.request_refresh()

    def action_sync_now(self) -> None:
        if self.offline or self.sync is None:
            self.notify(i18n.t("toast.no_sync_offline", self.lang), severity="warning")
            return
        self.notify(i18n.t("toast.sync_requested", self.lang), timeout=2)
        self.sync.sync_now()

    def action_demo_outage(self) -> None:
        """Demo only: the simulated platform goes down (or comes back)."""
        if self.demo is None:
            return
        down = self.demo.toggle_outage()
        self.notify(i18n.t("demo.outage_on" if down else "demo.outage_off", self.lang), timeout=6)

    def action_focus_panel(self, pid: str) -> None:
        self._table(pid).focus()
