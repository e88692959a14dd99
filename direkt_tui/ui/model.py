"""The board: what each panel shows at one instant, built off the UI thread.

Reads through ``store`` and evaluates through ``domain``; no Textual here, so it is tested and
benchmarked on its own. Rows are keyed (case id / unit id) so the widgets can keep the cursor
on the same case across refreshes. Names from the platform enter the board through
``domain.text.visible`` (controls and bidi overrides made visible); cells are literal text,
never markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from rich.text import Text

from .. import i18n
from ..domain.curve import DayCurve
from ..domain.forecast import DEFAULT_CASES_PER_CLINICIAN_HOUR, Forecast
from ..domain.models import CLINICAL, Case, Snapshot
from ..domain.perf import gc_paused
from ..domain.roster import UnitRoster
from ..domain.rules import SEVERITIES, SEVERITY_RANK, Evaluation, Finding, RuleEngine
from ..domain.text import is_visible, visible
from ..reports.forecast import unit_forecast
from ..store.db import Store, SyncHealth
from ..store.reads import CaseWrite
from .columns import CASE_ID_WIDTH, HIDE_ORDER, columns, optional_columns  # noqa: F401 - where the UI found them
from .lookahead import AT_RISK_SYMBOL, countdown, deadlines_and_roster
from .rows import CaseRow, Row  # noqa: F401 - Row where the UI has always found it
from .search import (  # noqa: F401 - the filter's names, where the UI has always found them
    AT_RISK,
    STATUS_KEYS,
    CaseFilter,
    FilterError,
    identity_word_matches,
    parse_filter,
    text_match,
)

ABSENT_RULES = ("absent_owner", "long_absence", "owner_shift_ending")
ROLE_RULES = ("unscheduled_profession", "stale_role_handover", "unit_handover_unaccepted")
OVERDUE_RULES = (
    "overdue_waiting",
    "awaiting_reply",
    "urgent_open_near_close",
    "next_day_notice_due",
    "closable",
    "premature_close",
)
UNIT_ALERT_RULES = ("no_coordinator", "no_clinician_present", "high_load", "stale_data")

SEVERITY_STYLE = {
    "critical": "bold red",
    "high": "dark_orange",
    "medium": "yellow",
    "low": "cyan",
    "info": "steel_blue1",
}
# severity readable without colour (NO_COLOR, a monochrome theme): a symbol per severity
SEVERITY_SYMBOL = {"critical": "‼", "high": "▲", "medium": "●", "low": "○", "info": "·"}
LEVEL_STYLE = {"normal": "green", "elevated": "yellow", "high": "dark_orange", "very_high": "bold red"}
SPARK = "▁▂▃▄▅▆▇█"


def parse_date(text: str, today: date) -> date | None:
    t = text.strip().lower()
    if not t:
        return None
    if t in ("i dag", "idag", "today"):
        return today
    if t in ("i går", "igår", "yesterday"):
        return today - timedelta(days=1)
    if re.fullmatch(r"-\d+", t):
        return today - timedelta(days=int(t[1:]))
    try:
        return date.fromisoformat(t)
    except ValueError as exc:
        raise FilterError(text) from exc


def fmt_minutes(minutes: float, lang: str = "sv") -> str:
    m = int(minutes)
    if m < 60:
        return i18n.t("duration.min", lang, m=m)
    return i18n.t("duration.h", lang, h=m // 60, m=m % 60)


def fmt_age(seconds: float, lang: str = "sv") -> str:
    if seconds < 60:
        return i18n.t("duration.s", lang, s=int(seconds))
    return fmt_minutes(seconds / 60, lang)


def tail(text: str, width: int) -> str:
    """Keep the end of an id (``c-261125-0042`` → ``…5-0042``): that is what tells cases apart."""
    return text if len(text) <= width else "…" + text[-(width - 1) :]


CASE_ID_MAX = 24  # longer ids (never seen) keep their end, which tells cases apart


def case_id_width(longest: int, lang: str = "sv") -> int:
    """The case column's width: the longest id in the panel, whole (issue 12, item 21), and
    never narrower than its header."""
    return max(len(i18n.t("col.case", lang)), min(CASE_ID_MAX, longest or CASE_ID_WIDTH))


def short_name(name: str) -> str:
    return name.replace("Vårdcentralen ", "VC ").replace("Hälsocentralen ", "HC ")


def sparkline(values: Sequence[int], width: int = 24) -> str:
    if not values:
        return ""
    if len(values) > width:  # keep the newest, bucketed by max
        step = len(values) / width
        values = [max(values[int(i * step) : max(int((i + 1) * step), int(i * step) + 1)]) for i in range(width)]
    top = max(values) or 1
    return "".join(SPARK[min(len(SPARK) - 1, int(v / top * (len(SPARK) - 1)))] for v in values)


@dataclass
class UnitHeader:
    unit_id: str
    name: str
    coordinator: str | None
    coordinator_present: bool
    open_now: bool
    at_risk: int = 0  # open cases at risk of their deadline (§4b)


@dataclass
class Board:
    at: datetime
    lang: str
    evaluation: Evaluation
    snapshot: Snapshot
    health: SyncHealth | None
    filter: CaseFilter
    unit_ids: tuple[str, ...]  # units in view
    all_units: tuple[tuple[str, str], ...]  # (id, name) of every unit in the store
    active: list[Row] = field(default_factory=list)
    absent: list[Row] = field(default_factory=list)
    roles: list[Row] = field(default_factory=list)
    overdue: list[Row] = field(default_factory=list)
    load: list[Row] = field(default_factory=list)
    alerts: list[Finding] = field(default_factory=list)
    headers: list[UnitHeader] = field(default_factory=list)
    open_total: int = 0
    history: bool = False  # looking back: cases as they were at ``at``
    id_widths: dict[str, int] = field(default_factory=dict)  # panel -> its longest case id
    # the open case details as the store holds them (case id -> (full case, the writes))
    details: dict[str, tuple[Case | None, list[CaseWrite]]] = field(default_factory=dict)
    # the cases a text filter shows because of the patient's name or number (the search is audited)
    identity_hits: list[str] = field(default_factory=list)
    # deadlines (issue 13 §1): open cases at risk per unit in view, and the P1–2 ones among them
    at_risk: dict[str, int] = field(default_factory=dict)
    at_risk_urgent: frozenset[str] = frozenset()
    # the roster of each unit in view (issue 13 §2): people, their load, gaps ahead
    rosters: dict[str, UnitRoster] = field(default_factory=dict)
    # the forecast for today's closing per unit in view (issue 13 §4; None: closed for the day)
    forecasts: dict[str, Forecast | None] = field(default_factory=dict)
    # the chart of the unit whose load detail is open (issue 13 §4; None: not open today)
    curves: dict[str, DayCurve | None] = field(default_factory=dict)

    @property
    def at_risk_total(self) -> int:
        return sum(self.at_risk.values())

    # worked out in the board's worker (:meth:`prepare`), so that the UI thread only swaps them in
    indexes: dict[str, dict[str, int]] = field(default_factory=dict)  # panel -> row key -> position
    _critical: frozenset[tuple] | None = None
    _raised: dict[str, list[str]] | None = None

    @property
    def critical_keys(self) -> frozenset[tuple]:
        if self._critical is None:
            self._critical = frozenset(f.key for f in self.evaluation.findings if f.severity == "critical")
        return self._critical

    def raised_by(self) -> dict[str, list[str]]:
        """The units whose load level an overdue P1–2 case raised (§5), and those cases: one pass
        over the findings, kept (the alerts and the load note both ask; it was a pass per unit
        and asker — 80 × 12,000 findings on the UI thread at region scale)."""
        if self._raised is None:
            out: dict[str, list[str]] = {}
            units = self.evaluation.units
            for uid in self.unit_ids:
                st = units.get(uid)
                if st is not None and st.load.raised_by_overdue:
                    out[uid] = []
            if out:
                for f in self.evaluation.findings:
                    if f.rule == "overdue_waiting" and f.unit_id in out and f.case_id and f.priority in (1, 2):
                        out[f.unit_id].append(f.case_id)
            self._raised = out
        return self._raised

    def panels(self) -> dict[str, list[Row]]:
        return {"active": self.active, "absent": self.absent, "roles": self.roles, "overdue": self.overdue,
                "load": self.load}  # fmt: skip

    def prepare(self) -> None:
        """What the UI thread would otherwise work out on every refresh (10,000 rows: ~15 ms):
        each panel's row positions by key and the critical findings' keys. Call in the worker."""
        self.indexes = {pid: {r.key: i for i, r in enumerate(rows)} for pid, rows in self.panels().items()}
        self.critical_keys  # noqa: B018 - computed and kept here, off the UI thread
        self.raised_by()

    def case(self, case_id: str) -> Case | None:
        for c in self.snapshot.cases:
            if c.id == case_id:
                return c
        return None


# the side panels' rules (absent, roles, overdue: disjoint), and each rule's panel by number
_PANEL_RULES = (ABSENT_RULES, ROLE_RULES, OVERDUE_RULES)
_PANEL_OF = {rule: i for i, rules in enumerate(_PANEL_RULES) for rule in rules}
_NO_FINDINGS: list[Finding] = []  # shared, never changed


def _longest_visible(ks: list[str]) -> int:
    """``max(len(visible(k)) for k in ks)`` (0 for none): one look at all of them first, as
    ids almost never hold anything ``visible`` changes."""
    if not ks:
        return 0
    if is_visible("".join(ks)):
        return max(map(len, ks))
    return max(len(visible(k)) for k in ks)


def _severity_of(findings: Iterable[Finding]) -> str | None:
    best = None
    rank = 99
    for f in findings:
        r = SEVERITY_RANK[f.severity]
        if r < rank:
            best, rank = f.severity, r
    return best


def _badges(findings: Iterable[Finding], lang: str, only: Sequence[str] | None = None) -> Text:
    """The findings as coloured labels, most severe first (narrow columns show what matters)."""
    out = Text()
    chosen = [f for f in findings if only is None or f.rule in only]
    for f in sorted(chosen, key=lambda f: SEVERITY_RANK[f.severity]):
        if out:
            out.append(" · ", style="dim")
        out.append(i18n.t("badge." + f.rule, lang), style=SEVERITY_STYLE[f.severity])
    return out


class BoardBuilder:
    """Builds boards from a (read) store with one rule engine kept between builds."""

    def __init__(
        self,
        store: Store,
        engine: RuleEngine,
        lang: str = "sv",
        forecast_rate: float = DEFAULT_CASES_PER_CLINICIAN_HOUR,
    ):
        self.store = store
        self.forecast_rate = forecast_rate
        self.engine = engine
        self.lang = lang
        # free text also searches the patients' names and numbers: only where the search can be
        # audited (the app turns it off where it cannot write the audit log)
        self.identity_search = True

    def build(
        self,
        at: datetime,
        filt: CaseFilter = CaseFilter(),
        unit_ids: Sequence[str] | None = None,
        *,
        history: bool = False,
    ) -> Board:
        """The board at ``at``; with ``history`` the cases as their versions were then (looking
        back, for a deviation report)."""
        snap = (
            self.store.snapshot_at(at)
            if history
            else self.store.snapshot(around=at, identity=False, **self.engine.read_plan(self.store.units(), at))
        )
        health = self.store.sync_health()
        wanted = [u.id for u in snap.units if not unit_ids or u.id in unit_ids]
        ev = self.engine.evaluate(snap, at, wanted or None)
        board = Board(
            at=at,
            lang=self.lang,
            evaluation=ev,
            snapshot=snap,
            health=health,
            filter=filt,
            unit_ids=tuple(wanted),
            all_units=tuple((u.id, visible(u.name)) for u in snap.units),
            history=history,
        )
        with gc_paused():  # a row (and its findings' lists) per open case: no collector passes over them
            self._fill(board)
        if not history:  # live (or offline at the snapshot): not when looking back
            units = {u.id: u for u in snap.units}
            board.forecasts = {
                uid: unit_forecast(
                    self.store, snap, units[uid], at, self.forecast_rate, self.engine.calendar(units[uid])
                )
                for uid in wanted
            }
        self._load_rows(board)
        return board

    # -- case panels ------------------------------------------------------------------------------
    def _matches(
        self,
        c: Case,
        findings: list[Finding],
        f: CaseFilter,
        owner_text: str,
        ev: Evaluation | None = None,
        identity: Mapping[str, tuple[str | None, str | None]] | None = None,
        hits: list[str] | None = None,
    ) -> bool:
        """Does ``c`` pass ``f``? Free text matches the case id, reason and owner, and the
        patient's name and number (``identity``: case id → (name, number), read only for a
        text filter); a case shown because of its identity is added to ``hits`` (audited)."""
        if f.units and c.unit_id not in f.units:
            return False
        if f.priorities and c.priority_key not in f.priorities:
            return False
        if f.statuses and c.status not in f.statuses:
            return False
        if f.rules and not any(x.rule in f.rules for x in findings):
            return False
        if f.risk:
            d = ev.deadline_for(c.id) if ev is not None else None
            if d is None or not d.at_risk:
                return False
        if f.text:
            hay = f"{c.id} {c.reason or ''} {owner_text}".lower()
            name, pnr = identity.get(c.id, (None, None)) if identity else (None, None)
            ok, by_identity = text_match(f.text.split(), hay, name, pnr)
            if not ok:
                return False
            if by_identity and hits is not None:
                hits.append(c.id)
        return True

    def identities(self, case_ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """The patients' (name, number) of ``case_ids`` as stored (protected identity: none)."""
        with self.store.lock:
            full = self.store.cases(case_ids)
        return {
            c.id: (c.patient.display_name, c.patient.personnummer) for c in full if not c.patient.protected_identity
        }

    def identity_hits(self, board: Board, filt: CaseFilter) -> list[str]:
        """The cases of ``board`` that ``filt`` shows because a word matched the patient's name
        or number (the search the audit log records), in work-list order."""
        if not filt.text or not self.identity_search:
            return []
        ev, snap = board.evaluation, board.snapshot
        cases = list(ev.open_cases)
        if filt.up_to is not None:
            tzcal = {u.id: self.engine.calendar(u) for u in snap.units}
            cases = [c for c in cases if tzcal[c.unit_id].local_date(c.created_at) <= filt.up_to]
        else:
            cases += ev.closed_found
        identity = self.identities(c.id for c in cases)
        hits: list[str] = []
        for c in cases:
            self._matches(c, ev.findings_for(c.id), filt, self._owner_text(c, snap), ev, identity, hits)
        return list(dict.fromkeys(hits))

    def _owner_text(self, c: Case, snap: Snapshot) -> str:
        o = c.owner
        if o is None:
            return "–"
        if o.type == "person":
            s = snap.staff.get(o.staff_id or "")
            return visible(s.name if s else (o.staff_id or "?"))
        return "→ " + i18n.profession_label(o.profession, self.lang)

    def _fill(self, board: Board) -> None:
        ev, snap, lang, filt = board.evaluation, board.snapshot, self.lang, board.filter
        unit_short = {u.id: short_name(visible(u.name)) for u in snap.units}
        multi = len(board.unit_ids) > 1
        cases = ev.open_cases
        if filt.up_to is not None:
            tzcal = {u.id: self.engine.calendar(u) for u in snap.units}
            cases = [c for c in cases if tzcal[c.unit_id].local_date(c.created_at) <= filt.up_to]
            cases = sorted(cases, key=lambda c: c.created_at)  # oldest first
        board.open_total = len(ev.open_cases)

        def row(c: Case, findings: list[Finding], only: Sequence[str] | None, owner: str) -> Row:
            sev = _severity_of(findings if only is None else [f for f in findings if f.rule in only])
            return CaseRow(c.id, sev, cells, c, findings, only, owner)

        def cells(
            c: Case, findings: list[Finding], only: Sequence[str] | None, owner: str, sev: str | None
        ) -> tuple[Text | str, ...]:
            dot = Text(SEVERITY_SYMBOL[sev], style=SEVERITY_STYLE[sev]) if sev else Text(" ")
            prio = i18n.priority_label(c.priority, lang)
            prio_t = Text(prio, style="bold red" if c.priority in (1, 2) else "")
            waited = ev.waited_minutes.get(c.id)
            waited_t = fmt_minutes(waited, lang) if waited is not None else "–"
            badges = _badges(findings, lang, only)
            left = countdown(ev.deadline_for(c.id), SEVERITY_STYLE[sev or "high"], lang)
            if only is not None:  # a side panel
                return (dot, prio_t, tail(visible(c.id), CASE_ID_MAX), owner, waited_t, left, badges)
            out: list[Text | str] = [
                dot,
                prio_t,
                i18n.t(f"status.{c.status}", lang),
                tail(visible(c.id), CASE_ID_MAX),
                owner,
                waited_t,
                left,
            ]
            if multi:
                out.append(unit_short.get(c.unit_id, c.unit_id))
            out.append(badges)
            return tuple(out)

        # a text filter also looks at the patient's name and number, read for it alone
        identity = self.identities(c.id for c in snap.cases) if filt.text and self.identity_search else None
        hits = board.identity_hits
        filtering = filt.active  # else every case passes (``_matches``)
        # the owner's text once per owner (a person's name, a profession), not once per case
        owner_texts: dict[tuple[str, str | None, str | None], str] = {}
        case_findings, case_rank = ev.case_findings, ev.case_rank
        active = board.active
        sides = (board.absent, board.roles, board.overdue)  # the side panels, as _PANEL_OF numbers them
        panel_of, severities, rank_of = _PANEL_OF, SEVERITIES, SEVERITY_RANK
        for c in cases:
            cid = c.id
            fs = case_findings.get(cid, _NO_FINDINGS)  # ev.findings_for
            o = c.owner
            if o is None:
                owner = "–"
            else:
                ok = (o.type, o.staff_id, o.profession)
                known = owner_texts.get(ok)
                if known is None:
                    known = owner_texts[ok] = self._owner_text(c, snap)
                owner = known
            if filtering and not self._matches(c, fs, filt, owner, ev, identity, hits):
                continue
            if not fs:  # no findings: the work list only, no severity
                active.append(CaseRow(cid, None, cells, c, fs, None, owner))
                continue
            sev = severities[case_rank[cid]]  # the engine's: the highest severity of the case's findings
            active.append(CaseRow(cid, sev, cells, c, fs, None, owner))
            if len(fs) == 1:  # the common case: one finding, at most one side panel, its severity
                pid = panel_of.get(fs[0].rule)
                if pid is not None:
                    sides[pid].append(CaseRow(cid, sev, cells, c, fs, _PANEL_RULES[pid], owner))
                continue
            best = [9, 9, 9]  # per side panel, the highest severity's rank of its findings
            for f in fs:
                pid = panel_of.get(f.rule)
                if pid is not None and rank_of[f.severity] < best[pid]:
                    best[pid] = rank_of[f.severity]
            for pid, r in enumerate(best):
                if r < 9:
                    sides[pid].append(CaseRow(cid, severities[r], cells, c, fs, _PANEL_RULES[pid], owner))
        # closed cases with findings (premature_close) belong with the overdue ones
        for c in ev.closed_found:
            fs = case_findings[c.id]
            owner = self._owner_text(c, snap)
            if filt.up_to is None and self._matches(c, fs, filt, owner, ev, identity, hits):
                board.overdue.append(row(c, fs, OVERDUE_RULES, owner))
        # panel order: severity first, then the work-list order they came in
        for rows in (board.absent, board.roles, board.overdue):
            rows.sort(key=lambda r: SEVERITY_RANK.get(r.severity or "info", 9))
        panels = {"active": board.active, "absent": board.absent, "roles": board.roles, "overdue": board.overdue}
        board.id_widths = {pid: _longest_visible([r.key for r in rows]) for pid, rows in panels.items()}
        board.alerts = [f for f in ev.findings if f.case_id is None and f.rule in UNIT_ALERT_RULES]
        deadlines_and_roster(board, self.engine, self.lang)

    # -- load panel and headers ---------------------------------------------------------------------
    def _load_rows(self, board: Board) -> None:
        lang = self.lang
        day_start = None
        for uid in board.unit_ids:
            st = board.evaluation.units[uid]
            u = st.unit
            ld = st.load
            cal = self.engine.calendar(u)
            day_start = cal.start_of_day(board.at)
            history = [w for _at, w in self.store.load_history(uid, day_start, board.at)]
            ur = board.rosters.get(uid)
            later = dict(ur.later_by_profession) if ur is not None else {}
            clin = " · ".join(
                f"{i18n.profession_short(p, lang)} {n}/{later.get(p, 0)}" for p, n in ld.clinicians_present.items()
            )
            clin += "".join(
                f" · {i18n.profession_short(p, lang)} 0/{n}"
                for p, n in later.items()
                if p in CLINICAL and p not in ld.clinicians_present
            )
            risk = board.at_risk.get(uid, 0)
            level = Text(i18n.t(f"level.{ld.level}", lang), style=LEVEL_STYLE[ld.level])
            if ld.raised_by_overdue:  # raised by an overdue P1–2 case (§5): the panel says why
                level.append(" ⚑", style="bold")
            w = ld.waiting
            ratio = i18n.decimal(ld.ratio, lang)
            board.load.append(
                Row(
                    uid,
                    (
                        short_name(visible(u.name)),
                        level,
                        Text(str(w["1"]), style="bold red" if w["1"] else "dim"),
                        Text(str(w["2"]), style="red" if w["2"] else "dim"),
                        str(w["3"]),
                        str(w["4"]),
                        str(w["5"]),
                        str(w["admin"]),
                        str(ld.queued),
                        str(ld.in_progress),
                        Text(f"{AT_RISK_SYMBOL}{risk}", style="bold dark_orange") if risk else Text("0", style="dim"),
                        clin or Text("0", style="bold red"),
                        ratio,
                        Text(sparkline(history), style=LEVEL_STYLE[ld.level]),
                    ),
                    None if ld.level in ("normal", "elevated") else ("critical" if ld.level == "very_high" else "high"),
                )
            )
            coord = st.coordinator_id
            name = None
            if coord:
                s = board.snapshot.staff.get(coord)
                name = visible(s.name if s else coord)
            board.headers.append(UnitHeader(uid, visible(u.name), name, st.coordinator_present, st.open_now, risk))
