"""The roster and each person's load (issue 13 §2, §3): domain/roster.py, at fixed instants."""

from __future__ import annotations

from builders import case, local, person, shift, snapshot, staff

from direkt_tui.domain.calendar import UnitCalendar
from direkt_tui.domain.roster import rank_targets, spread, unit_roster, why_not_offered

DAY = "2026-11-26"  # a Thursday, open 08:00-17:00


def _snap(**kw):
    staff_ = [staff("s-1"), staff("s-2"), staff("s-3", "doctor"), staff("s-4"), staff("s-5")]
    shifts = [
        shift("s-1", local(f"{DAY} 08:00"), local(f"{DAY} 12:00")),
        shift("s-1", local(f"{DAY} 12:45"), local(f"{DAY} 16:30")),  # a lunch gap
        shift("s-2", local(f"{DAY} 08:00"), local(f"{DAY} 14:10")),  # leaves soon at 14:00
        shift("s-3", local(f"{DAY} 15:00"), local(f"{DAY} 17:00"), "doctor"),  # later today
        shift("s-4", local(f"{DAY} 07:00"), local(f"{DAY} 11:00")),  # gone, holds cases
        shift("s-5", local("2026-11-25 08:00"), local("2026-11-25 17:00")),  # yesterday only
    ]
    cases = [
        case("c-1", created=local(f"{DAY} 09:00"), status="started", owner=person("s-4"),
             last_patient_message_at=local(f"{DAY} 13:00")),
        case("c-2", created=local(f"{DAY} 09:10"), status="received", owner=person("s-4")),
        case("c-3", created=local(f"{DAY} 09:20"), status="started", owner=person("s-1")),
        case("c-4", created=local(f"{DAY} 09:30"), status="started", owner=person("s-1")),
        case("c-5", created=local(f"{DAY} 09:40"), status="started", owner=person("s-2")),
    ]
    kw.setdefault("coordinators", [{"unit_id": "vc-a", "staff_id": "s-2"}])
    return snapshot(staff_=staff_, shifts=shifts, cases=cases, **kw)


def _roster(at: str, snap=None, window: int = 30):
    snap = snap or _snap()
    return unit_roster(snap, "vc-a", local(at), UnitCalendar(snap.units[0]), window)


def test_people_off_shift_holders_first_with_their_load():
    ur = _roster(f"{DAY} 14:00")
    ids = [p.staff_id for p in ur.people]
    assert ids[0] == "s-4"  # off shift, still holds 2 cases
    assert "s-5" not in ids  # no shift today, holds nothing
    bo = ur.person("s-4")
    assert bo.off_shift_holding and bo.active == 2 and bo.awaiting_reply == 1
    assert bo.oldest_reply_minutes == 60
    anna = ur.person("s-1")
    assert anna.present and anna.active == 2 and anna.until == local(f"{DAY} 16:30")
    assert anna.gaps() == [(local(f"{DAY} 12:00"), local(f"{DAY} 12:45"))]
    later = ur.person("s-3")
    assert not later.present and later.next_start == local(f"{DAY} 15:00")
    assert dict(ur.present_by_profession) == {"nurse": 2}
    assert dict(ur.later_by_profession) == {"doctor": 1}


def test_coverage_gaps_are_todays_remaining_hours_without_a_clinician():
    # s-2 covers s-1's lunch, s-1 and s-3 the afternoon: no gap
    ur = _roster(f"{DAY} 12:10")
    assert ur.coverage_gaps == ()
    snap = _snap()
    gone = snapshot(
        staff_=[staff("s-1")],
        shifts=[shift("s-1", local(f"{DAY} 08:00"), local(f"{DAY} 12:00")),
                shift("s-1", local(f"{DAY} 13:00"), local(f"{DAY} 15:00"))],
    )
    ur = unit_roster(gone, "vc-a", local(f"{DAY} 10:00"), UnitCalendar(snap.units[0]), 30)
    assert ur.coverage_gaps == (
        (local(f"{DAY} 12:00"), local(f"{DAY} 13:00")),
        (local(f"{DAY} 15:00"), local(f"{DAY} 17:00")),
    )
    # after closing: nothing ahead today
    ur = unit_roster(gone, "vc-a", local(f"{DAY} 17:30"), UnitCalendar(snap.units[0]), 30)
    assert ur.coverage_gaps == ()


def test_coordinator_leaving_within_the_window_needs_a_handover_naming_who_could_take_it():
    ur = _roster(f"{DAY} 13:50")
    assert ur.coordinator_id == "s-2" and ur.coordinator_until == local(f"{DAY} 14:10")
    assert ur.handover_due
    assert ur.handover_candidates == ("s-1",)  # present, clinical, stays longer
    assert not _roster(f"{DAY} 13:30").handover_due  # 40 min left: outside the 30 min window


def test_no_handover_when_the_unit_closes_with_the_shift():
    snap = _snap(coordinators=[{"unit_id": "vc-a", "staff_id": "s-3"}])
    ur = _roster(f"{DAY} 16:40", snap)
    assert ur.coordinator_until == local(f"{DAY} 17:00") and not ur.handover_due


def test_targets_present_only_least_loaded_and_not_ending_first():
    ur = _roster(f"{DAY} 13:50")
    ranked = rank_targets(ur, 30)
    assert [s.staff_id for s in ranked] == ["s-1", "s-2"]  # s-2 ends 14:10 (within 30 min): last
    assert ranked[1].ending and not ranked[0].ending
    assert all(s.staff_id not in ("s-3", "s-4") for s in ranked)  # never someone not present
    assert why_not_offered(ur, "s-3") == "roster.why.later"
    assert why_not_offered(ur, "s-4") == "roster.why.off_shift"
    assert why_not_offered(ur, "s-5") == "roster.why.no_shift"
    assert why_not_offered(ur, "s-1") is None


def test_spread_is_round_robin_by_load():
    ur = _roster(f"{DAY} 10:00")  # present: s-2 1 case, s-1 2, s-4 2 (1 awaits a reply)
    ranked = rank_targets(ur, 30)
    assert [s.staff_id for s in ranked] == ["s-2", "s-1", "s-4"]
    out = spread(["x1", "x2", "x3", "x4", "x5"], ranked)
    assert out == {"x1": "s-2", "x2": "s-2", "x3": "s-1", "x4": "s-4", "x5": "s-2"}
    assert spread(["x1"], []) == {}


def test_plan_spread_round_robin_per_case_skipping_what_cannot_move():
    from direkt_tui.domain.actions import plan_spread

    snap = _snap()
    ur = _roster(f"{DAY} 10:00", snap)
    targets = {"vc-a": [s for s in rank_targets(ur, 30) if s.staff_id in ("s-1", "s-2")]}
    extra = snapshot(
        staff_=[], shifts=[],
        cases=[case(f"w-{i}", created=local(f"{DAY} 09:5{i}")) for i in range(3)]
        + [case("held", created=local(f"{DAY} 09:00"), status="started", owner=person("s-4"))],
    )
    items = plan_spread(list(extra.cases), targets, snap, local(f"{DAY} 10:00"))
    got = {i.case_id: (i.target, i.will or i.skip) for i in items}
    assert got == {
        "w-0": ("s-2", "plan.will.spread"),  # s-2 holds 1, s-1 holds 2
        "w-1": ("s-2", "plan.will.spread"),  # tie 2-2: s-2 ranks first
        "w-2": ("s-1", "plan.will.spread"),
        "held": (None, "plan.skip.person_held"),  # person-held: the phone list, not a write
    }
    assert plan_spread(list(extra.cases), {}, snap, local(f"{DAY} 10:00"))[0].skip == "plan.skip.no_nurse"
