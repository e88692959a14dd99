"""Every rule of domain.md §4 at its boundaries: it fires at the threshold and not a minute on
the other side. The unit is open 08:00-17:00 on weekdays; 2026-11-26 is a Thursday."""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import case, local, minutes, person, role, shift, snapshot, staff, unit

from direkt_tui.domain.params import Parameters
from direkt_tui.domain.rules import RuleEngine

M = minutes(1)
DAY = "2026-11-26"


def base_world(**extra):
    """A nurse 07:00-15:00 (coordinator), a doctor 08:00-16:00, an admin contact all day."""
    kw = dict(
        staff_=[staff("n1", "nurse"), staff("d1", "doctor"), staff("a1", "admin_contact"), staff("n2", "nurse"),
                staff("p1", "physiotherapist")],
        shifts=[shift("n1", local(f"{DAY} 07:00"), local(f"{DAY} 15:00")),
                shift("d1", local(f"{DAY} 08:00"), local(f"{DAY} 16:00"), "doctor"),
                shift("a1", local(f"{DAY} 07:00"), local(f"{DAY} 18:00"), "admin_contact")],
        coordinators=[{"unit_id": "vc-a", "staff_id": "d1", "since": None}],
    )
    kw.update(extra)
    return kw


def fired(snap, t, params=None, **kw):
    ev = RuleEngine(params).evaluate(snap, t)
    return {(f.rule, f.case_id) for f in ev.findings}


def findings(snap, t, rule, params=None):
    ev = RuleEngine(params).evaluate(snap, t)
    return [f for f in ev.findings if f.rule == rule]


def fresh(t):
    return {"data_as_of": t}


# -- unit rules ----------------------------------------------------------------------------------
def test_no_coordinator_when_coordinator_leaves():
    w = base_world(coordinators=[{"unit_id": "vc-a", "staff_id": "n1", "since": None}])
    t = local(f"{DAY} 15:00")
    assert ("no_coordinator", None) in fired(snapshot(**w, data_as_of=t), t)
    assert ("no_coordinator", None) not in fired(snapshot(**w, data_as_of=t), t - M)


def test_no_coordinator_only_within_opening_hours():
    w = base_world(coordinators=[])
    assert ("no_coordinator", None) in fired(snapshot(**w), local(f"{DAY} 08:00"))
    assert ("no_coordinator", None) not in fired(snapshot(**w), local(f"{DAY} 07:59"))
    assert ("no_coordinator", None) in fired(snapshot(**w), local(f"{DAY} 16:59"))
    assert ("no_coordinator", None) not in fired(snapshot(**w), local(f"{DAY} 17:00"))
    f = findings(snapshot(**w), local(f"{DAY} 10:00"), "no_coordinator")[0]
    assert (f.severity, f.action, f.case_id) == ("critical", "take_coordinator_role", None)


def test_no_clinician_present():
    w = base_world(shifts=[shift("a1", local(f"{DAY} 07:00"), local(f"{DAY} 18:00"), "admin_contact"),
                           shift("n1", local(f"{DAY} 10:00"), local(f"{DAY} 18:00"))])
    snap = snapshot(**w)
    assert ("no_clinician_present", None) in fired(snap, local(f"{DAY} 09:59"))
    assert ("no_clinician_present", None) not in fired(snap, local(f"{DAY} 10:00"))
    assert ("no_clinician_present", None) not in fired(snap, local(f"{DAY} 07:59"))  # closed
    f = findings(snap, local(f"{DAY} 09:00"), "no_clinician_present")[0]
    assert (f.severity, f.action) == ("critical", "arrange_staffing")


def test_cancelled_shift_is_no_presence():
    w = base_world(shifts=[shift("n1", local(f"{DAY} 07:00"), local(f"{DAY} 18:00"), cancelled=True)])
    assert ("no_clinician_present", None) in fired(snapshot(**w), local(f"{DAY} 10:00"))


@pytest.mark.parametrize("n,level,expected", [(7, "elevated", None), (8, "high", "high"), (11, "high", "high"),
                                              (12, "very_high", "critical")])
def test_high_load_thresholds(n, level, expected):
    t = local(f"{DAY} 10:00")
    # one clinician present (the doctor) ...
    w = base_world(shifts=[shift("d1", local(f"{DAY} 08:00"), local(f"{DAY} 16:00"), "doctor")])
    cases = [case(created=t - minutes(1), priority=4) for _ in range(n)]
    cases += [case(created=t - minutes(1), kind="admin") for _ in range(5)]  # admin does not count
    ev = RuleEngine().evaluate(snapshot(**w, cases=cases, data_as_of=t), t)
    state = ev.units["vc-a"]
    assert state.load.level == level
    assert state.load.ratio == n
    got = [f for f in ev.findings if f.rule == "high_load"]
    assert [f.severity for f in got] == ([expected] if expected else [])


def test_high_load_from_overdue_urgent_case():
    t = local(f"{DAY} 10:00")
    w = base_world()
    c = case(created=t - minutes(16), priority=1)
    ev = RuleEngine().evaluate(snapshot(**w, cases=[c]), t)
    assert ev.units["vc-a"].load.level == "high"
    assert ("high_load", None) in {(f.rule, f.case_id) for f in ev.findings}
    ev = RuleEngine().evaluate(snapshot(**w, cases=[c]), t - M)
    assert ev.units["vc-a"].load.level == "normal"


def test_stale_data():
    t = local(f"{DAY} 10:00")
    w = base_world()
    assert ("stale_data", None) not in fired(snapshot(**w, data_as_of=t - minutes(4)), t)
    assert ("stale_data", None) not in fired(snapshot(**w, data_as_of=t - minutes(5)), t)
    assert ("stale_data", None) in fired(snapshot(**w, data_as_of=t - minutes(6)), t)
    assert ("stale_data", None) in fired(snapshot(**w, data_as_of=None), t)


# -- owners ----------------------------------------------------------------------------------------
def active(owner, created, **kw):
    base = dict(status="started", owner=owner, owner_since=created, received_at=created, started_at=created)
    base.update(kw)
    return case(created=created, **base)


@pytest.mark.parametrize("priority,severity", [(2, "critical"), (3, "high")])
def test_absent_owner(priority, severity):
    c = active(person("n1"), local(f"{DAY} 09:00"), priority=priority, cid="c-x")
    snap = snapshot(**base_world(cases=[c]))
    assert ("absent_owner", "c-x") not in fired(snap, local(f"{DAY} 14:59"))
    got = findings(snap, local(f"{DAY} 15:00"), "absent_owner")
    assert [(f.severity, f.action, f.staff_id) for f in got] == [(severity, "call_patient", "n1")]


def test_absent_owner_action_follows_capability():
    c = active(person("n1"), local(f"{DAY} 09:00"), cid="c-x")
    snap = snapshot(**base_world(cases=[c]), reassign=True)
    assert [f.action for f in findings(snap, local(f"{DAY} 15:00"), "absent_owner")] == ["reassign"]


def test_absent_owner_not_for_waiting_or_closed():
    w = case(created=local(f"{DAY} 09:00"), owner=person("n1"), cid="c-w")
    c = active(person("n1"), local(f"{DAY} 09:00"), cid="c-c", status="closed",
               closed_at=local(f"{DAY} 10:00"), close_reason="resolved")
    got = fired(snapshot(**base_world(cases=[w, c])), local(f"{DAY} 16:00"))
    owner_rules = {"absent_owner", "long_absence", "owner_shift_ending"}
    assert not {r for r in got if r[1] in ("c-w", "c-c") and r[0] in owner_rules}
    assert not {r for r in got if r[1] == "c-c"}


def test_long_absence_window_edges():
    # owner n2's last shift ended Monday 23 Nov 16:00
    last_end = local("2026-11-23 16:00")
    w = base_world(shifts=base_world()["shifts"] + [shift("n2", local("2026-11-23 08:00"), last_end)])
    c = active(person("n2"), local("2026-11-23 09:00"), cid="c-x")
    snap = snapshot(**w, cases=[c])
    edge = last_end + timedelta(hours=72)  # Thursday 16:00: still open (17:00)
    assert ("absent_owner", "c-x") in fired(snap, edge)
    assert ("long_absence", "c-x") not in fired(snap, edge)
    assert ("long_absence", "c-x") in fired(snap, edge + M)
    f = findings(snap, edge + M, "long_absence")[0]
    assert (f.severity, f.action) == ("high", "contact_support")


def test_long_absence_lookahead():
    # no past shift, but one starting tomorrow at 10:00
    start = local("2026-11-27 10:00")
    w = base_world(shifts=base_world()["shifts"] + [shift("n2", start, local("2026-11-27 16:00"))])
    c = active(person("n2"), local(f"{DAY} 09:00"), cid="c-x")
    snap = snapshot(**w, cases=[c])
    t = start - timedelta(hours=24)
    assert ("long_absence", "c-x") not in fired(snap, t)
    assert ("long_absence", "c-x") in fired(snap, t - M)


@pytest.mark.parametrize("priority,severity", [(1, "high"), (4, "medium")])
def test_owner_shift_ending(priority, severity):
    c = active(person("n1"), local(f"{DAY} 09:00"), cid="c-x", priority=priority)
    snap = snapshot(**base_world(cases=[c]))
    assert ("owner_shift_ending", "c-x") not in fired(snap, local(f"{DAY} 14:29"))
    got = findings(snap, local(f"{DAY} 14:30"), "owner_shift_ending")
    assert [(f.severity, f.action) for f in got] == [(severity, "hand_over_to_role")]
    assert ("owner_shift_ending", "c-x") in fired(snap, local(f"{DAY} 14:59"))


def test_owner_shift_ending_runs_on_across_back_to_back_shifts():
    w = base_world()
    w["shifts"] = w["shifts"] + [shift("n1", local(f"{DAY} 15:00"), local(f"{DAY} 18:00"), shift_id="late")]
    c = active(person("n1"), local(f"{DAY} 09:00"), cid="c-x")
    snap = snapshot(**w, cases=[c])
    assert ("owner_shift_ending", "c-x") not in fired(snap, local(f"{DAY} 14:45"))
    assert ("owner_shift_ending", "c-x") in fired(snap, local(f"{DAY} 17:30"))


# -- roles -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("priority,severity", [(2, "critical"), (5, "high")])
def test_unscheduled_profession(priority, severity):
    w = base_world()
    w["shifts"] = w["shifts"] + [shift("p1", local(f"{DAY} 13:00"), local(f"{DAY} 16:00"), "physiotherapist")]
    c = active(role("physiotherapist"), local(f"{DAY} 09:00"), cid="c-x", priority=priority)
    snap = snapshot(**w, cases=[c])
    got = findings(snap, local(f"{DAY} 12:59"), "unscheduled_profession")
    assert [(f.severity, f.action) for f in got] == [(severity, "reassign")]
    assert ("unscheduled_profession", "c-x") not in fired(snap, local(f"{DAY} 13:00"))


def test_unscheduled_profession_for_waiting_role_case():
    c = case(created=local(f"{DAY} 09:00"), owner=role("psychologist"), cid="c-x")
    assert ("unscheduled_profession", "c-x") in fired(snapshot(**base_world(cases=[c])), local(f"{DAY} 09:30"))


def test_stale_role_handover():
    c = active(role("nurse"), local(f"{DAY} 08:30"), cid="c-x", priority=3)
    c["owner_since"] = local(f"{DAY} 10:00").isoformat()
    snap = snapshot(**base_world(cases=[c]))
    assert ("stale_role_handover", "c-x") not in fired(snap, local(f"{DAY} 13:00"))  # 180 min = limit
    got = findings(snap, local(f"{DAY} 13:01"), "stale_role_handover")
    assert [(f.severity, f.action) for f in got] == [("medium", "follow_up")]
    # counts working time only: owner_since yesterday 16:30 -> 30 min + today 08:00..10:31
    c["owner_since"] = local("2026-11-25 16:30").isoformat()
    snap = snapshot(**base_world(cases=[c]))
    assert ("stale_role_handover", "c-x") not in fired(snap, local(f"{DAY} 10:30"))
    assert ("stale_role_handover", "c-x") in fired(snap, local(f"{DAY} 10:31"))


# -- waiting and replies -----------------------------------------------------------------------------
@pytest.mark.parametrize("priority,limit,severity", [(1, 15, "critical"), (2, 60, "critical"), (3, 180, "high"),
                                                     (4, 300, "high"), (5, 480, "high"), (None, 480, "high")])
def test_overdue_waiting(priority, limit, severity):
    created = local(f"{DAY} 08:00")
    c = case(created=created, priority=priority, kind="admin" if priority is None else "care", cid="c-x")
    snap = snapshot(**base_world(cases=[c]))
    assert ("overdue_waiting", "c-x") not in fired(snap, created + minutes(limit))
    got = findings(snap, created + minutes(limit + 1), "overdue_waiting")
    assert [(f.severity, f.action) for f in got] == [(severity, "receive_now")]


def test_overdue_waiting_counts_working_minutes_only():
    c = case(created=local("2026-11-25 16:55"), priority=1, cid="c-x")  # 5 min yesterday
    snap = snapshot(**base_world(cases=[c]))
    assert ("overdue_waiting", "c-x") not in fired(snap, local(f"{DAY} 08:10"))
    assert ("overdue_waiting", "c-x") in fired(snap, local(f"{DAY} 08:11"))


def test_awaiting_reply():
    c = active(person("d1"), local(f"{DAY} 08:00"), cid="c-x", priority=3,
               last_staff_message_at=local(f"{DAY} 09:50"), last_patient_message_at=local(f"{DAY} 10:00"))
    snap = snapshot(**base_world(cases=[c]))
    assert ("awaiting_reply", "c-x") not in fired(snap, local(f"{DAY} 13:00"))
    got = findings(snap, local(f"{DAY} 13:01"), "awaiting_reply")
    assert [(f.severity, f.action) for f in got] == [("medium", "reply")]
    c["last_staff_message_at"] = local(f"{DAY} 10:05").isoformat()
    assert ("awaiting_reply", "c-x") not in fired(snapshot(**base_world(cases=[c])), local(f"{DAY} 15:00"))


def test_awaiting_reply_without_staff_message_and_for_urgent():
    c = active(person("d1"), local(f"{DAY} 08:00"), cid="c-x", priority=2,
               last_patient_message_at=local(f"{DAY} 10:00"))
    snap = snapshot(**base_world(cases=[c]))
    assert ("awaiting_reply", "c-x") not in fired(snap, local(f"{DAY} 11:00"))
    got = findings(snap, local(f"{DAY} 11:01"), "awaiting_reply")
    assert [f.severity for f in got] == ["high"]


# -- closing time ------------------------------------------------------------------------------------
def test_urgent_open_near_close_within_hours():
    c = case(created=local(f"{DAY} 15:50"), priority=2, cid="c-x")
    snap = snapshot(**base_world(cases=[c]))
    assert ("urgent_open_near_close", "c-x") not in fired(snap, local(f"{DAY} 15:59"))
    got = findings(snap, local(f"{DAY} 16:00"), "urgent_open_near_close")
    assert [(f.severity, f.action) for f in got] == [("critical", "close_today_or_call")]
    p3 = case(created=local(f"{DAY} 15:50"), priority=3, cid="c-3")
    assert ("urgent_open_near_close", "c-3") not in fired(snapshot(**base_world(cases=[p3])), local(f"{DAY} 16:30"))


def test_urgent_open_near_close_after_hours():
    before = case(created=local(f"{DAY} 16:59"), priority=1, cid="c-before")
    after = case(created=local(f"{DAY} 17:00"), priority=1, cid="c-after")
    snap = snapshot(**base_world(cases=[before, after]))
    got = fired(snap, local(f"{DAY} 19:00"))
    assert ("urgent_open_near_close", "c-before") in got
    assert ("urgent_open_near_close", "c-after") not in got
    # still there the next morning before opening, gone from the list once opening starts
    assert ("urgent_open_near_close", "c-before") in fired(snap, local("2026-11-27 07:59"))


def test_urgent_open_near_close_before_lunch():
    lunch = {str(d): [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "17:00"}] for d in range(1, 6)}
    c = case(created=local(f"{DAY} 10:55"), priority=2, cid="c-x")
    snap = snapshot(**base_world(cases=[c], units=[unit(opening_hours=lunch)]))
    assert ("urgent_open_near_close", "c-x") not in fired(snap, local(f"{DAY} 10:59"))
    assert ("urgent_open_near_close", "c-x") in fired(snap, local(f"{DAY} 11:00"))


def test_next_day_notice_due():
    c = case(created=local(f"{DAY} 09:00"), priority=4, cid="c-x")
    snap = snapshot(**base_world(cases=[c]))
    assert ("next_day_notice_due", "c-x") not in fired(snap, local(f"{DAY} 16:29"))
    got = findings(snap, local(f"{DAY} 16:30"), "next_day_notice_due")
    assert [(f.severity, f.action) for f in got] == [("medium", "send_template:next_day")]
    assert ("next_day_notice_due", "c-x") in fired(snap, local(f"{DAY} 16:59"))
    assert ("next_day_notice_due", "c-x") not in fired(snap, local(f"{DAY} 17:00"))
    # a next_day notice today silences it; one from yesterday does not
    c["notices"] = [{"template_id": "next_day", "sent_at": local(f"{DAY} 16:31").isoformat()}]
    assert ("next_day_notice_due", "c-x") not in fired(snapshot(**base_world(cases=[c])), local(f"{DAY} 16:40"))
    c["notices"] = [{"template_id": "next_day", "sent_at": local("2026-11-25 16:40").isoformat()}]
    assert ("next_day_notice_due", "c-x") in fired(snapshot(**base_world(cases=[c])), local(f"{DAY} 16:40"))


def test_next_day_notice_not_for_urgent_but_for_admin():
    p2 = case(created=local(f"{DAY} 09:00"), priority=2, cid="c-2")
    adm = case(created=local(f"{DAY} 09:00"), kind="admin", cid="c-a")
    got = fired(snapshot(**base_world(cases=[p2, adm])), local(f"{DAY} 16:45"))
    assert ("next_day_notice_due", "c-2") not in got
    assert ("next_day_notice_due", "c-a") in got


# -- closing cases -----------------------------------------------------------------------------------
def closable_case(**kw):
    # started Wednesday 12:00: 5 working hours that day, so six are reached Thursday 09:00
    base = dict(cid="c-x", priority=4, started_at=local("2026-11-25 12:00"),
                last_patient_message_at=local("2026-11-25 12:05"), last_staff_message_at=local("2026-11-25 12:10"),
                contact_attempts=[local("2026-11-25 16:00").isoformat(), local(f"{DAY} 08:00").isoformat()])
    base.update(kw)
    return active(person("d1"), local("2026-11-25 11:50"), **base)


def test_closable_six_working_hours():
    snap = snapshot(**base_world(cases=[closable_case()]))
    assert ("closable", "c-x") not in fired(snap, local(f"{DAY} 08:59"))
    got = findings(snap, local(f"{DAY} 09:00"), "closable")
    assert [(f.severity, f.action) for f in got] == [("info", "close_no_response")]


def test_closable_needs_two_attempts_hours_apart():
    c = closable_case(contact_attempts=[local(f"{DAY} 09:00").isoformat(), local(f"{DAY} 10:59").isoformat()])
    assert ("closable", "c-x") not in fired(snapshot(**base_world(cases=[c])), local(f"{DAY} 12:00"))
    c = closable_case(contact_attempts=[local(f"{DAY} 09:00").isoformat(), local(f"{DAY} 11:00").isoformat()])
    assert ("closable", "c-x") in fired(snapshot(**base_world(cases=[c])), local(f"{DAY} 12:00"))
    c = closable_case(contact_attempts=[local(f"{DAY} 09:00").isoformat()])
    assert ("closable", "c-x") not in fired(snapshot(**base_world(cases=[c])), local(f"{DAY} 12:00"))
    # only attempts made by the evaluation instant count
    c = closable_case(contact_attempts=[local(f"{DAY} 09:00").isoformat(), local(f"{DAY} 11:00").isoformat()])
    assert ("closable", "c-x") not in fired(snapshot(**base_world(cases=[c])), local(f"{DAY} 10:59"))


def test_closable_not_when_patient_wrote_after_first_attempt():
    c = closable_case(last_patient_message_at=local("2026-11-25 16:01").isoformat())
    assert ("closable", "c-x") not in fired(snapshot(**base_world(cases=[c])), local(f"{DAY} 10:00"))
    c = closable_case(last_patient_message_at=local("2026-11-25 16:00").isoformat())
    assert ("closable", "c-x") in fired(snapshot(**base_world(cases=[c])), local(f"{DAY} 10:00"))


def test_premature_close():
    early = closable_case(cid="c-early", status="closed", close_reason="no_response",
                          closed_at=local(f"{DAY} 08:59").isoformat())
    ok = closable_case(cid="c-ok", status="closed", close_reason="no_response",
                       closed_at=local(f"{DAY} 09:00").isoformat())
    resolved = closable_case(cid="c-res", status="closed", close_reason="resolved",
                             closed_at=local(f"{DAY} 08:30").isoformat())
    snap = snapshot(**base_world(cases=[early, ok, resolved]))
    got = fired(snap, local(f"{DAY} 12:00"))
    assert ("premature_close", "c-early") in got
    assert ("premature_close", "c-ok") not in got
    assert ("premature_close", "c-res") not in got
    f = findings(snap, local(f"{DAY} 12:00"), "premature_close")[0]
    assert (f.severity, f.action) == ("medium", "file_deviation")
    # only on the local date of the close
    assert ("premature_close", "c-early") in fired(snap, local(f"{DAY} 23:59"))
    assert ("premature_close", "c-early") not in fired(snap, local("2026-11-27 00:00"))
    # a closed case gets no other finding
    assert {r for r, cid in got if cid == "c-early"} == {"premature_close"}


# -- handovers, arrivals, patients ---------------------------------------------------------------------
def test_unit_handover_unaccepted():
    ho = {"to_unit_id": "vc-b", "requested_at": local(f"{DAY} 10:00").isoformat(), "accepted_at": None,
          "urgent": False}
    c = active(person("d1"), local(f"{DAY} 09:00"), cid="c-x", handover=ho)
    snap = snapshot(**base_world(cases=[c]))
    assert ("unit_handover_unaccepted", "c-x") not in fired(snap, local(f"{DAY} 10:30"))
    got = findings(snap, local(f"{DAY} 10:31"), "unit_handover_unaccepted")
    assert [(f.severity, f.action) for f in got] == [("high", "call_care_to_care")]
    ho["urgent"] = True
    got = findings(snapshot(**base_world(cases=[c])), local(f"{DAY} 10:00"), "unit_handover_unaccepted")
    assert [f.severity for f in got] == ["critical"]
    assert not findings(snapshot(**base_world(cases=[c])), local(f"{DAY} 09:59"), "unit_handover_unaccepted")


def test_accepted_handover_leaves_the_unit():
    ho = {"to_unit_id": "vc-b", "requested_at": local(f"{DAY} 10:00").isoformat(),
          "accepted_at": local(f"{DAY} 10:10").isoformat(), "urgent": True}
    c = active(person("n1"), local(f"{DAY} 09:00"), cid="c-x", handover=ho, priority=1)
    ev = RuleEngine().evaluate(snapshot(**base_world(cases=[c])), local(f"{DAY} 16:30"))
    assert not [f for f in ev.findings if f.case_id == "c-x"]
    assert ev.open_cases == []


def test_after_hours_arrival():
    early = case(created=local(f"{DAY} 07:59"), cid="c-early", priority=5)
    opening = case(created=local(f"{DAY} 08:00"), cid="c-open", priority=5)
    evening = case(created=local("2026-11-25 17:00"), cid="c-eve", priority=5)
    got = fired(snapshot(**base_world(cases=[early, opening, evening])), local(f"{DAY} 09:00"))
    assert ("after_hours_arrival", "c-early") in got
    assert ("after_hours_arrival", "c-open") not in got
    assert ("after_hours_arrival", "c-eve") in got


def test_protected_identity_and_no_patient_data_kept():
    c = case(created=local(f"{DAY} 09:00"), cid="c-x")
    c["patient"] = {"display_name": "Hemlig", "personnummer": "19750202-9013", "birth_date": "1975-02-02",
                    "phone": "070-000 00 13", "protected_identity": True}
    snap = snapshot(**base_world(cases=[c]))
    got = findings(snap, local(f"{DAY} 09:30"), "protected_identity")
    assert [(f.severity, f.action) for f in got] == [("info", "verify_in_cosmic")]
    p = snap.cases[0].patient
    assert (p.display_name, p.personnummer, p.phone) == (None, None, None)


def test_invalid_child_case():
    young = case(created=local(f"{DAY} 09:00"), cid="c-young")
    young["patient"] = dict(young["patient"], birth_date="2025-11-27")  # one year old tomorrow
    one = case(created=local(f"{DAY} 09:00"), cid="c-one")
    one["patient"] = dict(one["patient"], birth_date="2025-11-26")  # one year old today
    adm = case(created=local(f"{DAY} 09:00"), cid="c-adm", kind="admin")
    adm["patient"] = dict(adm["patient"], birth_date="2026-06-01")
    snap = snapshot(**base_world(cases=[young, one, adm]))
    got = fired(snap, local(f"{DAY} 10:00"))
    assert ("invalid_child_case", "c-young") in got
    assert ("invalid_child_case", "c-one") not in got
    assert ("invalid_child_case", "c-adm") not in got


# -- parameters, ordering, purity ----------------------------------------------------------------------
def test_per_unit_parameters_change_thresholds():
    created = local(f"{DAY} 08:00")
    c = case(created=created, priority=3, cid="c-x")
    snap = snapshot(**base_world(cases=[c]))
    strict = Parameters().with_overrides({"response_limits": {"3": 30}})
    assert ("overdue_waiting", "c-x") in fired(snap, created + minutes(31), {"vc-a": strict})
    assert ("overdue_waiting", "c-x") not in fired(snap, created + minutes(31))


def test_parameter_overrides_are_validated():
    with pytest.raises(ValueError):
        Parameters().with_overrides({"response_limits": {"7": 30}})
    with pytest.raises(ValueError):
        Parameters().with_overrides({"no_such": 1})
    with pytest.raises(ValueError):
        Parameters().with_overrides({"load_thresholds": [8, 4, 12]})


def test_work_list_order():
    t = local(f"{DAY} 10:00")
    a = case(created=t - minutes(20), priority=1, cid="p1-overdue")  # critical
    b = case(created=t - minutes(5), priority=3, cid="p3-new")
    c = case(created=t - minutes(50), priority=3, cid="p3-older")
    d = active(person("d1"), t - minutes(60), priority=3, cid="p3-reply",
               last_staff_message_at=t - minutes(30), last_patient_message_at=t - minutes(20))
    e = case(created=t - minutes(90), kind="admin", cid="admin")
    f = case(created=t - minutes(10), priority=2, cid="p2")
    ev = RuleEngine().evaluate(snapshot(**base_world(cases=[b, c, d, e, f, a]), data_as_of=t), t)
    assert [x.id for x in ev.open_cases] == ["p1-overdue", "p2", "p3-reply", "p3-older", "p3-new", "admin"]
    # findings: severity first, then work-list order
    sev = [x.severity for x in ev.findings]
    assert sev == sorted(sev, key=["critical", "high", "medium", "low", "info"].index)


def test_evaluation_is_pure():
    t = local(f"{DAY} 15:00")
    snap = snapshot(**base_world(cases=[closable_case(), case(created=t - minutes(200))]), data_as_of=t)
    eng = RuleEngine()
    first = [f.to_json() for f in eng.evaluate(snap, t).findings]
    assert first == [f.to_json() for f in eng.evaluate(snap, t).findings]
    assert first == [f.to_json() for f in RuleEngine().evaluate(snap, t).findings]


def test_malformed_items_raise_validation_errors():
    from direkt_tui.domain.models import Case, ValidationError

    good = case(created=local(f"{DAY} 09:00"))
    for field, value in (("close_reason", ["resolved"]), ("status", "lost"), ("priority", 9), ("kind", "x"),
                         ("created_at", "yesterday"), ("owner", {"type": "robot"}), ("version", 0)):
        with pytest.raises(ValidationError):
            Case.from_api(dict(good, **{field: value}))
