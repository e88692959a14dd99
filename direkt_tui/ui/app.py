"""The coordinator's application (issue: the terminal application).

Threads: the sync scheduler runs its jobs in its own thread and tells the app when a cycle
ended; the board (snapshot + rules) is built in a thread worker; the UI thread only swaps rows
into the virtualised tables. Nothing here talks HTTP.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from .. import i18n
from ..config import Config
from ..domain.models import CLOCK_SKEW_SHOWN_SECONDS
from ..domain.rules import RuleEngine
from ..domain.text import visible
from ..store.db import Store, StoreError
from .clock import SystemClock
from .model import (Board, BoardBuilder, CaseFilter, FilterError, columns, fmt_age, optional_columns, parse_date,
                    parse_filter, short_name)
from .screens.actions import ChoiceScreen, OutcomeScreen, PreviewScreen
from .screens.detail import CaseDetailScreen
from .screens.dialogs import PromptScreen, UnitPicker, date_validator
from .screens.help import HelpScreen
from .screens.shiftwork import ChecklistScreen, FallbackScreen, ReportScreen
from .widgets.table import VirtualTable

PANELS = ("active", "absent", "roles", "overdue", "load")
CASE_PANELS = ("active", "absent", "roles", "overdue")
# every action that writes to the platform: disabled in one place (check_action + _writes_denied)
WRITE_ACTIONS = frozenset({"assign", "move", "send_template", "coordinator_role"})


def _while_mounted(method: Callable[..., Any]) -> Callable[..., Any]:
    """Timers and thread callbacks can fire while the app is closing and its widgets are
    gone: then the update is simply dropped."""
    import functools

    from textual.css.query import NoMatches

    @functools.wraps(method)
    def wrapper(self: "DirektApp", *args: Any, **kwargs: Any) -> Any:
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


class SyncControl(Protocol):
    """What the app needs of the sync (``sync.scheduler.SyncScheduler`` fits)."""

    def start(self) -> None: ...
    def run_now(self) -> None: ...
    def shutdown(self, wait: bool = True) -> None: ...


class DirektApp(App[None]):
    CSS_PATH = "styles.tcss"
    TITLE = "direkt-tui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Avsluta", id="quit"),
        Binding("question_mark", "help", "Hjälp", id="help", key_display="?"),
        Binding("slash", "filter", "Filter", id="filter", key_display="/"),
        Binding("d", "date_filter", "Datum", id="date", show=False),
        Binding("u", "choose_unit", "Enhet", id="unit"),
        Binding("r", "sync_now", "Synka nu", id="sync"),
        Binding("escape", "clear_filter", "Rensa filter", id="clear", show=False),
        Binding("a", "assign", "Lägg över", id="assign"),
        Binding("m", "move", "Flytta", id="move", show=False),
        Binding("t", "send_template", "Frasmall", id="template", show=False),
        Binding("c", "coordinator_role", "Ansvarig-rollen", id="coordinator", show=False),
        Binding("o", "outbox", "Utskick", id="outbox", show=False),
        Binding("left_square_bracket", "look_back", "−15 min", id="back", show=False, key_display="["),
        Binding("right_square_bracket", "look_forward", "+15 min", id="forward", show=False, key_display="]"),
        Binding("backspace", "look_now", "Nu", id="now", show=False),
        Binding("1", "checklist('start')", "Skiftstart", id="checklist_start", show=False),
        Binding("2", "checklist('during')", "Under dagen", id="checklist_during", show=False),
        Binding("3", "checklist('end')", "Skiftslut", id="checklist_end", show=False),
        Binding("p", "shift_report", "Skiftrapport", id="report", show=False),
        Binding("F", "fallback", "Reservrutin", id="fallback"),
        Binding("tab", "focus_next", "Nästa panel", show=False),
        Binding("shift+tab", "focus_previous", "Föreg. panel", show=False),
    ]

    def __init__(
        self,
        store_path: str | Path,
        config: Config | None = None,
        *,
        lang: str = "sv",
        clock: Clock | None = None,
        sync: SyncControl | None = None,
        offline: bool = False,
        read_only: bool = False,
        refresh_seconds: float = 30.0,
        on_exit: Callable[[], None] | None = None,
        demo: Any = None,
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

    def _translate_bindings(self) -> None:
        labels = {"quit": "key.quit", "help": "key.help", "filter": "key.filter", "date": "key.date",
                  "unit": "key.unit", "sync": "key.sync", "clear": "key.clear", "assign": "key.assign",
                  "move": "key.move", "template": "key.template", "coordinator": "key.coordinator",
                  "outbox": "key.outbox", "checklist_start": "key.checklist_start",
                  "checklist_during": "key.checklist_during", "checklist_end": "key.checklist_end",
                  "report": "key.report", "fallback": "key.fallback", "back": "key.back", "forward": "key.forward",
                  "now": "key.now"}
        for bindings in self._bindings.key_to_bindings.values():
            for i, b in enumerate(bindings):
                if b.id in labels:
                    bindings[i] = dataclasses.replace(b, description=i18n.t(labels[b.id], self.lang))

    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = False) -> None:
        """A toast, shown literally: a message may quote the platform (a sync error carries the
        server's problem detail, a name), so it is never read as markup and its control
        characters are made visible (line breaks kept)."""
        super().notify(visible(message, multiline=True), title=visible(title), severity=severity, timeout=timeout,
                       markup=markup)

    # -- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        T = lambda k: i18n.t(k, self.lang)  # noqa: E731
        yield Static(id="statusbar")
        yield Static(id="coordinators")
        yield Static(id="banner")
        yield Static(id="alerts")
        with Horizontal(id="main"):
            yield VirtualTable(columns("cases", self.lang, True), empty_text=T("empty"), id="active",
                               classes="panel", marks=self.marks)
            with Vertical(id="side"):
                for pid in ("absent", "roles", "overdue"):
                    yield VirtualTable(columns("side", self.lang, True), empty_text=T("empty"), id=pid,
                                       classes="panel", marks=self.marks)
        yield VirtualTable(columns("load", self.lang, True), empty_text=T("empty"), id="load", classes="panel")
        yield Footer()

    def on_unmount(self) -> None:
        self._exiting = True

    def on_mount(self) -> None:
        self.title = i18n.t("app.title", self.lang)
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
        self.query_one("#active", VirtualTable).focus()
        self._update_statusbar()
        self.request_refresh()
        self.set_interval(self.refresh_seconds, self.request_refresh, name="re-evaluate")
        self.set_interval(1.0, self._refresh_if_dirty, name="clock")
        if self.sync is not None and not self.offline:
            self.sync.start()

    async def action_quit(self) -> None:
        self._exiting = True
        if self.sync is not None:
            self.sync.shutdown(wait=False)
        if self._on_exit is not None:
            self._on_exit()
        self.exit()

    # -- live refresh -------------------------------------------------------------------------------
    @_while_mounted
    def sync_cycle_finished(self, ok: bool, error: str | None = None) -> None:
        """Called (on the UI thread) after every sync cycle."""
        if not ok and error:
            self.notify(i18n.t("toast.sync_failed", self.lang, error=error), severity="warning", timeout=6)
        self.request_refresh()

    def on_sync_cycle(self, result: Any, exc: BaseException | None) -> None:
        """The sync scheduler's hook; runs in the sync thread."""
        try:
            self.call_from_thread(self.sync_cycle_finished, exc is None, str(exc) if exc else None)
        except RuntimeError:  # the app is not running (any more)
            pass

    def on_write_outcome(self, row: Any, status: str) -> None:
        """The outbox sender's hook (its thread): refresh the board soon, once per burst."""
        self._dirty = True

    @_while_mounted
    def _refresh_if_dirty(self) -> None:
        if self._dirty:
            self._dirty = False
            self.request_refresh()
        self._update_statusbar()
        if self.outage or self.offline:
            self._update_banner()

    def request_refresh(self) -> None:
        if self._builder is not None:
            at = self.view_at or self.clock.now()
            self._build_board(at, self.filter, self.unit, self.view_at is not None)

    @work(thread=True, exclusive=True, group="board")
    def _build_board(self, at: datetime, filt: CaseFilter, unit: str | None, history: bool = False) -> None:
        assert self._builder is not None
        # free the boards the UI replaced here: dropping ~10^5 objects costs tens of ms
        while self._retired:
            self._retired.pop()
        board = self._builder.build(at, filt, [unit] if unit else None, history=history)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._apply_board, board)

    @_while_mounted
    def _apply_board(self, board: Board) -> None:
        t0 = time.perf_counter()
        if self.board is not None:
            self._retired.append(self.board)
        self.board = board
        T = lambda k, **kw: i18n.t(k, self.lang, **kw)  # noqa: E731
        multi = len(board.unit_ids) > 1
        empty = T("empty.filtered") if board.filter.active else T("empty")
        with self.batch_update():
            for pid, rows in (("active", board.active), ("absent", board.absent), ("roles", board.roles),
                              ("overdue", board.overdue), ("load", board.load)):
                table = self.query_one(f"#{pid}", VirtualTable)
                kind = {"load": "load", "active": "cases"}.get(pid, "side")
                table.set_columns(columns(kind, self.lang, multi), optional_columns(kind, multi))
                table.empty_text = empty
                table.set_rows(rows)
                count = len(rows)
                if pid == "load":
                    table.styles.height = min(12, max(1, count) + 3)
                title = f"{T('panel.' + pid)} ({count})"
                if pid == "active" and board.filter.active:
                    title = f"{T('panel.active')} ({count}/{board.open_total})"
                table.border_title = title
                table.set_class(pid != "load" and pid != "active" and count > 0 and any(
                    r.severity == "critical" for r in rows), "has-critical")
            self._update_alerts(board)
            self._update_outage(board)
            self._update_statusbar()
        self._notify_skipped()
        crit = board.critical_keys
        if self._seen_critical is not None:
            new = crit - self._seen_critical
            if new:
                self.notify(f"{len(new)} × {T('toast.new_critical')}", severity="error", timeout=8)
                if self.config.ui.bell:
                    self.bell()
        self._seen_critical = crit
        self.boards_built += 1
        self.last_refresh_ms = (time.perf_counter() - t0) * 1000

    def _update_alerts(self, board: Board) -> None:
        alerts = self.query_one("#alerts", Static)
        if not board.alerts:
            alerts.display = False
            return
        names = {u: n for u, n in board.all_units}
        text = Text()
        for f in board.alerts:
            if text:
                text.append("\n")
            style = "bold white on red" if f.severity == "critical" else "bold black on dark_orange"
            text.append(f" {i18n.t('sev.' + f.severity, self.lang).upper()} ", style=style)
            text.append(f" {visible(names.get(f.unit_id, f.unit_id))}: ", style="bold")
            text.append(visible(f.message))  # names staff and units: platform text
        alerts.update(text)
        alerts.display = True
        alerts.set_class(any(f.severity == "critical" for f in board.alerts), "critical")

    # -- outage mode and looking back ------------------------------------------------------------
    def _in_outage(self, board: Board) -> bool:
        """Outage: the sync has failed for longer than the stale limit (connection errors, 5xx),
        measured on the platform's clock (the data's age), or the application is offline."""
        if self.offline:
            return True
        h = board.health
        if h is None or not h.consecutive_failures:
            return False
        if h.data_as_of is None:
            return True
        age = (self.clock.now() - h.data_as_of).total_seconds()
        return age > self.config.rules.stale_after_minutes * 60

    def _update_outage(self, board: Board) -> None:
        was = self.outage
        now_out = self._in_outage(board) if not board.history else was
        self.outage = now_out and not self.offline
        if self.outage and not was:
            self.notify(i18n.t("outage.entered", self.lang), severity="error", timeout=10)
            if self.config.ui.bell:
                self.bell()
            self.on_outage_started()
        elif was and not self.outage:
            self.notify(i18n.t("outage.left", self.lang), severity="information", timeout=10)
        self.refresh_bindings()
        self._update_banner()

    def _update_banner(self) -> None:
        """The outage / offline / looking-back banner, its ages as of now (each tick)."""
        board = self.board
        if board is None:
            return
        banner = self.query_one("#banner", Static)
        T = lambda k, **kw: i18n.t(k, self.lang, **kw)  # noqa: E731
        zone = self._zone()
        if board.history:
            banner.update(Text(" " + T("history.banner", at=board.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
                               style="bold black on cyan"))
            banner.set_class(False, "outage")
            banner.display = True
        elif self.outage or self.offline:
            h = board.health
            data = h.data_as_of if h else None
            data_txt = data.astimezone(zone).strftime("%H:%M") if data else "–"
            age = fmt_age((self.clock.now() - data).total_seconds(), self.lang) if data else "–"
            since = h.failing_since.astimezone(zone).strftime("%H:%M") if h and h.failing_since else "–"
            key = "outage.offline_banner" if self.offline else "outage.banner"
            banner.update(Text(" " + T(key, since=since, data=data_txt, age=age), style="bold white on red"))
            banner.set_class(True, "outage")
            banner.display = True
        else:
            banner.display = False

    def on_outage_started(self) -> None:
        """Entering outage mode: the fallback routine comes up by itself."""
        if not isinstance(self.screen, FallbackScreen):
            self.action_fallback()

    # -- shift work -------------------------------------------------------------------------------
    def action_checklist(self, kind: str) -> None:
        if self.board is not None:
            self.push_screen(ChecklistScreen(kind, self))

    def action_fallback(self) -> None:
        if self.board is not None:
            self.push_screen(FallbackScreen(self))

    def jump_to(self, status) -> None:
        """Show a checklist item's cases in the panels (its rules as the filter)."""
        rules = frozenset(status.item.rules)
        up_to = None
        if status.item.date_filter:
            from datetime import timedelta

            up_to = self._today() - timedelta(days=1)
            rules = frozenset()
        self.set_filter(CaseFilter(rules=rules, up_to=up_to))
        self.notify(i18n.t("checklist.jumped", self.lang, text=status.item.text(self.lang)), timeout=3)

    def _local_writer(self):
        """The writer store for local records (sign-offs, call marks, audit): not offline."""
        if self.offline or self.sync is None:
            return None
        return getattr(self.sync, "store", None)

    def sign_off(self, kind: str, acknowledged: list[str], outstanding: dict) -> bool:
        from ..domain.checklists import checklist_title
        from ..store.shiftlog import sign_off

        writer = self._local_writer()
        if writer is None:
            self.notify(i18n.t("checklist.sign_denied", self.lang, why=i18n.t("ro.offline", self.lang)),
                        severity="warning")
            return False
        units = list(self.board.unit_ids) if self.board else []
        from ..store.actions import head_anchor
        from ..store.auditkey import AuditKeyError

        try:
            sign_off(writer, self.clock.now(), kind, units, self.actor(), acknowledged, outstanding)
        except AuditKeyError as exc:  # the key file cannot be created or used: nothing was written
            self.notify(i18n.t("checklist.sign_denied", self.lang, why=str(exc)), severity="error", timeout=10)
            return False

        # the chain head to note down: `direkt-tui audit verify --anchor N:HASH` proves it later
        self.notify(i18n.t("checklist.signed_ok", self.lang, title=checklist_title(kind, self.lang),
                           who=self.actor(), n=len(outstanding)) + "\n"
                    + i18n.t("audit.head", self.lang, anchor=head_anchor(writer)), timeout=10)
        return True

    def call_marks(self) -> dict:
        from ..store.shiftlog import call_marks

        store = self._local_writer() or self._store
        try:
            return call_marks(store) if store is not None else {}
        except Exception:
            return {}

    def toggle_called(self, case_id: str, done: Callable[[], None]) -> None:
        from ..store.shiftlog import clear_call_mark, mark_called

        writer = self._local_writer()
        if writer is None:
            self.notify(i18n.t("checklist.sign_denied", self.lang, why=i18n.t("ro.offline", self.lang)),
                        severity="warning")
            return
        if case_id in self.call_marks():
            clear_call_mark(writer, case_id, self.clock.now(), self.actor())
            self.notify(i18n.t("fallback.unmarked", self.lang), timeout=2)
            done()
            return

        def noted(note: str | None) -> None:
            if note is None:
                return
            mark_called(writer, case_id, self.clock.now(), note.strip()[:120] or None, self.actor())
            done()

        self.push_screen(PromptScreen(i18n.t("fallback.note.title", self.lang),
                                      i18n.t("fallback.note.help", self.lang)), noted)

    def open_case(self, case_id: str) -> None:
        """The case detail, with the patient's identity read for it alone."""
        if self.board is None:
            return
        full = self._store.case(case_id) if self._store is not None else None
        self.push_screen(CaseDetailScreen(self.board, case_id, self.lang, reveal=self.reveal_pnr, case=full))

    def identified_snapshot(self, board: Board):
        """The board's snapshot with its open cases' patients identified (the phone list)."""
        from dataclasses import replace

        if self._store is None:
            return board.snapshot
        full = {c.id: c for c in self._store.cases(c.id for c in board.snapshot.cases)}
        return replace(board.snapshot, cases=tuple(full.get(c.id, c) for c in board.snapshot.cases))

    def action_shift_report(self) -> None:
        if self.board is None or self._store is None:
            return
        from ..shift import shift_report_markdown

        board = self.board
        zone = self._zone()
        since = self.clock.now().astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        text = shift_report_markdown(self._store, board.evaluation, board.snapshot, since, board.at, self.lang)
        path = self._save_report(text, board.at, zone)
        self.push_screen(ReportScreen(text, path, self.lang))

    def _save_report(self, text: str, at: datetime, zone: ZoneInfo) -> Path | None:
        import os

        folder = self.store_path.parent / "reports"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            path = folder / f"skiftrapport-{at.astimezone(zone).strftime('%Y%m%d-%H%M')}.md"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            return path
        except OSError:
            return None

    def action_look_back(self) -> None:
        self._look(-15)

    def action_look_forward(self) -> None:
        if self.view_at is not None:
            self._look(15)

    def _look(self, minutes: int) -> None:
        from datetime import timedelta

        now = self.clock.now()
        base = self.view_at or now
        target = base + timedelta(minutes=minutes)
        if target >= now:
            self.action_look_now()
            return
        self.view_at = target.replace(second=0, microsecond=0)
        self.refresh_bindings()
        self.request_refresh()

    def action_look_now(self) -> None:
        if self.view_at is not None:
            self.view_at = None
            self.notify(i18n.t("history.live", self.lang), timeout=2)
            self.refresh_bindings()
            self.request_refresh()

    @_while_mounted
    def _update_statusbar(self) -> None:
        T = lambda k, **kw: i18n.t(k, self.lang, **kw)  # noqa: E731
        now = self.clock.now()
        board = self.board
        bar = Text()
        if self.view_at is not None:
            now = self.view_at
        bar.append(" direkt-tui ", style="bold reverse")
        local = now.astimezone(self._zone())
        bar.append(f"  {local.strftime('%Y-%m-%d %H:%M:%S')}  ", style="bold")
        if board is not None:
            names = dict(board.all_units)
            units = ", ".join(short_name(visible(names.get(u, u))) for u in board.unit_ids)
            bar.append(f"{T('hdr.units')}: ", style="dim")
            bar.append(units if self.unit else f"{T('hdr.all_units')} ({len(board.unit_ids)})")
        bar.append("  │  ", style="dim")
        state, style = self._sync_state(now)
        bar.append(f" {T('hdr.sync')}: {state} ", style=style)
        skew = self._clock_skew_text()
        if skew:
            bar.append(f"  {skew} ", style="bold black on yellow")
        if self.read_only and not self.offline:
            bar.append(f"  {T('hdr.readonly')}", style="italic dim")
        if self.filter.active:
            bar.append(f"  {T('hdr.filter')}: {self.filter.describe()}", style="italic")
        if self.marks:
            bar.append(f"  {T('hdr.marked', n=len(self.marks))} ", style="bold reverse")
        pending = self._pending_writes()
        if pending:
            bar.append(f"  {T('hdr.outbox', n=pending)}", style="yellow")
        self.query_one("#statusbar", Static).update(bar)
        coord = Text()
        if board is not None:
            coord.append(f" {T('hdr.coordinator')}: ", style="dim")
            for i, h in enumerate(board.headers):
                if i:
                    coord.append("  ·  ", style="dim")
                if len(board.headers) > 1:
                    coord.append(short_name(h.name) + ": ", style="dim")
                if h.coordinator is None:
                    coord.append(T("hdr.nobody"), style="bold red")
                else:
                    coord.append(h.coordinator, style="bold")
                    coord.append(" ")
                    coord.append(f"({T('hdr.present')})" if h.coordinator_present else f"({T('hdr.absent')})",
                                 style="green" if h.coordinator_present else "bold red")
        self.query_one("#coordinators", Static).update(coord)

    def _clock_skew_text(self) -> str | None:
        """The platform's clock against ours at the newest sync, when off by more than a few
        minutes (either way; report.md), e.g. "plattformens klocka 2 h 05 före"."""
        health = self.board.health if self.board is not None else None
        skew = health.clock_skew_seconds if health is not None else None
        if skew is None or abs(skew) <= CLOCK_SKEW_SHOWN_SECONDS:
            return None
        size = abs(skew)
        if size >= 2 * 86400:
            diff = i18n.t("duration.days", self.lang, d=f"{int(size // 86400):,}".replace(",", "\u00a0"))
        else:
            diff = fmt_age(size, self.lang)
        return i18n.t("hdr.clock_ahead" if skew > 0 else "hdr.clock_behind", self.lang, d=diff)

    def _notify_skipped(self) -> None:
        """A notice when the store holds rows an older version wrote that cannot be used (they
        are left out of the board); once per new set."""
        store = self._store
        skipped = store.last_skipped if store is not None else {}
        seen = frozenset((table, rid) for table, rows in skipped.items() for rid in rows)
        if seen and not seen <= self._skipped_seen:
            what = ", ".join(sorted({p for rows in skipped.values() for p in rows.values()}))
            self.notify(i18n.t("notice.skipped_rows", self.lang, n=len(seen), what=what), severity="warning",
                        timeout=15)
        self._skipped_seen = seen

    def _sync_state(self, now: datetime) -> tuple[str, str]:
        T = lambda k, **kw: i18n.t(k, self.lang, **kw)  # noqa: E731
        board = self.board
        health = board.health if board is not None else None
        stale_after = self.config.rules.stale_after_minutes * 60
        if self.offline:
            age = ""
            if health is not None and health.data_as_of is not None:
                age = " – " + T("hdr.sync_age", age=fmt_age((now - health.data_as_of).total_seconds(), self.lang))
            return T("hdr.offline") + age, "bold white on red"
        if health is None or health.data_as_of is None:
            if health is not None and health.consecutive_failures:
                return T("hdr.sync_failing", n=health.consecutive_failures), "bold white on red"
            return T("hdr.sync_never"), "black on yellow"
        age_s = max(0.0, (now - health.data_as_of).total_seconds())
        text = T("hdr.sync_age", age=fmt_age(age_s, self.lang))
        if health.consecutive_failures:
            text += " – " + T("hdr.sync_failing", n=health.consecutive_failures)
            if age_s > stale_after:
                return text, "bold white on red"
        if age_s > stale_after:
            return text, "bold black on dark_orange"
        return text, ""

    # -- actions ------------------------------------------------------------------------------------
    def _table(self, pid: str) -> VirtualTable:
        return self.query_one(f"#{pid}", VirtualTable)

    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        if event.table.id not in CASE_PANELS or self.board is None:
            return
        self.open_case(event.key)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.lang))

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

        self.push_screen(PromptScreen(i18n.t("filter.title", self.lang), i18n.t("filter.help", self.lang),
                                      self._filter_text(), check), done)

    def _filter_text(self) -> str:
        f = self.filter
        parts = [f.text] if f.text else []
        parts += [f"regel:{r}" for r in sorted(f.rules)] + [f"prio:{p}" for p in sorted(f.priorities)]
        parts += [f"status:{s}" for s in sorted(f.statuses)] + [f"enhet:{u}" for u in sorted(f.units)]
        return " ".join(parts)

    def _zone(self) -> ZoneInfo:
        """The units' local time zone (the first unit's; Stockholm before any data)."""
        board = self.board
        return ZoneInfo(board.snapshot.units[0].timezone if board is not None and board.snapshot.units
                        else "Europe/Stockholm")

    def _today(self):
        return self.clock.now().astimezone(self._zone()).date()

    def action_date_filter(self) -> None:
        def done(value: str | None) -> None:
            if value is None:
                return
            up_to = parse_date(value, self._today())
            self.set_filter(CaseFilter(self.filter.text, self.filter.rules, self.filter.priorities,
                                       self.filter.statuses, self.filter.units, up_to))

        current = self.filter.up_to.isoformat() if self.filter.up_to else ""
        self.push_screen(PromptScreen(i18n.t("date.title", self.lang), i18n.t("date.help", self.lang), current,
                                      date_validator(self._today(), self.lang)), done)

    def set_filter(self, filt: CaseFilter) -> None:
        self.filter = filt
        self._update_statusbar()
        self.request_refresh()

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

    def _marks_changed(self) -> None:
        for pid in CASE_PANELS:
            self._table(pid).refresh()
        self._update_statusbar()

    def action_mark_all(self) -> None:
        table = self.focused if isinstance(self.focused, VirtualTable) and self.focused.marks is not None \
            else self._table("active")
        table.action_mark_all()

    def selection(self) -> list[str]:
        """The marked cases, or the case under the cursor (k9s)."""
        if self.marks:
            return sorted(self.marks)
        focused = self.focused
        if isinstance(focused, VirtualTable) and focused.marks is not None and focused.cursor_key:
            return [focused.cursor_key]
        return []

    # -- writes: one central switch ---------------------------------------------------------------------
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
        if self.sync is None or getattr(self.sync, "enqueue", None) is None:
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

    def _pending_writes(self) -> int:
        if self._store is None:
            return 0
        from ..store.actions import pending_count

        try:
            return pending_count(self._store)
        except Exception:  # an older store without the outbox table
            return 0

    def actor(self) -> str:
        import getpass

        user = self.config.user
        name = user.name or getpass.getuser()
        return f"{name} ({user.staff_id})" if user.staff_id else name

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
        self.sync.run_now()

    def _cases_to_act_on(self) -> list:
        """The selection for a write action, or [] (with the reason said) when there is none
        or writes are off."""
        if not self._write_guard():
            return []
        cases = self._selected_cases()
        if not cases:
            self.notify(i18n.t("act.none_selected", self.lang), severity="warning")
        return cases

    def _selected_cases(self):
        board = self.board
        if board is None:
            return []
        by_id = {c.id: c for c in board.snapshot.cases}
        return [by_id[k] for k in self.selection() if k in by_id]

    def _owner_text(self, case) -> str:
        assert self.board is not None
        o = case.owner
        if o is None:
            return "–"
        if o.type == "person":
            st = self.board.snapshot.staff.get(o.staff_id or "")
            return st.name if st else (o.staff_id or "?")
        return "→ " + i18n.profession_label(o.profession, self.lang)

    def action_assign(self) -> None:
        cases = self._cases_to_act_on()
        if not cases:
            return
        from ..domain.models import PROFESSIONS
        from ..domain.presence import Roster

        assert self.board is not None
        snap, at = self.board.snapshot, self.board.at
        roster = Roster(snap.shifts)
        names = dict(self.board.all_units)
        units = sorted({c.unit_id for c in cases})
        options: list[tuple[str, str]] = []
        for prof in PROFESSIONS:
            scheduled_in = [u for u in units if prof in roster.scheduled_professions(u, at)]
            label = i18n.profession_label(prof, self.lang)
            where = ", ".join(short_name(names.get(u, u)) for u in units)
            if scheduled_in:
                options.append((f"role:{prof}", i18n.t("act.role", self.lang, profession=label, unit=where)))
            else:
                options.append((f"force:{prof}", i18n.t("act.role.unscheduled", self.lang, profession=label,
                                                          unit=where)))
        for u in units:
            for sh in sorted(roster.present_shifts(u, at), key=lambda x: x.staff_id):
                person = snap.staff.get(sh.staff_id)
                options.append((f"person:{u}:{sh.staff_id}", i18n.t(
                    "act.person", self.lang, name=person.name if person else sh.staff_id,
                    profession=i18n.profession_label(sh.profession, self.lang), unit=short_name(names.get(u, u)))))
        # scheduled targets first
        options.sort(key=lambda o: (o[0].startswith("force:"), o[0].startswith("role:") is False))
        seen: set[str] = set()
        options = [o for o in options if not (o[0] in seen or seen.add(o[0]))]  # type: ignore[func-returns-value]

        def chosen(value: str | None) -> None:
            if not value:
                return
            from ..domain.actions import Target

            kind, _, rest = value.partition(":")
            if kind == "person":
                unit_id, _, staff_id = rest.partition(":")
                person = snap.staff.get(staff_id)
                target, label = Target("person", staff_id, unit_id), person.name if person else staff_id
            else:
                target = Target("role", rest, force=kind == "force")
                label = i18n.profession_label(rest, self.lang)
            self._preview(i18n.t("key.assign", self.lang), cases, target, label)

        self.push_screen(ChoiceScreen(i18n.t("act.assign.title", self.lang, n=len(cases)), options), chosen)

    def action_move(self) -> None:
        cases = self._cases_to_act_on()
        if not cases:
            return
        assert self.board is not None
        options = [(u.id, i18n.t("act.unit", self.lang, name=u.name, id=u.id))
                   for u in self.board.snapshot.units if u.activated]

        def chosen(value: str | None) -> None:
            if value:
                from ..domain.actions import Target

                self._preview(i18n.t("key.move", self.lang), cases, Target("unit", value),
                              dict(self.board.all_units).get(value, value) if self.board else value)

        self.push_screen(ChoiceScreen(i18n.t("act.move.title", self.lang, n=len(cases)), options), chosen)

    def action_send_template(self) -> None:
        cases = self._cases_to_act_on()
        if not cases:
            return
        assert self.board is not None
        templates = self.board.snapshot.templates
        if not templates:
            self.notify(i18n.t("act.no_targets", self.lang), severity="warning")
            return
        titles = {t.id: t.title for t in templates}
        options = [(t.id, f"{t.title} ({t.id}) – {t.text[:60]}") for t in templates]

        def chosen(value: str | None) -> None:
            if value:
                from ..domain.actions import Target

                self._preview(i18n.t("key.template", self.lang), cases, Target("template", value), titles[value])

        self.push_screen(ChoiceScreen(i18n.t("act.template.title", self.lang, n=len(cases)), options), chosen)

    def _preview(self, what: str, cases, target, label: str) -> None:
        from ..domain.actions import hidden_by_filter, plan

        assert self.board is not None
        items = plan(cases, target, self.board.snapshot, self.board.at)
        visible = [r.key for r in self._table("active").rows]
        hidden = hidden_by_filter(self.marks, visible) if self.marks else 0
        by_id = {c.id: c for c in cases}

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._enqueue(what, target, [i for i in items if i.ok], label)

        self.push_screen(PreviewScreen(what, items, by_id, label, hidden, self.lang,
                                       needs_force=bool(getattr(target, "force", False)),
                                       owner_text=self._owner_text), confirmed)

    def _enqueue(self, what: str, target, items, label: str) -> None:
        from ..store.actions import OutboxWrite

        writes = []
        for i in items:
            if target.kind == "role":
                body = {"owner": {"type": "role", "profession": target.value}, "if_version": i.version}
                if target.force:
                    body["force"] = True
                writes.append(OutboxWrite("assign", body, case_id=i.case_id, unit_id=i.unit_id))
            elif target.kind == "person":
                writes.append(OutboxWrite("assign", {"owner": {"type": "person", "staff_id": target.value},
                                                     "if_version": i.version}, case_id=i.case_id, unit_id=i.unit_id))
            elif target.kind == "unit":
                writes.append(OutboxWrite("move", {"to_unit_id": target.value, "if_version": i.version},
                                          case_id=i.case_id, unit_id=i.unit_id))
            elif target.kind == "template":
                writes.append(OutboxWrite("message", {"template_id": target.value}, case_id=i.case_id,
                                          unit_id=i.unit_id))
        action = {"role": "reassign", "person": "reassign", "unit": "move", "template": "send_template"}[target.kind]
        detail = {"target": {"kind": target.kind, "value": target.value, "force": target.force}, "label": label}
        self._submit(action, writes, detail, what)

    def _submit(self, action: str, writes, detail: dict, title: str) -> None:
        if not writes or not self._write_guard():
            return
        from ..store.auditkey import AuditKeyError

        try:
            batch = self.sync.enqueue(self.actor(), action, writes, detail)  # type: ignore[union-attr]
        except AuditKeyError as exc:  # no audit entry, so nothing queued
            self.notify(i18n.t("ro.denied", self.lang, why=str(exc)), severity="error", timeout=10)
            return
        self.marks.clear()
        self._marks_changed()
        self.notify(i18n.t("outcome.queued", self.lang, n=len(writes)), timeout=3)
        self.push_screen(OutcomeScreen([batch], self._load_outbox, self.lang, title))

    def _load_outbox(self, batches):
        from ..store.actions import batch_rows, outbox_rows

        assert self._store is not None
        if batches is None:
            return outbox_rows(self._store)[-500:]
        out = []
        for b in batches:
            out.extend(batch_rows(self._store, b))
        return out

    def action_outbox(self) -> None:
        if self._store is not None:
            self.push_screen(OutcomeScreen(None, self._load_outbox, self.lang))

    def action_coordinator_role(self) -> None:
        if not self._write_guard() or self.board is None:
            return
        board = self.board

        def for_unit(unit_id: str | None) -> None:
            if not unit_id:
                return
            from ..domain.presence import Roster

            roster = Roster(board.snapshot.shifts)
            present = sorted(roster.present_shifts(unit_id, board.at),
                             key=lambda sh: (sh.staff_id != self.config.user.staff_id, sh.staff_id))
            options, seen = [], set()
            for sh in present:
                if sh.staff_id in seen:
                    continue
                seen.add(sh.staff_id)
                person = board.snapshot.staff.get(sh.staff_id)
                options.append((sh.staff_id, i18n.t("act.coord.take", self.lang,
                                                     name=person.name if person else sh.staff_id,
                                                     profession=i18n.profession_label(sh.profession, self.lang))))
            options.append(("", i18n.t("act.coord.hand_back", self.lang)))
            name = dict(board.all_units).get(unit_id, unit_id)

            def chosen(staff_id: str | None) -> None:
                if staff_id is None:
                    return
                from ..store.actions import OutboxWrite

                write = OutboxWrite("coordinator", {"staff_id": staff_id or None}, unit_id=unit_id)
                self._submit("coordinator_role", [write], {"unit": unit_id, "staff_id": staff_id or None},
                             i18n.t("key.coordinator", self.lang))

            self.push_screen(ChoiceScreen(i18n.t("act.coord.title", self.lang, unit=name), options), chosen)

        if self.unit:
            for_unit(self.unit)
        elif len(board.unit_ids) == 1:
            for_unit(board.unit_ids[0])
        else:
            self.push_screen(ChoiceScreen(i18n.t("act.coord.pick_unit", self.lang),
                                          [(uid, name) for uid, name in board.all_units]), for_unit)

    def reveal_pnr(self, case_id: str) -> bool:
        """Showing a masked personal identity number is itself an audited action."""
        writer = getattr(self.sync, "store", None) if self.sync is not None else None
        if writer is None or self.offline:
            self.notify(i18n.t("reveal.denied", self.lang, why=i18n.t("ro.offline", self.lang)), severity="warning")
            return False
        from ..store.actions import audit_append
        from ..store.auditkey import AuditKeyError

        try:
            audit_append(writer, self.clock.now(), self.actor(), "reveal_pnr", {"case": case_id})
        except AuditKeyError as exc:  # not logged, so not shown
            self.notify(i18n.t("reveal.denied", self.lang, why=str(exc)), severity="error", timeout=10)
            return False
        self.notify(i18n.t("reveal.done", self.lang), timeout=4)
        return True

    def action_demo_outage(self) -> None:
        """Demo only: the simulated platform goes down (or comes back)."""
        if self.demo is None:
            return
        down = self.demo.toggle_outage()
        self.notify(i18n.t("demo.outage_on" if down else "demo.outage_off", self.lang), timeout=6)

    def action_focus_panel(self, pid: str) -> None:
        self._table(pid).focus()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        T = lambda k, **kw: i18n.t(k, self.lang, **kw)  # noqa: E731
        yield SystemCommand(T("cmd.filter"), "/", self.action_filter)
        yield SystemCommand(T("cmd.date"), "d", self.action_date_filter)
        yield SystemCommand(T("cmd.clear"), "Esc", self.action_clear_filter)
        yield SystemCommand(T("cmd.unit"), "u", self.action_choose_unit)
        yield SystemCommand(T("cmd.sync"), "r", self.action_sync_now)
        yield SystemCommand(T("cmd.help"), "?", self.action_help)
        why = self.writes_denied()
        for key, binding, action in (("cmd.assign", "a", self.action_assign), ("cmd.move", "m", self.action_move),
                                     ("cmd.template", "t", self.action_send_template),
                                     ("cmd.coordinator", "c", self.action_coordinator_role)):
            title = T(key) if why is None else T("cmd.unavailable", title=T(key), why=why)
            yield SystemCommand(title, binding, action)
        yield SystemCommand(T("cmd.mark_all"), "*", self.action_mark_all)
        yield SystemCommand(T("cmd.clear_marks"), "Esc", self.action_clear_filter)
        yield SystemCommand(T("cmd.outbox"), "o", self.action_outbox)
        from ..domain.checklists import checklist_title

        for n, kind in enumerate(("start", "during", "end"), 1):
            yield SystemCommand(T("cmd.checklist", title=checklist_title(kind, self.lang)), str(n),
                                lambda kind=kind: self.action_checklist(kind))
        yield SystemCommand(T("cmd.report"), "p", self.action_shift_report)
        yield SystemCommand(T("cmd.fallback"), "F", self.action_fallback)
        yield SystemCommand(T("cmd.back"), "[", self.action_look_back)
        yield SystemCommand(T("cmd.forward"), "]", self.action_look_forward)
        yield SystemCommand(T("cmd.now"), "Backspace", self.action_look_now)
        for pid in PANELS:
            yield SystemCommand(T("cmd.panel", panel=T(f"panel.{pid}")), "Tab",
                                lambda pid=pid: self.action_focus_panel(pid))
        if self.demo is not None:
            yield SystemCommand(T("cmd.demo_outage"), "demo", self.action_demo_outage)
        yield SystemCommand(T("cmd.quit"), "q", self.action_quit)
        yield from super().get_system_commands(screen)
