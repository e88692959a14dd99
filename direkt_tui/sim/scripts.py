"""What happens to each case: the scripted situations as a table, and the ordinary flow.

``SCRIPTS`` maps an arrival's ``script`` name to the function that plans the case's steps;
an arrival without a script (or with one not in the table) takes the ordinary flow
(:func:`plan_generic`). Every function draws from the flow's ``random.Random`` in a fixed
order, so the plan is the same for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from .arrivals import new_case
from .flow import Flow, Step
from .plan import DayPlan, PlanEvent, u
from .tables import PHYSIO_REASONS, PSYCH_REASONS, TZ
from .timeutil import local_instant

# a case script: plans the steps of arrival ``a`` (see ``arrivals``) on its flow
Script = Callable[[DayPlan, Flow, dict], None]

# minutes from opening (or arrival) to reception, by priority (admin cases: ``_ADMIN_WAIT``)
_CARE_WAIT = {1: (2, 8), 2: (5, 40), 3: (10, 140), 4: (20, 220), 5: (20, 260)}
_ADMIN_WAIT = (15, 200)
_ADMIN_PROFS = ["admin_contact", "medical_admin"]


def plan_case(p: DayPlan, rng: random.Random, a: dict, ev: PlanEvent) -> None:
    """Plan the arrival ``a`` (with its id) and every step of its case."""
    _arrive(a, ev)
    flow = Flow(p, rng, ev, a["id"], a["unit_id"])
    SCRIPTS.get(a.get("script"), plan_generic)(p, flow, a)


def _arrive(a: dict, ev: PlanEvent) -> None:
    cid = a["id"]
    case = dict(
        a["case"], id=cid, url=f"https://clinic.example/cases/{cid}", version=1, updated_at=a["case"]["created_at"]
    )
    ev(a["at"], "arrive", case=case, requires_accepted=a.get("requires_accepted"))


def _local(p: DayPlan, hhmm: str) -> datetime:
    assert p.day is not None
    return local_instant(p.day, hhmm, TZ)


def _lunch_special(p: DayPlan, uid: str) -> set[str]:
    """The lunch unit's two scripted nurses (the coordinator and the one who goes home sick)."""
    return set(p.colleagues(uid, "nurse", at_work=True)[:2])


# ---------------------------------------------------------------------- the scripted situations
def _long_absence(p: DayPlan, flow: Flow, a: dict) -> None:
    rng, t0 = flow.rng, a["at"]
    flow.at(t0 + u(rng, 5, 20), "receive", actor=a["owner"], force=True)
    flow.at(t0 + u(rng, 25, 35), "start", force=True)
    flow.at(t0 + u(rng, 40, 60), "patient_msg")
    flow.at(t0 + timedelta(days=1, hours=2), "patient_msg")


def _to_unscheduled(p: DayPlan, flow: Flow, a: dict) -> None:
    if flow.receive(_local(p, "09:20"), ["nurse"]):
        flow.steps(
            [("start", 4), ("patient_msg", 10), ("staff_msg", 6), ("to_role", 5, {"profession": "psychologist"})]
        )


def _stale_role(p: DayPlan, flow: Flow, a: dict) -> None:
    if flow.receive(_local(p, "09:25"), ["nurse"]):
        flow.steps(
            [
                ("start", 3),
                ("patient_msg", 8),
                ("staff_msg", 5),
                ("to_role", 4, {"profession": "doctor"}),
                ("pickup", 225, {"profession": "doctor"}),
                ("staff_msg", 4),
                ("patient_msg", 9),
                ("close", 15, {"reason": "resolved"}),
            ]
        )


def _half_day_doctor(p: DayPlan, flow: Flow, a: dict) -> None:
    rng, uid, t0 = flow.rng, flow.uid, a["at"]
    doctors = p.colleagues(uid, "doctor", at_work=False)
    doc = doctors[1] if len(doctors) > 1 else None
    if doc and p.present(uid, t0 + u(rng, 20, 24), ["doctor"]):
        flow.held(doc, t0 + u(rng, 20, 24), (2, 5), (8, 12), (14, 18))


def _sick_nurse(p: DayPlan, flow: Flow, a: dict) -> None:
    nurses = p.colleagues(flow.uid, "nurse", at_work=True)
    if len(nurses) > 1:
        flow.held(nurses[1], a["at"] + u(flow.rng, 10, 20), (2, 6), (10, 15), (18, 25))


def _unaccepted_handover(p: DayPlan, flow: Flow, a: dict) -> None:
    if flow.receive(_local(p, "09:55"), ["nurse"], exclude=_lunch_special(p, flow.uid)):
        main = p.by_role.get("main")
        flow.steps([("start", 5), ("patient_msg", 6), ("unit_handover", 14, {"to_unit_id": main, "urgent": False})])


def _premature_close(p: DayPlan, flow: Flow, a: dict) -> None:
    if flow.receive(_local(p, "08:55"), ["nurse"], exclude=_lunch_special(p, flow.uid)):
        flow.steps(
            [("start", 15), ("attempt", 30), ("close", 50, {"reason": "no_response", "notice": "seek_care_again"})]
        )


def _no_response_closable(p: DayPlan, flow: Flow, a: dict) -> None:
    if flow.receive(_local(p, "08:15"), ["nurse"], min_left=400):
        flow.steps(
            [
                ("start", 5),
                ("attempt", 40),
                ("attempt", 150),
                ("close", 185, {"reason": "no_response", "notice": "seek_care_again"}),
            ]
        )


def _ticket_handover(p: DayPlan, flow: Flow, a: dict) -> None:
    private = p.by_role["private"]
    if flow.receive(a["at"] + u(flow.rng, 10, 20), ["physiotherapist", "nurse"]):
        flow.steps(
            [
                ("start", 4),
                ("patient_msg", 6),
                ("staff_msg", 5),
                ("unit_handover", 6, {"to_unit_id": private, "urgent": False, "ticket": True}),
                ("ticket_confirm", 12),
                ("accept", 20, {"to_unit_id": private}),
            ]
        )


def _urgent_handover(p: DayPlan, flow: Flow, a: dict) -> None:
    lunch = p.by_role["lunch"]
    if flow.receive(a["at"] + u(flow.rng, 3, 8), ["nurse", "doctor"]):
        flow.steps(
            [
                ("start", 2),
                ("patient_msg", 4),
                ("staff_msg", 3),
                ("unit_handover", 4, {"to_unit_id": lunch, "urgent": True}),
                ("accept", 8, {"to_unit_id": lunch}),
            ]
        )
        assert flow.last is not None
        _plan_followup(p, flow, a, lunch, flow.last + timedelta(seconds=30))


def _awaiting_reply(p: DayPlan, flow: Flow, a: dict) -> None:
    if flow.receive(a["at"] + u(flow.rng, 10, 20), ["nurse"], min_left=120):
        flow.steps([("start", 3), ("patient_msg", 6), ("staff_msg", 5), ("patient_msg", 12)])


def _plan_followup(p: DayPlan, flow: Flow, a: dict, to_uid: str, at: datetime) -> None:
    """The accepting unit's own case for the patient of an accepted handover (it arrives only
    once the handover is accepted)."""
    assert p.day is not None
    src = a["case"]
    case = new_case(flow.rng, p.day, to_uid, at, kind=src["kind"], priority=src["priority"], reason=src["reason"])
    case["patient"] = dict(src["patient"])
    follow = {"id": a["id"] + "-h", "at": at, "unit_id": to_uid, "case": case, "requires_accepted": a["id"]}
    _arrive(follow, flow.ev)
    plan_generic(p, Flow(p, flow.rng, flow.ev, follow["id"], to_uid), follow)


# ---------------------------------------------------------------------- the ordinary flow
def plan_generic(p: DayPlan, flow: Flow, a: dict, surge: bool = False) -> None:
    """Receive the case when someone suitable is free (or leave it for the next working day),
    then :func:`generic_tail`."""
    rng = flow.rng
    uid, case, t0 = a["unit_id"], a["case"], a["at"]
    kind, prio, reason = case["kind"], case["priority"], case["reason"]
    if kind == "admin":
        profs = _ADMIN_PROFS
        wait = _ADMIN_WAIT
    else:
        profs = ["nurse"]
        if prio is not None and prio >= 4:
            profs = ["nurse", "assistant_nurse"]
        if reason in PHYSIO_REASONS:
            profs = ["physiotherapist", "nurse"]
        wait = _CARE_WAIT[prio]
    if surge:
        wait = (wait[0] + 40, wait[1] + 120)
    t_open = p.next_open(uid, t0)
    if t_open is None:
        return  # arrived after closing: tomorrow's backlog takes it
    t_recv = t_open + u(rng, *wait)
    assert p.day is not None
    span = p.day_span(uid, p.day)
    if span is None:
        return
    cutoff = span[1] - timedelta(minutes=15 if prio in (1, 2) else 50)
    actor = None
    while t_recv < cutoff:
        if p.next_open(uid, t_recv) == t_recv:
            actor = flow.receive(t_recv, profs)
            if actor:
                break
        t_recv += timedelta(minutes=15)
    if not actor:
        return  # left waiting for the next working day
    generic_tail(p, flow, kind, prio, reason, uid)


def _surge(p: DayPlan, flow: Flow, a: dict) -> None:
    plan_generic(p, flow, a, surge=True)


def _admin_tail(p: DayPlan, flow: Flow, uid: str) -> None:
    rng = flow.rng
    R = rng.uniform
    steps: list[Step] = [("start", R(1, 6)), ("staff_msg", R(1, 4))]
    if rng.random() < 0.4:
        steps += [("patient_msg", R(3, 30)), ("staff_msg", R(2, 20))]
    has_secretary = any(p.staff_prof[s] == "medical_admin" for s in p.unit_staff.get(uid, ()))
    if rng.random() < 0.1 and has_secretary:
        steps += [
            ("to_role", R(2, 8), {"profession": "medical_admin"}),
            ("pickup", R(15, 120), {"profession": "medical_admin"}),
            ("staff_msg", R(2, 10)),
        ]
    steps.append(("close", R(2, 20), {"reason": "resolved"}))
    flow.steps(steps)


def _role_target(p: DayPlan, rng: random.Random, uid: str, reason: str) -> str:
    """The profession a nurse hands a care case on to (one the unit has)."""
    roster = {p.staff_prof[s] for s in p.unit_staff.get(uid, ()) if s not in p.on_leave}
    target = "doctor"
    if reason in PSYCH_REASONS:
        target = rng.choice(("psychologist", "counsellor", "doctor"))
    elif reason in PHYSIO_REASONS:
        target = "physiotherapist"
    if target not in roster:
        target = "doctor" if "doctor" in roster else "nurse"
    return target


def generic_tail(p: DayPlan, flow: Flow, kind: str, prio: int | None, reason: str, uid: str) -> None:
    """The steps of a received case: one of the ordinary outcomes, drawn by weight."""
    if kind == "admin":
        _admin_tail(p, flow, uid)
        return
    rng = flow.rng
    R = rng.uniform
    others = [x for x in p.activated() if x != uid and p.roles[x] != "private"]
    outcome = rng.choices(
        ("resolved", "role", "no_response", "awaiting", "unit_handover"), weights=(70, 14, 7, 4, 3 if others else 0)
    )[0]
    steps: list[Step] = [("start", R(1, 10))]
    if outcome == "resolved":
        for _ in range(rng.randint(0, 3)):
            steps += [("patient_msg", R(2, 25)), ("staff_msg", R(2, 20))]
        close: dict[str, Any] = {"reason": "resolved"}
        if rng.random() < 0.2:
            close["reopen_days"] = 14
        if rng.random() < 0.05:
            steps.append(("notice", R(1, 3), {"template_id": "lab_visit"}))
        steps.append(("close", R(2, 30), close))
    elif outcome == "role":
        target = _role_target(p, rng, uid, reason)
        pickup = R(10, 90) if rng.random() < 0.9 else R(200, 300)
        steps += [
            ("patient_msg", R(2, 20)),
            ("staff_msg", R(2, 15)),
            ("to_role", R(2, 15), {"profession": target}),
            ("pickup", pickup, {"profession": target}),
            ("staff_msg", R(1, 10)),
            ("patient_msg", R(3, 20)),
            ("close", R(5, 30), {"reason": "resolved"}),
        ]
    elif outcome == "no_response":
        steps += [
            ("attempt", R(25, 60)),
            ("attempt", R(125, 170)),
            ("close", R(160, 200), {"reason": "no_response", "notice": "seek_care_again"}),
        ]
    elif outcome == "awaiting":  # the patient's last message waits long for a reply
        steps += [
            ("patient_msg", R(2, 20)),
            ("staff_msg", R(2, 20)),
            ("patient_msg", R(5, 30)),
            ("staff_msg", R(150, 260)),
            ("close", R(5, 20), {"reason": "resolved"}),
        ]
    else:
        to = rng.choice(others)
        steps += [
            ("patient_msg", R(2, 15)),
            ("staff_msg", R(2, 10)),
            ("unit_handover", R(3, 12), {"to_unit_id": to, "urgent": prio in (1, 2)}),
        ]
        if rng.random() < 0.8:
            steps.append(("accept", R(5, 40), {"to_unit_id": to}))
    flow.steps(steps)


SCRIPTS: dict[str | None, Script] = {
    "long_absence": _long_absence,
    "to_unscheduled": _to_unscheduled,
    "stale_role": _stale_role,
    "half_day_doctor": _half_day_doctor,
    "sick_nurse": _sick_nurse,
    "unaccepted_handover": _unaccepted_handover,
    "premature_close": _premature_close,
    "no_response_closable": _no_response_closable,
    "ticket_handover": _ticket_handover,
    "urgent_handover": _urgent_handover,
    "awaiting_reply": _awaiting_reply,
    "surge": _surge,
}
