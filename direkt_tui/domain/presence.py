"""Presence and scheduled professions (domain.md §3).

A staff member is present at ``t`` in unit ``u`` when a non-cancelled shift of theirs in ``u``
has ``start <= t < end``; ``logged_in`` is shown, never judged. A profession is scheduled in
``u`` at ``t`` when somebody is present there on a shift of that profession.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from operator import attrgetter

from .models import CLINICAL, Shift


class Roster:
    """Index of the non-cancelled shifts, by (unit, staff) and by unit."""

    def __init__(self, shifts: Iterable[Shift]):
        by_person: dict[tuple[str, str], list[Shift]] = defaultdict(list)
        by_unit: dict[str, list[Shift]] = defaultdict(list)
        for s in shifts:
            if s.cancelled:
                continue
            by_person[(s.unit_id, s.staff_id)].append(s)
            by_unit[s.unit_id].append(s)
        by_time = attrgetter("start", "end")
        self._person = {k: sorted(v, key=by_time) for k, v in by_person.items()}
        self._person_starts = {k: [s.start for s in v] for k, v in self._person.items()}
        self._unit = {k: sorted(v, key=by_time) for k, v in by_unit.items()}
        self._unit_starts = {k: [s.start for s in v] for k, v in self._unit.items()}

    def shifts_of(self, unit_id: str, staff_id: str) -> list[Shift]:
        return self._person.get((unit_id, staff_id), [])

    def covering(self, unit_id: str, staff_id: str, t: datetime) -> list[Shift]:
        shifts = self._person.get((unit_id, staff_id))
        if not shifts:
            return []
        i = bisect_right(self._person_starts[(unit_id, staff_id)], t)
        return [s for s in shifts[:i] if s.end > t]

    def is_present(self, unit_id: str, staff_id: str, t: datetime) -> bool:
        return bool(self.covering(unit_id, staff_id, t))

    def presence_end(self, unit_id: str, staff_id: str, t: datetime) -> datetime | None:
        """When the present person's presence ends, running on across back-to-back or
        overlapping shifts. None when not present at ``t``."""
        cover = self.covering(unit_id, staff_id, t)
        if not cover:
            return None
        end = max(s.end for s in cover)
        for s in self._person[(unit_id, staff_id)]:
            if s.start <= end and s.end > end:
                end = s.end
        return end

    def has_shift_overlapping(self, unit_id: str, staff_id: str, a: datetime, b: datetime) -> bool:
        """Whether any non-cancelled shift overlaps ``[a, b]``."""
        return any(s.start <= b and s.end >= a for s in self._person.get((unit_id, staff_id), []))

    def present_shifts(self, unit_id: str, t: datetime) -> list[Shift]:
        shifts = self._unit.get(unit_id)
        if not shifts:
            return []
        i = bisect_right(self._unit_starts[unit_id], t)
        return [s for s in shifts[:i] if s.end > t]

    def scheduled_professions(self, unit_id: str, t: datetime) -> frozenset[str]:
        return frozenset(s.profession for s in self.present_shifts(unit_id, t))

    def present_staff(self, unit_id: str, t: datetime) -> frozenset[str]:
        return frozenset(s.staff_id for s in self.present_shifts(unit_id, t))

    def clinicians_present(self, unit_id: str, t: datetime) -> tuple[dict[str, int], int]:
        """Present staff on clinical-profession shifts: per profession, and distinct in total."""
        per: dict[str, set[str]] = defaultdict(set)
        for s in self.present_shifts(unit_id, t):
            if s.profession in CLINICAL:
                per[s.profession].add(s.staff_id)
        total = len(set().union(*per.values())) if per else 0
        return {p: len(v) for p, v in sorted(per.items())}, total
