"""Bemanning (issue 13 §2): per unit, every staff member on shift now or later today with the
cases each holds; those off shift who still hold cases first; the gaps ahead. ``m`` marks all the
cases of the person under the cursor (the app's marks) and closes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from ... import i18n
from ...domain.models import Staff
from ...domain.roster import PersonLoad, UnitRoster
from ...domain.text import visible
from ..bindings import Translated, key
from ..literal import lit
from ..model import Row, fmt_minutes
from ..widgets.table import VirtualTable


def _hm(t: datetime | None, tz: ZoneInfo) -> str:
    return t.astimezone(tz).strftime("%H:%M") if t is not None else "–"


def roster_columns(lang: str) -> list[tuple[str, int]]:
    T = i18n.translator(lang)
    return [
        (T("roster.col.name"), 22),
        (T("roster.col.profession"), 6),
        (T("roster.col.present"), 11),
        (T("roster.col.logged_in"), 7),
        (T("roster.col.until"), 5),
        (T("roster.col.cases"), 7),
        (T("roster.col.awaiting"), 11),
        (T("roster.col.oldest"), 11),
        (T("roster.col.shifts"), 0),
    ]


def person_row(p: PersonLoad, tz: ZoneInfo, lang: str) -> Row:
    """One person: off shift and holding cases first, in bold red ("Bo Ek – ej i tjänst – 3
    ärenden"); shifts today with their lunch gaps."""
    T = i18n.translator(lang)
    name = visible(p.name)
    if p.off_shift_holding:
        name_t = Text(T("roster.off_holding", name=name, n=p.active), style="bold red")
    else:
        name_t = Text(name, style="" if p.present else "dim")
    if p.present:
        present = Text(T("roster.yes"), style="green")
    elif p.next_start is not None:
        present = Text(T("roster.from", time=_hm(p.next_start, tz)), style="dim")
    else:
        present = Text(T("roster.off"), style="bold red" if p.case_ids else "dim")
    shifts = ", ".join(f"{_hm(a, tz)}–{_hm(b, tz)}" for a, b in p.shifts)
    for a, b in p.gaps():
        shifts += " (" + T("roster.lunch", start=_hm(a, tz), end=_hm(b, tz)) + ")"
    oldest = fmt_minutes(p.oldest_reply_minutes, lang) if p.oldest_reply_minutes is not None else "–"
    return Row(
        p.staff_id,
        (
            name_t,
            " ".join(i18n.profession_short(x, lang) for x in p.professions),
            present,
            T("roster.yes") if p.logged_in else T("roster.no"),
            _hm(p.until, tz),
            Text(str(p.active), style="bold" if p.active else "dim"),
            Text(str(p.awaiting_reply), style="dark_orange" if p.awaiting_reply else "dim"),
            oldest,
            shifts or "–",
        ),
        severity="high" if p.off_shift_holding else None,
    )


def summary(ur: UnitRoster, staff: Mapping[str, Staff], tz: ZoneInfo, lang: str) -> list[tuple[str, str]]:
    """The lines above a unit's table: present / later today per profession, the coordinator
    and until when, the gaps ahead (text, CSS class)."""
    T = i18n.translator(lang)

    def per(d: Mapping[str, int]) -> str:
        return " · ".join(f"{i18n.profession_short(p, lang)} {n}" for p, n in d.items()) or T("roster.nobody")

    out = [(T("roster.summary", present=per(ur.present_by_profession), later=per(ur.later_by_profession)), "")]
    if ur.coordinator_id:
        s = staff.get(ur.coordinator_id)
        name = visible(s.name if s else ur.coordinator_id)
        out.append((T("roster.coordinator", name=name, time=_hm(ur.coordinator_until, tz)), ""))
    if ur.handover_due and ur.coordinator_id:
        s = staff.get(ur.coordinator_id)
        who = ", ".join(visible(staff[x].name if x in staff else x) for x in ur.handover_candidates[:3])
        args = {"name": visible(s.name if s else ur.coordinator_id), "time": _hm(ur.coordinator_until, tz), "who": who}
        out.append((T("alert.handover" if who else "alert.handover.nobody", **args), "dialog-error"))
    for a, b in ur.coverage_gaps:
        out.append((T("roster.gap", start=_hm(a, tz), end=_hm(b, tz)), "dialog-error"))
    if not ur.coverage_gaps:
        out.append((T("roster.no_gaps"), "dialog-help"))
    return out


class RosterScreen(Translated, ModalScreen[list[str] | None]):
    """The roster of the units in view; dismissed with the case ids to mark (``m``) or None."""

    DEFAULT_CSS = """
    RosterScreen .dialog Label { width: 100%; }
    RosterScreen VirtualTable { height: auto; max-height: 14; }
    """

    BINDINGS = [
        key("m", "mark_person", "roster.key.mark"),
        key("escape,q", "close", "key.close"),
    ]

    def __init__(
        self,
        rosters: Sequence[tuple[str, UnitRoster]],
        staff: Mapping[str, Staff],
        tz: ZoneInfo,
        lang: str,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.rosters = list(rosters)  # (unit name, roster)
        self.staff = staff
        self.tz = tz
        self.lang = lang

    def compose(self) -> ComposeResult:
        T = i18n.translator(self.lang)
        with Vertical(classes="dialog detail") as box:
            box.border_title = T("key.roster")
            for i, (name, ur) in enumerate(self.rosters):
                yield Label(lit(T("roster.title", unit=visible(name))), classes="roster-unit")
                for text, cls in summary(ur, self.staff, self.tz, self.lang):
                    yield Label(lit(text), classes=cls)
                yield VirtualTable(roster_columns(self.lang), id=f"roster-{i}", classes="roster-table")
            yield Label(lit(T("roster.hint")), classes="dialog-help")
        yield Footer()

    def on_mount(self) -> None:
        for i, (_name, ur) in enumerate(self.rosters):
            table = self.query_one(f"#roster-{i}", VirtualTable)
            table.set_rows([person_row(p, self.tz, self.lang) for p in ur.people])
        if self.rosters:
            self.query_one("#roster-0", VirtualTable).focus()

    def person_under_cursor(self) -> PersonLoad | None:
        focused = self.focused
        if not isinstance(focused, VirtualTable) or focused.cursor_key is None or focused.id is None:
            return None
        i = int(focused.id.removeprefix("roster-"))
        return self.rosters[i][1].person(focused.cursor_key)

    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        event.stop()  # Enter on a person marks their cases, it opens no case
        self.action_mark_person()

    def action_mark_person(self) -> None:
        p = self.person_under_cursor()
        if p is None:
            return
        if not p.case_ids:
            self.notify(i18n.t("roster.mark.none", self.lang, name=visible(p.name)), severity="warning")
            return
        self.notify(i18n.t("roster.marked", self.lang, n=len(p.case_ids), name=visible(p.name)), markup=False)
        self.dismiss(list(p.case_ids))

    def action_close(self) -> None:
        self.dismiss(None)
