"""A unit's load (belastning, domain.md §5). Pure: no I/O, no clock.

``unit_load`` counts a unit's open cases at ``t`` (waiting per priority, queued with a role, in
progress with a person), the clinicians present, and grades the ratio with ``load_thresholds``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .models import Case
from .params import PRIORITY_KEYS, Parameters
from .presence import Roster

LEVELS: tuple[str, ...] = ("normal", "elevated", "high", "very_high")


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
    # the level was raised to ``high`` by an overdue priority 1–2 case (§5), not by the ratio;
    # the board says so (issue 12, item 23); not part of the report's JSON
    raised_by_overdue: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "ratio": self.ratio,
            "waiting": dict(self.waiting),
            "queued": self.queued,
            "in_progress": self.in_progress,
            "clinicians_present": dict(self.clinicians_present),
            "oldest_wait_minutes": dict(self.oldest_wait_minutes),
        }


def load_level(ratio: float, thresholds: tuple[float, float, float], overdue_high: bool) -> str:
    """§5: ``normal`` below the first threshold, then ``elevated``, ``high``, ``very_high``; at
    least ``high`` whenever the unit has an ``overdue_waiting`` finding of priority 1–2."""
    t1, t2, t3 = thresholds
    level = 3 if ratio >= t3 else 2 if ratio >= t2 else 1 if ratio >= t1 else 0
    if overdue_high:
        level = max(level, 2)
    return LEVELS[level]


@dataclass(slots=True)
class LoadCounts:
    """What a unit's load counts of its open cases (``unit_load``), gathered case by case: the
    rule engine fills it in its one pass over the cases (``count``, or inline as it does)."""

    waiting: dict[str, int] = field(default_factory=lambda: {k: 0 for k in PRIORITY_KEYS})
    oldest: dict[str, float] = field(default_factory=dict)  # working minutes, per priority key
    queued: int = 0
    queued_care: int = 0
    waiting_care: int = 0
    in_progress: int = 0

    def count(self, c: Case, waited_minutes: float) -> None:
        pk = "admin" if c.priority is None else str(c.priority)  # c.priority_key
        status = c.status
        if status == "waiting":
            self.waiting[pk] += 1
            if c.kind == "care":
                self.waiting_care += 1
            if waited_minutes > self.oldest.get(pk, -1.0):
                self.oldest[pk] = waited_minutes
        owner = c.owner
        if owner is not None and owner.type == "role":
            self.queued += 1
            if c.kind == "care":
                self.queued_care += 1
        elif owner is not None and owner.type == "person" and status != "waiting" and c.is_active:
            self.in_progress += 1


def unit_load(
    cases: Iterable[Case],
    roster: Roster,
    unit_id: str,
    at: datetime,
    waited: Mapping[str, float],
    params: Parameters,
    overdue_high: bool,
) -> Load:
    """The load of one unit from its open cases at ``at`` and the working minutes each waited."""
    counts = LoadCounts()
    for c in cases:
        counts.count(c, waited.get(c.id, 0.0))
    return load_of(counts, roster, unit_id, at, params, overdue_high)


def load_of(
    counts: LoadCounts, roster: Roster, unit_id: str, at: datetime, params: Parameters, overdue_high: bool
) -> Load:
    """The load of one unit from the counts of its open cases and the clinicians present at ``at``."""
    per_prof, total = roster.clinicians_present(unit_id, at)
    ratio = (counts.waiting_care + counts.queued_care) / max(1, total)
    level = load_level(ratio, params.load_thresholds, overdue_high)
    oldest = counts.oldest
    return Load(
        level=level,
        ratio=round(ratio, 2),
        waiting=counts.waiting,
        queued=counts.queued,
        in_progress=counts.in_progress,
        clinicians_present=per_prof,
        clinicians_total=total,
        oldest_wait_minutes={k: int(oldest[k]) for k in PRIORITY_KEYS if k in oldest},
        raised_by_overdue=level != load_level(ratio, params.load_thresholds, False),
    )
