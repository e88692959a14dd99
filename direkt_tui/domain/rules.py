"""The rule engine (domain.md §4), load (§5) and work-list ordering (§7).

``RuleEngine.evaluate(snapshot, t)`` is a pure function of the snapshot, the instant and the
configuration: no I/O, no clock. The TUI and ``direkt-tui report`` both call it, so they never
disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, Iterable, Mapping

from .. import i18n
from .calendar import UnitCalendar
from .models import Case, Snapshot, Unit
from .params import DEFAULTS, PRIORITY_KEYS, Parameters
from .perf import gc_paused
from .timeutil import to_store
from .presence import Roster

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}

# The rules in the order of domain.md's table (used as a tie-breaker for stable output).
RULES: tuple[str, ...] = (
    "no_coordinator",
    "no_clinician_present",
    "absent_owner",
    "long_absence",
    "owner_shift_ending",
    "unscheduled_profession",
    "stale_role_handover",
    "overdue_waiting",
    "awaiting_reply",
    "urgent_open_near_close",
    "next_day_notice_due",
    "closable",
    "premature_close",
    "unit_handover_unaccepted",
    "high_load",
    "after_hours_arrival",
    "protected_identity",
    "invalid_child_case",
    "stale_data",
)
RULE_RANK: dict[str, int] = {r: i for i, r in enumerate(RULES)}

LEVELS: tuple[str, ...] = ("normal", "elevated", "high", "very_high")


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
    message_args: dict | None = None
    lang: str = "sv"

    @property
    def message(self) -> str:
        """The Swedish (or English) message, rendered when asked for."""
        args = self.message_args
        return i18n.t(self.message_key, self.lang, **args) if args else i18n.t(self.message_key, self.lang)

    @property
    def key(self) -> tuple[str, str, str | None]:
        """A finding's identity (report.md): (rule, unit_id, case_id)."""
        return (self.rule, self.unit_id, self.case_id)

    def to_json(self) -> dict:
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


@dataclass(slots=True)
class Load:
    level: str
    ratio: float
    waiting: dict[str, int]
    queued: int
    in_progress: int
    clinicians_present: dict[str, int]
    clinicians_total: int
    oldest_wait_minutes: dict[str, int]

    def to_json(self) -> dict:
        return {
            "level": self.level,
            "ratio": self.ratio,
            "waiting": dict(self.waiting),
            "queued": self.queued,
            "in_progress": self.in_progress,
            "clinicians_present": dict(self.clinicians_present),
            "oldest_wait_minutes": dict(self.oldest_wait_minutes),
        }


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
        findings: list[Finding] = []
        case_findings: dict[str, list[Finding]] = {}
        waited: dict[str, float] = {}
        open_cases: list[Case] = []
        present_cache: dict[tuple[str, str], bool] = {}
        sched_cache: dict[str, frozenset[str]] = {}
        overdue_high: set[str] = set()

        def name_of(staff_id: str | None) -> str:
            s = staff.get(staff_id) if staff_id else None
            return s.name if s else (staff_id or i18n.t("name.unknown", lang))

        def present(unit_id: str, staff_id: str) -> bool:
            k = (unit_id, staff_id)
            v = present_cache.get(k)
            if v is None:
                v = present_cache[k] = roster.is_present(unit_id, staff_id, at)
            return v

        def scheduled(unit_id: str) -> frozenset[str]:
            v = sched_cache.get(unit_id)
            if v is None:
                v = sched_cache[unit_id] = roster.scheduled_professions(unit_id, at)
            return v

        case_rank: dict[str, int] = {}  # the highest severity (lowest rank) per case

        spans = snap.shift_spans

        def worked_lately(unit_id: str, staff_id: str, lo: datetime, hi: datetime) -> bool:
            """A non-cancelled shift overlapping [lo, hi] (the long-absence window)."""
            if spans is None:
                return roster.has_shift_overlapping(unit_id, staff_id, lo, hi)
            lo_t, hi_t = to_store(lo), to_store(hi)  # fixed-width UTC text compares as time does
            return any(start <= hi_t and end >= lo_t for start, end in spans.get((unit_id, staff_id), ()))

        def add(case: Case, rule: str, severity: str, action: str, key: str, args: dict | None = None,
                staff_id: str | None = None) -> None:
            cid = case.id
            f = Finding(rule, severity, action, case.unit_id, cid, staff_id, case.priority, key, args, lang)
            findings.append(f)
            rank = SEVERITY_RANK[severity]
            lst = case_findings.get(cid)
            if lst is None:
                case_findings[cid] = [f]
                case_rank[cid] = rank
            else:
                lst.append(f)
                if rank < case_rank[cid]:
                    case_rank[cid] = rank

        today_start: dict[str, datetime] = {}
        today_close: dict[str, datetime | None] = {}
        period: dict[str, tuple[datetime, datetime] | None] = {}
        prev_close: dict[str, datetime | None] = {}
        for uid, unit in units.items():
            cal = self.calendar(unit)
            today_start[uid] = cal.start_of_day(at)
            today_close[uid] = cal.day_close(cal.local_date(at))
            period[uid] = cal.current_period(at)
            prev_close[uid] = cal.previous_closing(at) if period[uid] is None else None

        # per-unit constants, computed once per evaluation
        consts: dict[str, tuple] = {}
        for uid, unit in units.items():
            p = self._params(uid)
            consts[uid] = (
                self.calendar(unit), p, {k: p.limit_minutes(k) for k in PRIORITY_KEYS},
                timedelta(minutes=p.shift_end_warning_minutes), timedelta(hours=p.long_absence_hours),
                timedelta(hours=p.long_absence_lookahead_hours), timedelta(minutes=p.close_warning_minutes),
                timedelta(minutes=p.next_day_notice_minutes), timedelta(minutes=p.handover_accept_minutes),
            )
        zero = timedelta(0)
        at_ts = at.timestamp()
        # nobody born before this can be under one year old at any case's creation
        child_cutoff = min((c.created_at for c in snap.cases), default=at).date() - timedelta(days=370)

        for case in snap.cases:
            uid = case.unit_id
            k = consts.get(uid)
            if k is None:
                continue
            cal, p, limits, shift_warn, absence_back, absence_ahead, close_warn, notice_window, accept_window = k
            if not case.is_open:
                if (
                    case.status == "closed"
                    and case.close_reason == "no_response"
                    and case.closed_at is not None
                    and case.closed_at <= at
                    and cal.local_date(case.closed_at) == cal.local_date(at)
                    and not self.is_closable(case, case.closed_at, cal, p)
                ):
                    add(case, "premature_close", "medium", "file_deviation", "msg.premature_close")
                continue
            if case.created_at > at:
                continue  # not yet there at the evaluation instant
            open_cases.append(case)
            limit = limits[case.priority_key]
            high = case.priority == 1 or case.priority == 2

            # -- waited (for ordering and load) --
            if case.status == "waiting":
                since = case.created_at
            elif case.patient_awaits_reply and case.last_patient_message_at is not None:
                since = case.last_patient_message_at
            else:
                since = case.owner_since or case.received_at or case.created_at
            w = cal.working_seconds_ts(since.timestamp(), at_ts) / 60.0
            waited[case.id] = w

            owner = case.owner
            # absent_owner / long_absence / owner_shift_ending
            if owner is not None and owner.type == "person" and case.is_active and owner.staff_id:
                sid = owner.staff_id
                if not present(uid, sid):
                    if caps.reassign_person_held:
                        action, key = "reassign", "msg.absent_owner.reassign"
                    else:
                        action, key = "call_patient", "msg.absent_owner.call"
                    add(case, "absent_owner", "critical" if high else "high", action,
                        key, dict(name=name_of(sid)), sid)
                    if not worked_lately(uid, sid, at - absence_back, at + absence_ahead):
                        add(case, "long_absence", "high", "contact_support",
                            "msg.long_absence", dict(name=name_of(sid)), sid)
                else:
                    end = roster.presence_end(uid, sid, at)
                    if end is not None and end - at <= shift_warn:
                        local_end = end.astimezone(cal.tz).strftime("%H:%M")
                        add(case, "owner_shift_ending", "high" if high else "medium", "hand_over_to_role",
                            "msg.owner_shift_ending", dict(name=name_of(sid), time=local_end), sid)

            # unscheduled_profession / stale_role_handover
            if owner is not None and owner.type == "role" and owner.profession:
                prof = owner.profession
                label = i18n.profession_label(prof, lang)
                if prof not in scheduled(uid):
                    add(case, "unscheduled_profession", "critical" if high else "high", "reassign",
                        "msg.unscheduled_profession", dict(profession=label))
                else:
                    role_since = case.owner_since or case.received_at or case.created_at
                    mins = cal.working_minutes(role_since, at)
                    if mins > limit:
                        add(case, "stale_role_handover", "high" if high else "medium", "follow_up",
                            "msg.stale_role_handover", dict(profession=label, minutes=int(mins), limit=limit))

            # overdue_waiting
            if case.status == "waiting" and w > limit:
                add(case, "overdue_waiting", "critical" if high else "high", "receive_now",
                    "msg.overdue_waiting", dict(minutes=int(w), limit=limit,
                           prio=i18n.priority_label(case.priority, lang)))
                if high:
                    overdue_high.add(uid)

            # awaiting_reply
            if case.status == "started" and case.patient_awaits_reply and case.last_patient_message_at is not None:
                mins = cal.working_minutes(case.last_patient_message_at, at)
                if mins > limit:
                    add(case, "awaiting_reply", "high" if high else "medium", "reply",
                        "msg.awaiting_reply", dict(minutes=int(mins), limit=limit))

            # urgent_open_near_close
            if high:
                cur = period[uid]
                if cur is not None:
                    left = cur[1] - at
                    if left <= close_warn:
                        add(case, "urgent_open_near_close", "critical", "close_today_or_call",
                            "msg.urgent_open_near_close.open", dict(prio=i18n.priority_label(case.priority, lang),
                                   minutes=int(left.total_seconds() // 60)))
                else:
                    pc = prev_close[uid]
                    if pc is not None and case.created_at < pc:
                        add(case, "urgent_open_near_close", "critical", "close_today_or_call",
                            "msg.urgent_open_near_close.closed", dict(prio=i18n.priority_label(case.priority, lang)))

            # next_day_notice_due
            if not high:
                close = today_close[uid]
                if close is not None and zero < close - at <= notice_window:
                    start = today_start[uid]
                    if not any(n.template_id == "next_day" and start <= n.sent_at <= at for n in case.notices):
                        add(case, "next_day_notice_due", "medium", "send_template:next_day",
                            "msg.next_day_notice_due")

            # closable
            if case.status == "started" and self.is_closable(case, at, cal, p):
                add(case, "closable", "info", "close_no_response", "msg.closable")

            # unit_handover_unaccepted
            ho = case.handover
            if ho is not None and ho.accepted_at is None and ho.requested_at <= at:
                age = at - ho.requested_at
                target = unit_names.get(ho.to_unit_id, ho.to_unit_id)
                if ho.urgent:
                    add(case, "unit_handover_unaccepted", "critical", "call_care_to_care",
                        "msg.unit_handover_unaccepted.urgent", dict(unit=target))
                elif age > accept_window:
                    add(case, "unit_handover_unaccepted", "high", "call_care_to_care",
                        "msg.unit_handover_unaccepted", dict(unit=target,
                               minutes=int(age.total_seconds() // 60)))

            # after_hours_arrival
            if case.status == "waiting" and not cal.is_open_ts(case.created_at.timestamp()):
                add(case, "after_hours_arrival", "info", "triage_at_opening", "msg.after_hours_arrival")

            # protected_identity
            if case.patient.protected_identity:
                add(case, "protected_identity", "info", "verify_in_cosmic", "msg.protected_identity")

            # invalid_child_case
            born = case.patient.birth_date
            if case.kind == "care" and born is not None and born > child_cutoff:
                if _age_years(born, cal.local_date(case.created_at)) < 1:
                    add(case, "invalid_child_case", "medium", "check_case", "msg.invalid_child_case")

        # -- units: load and unit rules ----------------------------------------------------
        by_unit: dict[str, list[Case]] = {uid: [] for uid in units}
        for c in open_cases:
            by_unit[c.unit_id].append(c)
        stale = snap.data_as_of is None or snap.data_as_of < at - timedelta(
            minutes=min((self._params(u).stale_after_minutes for u in units), default=DEFAULTS.stale_after_minutes)
        )
        states: dict[str, UnitState] = {}
        unit_findings: list[Finding] = []
        for uid, unit in units.items():
            cal = self.calendar(unit)
            p = self._params(uid)
            load = self._load(by_unit[uid], roster, uid, at, waited, p, uid in overdue_high)
            coord = snap.coordinators.get(uid)
            coord_id = coord.staff_id if coord else None
            coord_present = bool(coord_id) and present(uid, coord_id)  # type: ignore[arg-type]
            cur = period[uid]
            open_now = cur is not None

            def unit_finding(rule: str, severity: str, action: str, key: str, args: dict | None = None,
                             staff_id: str | None = None) -> None:
                unit_findings.append(Finding(rule, severity, action, uid, None, staff_id, None, key, args, lang))

            if open_now and not coord_present:
                if coord_id:
                    unit_finding("no_coordinator", "critical", "take_coordinator_role",
                                 "msg.no_coordinator.absent", dict(name=name_of(coord_id)), coord_id)
                else:
                    unit_finding("no_coordinator", "critical", "take_coordinator_role",
                                 "msg.no_coordinator.none")
            if open_now and load.clinicians_total == 0:
                unit_finding("no_clinician_present", "critical", "arrange_staffing", "msg.no_clinician_present")
            if load.level in ("high", "very_high"):
                unit_finding("high_load", "critical" if load.level == "very_high" else "high", "increase_staffing",
                             "msg.high_load", dict(level=i18n.t(f"level.{load.level}", lang),
                                    ratio=f"{load.ratio:.1f}".replace(".", "," if lang == "sv" else ".")))
            unit_stale = snap.data_as_of is None or snap.data_as_of < at - timedelta(minutes=p.stale_after_minutes)
            if unit_stale:
                if snap.data_as_of is None:
                    unit_finding("stale_data", "high", "fallback_routine", "msg.stale_data.none")
                else:
                    age = int((at - snap.data_as_of).total_seconds() // 60)
                    unit_finding("stale_data", "high", "fallback_routine", "msg.stale_data", dict(minutes=age))
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

        # -- ordering (§7) -------------------------------------------------------------------
        none_rank = len(SEVERITIES)

        def case_key(c: Case) -> tuple:
            prio = c.priority if c.priority is not None else 6
            reply_first = 0 if (c.status != "waiting" and c.patient_awaits_reply) else 1
            return (case_rank.get(c.id, none_rank), prio, reply_first, -waited[c.id], c.created_at, c.id)

        open_cases.sort(key=case_key)

        # by severity; within one: unit findings (in unit order), then case findings in work-list
        # order, then closed cases' (premature_close) by id; within a case, the rules' table
        # order — assembled from the per-case lists rather than sorted with a key per finding
        ranks = len(SEVERITIES)
        buckets: list[list[Finding]] = [[] for _ in range(ranks)]
        unit_order = {uid: i for i, uid in enumerate(units)}
        for f in sorted(unit_findings, key=lambda f: (unit_order[f.unit_id], RULE_RANK[f.rule])):
            buckets[SEVERITY_RANK[f.severity]].append(f)
        closed_ids = sorted(cid for cid in case_findings if cid not in waited)
        for cid in [c.id for c in open_cases] + closed_ids:
            fs = case_findings.get(cid)
            if not fs:
                continue
            if len(fs) > 1:
                fs = sorted(fs, key=lambda f: RULE_RANK[f.rule])
            for f in fs:
                buckets[SEVERITY_RANK[f.severity]].append(f)
        all_findings = [f for bucket in buckets for f in bucket]
        return Evaluation(at=at, findings=all_findings, units=states, open_cases=open_cases,
                          waited_minutes=waited, case_findings=case_findings, stale=stale)

    def _load(self, cases: list[Case], roster: Roster, uid: str, at: datetime, waited: Mapping[str, float],
              p: Parameters, overdue_high: bool) -> Load:
        waiting = {k: 0 for k in PRIORITY_KEYS}
        oldest: dict[str, float] = {}
        queued = queued_care = waiting_care = in_progress = 0
        for c in cases:
            pk = c.priority_key
            if c.status == "waiting":
                waiting[pk] += 1
                if c.kind == "care":
                    waiting_care += 1
                w = waited.get(c.id, 0.0)
                if w > oldest.get(pk, -1.0):
                    oldest[pk] = w
            owner = c.owner
            if owner is not None and owner.type == "role":
                queued += 1
                if c.kind == "care":
                    queued_care += 1
            elif owner is not None and owner.type == "person" and c.is_active:
                in_progress += 1
        per_prof, total = roster.clinicians_present(uid, at)
        ratio = (waiting_care + queued_care) / max(1, total)
        t1, t2, t3 = p.load_thresholds
        level = 0
        if ratio >= t3:
            level = 3
        elif ratio >= t2:
            level = 2
        elif ratio >= t1:
            level = 1
        if overdue_high:
            level = max(level, 2)
        return Load(
            level=LEVELS[level],
            ratio=round(ratio, 2),
            waiting=waiting,
            queued=queued,
            in_progress=in_progress,
            clinicians_present=per_prof,
            clinicians_total=total,
            oldest_wait_minutes={k: int(oldest[k]) for k in PRIORITY_KEYS if k in oldest},
        )


def severity_at_least(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold]
