"""Seeing it coming on the board (issue 13 §1, §2): the countdown cell of the case panels, the
at-risk counts, each unit's roster and its gaps ahead as alerts. No Textual; built in the board
worker with the rest of the board (``model.BoardBuilder``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from .. import i18n
from ..domain.calendar import UnitCalendar
from ..domain.deadlines import Deadline
from ..domain.models import Snapshot
from ..domain.roster import UnitRoster, rosters
from ..domain.rules import Finding, RuleEngine
from ..domain.text import visible

if TYPE_CHECKING:
    from .model import Board

AT_RISK_SYMBOL = "◷"  # an at-risk countdown: marked without colour too
AT_RISK_STYLE = "bold dark_orange"
COUNTDOWN_WIDTH = 8  # "◷ 1 h 05", "+12 min"
ROSTER_ALERT_RULES = ("coverage_gap", "coordinator_handover")


def _minutes(m: int, lang: str) -> str:
    if m < 60:
        return i18n.t("duration.min", lang, m=m)
    return i18n.t("duration.h", lang, h=m // 60, m=m % 60)


def countdown(d: Deadline | None, overdue_style: str, lang: str = "sv") -> Text:
    """The "Kvar" cell (domain.md §4b): the time left on the case's clock ("12 min", "1 h 05"),
    overdue as "+8 min" in ``overdue_style`` (the row's severity colour), at risk marked with ◷;
    "–" without a running clock."""
    if d is None or d.clock is None or d.minutes_left is None:
        return Text("–", style="dim")
    if d.overdue:
        return Text("+" + _minutes(max(1, -d.minutes_left), lang), style=overdue_style)
    text = _minutes(max(0, d.minutes_left), lang)
    if d.at_risk:
        return Text(f"{AT_RISK_SYMBOL} {text}", style=AT_RISK_STYLE)
    return Text(text)


def roster_alerts(ur: UnitRoster, cal: UnitCalendar, snap: Snapshot, lang: str) -> list[Finding]:
    """Gaps ahead as the alert strip shows them (guideline §9.2, §10.1): today's remaining opening
    hours without a clinician scheduled, and the coordinator leaving within the shift-end warning
    window with nobody taking over, naming who present could take it. Not findings of the rule
    engine (the report's findings stay as specified): alerts of the board only."""
    tz = cal.tz
    out = []
    for a, b in ur.coverage_gaps:
        gap: dict[str, Any] = {"start": a.astimezone(tz), "end": b.astimezone(tz)}
        out.append(
            Finding("coverage_gap", "high", "reassign", ur.unit_id, None, None, None, "alert.coverage_gap", gap, lang)
        )
    if ur.handover_due and ur.coordinator_id and ur.coordinator_until is not None:

        def name(sid: str) -> str:
            s = snap.staff.get(sid)
            return visible(s.name if s else sid)

        args: dict[str, Any] = {"name": name(ur.coordinator_id), "time": ur.coordinator_until.astimezone(tz)}
        key = "alert.handover"
        if ur.handover_candidates:
            args["who"] = ", ".join(name(s) for s in ur.handover_candidates[:3])
        else:
            key = "alert.handover.nobody"
        out.append(
            Finding(
                "coordinator_handover", "high", "reassign", ur.unit_id, None, ur.coordinator_id, None, key, args, lang
            )
        )
    return out


def deadlines_and_roster(board: Board, engine: RuleEngine, lang: str) -> None:
    """Fill ``board``'s at-risk counts per unit (and the P1–2 cases at risk), the rosters of the
    units in view and their gaps ahead in the alerts."""
    ev, snap = board.evaluation, board.snapshot
    counts = dict.fromkeys(board.unit_ids, 0)
    urgent = set()
    for c in ev.at_risk:
        if c.unit_id in counts:
            counts[c.unit_id] += 1
            if c.priority in (1, 2):
                urgent.add(c.id)
    board.at_risk = counts
    board.at_risk_urgent = frozenset(urgent)
    units = {
        uid: (engine.calendar(ev.units[uid].unit), ev.units[uid].parameters.shift_end_warning_minutes)
        for uid in board.unit_ids
    }
    board.rosters = rosters(snap, ev.open_cases, board.at, units, ev.deadlines)
    for uid, ur in board.rosters.items():
        board.alerts.extend(roster_alerts(ur, units[uid][0], snap, lang))
