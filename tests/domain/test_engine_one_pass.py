"""The rule engine's one pass keeps what the separate steps it replaced computed: findings in the
rule table's order per case, the work-list order of ``sort_work_list``, the load of
``unit_load`` and the deadlines of ``case_deadline`` — checked on a seeded world of a few
hundred cases in every state, at instants across the day and the night."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from builders import case, local, person, role, shift, snapshot, staff, unit

from direkt_tui.domain.deadlines import case_deadline
from direkt_tui.domain.load import unit_load
from direkt_tui.domain.ordering import NO_SEVERITY, SEVERITY_RANK, order_findings, sort_work_list
from direkt_tui.domain.presence import Roster
from direkt_tui.domain.rules import RULE_RANK, RuleEngine

UNITS = ("vc-a", "vc-b")
PROFS = ("nurse", "doctor", "physiotherapist")


def world(seed: int = 7, n: int = 400):
    rng = random.Random(seed)
    day = local("2026-11-26 00:00")
    staff_, shifts = [], []
    for u in UNITS:
        for i in range(8):
            sid, prof = f"{u}-s{i}", PROFS[i % len(PROFS)]
            staff_.append(staff(sid, prof, u))
            for d in (-2, -1, 0):
                if rng.random() < 0.7:
                    start = day + timedelta(days=d, hours=rng.choice([7, 8, 9, 12]))
                    shifts.append(shift(sid, start, start + timedelta(hours=rng.choice([3, 6, 8])), prof, u))
    cases = []
    for i in range(n):
        u = UNITS[i % 2]
        created = day - timedelta(minutes=rng.randint(-600, 60 * 48))
        status = rng.choice(["waiting", "waiting", "received", "started", "started", "closed"])
        kind = "admin" if rng.random() < 0.15 else "care"
        owner = None
        if status != "waiting" or rng.random() < 0.1:
            owner = role(rng.choice(PROFS)) if rng.random() < 0.35 else person(f"{u}-s{rng.randrange(9)}")
        kw = {}
        if status != "waiting":
            kw["received_at"] = kw["owner_since"] = created + timedelta(minutes=rng.randint(1, 90))
        if status in ("started", "closed"):
            kw["started_at"] = created + timedelta(minutes=95)
            if rng.random() < 0.7:
                kw["last_patient_message_at"] = created + timedelta(minutes=rng.randint(96, 400))
            if rng.random() < 0.5:
                kw["last_staff_message_at"] = created + timedelta(minutes=rng.randint(96, 400))
            if rng.random() < 0.3:
                kw["contact_attempts"] = [(created + timedelta(hours=h)).isoformat() for h in (2, 5)]
        if status == "waiting" and rng.random() < 0.15:  # a message before anyone took it
            kw["last_patient_message_at"] = created + timedelta(minutes=1)
        if status == "closed":
            kw["closed_at"] = created + timedelta(hours=rng.randint(3, 30))
            kw["close_reason"] = rng.choice(["no_response", "resolved"])
        if rng.random() < 0.05:
            kw["handover"] = {"to_unit_id": UNITS[(i + 1) % 2], "requested_at": (created + timedelta(minutes=30))
                              .isoformat(), "accepted_at": None, "urgent": rng.random() < 0.3}
        c = case(f"c-{i:04d}", created=created, status=status, priority=rng.choice([1, 2, 3, 3, 4, 5]), kind=kind,
                 owner=owner, uid=u, **kw)
        if rng.random() < 0.05:
            c["patient"] = dict(c["patient"], protected_identity=True)
        cases.append(c)
    coords = [{"unit_id": u, "staff_id": f"{u}-s0", "since": None} for u in UNITS]
    return snapshot(units=[unit(u) for u in UNITS], staff_=staff_, shifts=shifts, cases=cases,
                    coordinators=coords, data_as_of=day)


INSTANTS = ["2026-11-26 07:30", "2026-11-26 09:10", "2026-11-26 13:05", "2026-11-26 16:52", "2026-11-26 22:00",
            "2026-11-27 08:01"]


@pytest.mark.parametrize("when", INSTANTS)
def test_one_pass_matches_the_separate_steps(when):
    snap = world()
    at = local(when)
    engine = RuleEngine()
    ev = engine.evaluate(snap, at)
    assert len(ev.open_cases) > 100 and len(ev.findings) > 50
    assert len({f.rule for f in ev.findings}) >= 8  # the world reaches most rules
    # each case's findings come in the rule table's order (order_findings relies on it)
    for fs in ev.case_findings.values():
        assert [RULE_RANK[f.rule] for f in fs] == sorted(RULE_RANK[f.rule] for f in fs)
    # the findings in report order, as order_findings sorting each case's list would give them
    closed = sorted(cid for cid in ev.case_findings if cid not in ev.waited_minutes)
    ids = [c.id for c in ev.open_cases] + closed
    unit_fs = [f for f in ev.findings if f.case_id is None]
    assert ev.findings == order_findings(unit_fs, ev.case_findings, ids, ev.units, RULE_RANK)
    # the work list in sort_work_list's order
    rank = {cid: min(SEVERITY_RANK[f.severity] for f in fs) for cid, fs in ev.case_findings.items()}
    again = sorted(ev.open_cases, key=lambda c: c.id)
    sort_work_list(again, rank, ev.waited_minutes)
    assert [c.id for c in again] == [c.id for c in ev.open_cases]
    assert all(rank.get(c.id, NO_SEVERITY) >= 0 for c in again)
    # each unit's load as unit_load counts it
    roster = Roster(snap.shifts)
    overdue_high = {f.unit_id for f in ev.findings if f.rule == "overdue_waiting" and f.priority in (1, 2)}
    for uid, st in ev.units.items():
        mine = [c for c in ev.open_cases if c.unit_id == uid]
        assert st.load == unit_load(mine, roster, uid, at, ev.waited_minutes, st.parameters, uid in overdue_high)
    # every open case's deadline as case_deadline gives it
    for c in ev.open_cases:
        st = ev.units[c.unit_id]
        cal = engine.calendar(st.unit)
        dl = case_deadline(c, at, cal, st.parameters.limit_minutes(c.priority_key), st.parameters.at_risk_fraction)
        assert ev.deadlines[c.id] == dl, c.id
