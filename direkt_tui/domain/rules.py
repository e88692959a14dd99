"""The rule engine (domain.md §4): the rule table as data and one pass that applies it.

``RULES`` is the table of domain.md §4, in its order: per rule the subject, the severity ladder,
the action(s) and the guideline §. ``RuleEngine.evaluate(snapshot, t)`` is a pure function of the
snapshot, the instant and the configuration (no I/O, no clock) that walks the cases once, each
rule reduced to its predicate; severity, action and message come from the table. Load (§5) is in
``load.py``, the work-list order (§7) in ``ordering.py``. The TUI and ``direkt-tui report`` both
call it, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .. import i18n
from .calendar import UnitCalendar
from .contract import OPEN_STATUSES
from .deadlines import Deadline, deadline_parts
from .load import LEVELS, Load, LoadCounts, load_of
from .models import Case, Snapshot, Unit
from .ordering import (
    ADMIN_PRIORITY,
    NO_SEVERITY,
    OTHER_BAND,
    SEVERITIES,
    SEVERITY_RANK,
    order_findings,
    severity_at_least,
    work_key,
    work_list_order,
)
from .params import DEFAULTS, PRIORITY_KEYS, Parameters
from .perf import gc_paused
from .presence import Roster
from .ruletable import (
    ABSENT_OWNER,
    AFTER_HOURS_ARRIVAL,
    AWAITING_REPLY,
    CLOSABLE,
    HIGH_LOAD,
    INVALID_CHILD_CASE,
    LONG_ABSENCE,
    NEXT_DAY_NOTICE_DUE,
    NO_CLINICIAN_PRESENT,
    NO_COORDINATOR,
    OVERDUE_WAITING,
    OWNER_SHIFT_ENDING,
    PREMATURE_CLOSE,
    PROTECTED_IDENTITY,
    RULE_IDS,
    RULE_RANK,
    RULES,
    RULES_BY_ID,
    STALE_DATA,
    STALE_ROLE_HANDOVER,
    UNIT_HANDOVER_UNACCEPTED,
    UNSCHEDULED_PROFESSION,
    URGENT_OPEN_NEAR_CLOSE,
    Ladder,
    Rule,
)
from .timeutil import to_store

# re-exported: what the rest of the package imports from here
__all__ = ["LEVELS", "RULE_IDS", "RULE_RANK", "RULES", "RULES_BY_ID", "SEVERITIES", "SEVERITY_RANK", "Evaluation"]
__all__ += ["Deadline"]
__all__ += ["Finding", "Ladder", "Load", "Rule", "RuleEngine", "UnitState", "render_message", "severity_at_least"]


# -- findings and their messages ------------------------------------------------------------
def _render_arg(name: str, value: Any, lang: str) -> Any:
    """A finding's argument as text: labels for codes, local numbers and times."""
    if name == "prio":
        return i18n.priority_label(value, lang)
    if name == "profession":
        return i18n.profession_label(value, lang)
    if name == "level":
        return i18n.t(f"level.{value}", lang)
    if name == "name" and value is None:
        return i18n.t("name.unknown", lang)
    if isinstance(value, datetime):
        return value.strftime("%H:%M")  # already in the unit's time zone
    if isinstance(value, float):
        return i18n.decimal(value, lang)
    return value


def render_message(key: str, args: Mapping[str, Any] | None, lang: str = "sv") -> str:
    """The message of a finding in ``lang``: the catalogue text for ``key`` with ``args`` — raw
    values (minutes, a ratio, a local time, a priority, a profession or load level code) — formatted."""
    if not args:
        return i18n.t(key, lang)
    # the same message again (a unit's limit, a person's name): rendered once; only plain text
    # and whole numbers are keys (an instant equal to one in another zone reads differently)
    memo = None
    if all(type(v) is str or type(v) is int for v in args.values()):
        memo = (key, lang, *args.items())
        text = _MESSAGES.get(memo)
        if text is not None:
            return text
    text = i18n.t(key, lang, **{k: _render_arg(k, v, lang) for k, v in args.items()})
    if memo is not None:
        if len(_MESSAGES) >= _MESSAGES_MAX:
            _MESSAGES.clear()
        _MESSAGES[memo] = text
    return text


_MESSAGES: dict[tuple[Any, ...], str] = {}
_MESSAGES_MAX = 50_000


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str
    action: str
    unit_id: str
    case_id: str | None
    staff_id: str | None
    priority: int | None
    message_key: str
    message_args: dict[str, Any] | None = None
    lang: str = "sv"

    @property
    def message(self) -> str:
        """The Swedish (or English) message, rendered when asked for."""
        return render_message(self.message_key, self.message_args, self.lang)

    @property
    def key(self) -> tuple[str, str, str | None]:
        """A finding's identity (report.md): (rule, unit_id, case_id)."""
        return (self.rule, self.unit_id, self.case_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "action": self.action,
            "unit_id": self.unit_id,
            "case_id": self.case_id,
            "staff_id": self.staff_id,
            "priority": self.priority,
            "message": self.message,
        }


def finding(
    rule: Rule,
    unit_id: str,
    case: Case | None,
    lang: str,
    raised: bool = False,
    variant: str = "",
    args: dict[str, Any] | None = None,
    staff_id: str | None = None,
    action: str | None = None,
) -> Finding:
    """A finding of ``rule`` (of ``case``, or of the unit when None): the severity from its ladder
    (``raised``: the ladder's condition holds), the action and the message key (``msg.<id>``, or
    ``msg.<id>.<variant>``) from the table."""
    return Finding(
        rule.id,
        rule.severity.of(raised),
        action or rule.actions[0],
        unit_id,
        case.id if case is not None else None,
        staff_id,
        case.priority if case is not None else None,
        f"{rule.message_key}.{variant}" if variant else rule.message_key,
        args,
        lang,
    )


@dataclass(slots=True)
class UnitState:
    unit: Unit
    open_now: bool
    closes_at: datetime | None
    opens_at: datetime | None
    coordinator_id: str | None
    coordinator_present: bool
    load: Load
    parameters: Parameters


@dataclass(slots=True)
class Evaluation:
    """The result of one evaluation at ``at``."""

    at: datetime
    findings: list[Finding]
    units: dict[str, UnitState]
    open_cases: list[Case]  # in work-list order (§7)
    waited_minutes: dict[str, float]
    case_findings: dict[str, list[Finding]] = field(default_factory=dict)
    stale: bool = False
    deadlines: dict[str, Deadline] = field(default_factory=dict)  # per open case (§4b)
    # the highest severity's rank (SEVERITY_RANK) of each case with findings (open or closed)
    case_rank: dict[str, int] = field(default_factory=dict)
    at_risk: list[Case] = field(default_factory=list)  # the open cases at risk (§4b), in the snapshot's order
    closed_found: list[Case] = field(default_factory=list)  # the closed cases with findings, likewise

    def deadline_for(self, case_id: str) -> Deadline | None:
        return self.deadlines.get(case_id)

    def findings_for(self, case_id: str) -> list[Finding]:
        return self.case_findings.get(case_id, [])


ParamsSource = Parameters | Mapping[str, Parameters] | Callable[[str], Parameters]


def _params_lookup(source: ParamsSource | None) -> Callable[[str], Parameters]:
    if source is None:
        return lambda _uid: DEFAULTS
    if isinstance(source, Parameters):
        return lambda _uid: source
    if callable(source):
        return source
    mapping = source
    return lambda uid: mapping.get(uid, DEFAULTS)


def _age_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class RuleEngine:
    """Evaluates the rules. Keeps calendars between evaluations (keyed by unit version)."""

    def __init__(self, params: ParamsSource | None = None, lang: str = "sv"):
        self._params = _params_lookup(params)
        self.lang = lang
        self._calendars: dict[tuple[str, int], UnitCalendar] = {}

    def calendar(self, unit: Unit) -> UnitCalendar:
        key = (unit.id, unit.version)
        cal = self._calendars.get(key)
        if cal is None:
            cal = self._calendars[key] = UnitCalendar(unit)
        return cal

    def params(self, unit_id: str) -> Parameters:
        return self._params(unit_id)

    def read_plan(self, units: Iterable[Unit], at: datetime) -> dict:
        """What a snapshot for an evaluation at ``at`` must hold, as keyword arguments for
        ``Store.snapshot``: cases closed since the earliest local midnight of the units (for
        premature_close) and shifts within the long-absence windows, with a margin for
        presence running on across back-to-back shifts."""
        units = list(units)
        ps = [self._params(u.id) for u in units] or [DEFAULTS]
        margin = timedelta(hours=2)
        midnights = [self.calendar(u).start_of_day(at) for u in units]
        return {
            "closed_since": min(midnights) if midnights else at - timedelta(hours=36),
            "shifts_before": timedelta(hours=max(p.long_absence_hours for p in ps)) + margin,
            "shifts_after": timedelta(hours=max(p.long_absence_lookahead_hours for p in ps)) + margin,
        }

    # -- closable (shared by the closable and premature_close rules) ------------------------
    def is_closable(self, case: Case, at: datetime, cal: UnitCalendar, p: Parameters) -> bool:
        started = case.started_at
        if started is None or started > at or len(case.contact_attempts) < 2:
            return False
        attempts = [a for a in case.contact_attempts if a <= at]
        if len(attempts) < 2:
            return False
        first, last = attempts[-2], attempts[-1]
        if last - first < timedelta(minutes=p.contact_attempt_gap_minutes):
            return False
        lp = case.last_patient_message_at
        if lp is not None and lp > first:
            return False
        earliest = cal.add_working_time(started, timedelta(hours=p.min_open_working_hours))
        return earliest is not None and at >= earliest

    # -- evaluation ----------------------------------------------------------------------
    def evaluate(self, snap: Snapshot, at: datetime, unit_ids: Iterable[str] | None = None) -> Evaluation:
        with gc_paused():
            return self._evaluate(snap, at, unit_ids)

    def _evaluate(self, snap: Snapshot, at: datetime, unit_ids: Iterable[str] | None) -> Evaluation:
        lang = self.lang
        wanted = set(unit_ids) if unit_ids else None
        units = {u.id: u for u in snap.units if wanted is None or u.id in wanted}
        unit_names = {u.id: u.name for u in snap.units}
        roster = Roster(s for s in snap.shifts if s.unit_id in units)
        staff = snap.staff
        caps = snap.capabilities
        case_findings: dict[str, list[Finding]] = {}
        case_rank: dict[str, int] = {}  # the highest severity (lowest rank) per case
        waited: dict[str, float] = {}
        deadlines: dict[str, Deadline] = {}
        at_risk: list[Case] = []
        closed_found: list[Case] = []  # closed cases with a finding
        open_cases: list[Case] = []
        presence_cache: dict[tuple[str, str], datetime | None] = {}
        sched_cache: dict[str, frozenset[str]] = {}
        overdue_high: set[str] = set()
        spans = snap.shift_spans

        def name_of(staff_id: str) -> str:
            s = staff.get(staff_id)
            return s.name if s else staff_id

        def presence_end(unit_id: str, staff_id: str) -> datetime | None:
            """When the person's presence in the unit ends (None: not present), once a person."""
            k = (unit_id, staff_id)
            if k in presence_cache:
                return presence_cache[k]
            v = presence_cache[k] = roster.presence_end(unit_id, staff_id, at)
            return v

        def present(unit_id: str, staff_id: str) -> bool:
            return presence_end(unit_id, staff_id) is not None

        def scheduled(unit_id: str) -> frozenset[str]:
            v = sched_cache.get(unit_id)
            if v is None:
                v = sched_cache[unit_id] = roster.scheduled_professions(unit_id, at)
            return v

        def worked_lately(unit_id: str, staff_id: str, lo: datetime, hi: datetime, lo_t: str, hi_t: str) -> bool:
            """A non-cancelled shift overlapping [lo, hi] (the long-absence window; ``lo_t`` and
            ``hi_t`` its ends as the store's text: fixed-width UTC text compares as time does)."""
            if spans is None:
                return roster.has_shift_overlapping(unit_id, staff_id, lo, hi)
            return any(start <= hi_t and end >= lo_t for start, end in spans.get((unit_id, staff_id), ()))

        # a finding's fixed parts per (rule, raised, variant): severity, action, message key, rank
        fixed: dict[tuple[str, bool, str], tuple[str, str, str, int]] = {}

        def add(
            case: Case,
            rule: Rule,
            raised: bool = False,
            variant: str = "",
            args: dict[str, Any] | None = None,
            staff_id: str | None = None,
            action: str | None = None,
        ) -> None:
            """A finding of ``case``; as :func:`finding` makes it."""
            fk = (rule.id, raised, variant)
            fx = fixed.get(fk)
            if fx is None:
                sev = rule.severity.of(raised)
                key = f"{rule.message_key}.{variant}" if variant else rule.message_key
                fx = fixed[fk] = (sev, rule.actions[0], key, SEVERITY_RANK[sev])
            sev, act, key, rank = fx
            cid = case.id
            f = Finding(rule.id, sev, action or act, case.unit_id, cid, staff_id, case.priority, key, args, lang)
            lst = case_findings.get(cid)
            if lst is None:
                case_findings[cid] = [f]
                case_rank[cid] = rank
            else:
                lst.append(f)
                if rank < case_rank[cid]:
                    case_rank[cid] = rank

        # per-unit constants, computed once per evaluation
        consts: dict[str, tuple[Any, ...]] = {}
        for uid, unit in units.items():
            cal = self.calendar(unit)
            p = self._params(uid)
            cur = cal.current_period(at)
            absence_lo, absence_hi = (
                at - timedelta(hours=p.long_absence_hours),
                at + timedelta(hours=p.long_absence_lookahead_hours),
            )
            consts[uid] = (
                cal,
                p,
                # the response limit per priority (None: admin), as ``limit_minutes(priority_key)``
                {None if k == "admin" else int(k): p.limit_minutes(k) for k in PRIORITY_KEYS},
                timedelta(minutes=p.shift_end_warning_minutes),
                absence_lo,
                absence_hi,
                to_store(absence_lo) or "",
                to_store(absence_hi) or "",
                timedelta(minutes=p.close_warning_minutes),
                timedelta(minutes=p.next_day_notice_minutes),
                timedelta(minutes=p.handover_accept_minutes),
                cal.start_of_day(at),
                cal.day_close(cal.local_date(at)),
                cur,
                cal.previous_closing(at) if cur is None else None,
                p.at_risk_fraction,
                (cur[0].timestamp(), cur[1].timestamp()) if cur is not None else None,
                cal.local_date(at),
                LoadCounts(),
            )
        zero = timedelta(0)
        at_ts = at.timestamp()
        reassign_held = caps.reassign_person_held
        # nobody born before this can be under one year old at any case's creation
        child_cutoff = min((c.created_at for c in snap.cases), default=at).date() - timedelta(days=370)
        # the work-list order (§7, ``sort_work_list``), its key made as each case is done: one
        # int (see ``work_key``); cases equal in all but the id are put in id order after the sort
        order: list[int] = []
        open_statuses = OPEN_STATUSES

        for case in snap.cases:
            uid = case.unit_id
            k = consts.get(uid)
            if k is None:
                continue
            (cal, p, limits, shift_warn, absence_lo, absence_hi, absence_lo_t, absence_hi_t, close_warn,
             notice_window, accept_window, today_start, today_close, period, prev_close, risk_fraction,
             period_ts, today, counts) = k  # fmt: skip
            status = case.status
            ho = case.handover
            if status not in open_statuses or (ho is not None and ho.accepted_at is not None):  # not case.is_open
                # premature_close: closed for no response today, and not closable when it was closed
                closed = case.closed_at
                if (
                    status == "closed"
                    and case.close_reason == "no_response"
                    and closed is not None
                    and closed <= at
                    and cal.local_date(closed) == today
                    and not self.is_closable(case, closed, cal, p)
                ):
                    add(case, PREMATURE_CLOSE)
                    closed_found.append(case)
                continue
            created = case.created_at
            if created > at:
                continue  # not yet there at the evaluation instant
            cid = case.id
            created_ts = created.timestamp()
            open_cases.append(case)
            priority = case.priority
            limit = limits[priority]
            high = priority == 1 or priority == 2
            last_patient = case.last_patient_message_at
            last_staff = case.last_staff_message_at
            awaits_reply = last_patient is not None and (last_staff is None or last_patient > last_staff)

            # -- the deadline (§4b) and the working time waited (§7 item 4, for ordering and load):
            # the elapsed working time on the case's clock; without a clock, since owner_since,
            # else received_at, else created_at --
            dl, waiting_s, reply_s, role_s = deadline_parts(
                case, at, at_ts, cal, limit, risk_fraction, period_ts, created_ts
            )
            deadlines[cid] = dl
            if dl.at_risk:
                at_risk.append(case)
            if dl.clock is not None:
                w = dl.elapsed_seconds / 60.0
            else:
                since = case.owner_since or case.received_at or created
                w = cal.working_seconds_ts(since.timestamp(), at_ts) / 60.0
            waited[cid] = waited_w = w
            # overdue_waiting counts from created_at (the waiting clock, which runs for every
            # waiting case), whichever clock is the case's
            if status == "waiting" and dl.clock != "waiting":
                w = waiting_s / 60.0

            owner = case.owner
            # the unit's load (§5): as LoadCounts.count, inline
            if status == "waiting":
                pk = "admin" if priority is None else str(priority)
                counts.waiting[pk] += 1
                if case.kind == "care":
                    counts.waiting_care += 1
                if waited_w > counts.oldest.get(pk, -1.0):
                    counts.oldest[pk] = waited_w
            if owner is not None:
                otype = owner.type
                if otype == "role":
                    counts.queued += 1
                    if case.kind == "care":
                        counts.queued_care += 1
                elif otype == "person" and status != "waiting":
                    counts.in_progress += 1

            if owner is not None:
                otype = owner.type
                # absent_owner, long_absence / owner_shift_ending: an active case held by a person
                if otype == "person" and status != "waiting" and owner.staff_id:  # active: received or started
                    sid = owner.staff_id
                    end = presence_end(uid, sid)
                    if end is None:
                        name = name_of(sid)
                        if reassign_held:
                            add(case, ABSENT_OWNER, high, "reassign", {"name": name}, sid, "reassign")
                        else:
                            add(case, ABSENT_OWNER, high, "call", {"name": name}, sid)
                        if not worked_lately(uid, sid, absence_lo, absence_hi, absence_lo_t, absence_hi_t):
                            add(case, LONG_ABSENCE, args={"name": name}, staff_id=sid)
                    elif end - at <= shift_warn:
                        args = {"name": name_of(sid), "time": end.astimezone(cal.tz)}
                        add(case, OWNER_SHIFT_ENDING, high, args=args, staff_id=sid)

                # unscheduled_profession / stale_role_handover: a case in a profession's queue
                elif otype == "role" and owner.profession:
                    prof = owner.profession
                    if prof not in scheduled(uid):
                        add(case, UNSCHEDULED_PROFESSION, high, args={"profession": prof})
                    else:
                        mins = role_s / 60.0  # the role_queue clock (runs for every role owner)
                        if mins > limit:
                            args = {"profession": prof, "minutes": int(mins), "limit": limit}
                            add(case, STALE_ROLE_HANDOVER, high, args=args)

            if status == "waiting":
                # overdue_waiting
                if w > limit:
                    add(case, OVERDUE_WAITING, high, args={"minutes": int(w), "limit": limit, "prio": priority})
                    if high:
                        overdue_high.add(uid)
            # awaiting_reply
            elif status == "started" and awaits_reply:
                mins = reply_s / 60.0  # the reply clock (runs for exactly these cases)
                if mins > limit:
                    add(case, AWAITING_REPLY, high, args={"minutes": int(mins), "limit": limit})

            if high:
                # urgent_open_near_close: near the end of the opening period, or after the last closing
                if period is not None:
                    left = period[1] - at
                    if left <= close_warn:
                        args = {"prio": priority, "minutes": int(left.total_seconds() // 60)}
                        add(case, URGENT_OPEN_NEAR_CLOSE, variant="open", args=args)
                elif prev_close is not None and created < prev_close:
                    add(case, URGENT_OPEN_NEAR_CLOSE, variant="closed", args={"prio": priority})
            elif today_close is not None and zero < today_close - at <= notice_window:
                # next_day_notice_due: no next_day notice since the start of today
                if not any(n.template_id == "next_day" and today_start <= n.sent_at <= at for n in case.notices):
                    add(case, NEXT_DAY_NOTICE_DUE)

            # closable
            if status == "started" and len(case.contact_attempts) >= 2 and self.is_closable(case, at, cal, p):
                add(case, CLOSABLE)

            # unit_handover_unaccepted: urgent at once, otherwise after the accept window
            if ho is not None and ho.accepted_at is None and ho.requested_at <= at:
                target = unit_names.get(ho.to_unit_id, ho.to_unit_id)
                waited_for = at - ho.requested_at
                if ho.urgent:
                    add(case, UNIT_HANDOVER_UNACCEPTED, True, "urgent", {"unit": target})
                elif waited_for > accept_window:
                    args = {"unit": target, "minutes": int(waited_for.total_seconds() // 60)}
                    add(case, UNIT_HANDOVER_UNACCEPTED, args=args)

            # after_hours_arrival
            if status == "waiting" and not cal.is_open_ts(created_ts):
                add(case, AFTER_HOURS_ARRIVAL)

            patient = case.patient
            # protected_identity
            if patient.protected_identity:
                add(case, PROTECTED_IDENTITY)

            # invalid_child_case: a care case for a patient under one year old
            born = patient.birth_date
            if case.kind == "care" and born is not None and born > child_cutoff:
                if _age_years(born, cal.local_date(created)) < 1:
                    add(case, INVALID_CHILD_CASE)

            # the work-list key: only a critical or a high finding lifts a case (its band)
            band = case_rank.get(cid, NO_SEVERITY)
            if band > OTHER_BAND:
                band = OTHER_BAND
            order.append(
                work_key(
                    band * 16
                    + (ADMIN_PRIORITY if priority is None else priority) * 2
                    + (0 if awaits_reply and status != "waiting" else 1),
                    waited_w,
                    created_ts,
                    len(order),
                )
            )

        loads = {uid: k[-1] for uid, k in consts.items()}
        states, unit_findings = self._units(snap, at, units, roster, loads, overdue_high, present)
        stale = snap.data_as_of is None or snap.data_as_of < at - timedelta(
            minutes=min((self._params(u).stale_after_minutes for u in units), default=DEFAULTS.stale_after_minutes)
        )
        open_cases = work_list_order(open_cases, order)  # as sort_work_list(open_cases, case_rank, waited)
        closed_ids = sorted(c.id for c in closed_found)  # the cases with findings that are not open
        # each case's findings were added in the rule table's order (the loop above follows it)
        all_findings = order_findings(
            unit_findings, case_findings, [c.id for c in open_cases] + closed_ids, units, RULE_RANK, presorted=True
        )
        return Evaluation(
            at=at,
            findings=all_findings,
            units=states,
            open_cases=open_cases,
            waited_minutes=waited,
            case_findings=case_findings,
            stale=stale,
            deadlines=deadlines,
            case_rank=case_rank,
            at_risk=at_risk,
            closed_found=closed_found,
        )

    def _units(
        self,
        snap: Snapshot,
        at: datetime,
        units: Mapping[str, Unit],
        roster: Roster,
        loads: Mapping[str, LoadCounts],
        overdue_high: set[str],
        present: Callable[[str, str], bool],
    ) -> tuple[dict[str, UnitState], list[Finding]]:
        """Each unit's state (opening, coordinator, load) and its unit rules."""
        lang = self.lang
        states: dict[str, UnitState] = {}
        found: list[Finding] = []
        data_as_of = snap.data_as_of
        for uid, unit in units.items():
            cal = self.calendar(unit)
            p = self._params(uid)
            load = load_of(loads[uid], roster, uid, at, p, uid in overdue_high)
            coord = snap.coordinators.get(uid)
            coord_id = coord.staff_id if coord else None
            coord_present = bool(coord_id) and present(uid, coord_id or "")
            cur = self.calendar(unit).current_period(at)
            open_now = cur is not None

            # no_coordinator: opening hours without a present coordinator
            if open_now and not coord_present:
                if coord_id:
                    s = snap.staff.get(coord_id)
                    args: dict[str, Any] = {"name": s.name if s else coord_id}
                    found.append(finding(NO_COORDINATOR, uid, None, lang, False, "absent", args, coord_id))
                else:
                    found.append(finding(NO_COORDINATOR, uid, None, lang, variant="none"))
            # no_clinician_present: opening hours without a clinician
            if open_now and load.clinicians_total == 0:
                found.append(finding(NO_CLINICIAN_PRESENT, uid, None, lang))
            # high_load: level high or very_high (§5)
            if load.level in ("high", "very_high"):
                args = {"level": load.level, "ratio": load.ratio}
                found.append(finding(HIGH_LOAD, uid, None, lang, load.level == "very_high", args=args))
            # stale_data: no successful sync within the unit's stale limit
            if data_as_of is None:
                found.append(finding(STALE_DATA, uid, None, lang, variant="none"))
            elif data_as_of < at - timedelta(minutes=p.stale_after_minutes):
                args = {"minutes": int((at - data_as_of).total_seconds() // 60)}
                found.append(finding(STALE_DATA, uid, None, lang, args=args))
            states[uid] = UnitState(
                unit=unit,
                open_now=open_now,
                closes_at=cur[1] if cur else None,
                opens_at=None if open_now else cal.next_opening(at),
                coordinator_id=coord_id,
                coordinator_present=coord_present,
                load=load,
                parameters=p,
            )
        return states, found
