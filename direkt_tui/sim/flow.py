"""The steps of one case, planned with an owner who is present."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from .plan import DayPlan, PlanEvent, u
from .tables import MIN, OWNER_KINDS

# (kind, minutes after the previous step[, event data])
Step = tuple[Any, ...]
Gap = tuple[float, float]  # a range of minutes


class Flow:
    """Plans the steps of one case with an owner who is present, handing the case over to
    the owner's profession queue before the owner leaves and letting a colleague pick it up."""

    def __init__(self, eng: DayPlan, rng: random.Random, ev: PlanEvent, case_id: str, unit_id: str) -> None:
        self.eng, self.rng, self.ev, self.cid, self.uid = eng, rng, ev, case_id, unit_id
        self.cur: str | None = None
        self.last: datetime | None = None

    def at(self, t: datetime, kind: str, actor: str | None = None, force: bool = False, **data: Any) -> None:
        if force:
            data["force"] = True
        self.ev(t, kind, case_id=self.cid, actor=actor, **data)
        self.last = t

    def receive(
        self, t: datetime, profs: Collection[str], min_left: float = 30, exclude: Collection[str] = ()
    ) -> str | None:
        actor = self.eng.pick(self.rng, self.uid, t, profs, min_left=min_left, exclude=exclude)
        if actor is None:
            return None
        self.ev(t, "receive", case_id=self.cid, actor=actor, profs=list(profs))
        self.cur, self.last = actor, t
        return actor

    def held(self, actor: str, t: datetime, start: Gap, patient: Gap, staff: Gap) -> None:
        """``actor`` receives the case at ``t`` and starts it, the patient writes, ``actor``
        answers: forced steps, whoever is at work (gaps in minutes after ``t``)."""
        rng = self.rng
        self.at(t, "receive", actor=actor, force=True)
        self.at(t + u(rng, *start), "start", force=True)
        self.at(t + u(rng, *patient), "patient_msg")
        self.at(t + u(rng, *staff), "staff_msg", force=True)

    def steps(self, steps: Sequence[Step], start: datetime | None = None) -> None:
        eng, rng = self.eng, self.rng
        t = start or self.last
        assert t is not None, "steps follow a planned step or a start"
        for step in steps:
            kind, delay = step[0], step[1]
            data = step[2] if len(step) > 2 else {}
            t = t + timedelta(minutes=delay)
            if kind == "pickup":
                prof = data["profession"]
                nxt = eng.pick(rng, self.uid, t, [prof], min_left=20)
                if nxt is None:
                    return  # nobody of that profession: the case waits in the queue
                self.ev(t, "pickup", case_id=self.cid, actor=nxt, profession=prof)
                self.cur, self.last = nxt, t
                continue
            if kind in OWNER_KINDS:
                if self.cur is None or self.last is None:
                    return
                end = eng.presence_end(self.cur, self.uid, self.last)
                if end is None:
                    return
                if t >= end - timedelta(minutes=5):
                    # the owner leaves first: hand over to their profession's queue
                    # (when nobody of the profession stays, the owner keeps the case)
                    prof = eng.staff_prof[self.cur]
                    th = max(self.last + MIN, end - u(rng, 8, 20))
                    if th >= end:
                        return
                    tp = th + u(rng, 5, 40)
                    nxt = eng.pick(rng, self.uid, tp, [prof], min_left=30, exclude={self.cur})
                    if nxt is None:
                        return
                    self.ev(th, "to_role", case_id=self.cid, actor=self.cur, profession=prof)
                    self.ev(tp, "pickup", case_id=self.cid, actor=nxt, profession=prof)
                    self.cur, self.last = nxt, tp
                    t = max(t, tp + 2 * MIN)
                self.ev(t, kind, case_id=self.cid, actor=self.cur, **data)
                self.last = t
                if kind == "to_role":
                    self.cur = None
                continue
            self.ev(t, kind, case_id=self.cid, **data)
            self.last = t
