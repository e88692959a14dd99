"""Shift work: the three checklists, the fallback routine with its phone list, the shift report."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Markdown

from ... import i18n
from ...config import FallbackConfig
from ...domain.checklists import ItemStatus, checklist, checklist_title, evaluate_checklist
from ...domain.fallback import phone_list, snapshot_age_text, support_contact
from ...domain.models import Snapshot
from ...domain.text import visible
from ..bindings import Translated, key
from ..literal import lit
from ..messages import JumpToItem, OpenCase, ShiftReportRequested, ToggleCalled
from ..model import SEVERITY_STYLE, Board, Row, tail
from ..widgets.table import VirtualTable

SignOff = Callable[[str, list[str], dict[str, list[str]]], bool]
SignedSince = Callable[[datetime], Sequence["SignedOff"]]

if TYPE_CHECKING:
    from ...store.shiftlog import CosmicCase
    from ...store.shiftlog import SignOff as SignedOff


class CosmicItem(Protocol):
    """The Skiftslut checklist's §11 item: ``cases()`` today's cases to document in Cosmic,
    ``open(done)`` the list to mark them in (``done`` called when it closes)."""

    def cases(self) -> Sequence[CosmicCase]: ...

    def open(self, done: Callable[[], None]) -> None: ...


class WholeRow:
    """A dialog whose table cuts long cells shows the row under the cursor whole, wrapped, below
    the table (issue 12, item 19: checklist items, the phone list's patients and call notes)."""

    def _show_whole(self, table: VirtualTable, label_id: str) -> None:
        key = table.cursor_key
        row = next((r for r in table.rows if r.key == key), None)
        cells = [str(c).strip() for c in row.cells] if row is not None else []
        self.query_one(label_id, Label).update(lit(" · ".join(c for c in cells if c and c != "–")))  # type: ignore[attr-defined]

    def on_virtual_table_cursor_moved(self, event: VirtualTable.CursorMoved) -> None:
        label_id = "#checklist-whole" if event.table.id == "checklist-table" else "#fallback-whole"
        self._show_whole(event.table, label_id)


class ChecklistScreen(WholeRow, Translated, ModalScreen[None]):
    """*Skiftstart*, *Under dagen* or *Skiftslut*: each duty with its live status. Enter jumps
    to the cases, space acknowledges an item, ``s`` signs the checklist off (who, when, and
    what was still outstanding)."""

    BINDINGS = [
        key("escape,q", "close", "key.close"),
        key("space", "acknowledge", "bind.acknowledge"),
        key("s", "sign_off", "bind.sign_off"),
        key("p", "shift_report", "key.report"),
    ]

    def __init__(
        self,
        kind: str,
        lang: str,
        board: Callable[[], Board | None],
        sign_off: SignOff,
        signed: SignedSince | None = None,
        cosmic: CosmicItem | None = None,
    ) -> None:
        """``board``: the live board (read each second); ``sign_off(kind, acknowledged,
        outstanding)`` stores the sign-off and says whether it was; ``signed(since)``: the
        sign-offs stored since an instant (``store.shiftlog.signoffs``; None: none shown)."""
        super().__init__(classes="dialog-screen")
        self.kind = kind
        self.lang = lang
        self._board = board
        self._sign_off = sign_off
        self._signed = signed
        self.acknowledged: set[str] = set()
        self.statuses: list[ItemStatus] = []
        self.signed_today: list[SignedOff] = []
        # §11 (Skiftslut): today's cases to document in Cosmic, read on opening and after a mark
        self._cosmic = cosmic
        self.cosmic_cases: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog detail") as box:
            box.border_title = checklist_title(self.kind, self.lang)
            yield Label("", id="checklist-summary")
            yield VirtualTable(
                [
                    ("✓", 1),
                    (i18n.t("checklist.col.item", self.lang), 0),
                    (i18n.t("checklist.col.status", self.lang), 16),
                ],
                id="checklist-table",
            )
            yield Label("", id="checklist-whole", classes="dialog-whole")
            yield Label("", id="checklist-signed", classes="dialog-help")
            yield Label(i18n.t("checklist.keys", self.lang), classes="dialog-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VirtualTable).focus()
        self.load_signed()
        self.load_cosmic()
        self.refresh_items()
        self.set_interval(1.0, self.refresh_items)

    def load_signed(self) -> None:
        """Today's sign-offs (every checklist) under the list, and this checklist's last
        acknowledgements ticked again: reopening shows who signed what, and when."""
        board = self._board()
        signed = self._signed
        if board is None or signed is None:
            return
        tz = board.snapshot.units[0].timezone if board.snapshot.units else "Europe/Stockholm"
        from zoneinfo import ZoneInfo

        midnight = board.at.astimezone(ZoneInfo(tz)).replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            self.signed_today = [s for s in signed(midnight) if s.signed_at <= board.at]
        except Exception:  # a store that cannot be read: the list works without the history
            self.signed_today = []
        mine = [s for s in self.signed_today if s.checklist == self.kind]
        if mine and isinstance(mine[-1].acknowledged, list):
            self.acknowledged = {str(a) for a in mine[-1].acknowledged}
        label = self.query_one("#checklist-signed", Label)
        if not self.signed_today:
            label.update(i18n.t("checklist.signed.none", self.lang))
            return
        lines = [i18n.t("checklist.signed.today", self.lang)]
        for s in self.signed_today:
            outstanding = len(s.outstanding) if isinstance(s.outstanding, dict | list) else 0
            acknowledged = len(s.acknowledged) if isinstance(s.acknowledged, list) else 0
            lines.append(
                "  "
                + i18n.t(
                    "checklist.signed.line",
                    self.lang,
                    title=checklist_title(s.checklist, self.lang),
                    time=_hm(s.signed_at, tz),
                    who=visible(s.signed_by),
                    ack=acknowledged,
                    open=outstanding,
                )
            )
        label.update(Text("\n".join(lines)))

    def refresh_items(self) -> None:
        board = self._board()
        if board is None:
            return
        cosmic_open = [c.case_id for c in self.cosmic_cases if not c.documented]
        self.statuses = evaluate_checklist(self.kind, board.evaluation, board.snapshot, board.at, cosmic_open)
        rows = []
        for st in self.statuses:
            done = st.done
            mark = Text("✓", style="green") if st.item.id in self.acknowledged else Text(" ")
            status = Text(
                st.summary(self.lang),
                style="green" if done else SEVERITY_STYLE.get(st.worst_severity or "high", "bold"),
            )
            rows.append(Row(st.item.id, (mark, Text(st.item.text(self.lang), style="" if done else "bold"), status)))
        self.query_one(VirtualTable).set_rows(rows)
        self._show_whole(self.query_one(VirtualTable), "#checklist-whole")
        open_items = sum(1 for s in self.statuses if not s.done)
        self.query_one("#checklist-summary", Label).update(
            i18n.t(
                "checklist.summary",
                self.lang,
                open=open_items,
                total=len(self.statuses),
                ack=len(self.acknowledged & {s.item.id for s in self.statuses}),
            )
        )

    def _current(self) -> ItemStatus | None:
        key = self.query_one(VirtualTable).cursor_key
        return next((s for s in self.statuses if s.item.id == key), None)

    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        """Enter: show the item's cases in the main panels."""
        event.stop()
        st = self._current()
        if st is None:
            return
        if st.item.cosmic:  # §11: the list to mark as documented in Cosmic, over the checklist
            if self._cosmic is not None:
                self._cosmic.open(self.load_cosmic)
            return
        self.post_message(JumpToItem(st))
        self.dismiss(None)

    def load_cosmic(self) -> None:
        """Today's cases to document in Cosmic (an older store without the table: none)."""
        if self._cosmic is None or not any(i.cosmic for i in checklist(self.kind)):
            return
        try:
            self.cosmic_cases = list(self._cosmic.cases())
        except Exception:
            self.cosmic_cases = []
        if self.is_mounted:
            self.refresh_items()

    def action_acknowledge(self) -> None:
        st = self._current()
        if st is None:
            return
        self.acknowledged ^= {st.item.id}
        self.refresh_items()
        self.query_one(VirtualTable).action_cursor_down()

    def action_sign_off(self) -> None:
        outstanding = {s.item.id: list(s.case_ids or s.unit_ids) for s in self.statuses if not s.done}
        if self._sign_off(self.kind, sorted(self.acknowledged), outstanding):
            self.dismiss(None)

    def action_shift_report(self) -> None:
        self.post_message(ShiftReportRequested())

    def action_close(self) -> None:
        self.dismiss(None)


class FallbackScreen(WholeRow, Translated, ModalScreen[None]):
    """Reservrutin (§12): whom to call now, and the patients to phone from the last snapshot,
    most urgent first. ``x`` marks a patient as called, with a short local note."""

    BINDINGS = [
        key("escape,q", "close", "key.close"),
        key("x", "called", "bind.called"),
    ]

    def __init__(
        self,
        lang: str,
        board: Callable[[], Board | None],
        now: Callable[[], datetime],
        contacts: FallbackConfig,
        call_marks: Callable[[], Mapping[str, Any]],
        identified: Callable[[Board], Snapshot],
    ) -> None:
        """``board``/``now``: the live board and clock; ``contacts``: the numbers to call;
        ``call_marks()``: the stored marks by case; ``identified(board)``: its snapshot with the
        patients identified (the phone list)."""
        super().__init__(classes="dialog-screen")
        self.lang = lang
        self._board = board
        self._now = now
        self._contacts = contacts
        self._call_marks = call_marks
        self._identified = identified

    def compose(self) -> ComposeResult:
        T = i18n.translator(self.lang)
        with Vertical(classes="dialog detail fallback") as box:
            box.border_title = T("fallback.title")
            yield Label("", id="fallback-who")
            yield Label("", id="fallback-age")
            yield VirtualTable(
                [
                    (T("col.prio"), 5),
                    (T("col.case"), 10),
                    (T("col.unit"), 12),
                    (T("fallback.col.patient"), 18),
                    (T("fallback.col.phone"), 22),
                    (T("fallback.col.called"), 0),
                ],
                id="phone-table",
            )
            yield Label("", id="fallback-whole", classes="dialog-whole")
            yield Label(T("fallback.keys"), classes="dialog-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VirtualTable).focus()
        self.refresh_list()
        self.set_interval(2.0, self.refresh_list)

    def refresh_list(self) -> None:
        T = i18n.translator(self.lang)
        board = self._board()
        if board is None:
            return
        tz = board.snapshot.units[0].timezone if board.snapshot.units else "Europe/Stockholm"
        now = self._now()
        contact = support_contact(now, tz)
        number = contact.phone(self._contacts) or T("fallback.no_number")
        who = Text()
        who.append(T("fallback.call_now") + " ", style="bold")
        who.append(f"{contact.label(self.lang)}: {number}", style="bold reverse")
        if contact.guideline_silent:  # the note says why (the reason would say it again)
            who.append("\n" + T("fallback.silent_note"), style="italic yellow")
        else:
            who.append(f"  ({contact.reason(self.lang)})", style="dim")
        self.query_one("#fallback-who", Label).update(who)
        self.query_one("#fallback-age", Label).update(snapshot_age_text(board.snapshot, now, tz, self.lang))
        marks = self._call_marks()
        rows = []
        for e in phone_list(board.evaluation, self._identified(board), self.lang):
            patient: Text | str
            phone: Text | str
            if e.protected_identity:
                patient = Text(T("fallback.protected_patient"), style="magenta")
                phone = Text(T("fallback.protected"), style="bold magenta")
            else:
                patient, phone = visible(e.patient_name or "–"), visible(e.patient_phone or "–")
            m = marks.get(e.case_id)
            called = Text("")
            if m is not None:
                called = Text(f"✓ {_hm(m.called_at, tz)}", style="green")
                if m.note:
                    called.append(f" – {visible(m.note)}", style="italic")
            prio = Text(i18n.priority_label(e.priority, self.lang), style="bold red" if e.urgent else "")
            unit = visible(e.unit_name).replace("Vårdcentralen ", "VC ")
            rows.append(Row(e.case_id, (prio, tail(visible(e.case_id), 10), unit, patient, phone, called)))
        self.query_one(VirtualTable).set_rows(rows)
        self._show_whole(self.query_one(VirtualTable), "#fallback-whole")

    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        event.stop()
        self.post_message(OpenCase(event.key))

    def action_called(self) -> None:
        key = self.query_one(VirtualTable).cursor_key
        if key is not None:
            self.post_message(ToggleCalled(key, self.refresh_list))

    def action_close(self) -> None:
        self.dismiss(None)


def _hm(t: datetime, tz: str) -> str:
    from zoneinfo import ZoneInfo

    return t.astimezone(ZoneInfo(tz)).strftime("%H:%M")


class ReportScreen(Translated, ModalScreen[None]):
    """The shift report as written to a file."""

    BINDINGS = [key("escape,q", "close", "key.close")]

    def __init__(self, markdown: str, path: Path | None, lang: str) -> None:
        super().__init__(classes="dialog-screen")
        self.markdown = markdown
        self.path = path
        self.lang = lang

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog detail", id="report") as box:
            box.border_title = i18n.t("report.title", self.lang)
            if self.path is not None:
                yield Label(lit(i18n.t("report.saved", self.lang, path=str(self.path))), id="report-path")
            # the report has no links of its own: one could only come from platform text
            yield Markdown(self.markdown, id="report-body", open_links=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#report").focus()

    def action_close(self) -> None:
        self.dismiss(None)
