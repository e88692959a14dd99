"""How a planned event changes the world when it falls due.

``HANDLERS`` maps an event kind to its handler. A handler returns False when the event was
skipped because its preconditions no longer hold (a case closed, reassigned or moved by a
client, an owner gone); the actor of a case step is always the case's current owner.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from .flow import Flow, Step
from .plan import DayPlan, Ev, u
from .scripts import generic_tail
from .tables import TZ
from .timeutil import iso, local_instant, parse_iso, zone
from .world import OPEN_STATUSES, World

Handler = Callable[[DayPlan, World, datetime, Ev], "bool | None"]
Select = Callable[[DayPlan, World, datetime, Ev], "dict | None"]
Change = Callable[[dict, datetime, dict], None]
HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def _case(p: DayPlan, world: World, ev: Ev) -> dict | None:
    """The event's case, if it is the engine's to change and still open."""
    cid = ev.data["case_id"]
    if cid in p.static:
        return None
    c = world.store["cases"].get(cid)
    if c is None or c["status"] == "closed":
        return None
    return c


def _owner_actor(world: World, case: dict, at: datetime) -> str | None:
    o = case.get("owner")
    if not o or o.get("type") != "person":
        return None
    sid = o["staff_id"]
    return sid if world.present(sid, case["unit_id"], at) else None


def _step(
    p: DayPlan, world: World, at: datetime, ev: Ev, need: tuple[str, ...] = ("received", "started")
) -> dict | None:
    """The case of a step its owner takes: open in a status of ``need``, not handed over, and
    its owner at work (or a forced step); None: skip the event."""
    c = _case(p, world, ev)
    if c is None or c["status"] not in need:
        return None
    if c.get("handover") and not ev.data.get("after_handover"):
        return None
    if ev.data.get("force"):
        actor = (c.get("owner") or {}).get("staff_id")
    else:
        actor = _owner_actor(world, c, at)
    return c if actor is not None else None


def _notice(c: dict, template_id: str, at: datetime) -> None:
    c.setdefault("notices", []).append({"template_id": template_id, "sent_at": iso(at)})


# ---------------------------------------------------------------------- shifts, people, roles
@handles("publish_shift")
def _on_publish_shift(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    sh = ev.data["shift"]
    if sh["id"] in world.store["shifts"]:
        return False
    world._insert("shifts", dict(sh))
    return None


@handles("shift_update")
def _on_shift_update(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    sh = world.store["shifts"].get(ev.data["shift_id"])
    if sh is None:
        return False
    sh.update(ev.data["changes"])
    world._update("shifts", sh, at)
    return None


@handles("login")
def _on_login(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    st = world.store["staff"].get(ev.data["staff_id"])
    if st is None or st.get("logged_in") == ev.data["logged_in"]:
        return False
    st["logged_in"] = ev.data["logged_in"]
    world._update("staff", st, at)
    return None


@handles("coordinator")
def _on_coordinator(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    uid, sid, expect = ev.data["unit_id"], ev.data["staff_id"], ev.data["expect"]
    cur = (world.coordinators.get(uid) or {}).get("staff_id")
    if expect != "any" and cur != expect:
        return False  # someone (a client) changed it meanwhile
    if sid is not None and not world.present(sid, uid, at):
        return False
    if cur == sid:
        return False
    world._set_coordinator_raw(uid, sid, iso(at))
    return None


# ---------------------------------------------------------------------- a case's steps
@handles("arrive")
def _on_arrive(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    case = ev.data["case"]
    if case["id"] in world.store["cases"]:
        return False
    src = ev.data.get("requires_accepted")
    if src:
        s = world.store["cases"].get(src)
        if not s or not s.get("handover") or not s["handover"].get("accepted_at"):
            return False
    world._insert("cases", copy.deepcopy(case))
    return None


@handles("receive")
def _on_receive(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    c = _case(p, world, ev)
    if c is None or c["status"] != "waiting" or c.get("handover"):
        return False
    uid = c["unit_id"]
    o = c.get("owner")
    planned = ev.data.get("actor")
    actor = None
    if o and o.get("type") == "person":
        actor = o["staff_id"] if world.present(o["staff_id"], uid, at) else None
    elif o and o.get("type") == "role":
        actor = _role_pick(world, uid, at, o["profession"], planned)
    elif planned and (ev.data.get("force") or world.present(planned, uid, at)):
        actor = planned
    else:
        for prof in ev.data.get("profs") or ():
            ids = world.present_staff(uid, at, prof)
            if ids:
                actor = ids[0]
                break
    if actor is None:
        return False
    c.update(status="received", owner={"type": "person", "staff_id": actor}, owner_since=iso(at), received_at=iso(at))
    world._update("cases", c, at)
    return None


def _role_pick(world: World, uid: str, at: datetime, profession: str, planned: str | None) -> str | None:
    """Who takes a case from a profession's queue: the planned colleague if at work, else the first."""
    ids = world.present_staff(uid, at, profession)
    return planned if planned in ids else (ids[0] if ids else None)


def _case_step(kind: str, select: Select, change: Change) -> None:
    """Register the handler of an event that changes one case: ``select`` finds the case if the
    event still applies (None: skip it), ``change(case, at, data)`` changes it."""

    def handler(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
        c = select(p, world, at, ev)
        if c is None:
            return False
        change(c, at, ev.data)
        world._update("cases", c, at)
        return None

    HANDLERS[kind] = handler


def _owner_step(kind: str, need: tuple[str, ...], change: Change) -> None:
    """A step the case's owner takes (see :func:`_step`)."""
    _case_step(kind, lambda p, world, at, ev: _step(p, world, at, ev, need), change)


def _open_case_if(applies: Callable[[dict], bool]) -> Select:
    """Select the event's open case if ``applies(case)``."""

    def select(p: DayPlan, world: World, at: datetime, ev: Ev) -> dict | None:
        c = _case(p, world, ev)
        return c if c is not None and applies(c) else None

    return select


def _start(c: dict, at: datetime, data: dict) -> None:
    c.update(status="started", started_at=iso(at), last_staff_message_at=iso(at))


def _staff_msg(c: dict, at: datetime, data: dict) -> None:
    c["last_staff_message_at"] = iso(at)


def _attempt(c: dict, at: datetime, data: dict) -> None:
    c.setdefault("contact_attempts", []).append(iso(at))


def _close(c: dict, at: datetime, data: dict) -> None:
    c.update(status="closed", closed_at=iso(at), close_reason=data["reason"])
    if data.get("notice"):
        _notice(c, data["notice"], at)
    if data.get("reopen_days"):
        c["reopen_until"] = iso(at + timedelta(days=data["reopen_days"]))


def _send_notice(c: dict, at: datetime, data: dict) -> None:
    _notice(c, data["template_id"], at)


def _to_role(c: dict, at: datetime, data: dict) -> None:
    c.update(owner={"type": "role", "profession": data["profession"]}, owner_since=iso(at))


_owner_step("start", ("received",), _start)
_owner_step("staff_msg", ("started",), _staff_msg)
_owner_step("attempt", ("started",), _attempt)
_owner_step("close", ("received", "started"), _close)
_owner_step("notice", ("received", "started"), _send_notice)
_owner_step("to_role", ("received", "started"), _to_role)


def _patient_writes(c: dict, at: datetime, data: dict) -> None:
    c["last_patient_message_at"] = iso(at)


def _ticket_confirmed(c: dict, at: datetime, data: dict) -> None:
    c["handover"]["ticket"]["confirmed_by_patient"] = True
    _patient_writes(c, at, data)


_case_step("patient_msg", _open_case_if(lambda c: c["status"] in ("received", "started")), _patient_writes)
_case_step(
    "ticket_confirm",
    _open_case_if(lambda c: bool(c.get("handover") and c["handover"].get("ticket"))),
    _ticket_confirmed,
)


@handles("pickup")
def _on_pickup(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    c = _case(p, world, ev)
    if c is None or c.get("handover"):
        return False
    o = c.get("owner")
    if not o or o.get("type") != "role":
        return False
    actor = _role_pick(world, c["unit_id"], at, o["profession"], ev.data.get("actor"))
    if actor is None:
        return False
    c.update(owner={"type": "person", "staff_id": actor}, owner_since=iso(at))
    if c["status"] == "waiting":
        c.update(status="received", received_at=iso(at))
    world._update("cases", c, at)
    return None


@handles("unit_handover")
def _on_unit_handover(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    c = _step(p, world, at, ev)
    if c is None:
        return False
    to = ev.data["to_unit_id"]
    if to not in world.units or to == c["unit_id"]:
        return False
    ho: dict[str, Any] = {
        "to_unit_id": to,
        "requested_at": iso(at),
        "accepted_at": None,
        "urgent": bool(ev.data.get("urgent")),
    }
    if ev.data.get("ticket"):
        ho["ticket"] = {
            "priority": c["priority"] or 3,
            "valid_until": iso(at + timedelta(days=2)),
            "confirmed_by_patient": False,
        }
        _notice(c, "confirm_ticket", at)
    else:
        ho["ticket"] = None
    c["handover"] = ho
    world._update("cases", c, at)
    return None


@handles("accept")
def _on_accept(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    c = _case(p, world, ev)
    if c is None:
        return False
    ho = c.get("handover")
    if not ho or ho.get("accepted_at") or ho.get("to_unit_id") != ev.data["to_unit_id"]:
        return False
    ho["accepted_at"] = iso(at)
    ticket = bool(ho.get("ticket"))
    c.update(status="closed", closed_at=iso(at), close_reason="ticket_sent" if ticket else "handed_over")
    if not ticket:
        _notice(c, "handed_over", at)
    world._update("cases", c, at)
    return None


# ---------------------------------------------------------------------- a unit's day
@handles("bulk_notice")
def _on_bulk_notice(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    uid, tid, select = ev.data["unit_id"], ev.data["template_id"], ev.data["select"]
    if not any(t["id"] == tid for t in world.templates):
        return False
    today = at.astimezone(zone(TZ)).date()
    day_start = local_instant(today, "00:00", TZ)
    hit = 0
    for c in list(world.store["cases"].values()):
        if c["unit_id"] != uid or c["status"] not in OPEN_STATUSES or c["id"] in p.static:
            continue
        if c.get("handover") and c["handover"].get("accepted_at"):
            continue
        if select == "end_of_day":
            if c["kind"] == "care" and c["priority"] in (1, 2):
                continue
            if any(n["template_id"] == tid and parse_iso(n["sent_at"]) >= day_start for n in c.get("notices", [])):
                continue
            if random.Random(f"{p.seed}:{c['id']}:{today}:eod").random() < 0.15:
                continue  # forgotten: next_day_notice_due shows it
        elif select == "waiting_care":
            if c["status"] != "waiting" or c["kind"] != "care":
                continue
        _notice(c, tid, at)
        world._update("cases", c, at)
        hit += 1
    return hit > 0


@handles("backlog")
def _on_backlog(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    """At opening: plan today's handling of open cases left from earlier days."""
    uid = ev.data["unit_id"]
    today = at.astimezone(zone(TZ)).date()
    day_start = local_instant(today, "00:00", TZ)
    old = [
        c
        for c in world.store["cases"].values()
        if c["unit_id"] == uid
        and c["status"] in OPEN_STATUSES
        and c["id"] not in p.static
        and not c.get("handover")
        and parse_iso(c["created_at"]) < day_start
    ]
    old.sort(key=lambda c: (c["priority"] or 9, c["created_at"], c["id"]))
    p.day = today
    # Stöd och service closes cases held for over a week by someone long absent (§10.1)
    week_ago = at - timedelta(days=7)
    for c in [
        c
        for c in old
        if parse_iso(c["created_at"]) < week_ago
        and (c.get("owner") or {}).get("type") == "person"
        and not world.present(c["owner"]["staff_id"], uid, at)
    ]:
        c.update(status="closed", closed_at=iso(at), close_reason="resolved")
        world._update("cases", c, at)
        old.remove(c)
    for c in old[:60]:
        _plan_leftover(p, c, uid, at, today)
    return bool(old)


def _plan_leftover(p: DayPlan, c: dict, uid: str, at: datetime, today: date) -> None:
    """Plan today's steps of one case left open from an earlier day."""
    rng = random.Random(f"{p.seed}:{today}:backlog:{c['id']}")
    n = 0

    def evp(t: datetime, kind: str, **data: Any) -> None:
        nonlocal n
        n += 1
        p.push(max(t, at), f"{today:%Y%m%d}:dyn:{c['id']}:{n:03d}", kind, **data)

    flow = Flow(p, rng, evp, c["id"], uid)
    o = c.get("owner")
    t0 = at + u(rng, 0, 90)
    if c["status"] == "waiting":
        profs = ["admin_contact", "medical_admin"] if c["kind"] == "admin" else ["nurse"]
        if flow.receive(t0, profs):
            generic_tail(p, flow, c["kind"], c["priority"], c["reason"], uid)
    elif o and o.get("type") == "role":
        flow.steps(
            [
                ("pickup", 0, {"profession": o["profession"]}),
                ("staff_msg", 5),
                ("close", rng.uniform(10, 40), {"reason": "resolved"}),
            ],
            start=t0,
        )
    elif o and o.get("type") == "person" and o["staff_id"] in p.present(uid, t0):
        flow.cur = o["staff_id"]
        flow.last = t0
        steps: list[Step] = [("start", 2)] if c["status"] == "received" else []
        steps += [("staff_msg", rng.uniform(2, 20)), ("close", rng.uniform(5, 40), {"reason": "resolved"})]
        flow.steps(steps)


@handles("purge")
def _on_purge(p: DayPlan, world: World, at: datetime, ev: Ev) -> bool | None:
    """Forget long-closed cases and old shifts so memory stays flat over long runs."""
    horizon = at - timedelta(days=3)
    kept = p.kept  # the earlier weeks served as history stay
    gone = [
        c["id"]
        for c in world.store["cases"].values()
        if c["status"] == "closed"
        and c.get("closed_at")
        and c["id"] not in kept
        and parse_iso(c["closed_at"]) < horizon
    ]
    for cid in gone:
        world._remove("cases", cid)
    old_shifts = [
        s["id"]
        for s in world.store["shifts"].values()
        if s["id"] not in kept and parse_iso(s["end"]) < at - timedelta(days=7)
    ]
    for sid in old_shifts:
        world._remove("shifts", sid)
    for d in [d for d in p.shifts if d < at.date() - timedelta(days=8)]:
        p.forget_day(d)
    return bool(gone or old_shifts)
