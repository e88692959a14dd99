"""Deadlines (domain.md §4b): each clock, its due instant in working time (lunch, closing, weekend),
the countdown's rounding, the at-risk boundaries, the choice between clocks, no clock; and the
rule engine carrying them, with the work list's "waited" (§7 item 4) from the case's clock."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from builders import case, local, minutes, person, role, shift, snapshot, staff, unit
from hypothesis import given, settings
from hypothesis import strategies as st

from direkt_tui.domain.calendar import UnitCalendar
from direkt_tui.domain.deadlines import NO_CLOCK, case_deadline, running_clocks
from direkt_tui.domain.models import Case, Unit
from direkt_tui.domain.params import DEFAULTS, Parameters
from direkt_tui.domain.rules import RuleEngine

LUNCH = {str(d): [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "17:00"}] for d in range(1, 6)}
LIMITS = DEFAULTS.response_limits  # P1 15 · P2 60 · P3 180 · P4 300 · P5 480 · admin 480


def cal(**kw) -> UnitCalendar:
    return UnitCalendar(Unit.from_api(unit(**kw)))


def deadline(c: dict, at, calendar: UnitCalendar | None = None, fraction: float = 0.75):
    parsed = Case.from_api(c)
    return case_deadline(parsed, at, calendar or cal(), LIMITS[parsed.priority_key], fraction)


# -- each clock -----------------------------------------------------------------------------------
def test_waiting_clock_runs_from_created_at():
    d = deadline(case(created=local("2026-11-26 14:00"), priority=3), local("2026-11-26 14:30"))
    assert (d.clock, d.since, d.due_at) == ("waiting", local("2026-11-26 14:00"), local("2026-11-26 17:00"))
    assert d.limit_minutes == 180 and d.elapsed_minutes == 30 and d.minutes_left == 150 and not d.at_risk


def test_reply_clock_runs_from_the_patients_last_message_while_they_await_a_reply():
    c = case(created=local("2026-11-26 09:00"), status="started", priority=2, owner=person("s-1"),
             owner_since=local("2026-11-26 09:05"), received_at=local("2026-11-26 09:05"),
             started_at=local("2026-11-26 09:10"), last_staff_message_at=local("2026-11-26 09:20"),
             last_patient_message_at=local("2026-11-26 10:00"))
    d = deadline(c, local("2026-11-26 10:50"))
    assert (d.clock, d.since, d.due_at) == ("reply", local("2026-11-26 10:00"), local("2026-11-26 11:00"))
    assert d.minutes_left == 10 and d.at_risk  # 50 of 60 minutes used: ≥ 75 %


def test_a_started_case_whose_staff_wrote_last_has_no_clock():
    c = case(created=local("2026-11-26 09:00"), status="started", priority=2, owner=person("s-1"),
             owner_since=local("2026-11-26 09:05"), started_at=local("2026-11-26 09:10"),
             last_patient_message_at=local("2026-11-26 10:00"), last_staff_message_at=local("2026-11-26 10:05"))
    assert deadline(c, local("2026-11-26 14:00")) is NO_CLOCK


def test_a_received_case_patient_message_does_not_start_the_reply_clock():
    """The reply clock runs only for a started case (as awaiting_reply)."""
    c = case(created=local("2026-11-26 09:00"), status="received", priority=2, owner=person("s-1"),
             owner_since=local("2026-11-26 09:05"), last_patient_message_at=local("2026-11-26 10:00"))
    assert running_clocks(Case.from_api(c)) == []


@pytest.mark.parametrize("fields,since", [
    ({"owner_since": local("2026-11-26 10:00"), "received_at": local("2026-11-26 09:10")}, "2026-11-26 10:00"),
    ({"received_at": local("2026-11-26 09:10")}, "2026-11-26 09:10"),
    ({}, "2026-11-26 09:00"),
], ids=["owner_since", "else-received_at", "else-created_at"])
def test_role_queue_clock_runs_from_owner_since_else_received_else_created(fields, since):
    c = case(created=local("2026-11-26 09:00"), status="received", priority=4, owner=role("nurse"), **fields)
    d = deadline(c, local("2026-11-26 14:00"))
    assert d.clock == "role_queue" and d.since == local(since)
    assert d.due_at == local(since) + timedelta(minutes=300)  # the same day: no closing in between


def test_no_clock_is_all_null_and_never_at_risk():
    c = case(created=local("2026-11-26 09:00"), status="received", priority=1, owner=person("s-1"),
             owner_since=local("2026-11-26 09:01"))
    d = deadline(c, local("2026-11-26 16:59"))
    assert (d.clock, d.since, d.due_at, d.minutes_left, d.at_risk) == (None, None, None, None, False)
    assert d.to_json("Europe/Stockholm") == {
        "clock": None, "since": None, "due_at": None, "minutes_left": None, "at_risk": False}


# -- the earliest due among the running clocks, ties in the table's order ------------------------
def test_the_clock_with_the_earliest_due_is_the_cases():
    # a started case in a profession queue since 09:00 whose patient wrote at 10:00: both run
    c = case(created=local("2026-11-26 08:30"), status="started", priority=3, owner=role("nurse"),
             owner_since=local("2026-11-26 09:00"), started_at=local("2026-11-26 08:40"),
             last_staff_message_at=local("2026-11-26 08:50"), last_patient_message_at=local("2026-11-26 10:00"))
    assert [k for k, _ in running_clocks(Case.from_api(c))] == ["reply", "role_queue"]
    d = deadline(c, local("2026-11-26 11:00"))
    assert (d.clock, d.due_at, d.minutes_left) == ("role_queue", local("2026-11-26 12:00"), 60)
    # the other way round: the patient wrote before it was put in the queue
    c2 = dict(c, last_staff_message_at=local("2026-11-26 08:31").isoformat(),
              last_patient_message_at=local("2026-11-26 08:35").isoformat())
    assert deadline(c2, local("2026-11-26 11:00")).clock == "reply"


def test_equal_dues_keep_the_tables_order():
    # both clocks start before opening: both are due at 08:00 + limit; waiting comes first
    c = case(created=local("2026-11-26 06:00"), priority=3, owner=role("nurse"), owner_since=local("2026-11-26 07:00"))
    d = deadline(c, local("2026-11-26 09:00"))
    assert (d.clock, d.since, d.due_at) == ("waiting", local("2026-11-26 06:00"), local("2026-11-26 11:00"))
    # reply before role_queue
    c = case(created=local("2026-11-25 16:00"), status="started", priority=3, owner=role("nurse"),
             owner_since=local("2026-11-26 07:30"), started_at=local("2026-11-25 16:10"),
             last_staff_message_at=local("2026-11-25 16:20"), last_patient_message_at=local("2026-11-25 18:00"))
    assert deadline(c, local("2026-11-26 09:00")).clock == "reply"


# -- working time: lunch, closing, weekend, no opening hours ahead --------------------------------
def test_lunch_break_is_not_working_time():
    c = cal(opening_hours=LUNCH)
    p2 = case(created=local("2026-11-26 11:30"), priority=2)
    d = deadline(p2, local("2026-11-26 13:10"), c)
    assert d.due_at == local("2026-11-26 13:30")  # 30 min before lunch, 30 after
    assert d.elapsed_minutes == 40 and d.minutes_left == 20 and not d.at_risk
    assert deadline(p2, local("2026-11-26 12:45"), c).minutes_left == 30  # the clock stands still over lunch


def test_closing_carries_the_deadline_to_the_next_morning():
    d = deadline(case(created=local("2026-11-26 16:00"), priority=3), local("2026-11-26 16:30"))
    assert d.due_at == local("2026-11-27 10:00") and d.minutes_left == 150
    d = deadline(case(created=local("2026-11-26 16:00"), priority=3), local("2026-11-27 07:59"))
    assert d.minutes_left == 120  # nothing runs overnight


def test_the_weekend_is_skipped():
    p2 = case(created=local("2026-11-27 16:30"), priority=2)  # a Friday
    assert deadline(p2, local("2026-11-27 16:50")).due_at == local("2026-11-30 08:30")  # Monday
    d = deadline(p2, local("2026-11-29 12:00"))  # Sunday: still 30 working minutes used
    assert d.minutes_left == 30 and not d.at_risk
    d = deadline(p2, local("2026-11-30 08:15"))
    assert d.minutes_left == 15 and d.at_risk


def test_an_arrival_before_opening_counts_from_the_opening():
    d = deadline(case(created=local("2026-11-26 07:40"), priority=5), local("2026-11-26 14:30"))
    assert d.since == local("2026-11-26 07:40") and d.due_at == local("2026-11-26 16:00")
    assert d.minutes_left == 90 and d.at_risk  # 390 of 480 minutes


def test_a_unit_without_opening_hours_ahead_has_no_due():
    closed = cal(opening_hours={})
    d = deadline(case(created=local("2026-11-26 09:00"), priority=2), local("2026-11-26 10:00"), closed)
    assert d.clock == "waiting" and d.due_at is None and d.minutes_left == 60 and not d.at_risk


# -- at risk and rounding -------------------------------------------------------------------------
@pytest.mark.parametrize("used,at_risk,left", [
    (timedelta(minutes=44, seconds=59), False, 15),
    (minutes(45), True, 15),  # 0.75 × 60: the boundary is at risk
    (minutes(59.5), True, 0),
    (minutes(60), True, 0),  # the limit itself: not yet overdue
    (timedelta(minutes=60, seconds=1), False, 0),  # overdue (the rules take over); -1 s rounds to 0
    (minutes(61), False, -1),
    (minutes(90), False, -30),
], ids=lambda v: str(v))
def test_at_risk_boundaries_and_rounding_toward_zero(used, at_risk, left):
    created = local("2026-11-26 09:00")
    d = deadline(case(created=created, priority=2), created + used)
    assert d.at_risk is at_risk and d.minutes_left == left
    assert d.overdue is (used > minutes(60))


@pytest.mark.parametrize("used,left", [(timedelta(minutes=20, seconds=30), 39), (timedelta(minutes=20, seconds=59), 39),
                                       (timedelta(minutes=61, seconds=59), -1), (timedelta(minutes=62), -2)])
def test_minutes_left_rounds_toward_zero(used, left):
    created = local("2026-11-26 09:00")
    assert deadline(case(created=created, priority=2), created + used).minutes_left == left


def test_the_fraction_is_the_units():
    created = local("2026-11-26 09:00")
    c = case(created=created, priority=2)
    assert not deadline(c, created + minutes(40)).at_risk
    assert deadline(c, created + minutes(30), fraction=0.5).at_risk
    assert not deadline(c, created + minutes(29), fraction=0.5).at_risk


def test_instants_in_the_units_offset():
    d = deadline(case(created=local("2026-11-26 14:10"), priority=1), local("2026-11-26 14:30"))
    assert d.to_json("Europe/Stockholm") == {
        "clock": "waiting", "since": "2026-11-26T14:10:00+01:00", "due_at": "2026-11-26T14:25:00+01:00",
        "minutes_left": -5, "at_risk": False}
    assert d.due_at.astimezone(UTC).isoformat() == "2026-11-26T13:25:00+00:00"


# -- the parameter ------------------------------------------------------------------------------
def test_at_risk_fraction_is_a_rule_parameter_between_zero_and_one():
    assert DEFAULTS.at_risk_fraction == 0.75
    assert DEFAULTS.with_overrides({"at_risk_fraction": 0.5}).at_risk_fraction == 0.5
    assert DEFAULTS.with_overrides({"at_risk_fraction": 1}).at_risk_fraction == 1.0
    for bad in (0, -0.1, 1.5, True, "0.5"):
        with pytest.raises(ValueError, match="at_risk_fraction"):
            DEFAULTS.with_overrides({"at_risk_fraction": bad})
    assert DEFAULTS.to_json()["at_risk_fraction"] == 0.75


# -- the rule engine carries them -----------------------------------------------------------------
AT = local("2026-11-26 14:00")
DAY = [shift("s-1", local("2026-11-26 08:00"), local("2026-11-26 17:00")),
       shift("s-2", local("2026-11-26 08:00"), local("2026-11-26 17:00"))]


def _engine_snapshot(cases, **kw):
    return snapshot(staff_=[staff("s-1"), staff("s-2")], shifts=DAY, cases=cases,
                    coordinators=[{"unit_id": "vc-a", "staff_id": "s-2", "since": AT.isoformat()}], **kw)


def test_the_evaluation_carries_each_open_cases_deadline():
    cases = [
        case("w", created=local("2026-11-26 13:00"), priority=3),
        case("p", created=local("2026-11-26 09:00"), status="received", owner=person("s-1"),
             owner_since=local("2026-11-26 09:05"), received_at=local("2026-11-26 09:05")),
        case("x", created=local("2026-11-26 09:00"), status="closed", owner=person("s-1"),
             closed_at=local("2026-11-26 10:00"), close_reason="resolved"),
        case("later", created=local("2026-11-26 15:00")),
    ]
    ev = RuleEngine().evaluate(_engine_snapshot(cases), AT)
    assert set(ev.deadlines) == {"w", "p"} == {c.id for c in ev.open_cases}
    assert ev.deadline_for("w").clock == "waiting" and ev.deadline_for("w").minutes_left == 120
    assert ev.deadline_for("p") is NO_CLOCK and ev.deadline_for("x") is None


def test_the_per_unit_fraction_reaches_the_evaluation():
    cases = [case("w", created=local("2026-11-26 13:20"), priority=2)]  # 40 of 60 minutes
    assert not RuleEngine().evaluate(_engine_snapshot(cases), AT).deadlines["w"].at_risk
    engine = RuleEngine({"vc-a": Parameters(at_risk_fraction=0.5)})
    assert engine.evaluate(_engine_snapshot(cases), AT).deadlines["w"].at_risk


def test_waited_is_the_elapsed_working_time_on_the_cases_clock():
    """§7 item 4: a case in the nurse queue since 09:00 whose patient wrote at 13:00 has waited on
    its queue clock (due first), 300 minutes — not the 60 since the message — and so comes before
    a person-held case awaiting a reply for 180 minutes; a case without a clock counts from
    owner_since."""
    queued = case("queued", created=local("2026-11-26 08:30"), status="started", owner=role("nurse"),
                  owner_since=local("2026-11-26 09:00"), received_at=local("2026-11-26 08:35"),
                  started_at=local("2026-11-26 08:40"), last_staff_message_at=local("2026-11-26 12:00"),
                  last_patient_message_at=local("2026-11-26 13:00"))
    held = case("held", created=local("2026-11-26 10:00"), status="started", owner=person("s-1"),
                owner_since=local("2026-11-26 10:05"), received_at=local("2026-11-26 10:05"),
                started_at=local("2026-11-26 10:10"), last_staff_message_at=local("2026-11-26 10:30"),
                last_patient_message_at=local("2026-11-26 11:00"))
    quiet = case("quiet", created=local("2026-11-26 08:00"), status="received", owner=person("s-1"),
                 owner_since=local("2026-11-26 13:30"), received_at=local("2026-11-26 13:30"))
    ev = RuleEngine().evaluate(_engine_snapshot([held, queued, quiet]), AT)
    assert ev.deadlines["queued"].clock == "role_queue"
    assert ev.waited_minutes == {"queued": 300, "held": 180, "quiet": 30}
    # all three P3 in the last band (stale_role_handover for P3 is medium); replies awaited first
    assert {f.severity for f in ev.findings_for("queued")} == {"medium"}
    assert not ev.findings_for("held") and not ev.findings_for("quiet")
    assert [c.id for c in ev.open_cases] == ["queued", "held", "quiet"]


# -- the shortcuts give the spec's result ---------------------------------------------------------
def _literal(case_: Case, at, calendar: UnitCalendar, limit_minutes: int):
    """§4b as written: every running clock's due, the earliest (ties: the table's order)."""
    best = None
    for clock, since in running_clocks(case_):
        due = calendar.add_working_time(since, timedelta(minutes=limit_minutes))
        if best is None or (due is not None and (best[2] is None or due < best[2])):
            best = (clock, since, due)
    return best


_instants = st.integers(min_value=0, max_value=10 * 24 * 60).map(lambda m: local("2026-11-20 00:00") + minutes(m))


@settings(max_examples=300, deadline=None)
@given(created=_instants, patient=_instants, queued=_instants, at_offset=st.integers(0, 5 * 24 * 60),
       limit=st.sampled_from([15, 60, 180, 300, 480]), status=st.sampled_from(["waiting", "received", "started"]),
       in_queue=st.booleans(), lunch=st.booleans())
def test_the_clock_and_due_are_the_specs_whatever_the_shortcut(created, patient, queued, at_offset, limit, status,
                                                               in_queue, lunch):
    calendar = cal(opening_hours=LUNCH) if lunch else cal()
    at = max(created, patient, queued) + minutes(at_offset)
    c = Case.from_api(case(created=created, status=status, owner=role("nurse") if in_queue else person("s-1"),
                           owner_since=queued, last_patient_message_at=patient,
                           last_staff_message_at=created - minutes(1)))
    period = calendar.current_period(at)
    shortcut = (period[0].timestamp(), period[1].timestamp()) if period else None
    d = case_deadline(c, at, calendar, limit, 0.75, shortcut)
    assert case_deadline(c, at, calendar, limit, 0.75) == d  # the in-period shortcut changes nothing
    want = _literal(c, at, calendar, limit)
    if want is None:
        assert d is NO_CLOCK
        return
    assert (d.clock, d.since, d.due_at) == want
    elapsed = calendar.working_seconds(d.since, at)
    assert d.elapsed_seconds == pytest.approx(elapsed, abs=1e-6)
    assert d.minutes_left == int((limit * 60 - elapsed) / 60)


def test_a_clock_started_after_our_instant_is_due_from_its_start_with_or_without_the_shortcut():
    """A platform clock ahead of ours: the queue's ``owner_since`` is after ``at``. The due is
    ``since`` + the limit in working time (not ``at`` + the limit, which would move with ``at``)."""
    calendar = cal()
    at = local("2026-11-26 10:00")
    since = local("2026-11-26 10:05")
    c = Case.from_api(case(created=at - minutes(30), status="received", owner=role("nurse"), owner_since=since))
    period = calendar.current_period(at)
    assert period is not None
    shortcut = (period[0].timestamp(), period[1].timestamp())
    d = case_deadline(c, at, calendar, 60, 0.75, shortcut)
    assert d.clock == "role_queue" and d.since == since
    assert d.due_at == calendar.add_working_time(since, timedelta(minutes=60))
    assert case_deadline(c, at, calendar, 60, 0.75) == d
