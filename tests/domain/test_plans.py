"""Planning writes before they are made (domain/actions.py): the coordinator role (§10.1: held
by "en vårdpersonal" present now, never offered to the one who holds it) and where a
profession is scheduled when cases come from several units. 2026-11-26 is a Thursday."""

from __future__ import annotations

from builders import case, local, role, shift, snapshot, staff, unit

from direkt_tui.domain.actions import (
    Target,
    coordinator_candidates,
    plan,
    plan_coordinator,
    role_holder,
    where_scheduled,
)

AT = local("2026-11-26 14:30")
DAY = local("2026-11-26 07:00"), local("2026-11-26 17:00")


def world(coordinator: str | None = "s-nurse"):
    """vc-a: a nurse (the coordinator), a doctor, an admin contact at work; a nurse whose shift
    ended; a dietitian whose shift is cancelled. vc-b: only an assistant nurse."""
    return snapshot(
        units=[unit("vc-a"), unit("vc-b")],
        staff_=[
            staff("s-nurse"),
            staff("s-doc", "doctor"),
            staff("s-admin", "admin_contact"),
            staff("s-gone"),
            staff("s-diet", "dietitian"),
            staff("s-usk", "assistant_nurse", "vc-b"),
        ],
        shifts=[
            shift("s-nurse", *DAY),
            shift("s-doc", *DAY, profession="doctor"),
            shift("s-admin", *DAY, profession="admin_contact"),
            shift("s-gone", local("2026-11-26 07:00"), local("2026-11-26 12:00")),
            shift("s-diet", *DAY, profession="dietitian", cancelled=True),
            shift("s-usk", *DAY, profession="assistant_nurse", uid="vc-b"),
        ],
        cases=[
            case("c-a", created=local("2026-11-26 13:00")),
            case("c-b", created=local("2026-11-26 13:00"), uid="vc-b"),
            case("c-q", created=local("2026-11-26 13:00"), uid="vc-b", status="started", owner=role("nurse")),
        ],
        coordinators=[{"unit_id": "vc-a", "staff_id": coordinator}, {"unit_id": "vc-b", "staff_id": None}],
    )


def test_candidates_are_present_clinical_staff_without_the_holder():
    snap = world()
    assert role_holder("vc-a", snap) == "s-nurse"
    assert coordinator_candidates("vc-a", snap, AT) == [("s-doc", "doctor")]
    # nobody holds it: the nurse is offered too, the user ("first") first
    snap = world(coordinator=None)
    assert role_holder("vc-a", snap) is None
    assert coordinator_candidates("vc-a", snap, AT, first="s-nurse") == [("s-nurse", "nurse"), ("s-doc", "doctor")]
    assert coordinator_candidates("vc-a", snap, AT, first="s-doc") == [("s-doc", "doctor"), ("s-nurse", "nurse")]
    # after the shifts end nobody is offered
    assert coordinator_candidates("vc-a", snap, local("2026-11-26 17:00")) == []


def test_plan_coordinator():
    snap = world()
    take = plan_coordinator("vc-a", "s-doc", snap, AT)
    assert (take.ok, take.will, take.current, take.new, take.leaves_nobody) == (
        True, "plan.will.role_take", "s-nurse", "s-doc", False,
    )  # fmt: skip
    back = plan_coordinator("vc-a", None, snap, AT)
    assert (back.ok, back.will, back.new, back.leaves_nobody) == (True, "plan.will.role_hand_back", None, True)
    assert plan_coordinator("vc-a", "", snap, AT).leaves_nobody
    assert plan_coordinator("vc-a", "s-nurse", snap, AT).skip == "plan.skip.role_holder"
    assert plan_coordinator("vc-a", "s-admin", snap, AT).skip == "plan.skip.role_not_clinical"
    assert plan_coordinator("vc-a", "s-gone", snap, AT).skip == "plan.skip.not_present"
    assert plan_coordinator("vc-a", "s-diet", snap, AT).skip == "plan.skip.not_present"  # cancelled shift
    assert plan_coordinator("vc-b", None, snap, AT).skip == "plan.skip.role_nobody"


def test_where_scheduled_across_units():
    snap = world()
    assert where_scheduled("nurse", ["vc-b", "vc-a", "vc-a"], snap, AT) == (["vc-a"], ["vc-b"])
    assert where_scheduled("assistant_nurse", ["vc-a", "vc-b"], snap, AT) == (["vc-b"], ["vc-a"])
    assert where_scheduled("psychologist", ["vc-a", "vc-b"], snap, AT) == ([], ["vc-a", "vc-b"])


def test_a_reassignment_across_units_lands_unscheduled_only_with_the_override():
    snap = world()
    cases = [c for c in snap.cases if c.id in ("c-a", "c-b")]
    plain = {i.case_id: i for i in plan(cases, Target("role", "nurse"), snap, AT)}
    assert plain["c-a"].will == "plan.will.role" and plain["c-b"].skip == "plan.skip.not_scheduled"
    forced = {i.case_id: i for i in plan(cases, Target("role", "nurse", force=True), snap, AT)}
    assert forced["c-a"].will == "plan.will.role" and forced["c-b"].will == "plan.will.role_forced"
