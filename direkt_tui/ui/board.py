"""The board and its frame: the live refresh (the board built in a thread worker, swapped into
the virtualised tables on the UI thread), the alerts, outage mode and its banner, looking back,
and the status bar."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from rich.text import Text
from textual import work
from textual.widgets import Static
from textual.worker import get_current_worker

from .. import i18n
from ..domain.models import CLOCK_SKEW_SHOWN_SECONDS
from ..domain.rules import Finding
from ..domain.text import visible
from ..reports.curve import day_curve
from .base import DirektBase, while_mounted
from .model import Board, CaseFilter, case_id_width, columns, fmt_age, optional_columns, short_name, tail
from .screens.detail import CaseDetailScreen
from .screens.loaddetail import LoadDetailScreen
from .screens.shiftwork import FallbackScreen
from .widgets.alerts import Alert, AlertBar
from .widgets.table import VirtualTable


class BoardMixin(DirektBase):
    """Board, refresh, outage, looking back and the status bar of ``DirektApp``."""

    _dirty: bool
    _seen_critical: frozenset[tuple[Any, ...]] | None
    _seen_at_risk: frozenset[str] | None = None  # the P1–2 cases at risk on the last board
    _seen_at_risk_units: object = None  # the units in view on that board
    _skipped_seen: frozenset[tuple[str, Any]]
    _retired: list[Board]
    _detail_ids: tuple[str, ...] = ()  # the open case details (set on the UI thread)
    _load_detail_ids: tuple[str, ...] = ()  # the units whose load detail is open (UI thread)
    boards_built: int
    last_refresh_ms: float

    # -- live refresh --------------------------------------------------------------------------------
    @while_mounted
    def sync_cycle_finished(self, ok: bool, error: str | None = None) -> None:
        """Called (on the UI thread) after every sync cycle."""
        if not ok and error:
            self.notify(
                i18n.t("toast.sync_failed", self.lang, error=i18n.sync_error_text(error, self.lang)),
                severity="warning",
                timeout=6,
            )
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

    @while_mounted
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

    def on_case_detail_screen_wanted(self, message: CaseDetailScreen.Wanted) -> None:
        """A case detail opened: the next board brings its writes (and keeps it current)."""
        self._open_details()
        self.request_refresh()

    def on_load_detail_screen_wanted(self, message: LoadDetailScreen.Wanted) -> None:
        """A unit's load detail opened: the next board brings its chart."""
        self._open_details()
        self.request_refresh()

    def _open_details(self) -> tuple[str, ...]:
        """The cases whose detail is open (UI thread), kept for the board worker to read; the
        units whose load detail is open too."""
        self._detail_ids = tuple(s.case_id for s in self.screen_stack if isinstance(s, CaseDetailScreen))
        self._load_detail_ids = tuple(s.unit_id for s in self.screen_stack if isinstance(s, LoadDetailScreen))
        return self._detail_ids

    @work(thread=True, exclusive=True, group="board")
    def _build_board(self, at: datetime, filt: CaseFilter, unit: str | None, history: bool = False) -> None:
        assert self._builder is not None
        # free the boards the UI replaced here: dropping ~10^5 objects costs tens of ms
        while self._retired:
            self._retired.pop()
        board = self._builder.build(at, filt, [unit] if unit else None, history=history)
        # the open case details, read here too (the full case with its identity, and the
        # coordinator's writes): they show what the store holds now, not what it held on opening
        store = self._builder.store
        board.details = {cid: (store.case(cid), store.case_writes(cid)) for cid in self._detail_ids}
        # the chart of the unit whose load detail is open, read here (off the UI thread)
        board.curves = {
            uid: day_curve(store, board.evaluation.units[uid].unit, at)
            for uid in self._load_detail_ids
            if uid in board.evaluation.units
        }
        board.prepare()  # the rows' positions and the critical keys, here rather than on the UI thread
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._apply_board, board)

    @while_mounted
    def _apply_board(self, board: Board) -> None:
        t0 = time.perf_counter()
        previous = self.board
        if self.board is not None:
            self._retired.append(self.board)
        self.board = board
        T = i18n.translator(self.lang)
        multi = len(board.unit_ids) > 1
        empty = T("empty.filtered") if board.filter.active else T("empty")
        with self.batch_update():
            for pid, rows in (
                ("active", board.active),
                ("absent", board.absent),
                ("roles", board.roles),
                ("overdue", board.overdue),
                ("load", board.load),
            ):
                table = self.query_one(f"#{pid}", VirtualTable)
                kind = {"load": "load", "active": "cases"}.get(pid, "side")
                # the case column as wide as the longest id in the panel: ids are shown whole
                ids = case_id_width(board.id_widths.get(pid, 0), self.lang)
                # the load panel's names as wide as the longest (capped), the trend takes the rest
                names = max((len(short_name(n)) for u, n in board.all_units if u in board.unit_ids), default=16)
                cols = columns(kind, self.lang, multi, ids, max(len(T("col.unit")), min(26, names)))
                table.set_columns(cols, optional_columns(kind, multi, self.lang, cols))
                table.empty_text = empty
                table.set_rows(rows, board.indexes.get(pid))
                count = len(rows)
                title = f"{T('panel.' + pid)} ({count})"
                if pid == "active" and board.filter.active:
                    title = f"{T('panel.active')} ({count}/{board.open_total})"
                table.border_title = title
                table.set_class(
                    pid != "load" and pid != "active" and count > 0 and any(r.severity == "critical" for r in rows),
                    "has-critical",
                )
            if board.filter.up_to is not None and (previous is None or previous.filter.up_to != board.filter.up_to):
                # the date filter (oldest first) starts at the oldest case, not where the cursor was
                active = self.query_one("#active", VirtualTable)
                active.action_first()
                active.scroll_to(y=0, animate=False, immediate=True)
            self._update_alerts(board)
            self._update_load_note(board)
            self._update_outage(board)
            self._update_statusbar()
            self.relayout()
        for screen in self.screen_stack:
            if isinstance(screen, CaseDetailScreen) and screen.case_id in board.details:
                case, writes = board.details[screen.case_id]
                screen.show(board, case, writes)
            elif isinstance(screen, LoadDetailScreen):
                screen.show(board)
        self._open_details()  # a closed detail is read no more
        self._notify_skipped()
        crit = board.critical_keys
        if self._seen_critical is not None:
            new = crit - self._seen_critical
            if new:
                self.notify(self._new_critical_text(board, new), severity="error", timeout=8)
                if self.config.ui.bell:
                    self.bell()
        self._seen_critical = crit
        self._notify_at_risk(board)
        self.boards_built += 1
        self.last_refresh_ms = (time.perf_counter() - t0) * 1000

    def relayout(self) -> None:
        """The layout at the terminal's size (the app's)."""

    def _notify_at_risk(self, board: Board) -> None:
        """A P1–2 case that turned at risk since the last board (issue 13 §1): said in a toast,
        with the bell when the configuration asks for it — before the breach, not after."""
        urgent = board.at_risk_urgent
        if board.history:  # looking back warns of nothing
            return
        # another choice of units is not news: what it shows at risk now is the starting point
        seen = self._seen_at_risk if self._seen_at_risk_units == board.unit_ids else None
        self._seen_at_risk, self._seen_at_risk_units = urgent, board.unit_ids
        new = sorted(urgent - seen) if seen is not None else []
        if not new:
            return
        deadlines = board.evaluation.deadlines
        left = {cid: d.minutes_left for cid in new if (d := deadlines.get(cid)) and d.minutes_left is not None}
        what = ", ".join(
            f"{visible(cid)} ({i18n.duration_hm(left[cid], self.lang)})" if cid in left else visible(cid)
            for cid in new[:3]
        )
        if len(new) > 3:
            what += " " + i18n.t("toast.new_critical.rest", self.lang, n=len(new) - 3)
        self.notify(i18n.t("toast.at_risk", self.lang, what=what), severity="warning", timeout=8, markup=False)
        if self.config.ui.bell:
            self.bell()

    def _new_critical_text(self, board: Board, new: frozenset[tuple[Any, ...]]) -> str:
        """The new critical findings by name ("Nytt kritiskt fynd: c-5 Försenad (VC Ekholmen)"),
        three at most and how many more."""
        T = i18n.translator(self.lang)
        names = dict(board.all_units)
        found = [f for f in board.evaluation.findings if f.key in new]

        def what(f: Finding) -> str:
            unit = short_name(visible(names.get(f.unit_id, f.unit_id)))
            if f.case_id is None:
                return f"{T('badge.' + f.rule)} ({unit})"
            return f"{tail(visible(f.case_id), 24)} {T('badge.' + f.rule)} ({unit})"

        if len(found) == 1:
            return T("toast.new_critical.named", what=what(found[0]))
        lines = [what(f) for f in found[:3]]
        if len(found) > 3:
            lines.append(T("toast.new_critical.rest", n=len(found) - 3))
        return T("toast.new_critical.many", n=len(found), what="\n".join(lines))

    def _raised_by(self, board: Board) -> dict[str, list[str]]:
        """The units whose load level an overdue P1–2 case raised (§5), and those cases (worked
        out once per board, in its worker: :meth:`Board.raised_by`)."""
        return board.raised_by()

    def _update_alerts(self, board: Board) -> None:
        bar = self.query_one("#alerts", AlertBar)
        names = {u: n for u, n in board.all_units}
        raised = self._raised_by(board)
        alerts = []
        for f in board.alerts:
            reason = ""
            if f.rule == "high_load" and f.unit_id in raised:
                ids = raised[f.unit_id]
                shown = ", ".join(visible(c) for c in ids[:2]) + (" …" if len(ids) > 2 else "")
                reason = i18n.t("alerts.raised", self.lang, cases=shown)
            alerts.append(Alert(f, names.get(f.unit_id, f.unit_id), reason))
        bar.set_alerts(alerts)
        if not alerts and bar.has_focus:
            self._table("active").focus()

    def _update_load_note(self, board: Board) -> None:
        """The load panel says why a level is high when the ratio does not (⚑, item 23)."""
        raised = self._raised_by(board)
        names = dict(board.all_units)
        note = ""
        if raised:
            units = ", ".join(short_name(visible(names.get(u, u))) for u in raised)
            note = i18n.t("load.raised_note", self.lang, units=units)
        forecast = self._forecast_note(board, names)
        if forecast:
            note = f"{note} · {forecast}" if note else forecast
        self.query_one("#load", VirtualTable).set_note(note)

    def _forecast_note(self, board: Board, names: dict[str, str]) -> str:
        """ "Prognos vid stängning: VC X 14 väntar (+2 vårdpersonaltimmar)" for the units expected
        to close with a backlog, worst first (issue 13 §4; the formula is in the help and README)."""
        left = sorted(
            ((f.backlog_at_close, f.extra_clinician_hours, uid) for uid, f in board.forecasts.items() if f is not None),
            reverse=True,
        )
        if not left:
            return ""
        worst = [x for x in left if round(x[0]) >= 1][:2]
        if not worst:
            return i18n.t("forecast.clear", self.lang)
        parts = [
            # the late arrivals alone: more staff would not help, so no hours are asked for
            i18n.t("forecast.unit_late", self.lang, unit=short_name(visible(names.get(uid, uid))), n=round(n))
            if h < 0.5
            else i18n.t(
                "forecast.unit",
                self.lang,
                unit=short_name(visible(names.get(uid, uid))),
                n=round(n),
                hours=max(1, round(h)),
            )
            for n, h, uid in worst
        ]
        return i18n.t("forecast.note", self.lang, units=" · ".join(parts))

    # -- outage mode ---------------------------------------------------------------------------------
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
        T = i18n.translator(self.lang)
        zone = self._zone()
        if board.history:
            banner.update(
                Text(
                    " " + T("history.banner", at=board.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
                    style="bold black on cyan",
                )
            )
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

    # -- looking back --------------------------------------------------------------------------------
    def action_look_back(self) -> None:
        self._look(-15)

    def action_look_forward(self) -> None:
        if self.view_at is not None:
            self._look(15)

    def _look(self, minutes: int) -> None:

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

    # -- status bar ----------------------------------------------------------------------------------
    @while_mounted
    def _update_statusbar(self) -> None:
        T = i18n.translator(self.lang)
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
        if board is not None and board.at_risk_total:  # §4b: cases that will soon miss their deadline
            bar.append(f"  ◷ {T('hdr.at_risk', n=board.at_risk_total)}", style="bold")
        bar.append("  │  ", style="dim")
        state, style = self._sync_state(now)
        bar.append(f" {T('hdr.sync')}: {state} ", style=style)
        skew = self._clock_skew_text()
        if skew:
            bar.append(f"  {skew} ", style="bold black on yellow")
        if self.read_only and not self.offline:
            bar.append(f"  {T('hdr.readonly')}", style="italic dim")
        if self.filter.active:
            bar.append(f"  {T('hdr.filter')}: {self.filter.describe(self.lang)}", style="italic")
        if self.marks:
            bar.append(f"  {T('hdr.marked', n=len(self.marks))} ", style="bold reverse")
            focused = self.focused
            if isinstance(focused, VirtualTable) and focused.range_open:
                bar.append(f"  {T('hf.hint.mark_range')} ", style="bold black on yellow")
        pending = self._pending_writes()
        if pending:
            bar.append(f"  {T('hdr.outbox', n=pending)}", style="yellow")
        self.query_one("#statusbar", Static).update(bar)
        coord = Text(no_wrap=True, overflow="ellipsis")
        if board is not None:
            coord.append(f" {T('hdr.coordinator')}: ", style="dim")
            # the units that fit the line; the rest are counted, never dropped silently (item 18);
            # a unit with nobody in the role comes first, where it is seen
            headers = sorted(board.headers, key=lambda h: h.coordinator is not None and h.coordinator_present)
            width = self.size.width
            for i, h in enumerate(headers):
                part = Text()
                if i:
                    part.append("  ·  ", style="dim")
                if len(headers) > 1:
                    part.append(short_name(h.name) + ": ", style="dim")
                if h.coordinator is None:
                    part.append(T("hdr.nobody"), style="bold red")
                else:
                    part.append(h.coordinator, style="bold")
                    part.append(" ")
                    part.append(
                        f"({T('hdr.present')})" if h.coordinator_present else f"({T('hdr.absent')})",
                        style="green" if h.coordinator_present else "bold red",
                    )
                rest = len(headers) - i - 1
                more = T("hdr.more_units", n=len(headers) - i) if i else ""
                room = width - (len(T("hdr.more_units", n=rest)) + 2 if rest else 0)
                if i and coord.cell_len + part.cell_len > room:
                    coord.append("  " + more, style="bold")
                    break
                coord.append_text(part)
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
            self.notify(
                i18n.t("notice.skipped_rows", self.lang, n=len(seen), what=what), severity="warning", timeout=15
            )
        self._skipped_seen = seen

    def _sync_state(self, now: datetime) -> tuple[str, str]:
        T = i18n.translator(self.lang)
        board = self.board
        health = board.health if board is not None else None
        stale_after = self.config.rules.stale_after_minutes * 60
        if self.view_at is not None:  # looking back: no age of "now's" data (issue 12, item 24)
            at = self.view_at.astimezone(self._zone()).strftime("%H:%M")
            return T("hdr.looking_back", at=at), "bold black on cyan"
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

    def _pending_writes(self) -> int:
        if self._store is None:
            return 0
        from ..store.actions import pending_count

        try:
            return pending_count(self._store)
        except Exception:  # an older store without the outbox table
            return 0
