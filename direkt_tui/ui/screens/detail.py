"""Case detail (Enter): every field, the findings with their Swedish explanation and
suggested action, the timeline, and the case URL for deviation reports (§14). The patient is
masked; for protected identity neither name nor number is shown. Every cell is a literal
``Text`` (``ui.literal.lit``): a reason or a name is shown as written, never read as markup,
its control characters made visible."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static, TextArea

from ... import i18n
from ...domain.models import Case, Staff, mask_personnummer
from ...domain.text import visible
from ...domain.writes import intent
from ...store.reads import CaseWrite
from ..bindings import Translated, key
from ..literal import lit
from ..model import SEVERITY_STYLE, Board, fmt_minutes


def _local(t: datetime | None, tz) -> str:
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M") if t else "–"


def case_renderable(
    board: Board, case: Case, lang: str, revealed: bool = False, writes: Sequence[CaseWrite] = ()
) -> Group:
    T = i18n.translator(lang)
    snap = board.snapshot
    unit = next((u for u in snap.units if u.id == case.unit_id), None)
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(unit.timezone if unit else "Europe/Stockholm")
    units = {u.id: u.name for u in snap.units}
    staff = snap.staff

    def owner_text() -> str:
        o = case.owner
        if o is None:
            return "–"
        if o.type == "person":
            s = staff.get(o.staff_id or "")
            return visible(f"{s.name if s else o.staff_id} ({o.staff_id})")
        return f"{T('col.queued')}: {i18n.profession_label(o.profession, lang)}"

    def unit_name(uid: str) -> str:
        return visible(units.get(uid, uid))

    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column()
    p = case.patient
    if p.protected_identity:
        patient = Text(T("detail.protected"), style="bold magenta")
    elif revealed:
        patient = lit(f"{p.display_name or '–'}  {p.personnummer or '–'}  {p.phone or ''}".rstrip())
        patient.append("  (visat, loggat)" if lang != "en" else "  (shown, logged)", style="italic dim")
    else:
        patient = lit(f"{p.display_name or '–'}  {mask_personnummer(p.personnummer)}")
    waited = board.evaluation.waited_minutes.get(case.id)
    rows = [
        (T("detail.patient"), patient),
        (T("detail.kind"), T(f"detail.kind.{case.kind}")),
        (T("col.prio"), i18n.priority_label(case.priority, lang)),
        (T("col.status"), T(f"status.{case.status}")),
        (T("col.unit"), f"{unit_name(case.unit_id)} ({visible(case.unit_id)})"),
        (T("col.owner"), owner_text()),
        (T("detail.owner_since"), _local(case.owner_since, tz)),
        (T("col.reason"), lit(case.reason or "–", multiline=True)),
        (T("detail.waited"), fmt_minutes(waited, lang) if waited is not None else "–"),
    ]
    ho = case.handover
    if ho is not None:
        target = unit_name(ho.to_unit_id)
        if ho.accepted_at:
            rows.append(
                (T("detail.handover"), T("detail.handover.accepted", unit=target, at=_local(ho.accepted_at, tz)))
            )
        else:
            rows.append(
                (
                    T("detail.handover"),
                    T(
                        "detail.handover.pending",
                        unit=target,
                        at=_local(ho.requested_at, tz),
                        urgent=T("detail.urgent") if ho.urgent else "",
                    ),
                )
            )
    rows.append((T("detail.url"), lit(case.url or "–", style="underline")))
    for k, v in rows:
        fields.add_row(lit(k), v if isinstance(v, Text) else lit(v))

    findings = board.evaluation.findings_for(case.id)
    ftable = Table(show_header=True, header_style="bold", expand=True, box=None, padding=(0, 1))
    ftable.add_column(T("col.sev"), no_wrap=True)
    ftable.add_column(T("col.rule"), no_wrap=True)
    ftable.add_column(i18n.t("detail.message", lang), ratio=1)
    ftable.add_column(T("col.action"), no_wrap=True)
    for f in findings:
        style = SEVERITY_STYLE[f.severity]
        ftable.add_row(
            Text(T(f"sev.{f.severity}"), style=style),
            lit(T(f"rule.{f.rule}")),
            lit(f.message),
            Text(T(f"action.{f.action}"), style="bold"),
        )

    templates = {t.id: visible(t.title) for t in snap.templates}
    events: list[tuple[datetime, str]] = [(case.created_at, T("tl.created"))]
    if case.received_at:
        events.append((case.received_at, T("tl.received")))
    if case.started_at:
        events.append((case.started_at, T("tl.started")))
    # the platform's notices, each once (a notice the coordinator's own write sent is shown as
    # that write: one line, saying who sent it)
    notices = list(dict.fromkeys((n.template_id, n.sent_at) for n in case.notices))
    owner_shown = case.owner_since is not None
    for w in writes:
        at, what = _write_event(w, case, notices, T, lang, staff, unit_name, templates)
        if w.kind == "assign" and w.status == "done" and owner_shown and case.owner is not None:
            if w.body.get("owner") == case.owner.to_api():  # the owner now is the one it set
                owner_shown = False
                at = case.owner_since or at
        events.append((at, what))
    if owner_shown and case.owner_since:
        events.append((case.owner_since, T("tl.owner", owner=owner_text())))
    for a in case.contact_attempts:
        events.append((a, T("tl.attempt")))
    for tid, sent_at in notices:
        events.append((sent_at, T("tl.notice", title=templates.get(tid, visible(tid)))))
    if case.last_patient_message_at:
        events.append((case.last_patient_message_at, T("tl.patient_msg")))
    if case.last_staff_message_at:
        events.append((case.last_staff_message_at, T("tl.staff_msg")))
    if ho is not None:
        events.append((ho.requested_at, T("tl.handover", unit=unit_name(ho.to_unit_id))))
        if ho.accepted_at:
            events.append((ho.accepted_at, T("tl.handover_accepted")))
    if case.closed_at:
        events.append((case.closed_at, T("tl.closed", reason=visible(case.close_reason or "–"))))
    timeline = Table.grid(padding=(0, 2))
    timeline.add_column(no_wrap=True, style="dim")
    timeline.add_column()
    for at, what in sorted(events, key=lambda e: e[0]):
        timeline.add_row(_local(at, tz), lit(what))

    from ...reports.deviation import needs_deviation

    hint: list[Text] = []
    if needs_deviation(findings):  # §14: this one is to be reported in Synergi
        hint = [Text(T("deviation.hint"), style="bold yellow"), Text("")]
    return Group(
        *hint,
        Text(T("detail.fields"), style="bold underline"),
        fields,
        Text(""),
        Text(T("detail.findings"), style="bold underline"),
        ftable if findings else Text(T("detail.no_findings"), style="dim"),
        Text(""),
        Text(T("detail.timeline"), style="bold underline"),
        timeline,
    )


def _write_event(
    w: CaseWrite,
    case: Case,
    notices: list[tuple[str, datetime]],
    T: Callable[..., str],
    lang: str,
    staff: Mapping[str, Staff],
    unit_name: Callable[[str], str],
    templates: dict[str, str],
) -> tuple[datetime, str]:
    """One of the coordinator's writes as a timeline line; a done template write claims (takes
    out of ``notices``) the platform's notice it made, so the template shows once: a done write
    made one, and of several of that template the nearest in time is taken (the outbox keeps
    this machine's time, the notice the platform's, so no exact match is asked for)."""
    who = visible(w.actor) if w.actor else T("tl.w.someone")
    state = T(f"tl.w.{w.status}") if w.status != "done" else ""
    at = w.updated_at if w.status != "pending" else w.created_at
    want = intent(w.body)
    if w.kind == "message":
        tid = want.template_id or ""
        same = [n for n in notices if n[0] == tid]
        if w.status == "done" and same:
            claimed = min(same, key=lambda n: abs((n[1] - w.updated_at).total_seconds()))
            notices.remove(claimed)
            at = claimed[1]
        return at, T("tl.w.message", title=templates.get(tid, visible(tid)), who=who, state=state)
    if w.kind == "move":
        return at, T("tl.w.move", unit=unit_name(want.to_unit_id or ""), who=who, state=state)
    if want.staff_id is not None:
        s = staff.get(want.staff_id)
        target = visible(s.name if s else want.staff_id)
    else:
        target = i18n.profession_label(want.profession, lang)
    return at, T("tl.w.assign", owner=target, who=who, state=state)


class CaseDetailScreen(Translated, ModalScreen[None]):
    """The case detail. It follows the store while open: each new board (a sync, a write's
    outcome, the re-evaluation) brings the case as now stored, its findings and the
    coordinator's writes (:meth:`show`), asked for once on opening (:class:`Wanted`)."""

    BINDINGS = [
        key("escape,q", "close", "key.close"),
        key("v", "reveal", "key.reveal"),
        key("s", "deviation", "bind.deviation"),
    ]

    def __init__(
        self,
        board: Board,
        case_id: str,
        lang: str,
        reveal: Callable[[str], bool] | None = None,
        case: Case | None = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.board = board
        self.case_id = case_id
        self.lang = lang
        self._reveal = reveal
        self.revealed = False
        # the full case (with the patient's identity) read for this view; the board has none
        self.case = case if case is not None else board.case(case_id)
        self.writes: tuple[CaseWrite, ...] = ()

    class Wanted(Message):
        """The detail opened: read its case, findings and writes afresh (the app answers with
        :meth:`CaseDetailScreen.show` from its next board)."""

        def __init__(self, case_id: str) -> None:
            super().__init__()
            self.case_id = case_id

    def show(self, board: Board, case: Case | None, writes: Sequence[CaseWrite]) -> None:
        """The case as now stored: its fields, findings (from ``board``) and timeline."""
        self.board = board
        if case is not None:
            self.case = case
        self.writes = tuple(writes)
        self._render_body()

    def _render_body(self) -> None:
        case = self.case
        if case is None or not self.is_mounted:
            return
        body = case_renderable(self.board, case, self.lang, self.revealed, self.writes)
        found = self.query("#detail-body")
        if found:
            found.first(Static).update(body)

    def compose(self) -> ComposeResult:
        case = self.case
        with VerticalScroll(classes="dialog detail", id="detail") as box:
            box.border_title = lit(i18n.t("detail.title", self.lang, id=self.case_id))
            if case is None:
                yield Static(i18n.t("detail.missing", self.lang))
            else:
                yield Static(case_renderable(self.board, case, self.lang), id="detail-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail").focus()
        self.post_message(self.Wanted(self.case_id))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_deviation(self) -> None:
        """§14: a ready draft of the deviation report for Synergi (any case, on request)."""
        case = self.case
        if case is None:
            return
        from ...reports.deviation import deviation_draft

        unit = next((u for u in self.board.snapshot.units if u.id == case.unit_id), None)
        zone = ZoneInfo(unit.timezone if unit else "Europe/Stockholm")
        text = deviation_draft(
            case,
            self.board.evaluation.findings_for(case.id),
            self.lang,
            unit_names=dict(self.board.all_units),
            zone=zone,
        )
        self.app.push_screen(DeviationScreen(case.id, text, self.lang, self.board.at, zone))

    def action_reveal(self) -> None:
        """Show the full personal identity number – logged in the audit chain first."""
        case = self.case
        if case is None or case.patient.protected_identity or self.revealed or self._reveal is None:
            return
        if self._reveal(self.case_id):
            self.revealed = True
            self._render_body()


class DeviationScreen(Translated, ModalScreen[None]):
    """The §14 draft for Synergi: shown selectable, ``c`` copies it (OSC 52, where the terminal
    allows), and it is saved beside the shift reports when shown."""

    BINDINGS = [key("escape,q", "close", "key.close"), key("c", "copy", "bind.copy")]

    def __init__(self, case_id: str, text: str, lang: str, at: datetime, zone: ZoneInfo) -> None:
        super().__init__(classes="dialog-screen")
        self.case_id = case_id
        self.text = text
        self.lang = lang
        self.at = at
        self.zone = zone
        self.path: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog detail", id="deviation") as box:
            box.border_title = lit(i18n.t("deviation.title", self.lang, id=self.case_id))
            yield Label("", id="deviation-saved", classes="dialog-help")
            yield TextArea(self.text, read_only=True, soft_wrap=True, show_line_numbers=False, id="deviation-text")
            yield Label(i18n.t("deviation.keys", self.lang), classes="dialog-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
        from ...reports.deviation import save_deviation

        folder = getattr(self.app, "reports_dir", None)
        label = self.query_one("#deviation-saved", Label)
        if folder is None:
            return
        try:
            self.path = save_deviation(self.text, Path(folder), self.case_id, self.at, self.zone)
        except OSError as exc:
            label.update(lit(i18n.t("deviation.not_saved", self.lang, why=f"{folder}: {exc.strerror or exc}")))
            return
        label.update(lit(i18n.t("deviation.saved", self.lang, path=str(self.path))))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify(i18n.t("deviation.copied", self.lang), timeout=4)

    def action_close(self) -> None:
        self.dismiss(None)
