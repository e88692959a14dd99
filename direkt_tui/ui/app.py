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

from rich.text import Text
from textual import events
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
from .idlegc import IdleCollector
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
from .screens.loaddetail import LoadDetailScreen
from .shift import ShiftWorkMixin
from .widgets.alerts import AlertBar
from .widgets.table import VirtualTable

NARROW_BELOW = 120  # columns: under this the side panels and the load panel go below the list, as tabs
WORK_ROWS_MIN = 8  # the work list's rows kept at any height (issue 12, item 17)
BOTTOM_TABS = ("absent", "roles", "overdue", "load")


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
        self.narrow = False  # under NARROW_BELOW columns: one bottom panel at a time (tabs)
        self.bottom_tab = "absent"
        # the collector's full passes when nobody types (ui/idlegc.py): not under a key press
        self.idle_gc = IdleCollector()
        self._translate_bindings()

    # -- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        T = i18n.translator(self.lang)
        yield Static(id="statusbar")
        yield Static(id="coordinators")
        yield Static(id="banner")
        yield AlertBar(self.lang, id="alerts")
        with Horizontal(id="main"):
            yield VirtualTable(
                columns("cases", self.lang, True), empty_text=T("empty"), id="active", classes="panel", marks=self.marks
            )
            with Vertical(id="side"):
                yield Static(id="tabs-side", classes="tabs")
                for pid in ("absent", "roles", "overdue"):
                    yield VirtualTable(
                        columns("side", self.lang, True),
                        empty_text=T("empty"),
                        id=pid,
                        classes="panel",
                        marks=self.marks,
                    )
        yield Static(id="tabs-load", classes="tabs")
        yield VirtualTable(columns("load", self.lang, True), empty_text=T("empty"), id="load", classes="panel")
        yield Footer()

    def on_unmount(self) -> None:
        self._exiting = True
        self.idle_gc.stop()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.InputEvent, events.Paste)) and not event.is_forwarded:
            self.idle_gc.touched()
        await super().on_event(event)

    def on_mount(self) -> None:
        if self.quit_without_waiting:
            asyncio.get_running_loop().set_default_executor(_DetachedExecutor(thread_name_prefix="direkt-worker"))
        self.title = i18n.t("app.title", self.lang)
        self._apply_key_settings()
        for pid in PANELS:
            table = self.query_one(f"#{pid}", VirtualTable)
            table.border_title = i18n.t(f"panel.{pid}", self.lang)
            table.hidden_text = i18n.t("layout.hidden", self.lang)
        self.query_one("#alerts").display = False
        self.query_one("#banner").display = False
        try:
            self._store = Store(self.store_path, read_only=True)
        except StoreError as exc:
            self.notify(str(exc), severity="error", timeout=30)
            return
        self._builder = BoardBuilder(
            self._store,
            RuleEngine(self.config.params_for, lang=self.lang),
            self.lang,
            forecast_rate=self.config.forecast.cases_per_clinician_hour,
        )
        if self.offline:
            self.snapshot_at = self._store.data_as_of()
        self.query_one("#active", VirtualTable).focus()
        self._update_statusbar()
        self.request_refresh()
        self.set_interval(self.refresh_seconds, self.request_refresh, name="re-evaluate")
        self.set_interval(1.0, self._refresh_if_dirty, name="clock")
        self.idle_gc.start()
        self.set_interval(1.0, self.idle_gc.tick, name="idle-gc")
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
        if self.board is None:
            return
        if event.table.id == "load":  # a unit: its load, forecast and chart
            self.open_load(event.key)
        elif event.table.id in CASE_PANELS:
            self.open_case(event.key)

    def open_load(self, unit_id: str) -> None:
        """The load panel's detail view of ``unit_id`` (its chart comes with the next board)."""
        if self.board is None or unit_id not in self.board.evaluation.units:
            return

        def closed(_: None) -> None:  # the next board reads its chart no more
            self._open_details()

        self.push_screen(LoadDetailScreen(self.board, unit_id, self._zone(), self.lang), closed)

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
        if f.risk:
            parts.append("risk:")
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
        if self.narrow and pid in BOTTOM_TABS:
            self.bottom_tab = pid
            self.relayout()
        self._table(pid).focus()

    # -- the layout at every size (issue 12, items 17 and 18) ------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self.relayout()

    def relayout(self) -> None:
        """Wide (≥ 120 columns): the side panels beside the work list, the load panel below.
        Narrow: the work list full width, below it one of the side panels or the load panel,
        chosen with Tab (a tab line names them all, with their counts). At any height the work
        list keeps at least ``WORK_ROWS_MIN`` rows: the alert bar is capped and the bottom panel
        takes what is left."""
        if not self.is_running or self._exiting:
            return
        try:
            main = self.default_screen
            side = main.query_one("#side")
            load = main.query_one("#load", VirtualTable)
        except Exception:  # not composed yet
            return
        width, height = self.size
        self.narrow = width < NARROW_BELOW
        main.set_class(self.narrow, "narrow")
        tabs_side, tabs_load = main.query_one("#tabs-side", Static), main.query_one("#tabs-load", Static)
        count = load.row_count
        if not self.narrow:
            tabs_side.display = tabs_load.display = False
            side.display = True
            side.styles.height = None
            for pid in ("absent", "roles", "overdue"):
                self._table(pid).display = True
            load.display = True
            load.styles.height = min(12, max(1, count) + 3)
            return
        alerts = main.query_one("#alerts", AlertBar)
        banner = main.query_one("#banner", Static)
        used = 3 + (alerts.line_count if alerts.display else 0) + (1 if banner.display else 0) + 1
        avail = max(0, height - used)
        bottom = max(4, min(avail - (WORK_ROWS_MIN + 3), (avail * 2) // 5))
        on_load = self.bottom_tab == "load"
        side.display = not on_load
        side.styles.height = bottom + 1  # the tab line is in the side column
        for pid in ("absent", "roles", "overdue"):
            self._table(pid).display = pid == self.bottom_tab
        load.display = on_load
        load.styles.height = bottom
        tabs_side.display, tabs_load.display = not on_load, on_load
        line = self._tab_line(width)
        tabs_side.update(line)
        tabs_load.update(line)

    def _tab_line(self, width: int) -> Text:
        T = i18n.translator(self.lang)
        line = Text(" ", no_wrap=True, overflow="ellipsis")
        for i, pid in enumerate(BOTTOM_TABS):
            if i:
                line.append(" │ ", style="dim")
            table = self._table(pid)
            label = f"{T('tab.' + pid)} ({table.row_count})"
            critical = table.has_class("has-critical")
            style = "bold reverse" if pid == self.bottom_tab else ("bold red" if critical else "")
            line.append(label, style=style)
        hint = f"   {T('layout.tabs')}"
        if line.cell_len + len(hint) <= width:
            line.append(hint, style="dim italic")
        return line

    def _focus_order(self) -> list[str]:
        order = ["active", *BOTTOM_TABS]
        if self.query_one("#alerts", AlertBar).display:
            order.insert(0, "alerts")
        return order

    def _cycle(self, step: int) -> bool:
        """Tab in the narrow layout: the work list, then each bottom panel in turn (shown as it
        gets the focus), then the alerts; False when Textual's own order applies."""
        if not self.narrow or self.screen is not self.default_screen:
            return False
        order = self._focus_order()
        focused = self.focused
        here = focused.id if focused is not None and focused.id in order else "active"
        if here in BOTTOM_TABS:
            here = self.bottom_tab
        pid = order[(order.index(here) + step) % len(order)]
        if pid == "alerts":
            self.query_one("#alerts", AlertBar).focus()
            return True
        self.action_focus_panel(pid)
        return True

    def action_focus_next(self) -> None:
        if not self._cycle(1):
            super().action_focus_next()

    def action_focus_previous(self) -> None:
        if not self._cycle(-1):
            super().action_focus_previous()

    # -- the alerts: shown all with A, Enter acts on one -------------------------------------------------
    def action_alerts(self) -> None:
        bar = self.query_one("#alerts", AlertBar)
        if bar.display:
            bar.focus()
            self.relayout()

    def on_alert_bar_leave(self, message: AlertBar.Leave) -> None:
        self._table("active").focus()
        self.relayout()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, AlertBar) or event.widget.id in PANELS:
            self.call_after_refresh(self.relayout)

    def on_alert_bar_chosen(self, message: AlertBar.Chosen) -> None:
        """An alert's action: "no coordinator" offers the role (``c``, previewed as ever), "no
        data" syncs now; the others (load, no clinician) show the unit's cases that made it."""
        f = message.alert.finding
        if f.rule == "no_coordinator":
            self.action_coordinator_role()  # c, a worker: says why when writes are off
            return
        if f.rule == "stale_data":
            self.action_sync_now()
            return
        if f.rule == "high_load" and message.alert.reason:
            # raised by overdue P1–2 cases: those cases
            filt = CaseFilter(
                rules=frozenset({"overdue_waiting"}), priorities=frozenset({"1", "2"}), units=frozenset({f.unit_id})
            )
        else:
            filt = CaseFilter(units=frozenset({f.unit_id}))
        self.set_filter(filt)
        self.notify(i18n.t("alerts.showing", self.lang, what=filt.describe(self.lang)), timeout=4)
        self._table("active").focus()
