"""Waiting care cases per hour: today against the typical day for this weekday (issue 13 §4,
the chart in the load panel's detail view). Pure: the cases' instants and the hours are passed in.

A care case is *waiting* at an instant ``T`` when it had arrived (``created_at <= T``) and had
not yet been taken — neither received by a person nor closed (``min(received_at, closed_at) >
T``): the forecast's backlog (waiting and queued care cases), worked out again for every instant
from the store's kept cases, so that earlier days can be drawn as well as today.

An hour's value is the mean of that count at the hour's six ten-minute marks (``hh:00``,
``hh:10`` … ``hh:50``); today's current hour uses the marks up to now. The typical day is, per
hour, the mean of the same hour's value over the same weekday of the last four weeks that the
store holds cases for.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MARKS_PER_HOUR = 6  # ten-minute marks
_STEP = timedelta(minutes=60 // MARKS_PER_HOUR)


@dataclass(frozen=True)
class Interval:
    """One care case's wait: from its arrival until it was taken (None: not yet)."""

    arrived: datetime
    taken: datetime | None


def interval(created_at: datetime, received_at: datetime | None, closed_at: datetime | None) -> Interval:
    """A case's wait from its instants: taken at the first of received and closed (never before
    it arrived)."""
    ends = [t for t in (received_at, closed_at) if t is not None]
    taken = max(created_at, min(ends)) if ends else None
    return Interval(created_at, taken)


class Waiting:
    """How many of the given cases were waiting at an instant: two binary searches."""

    def __init__(self, cases: Iterable[Interval]):
        items = list(cases)
        self._arrived = sorted(c.arrived for c in items)
        self._taken = sorted(c.taken for c in items if c.taken is not None)

    def at(self, t: datetime) -> int:
        return bisect_right(self._arrived, t) - bisect_right(self._taken, t)


def hourly(waiting: Waiting, hours: Sequence[datetime], until: datetime | None = None) -> list[float | None]:
    """Per hour starting at each of ``hours``: the mean waiting at its ten-minute marks up to
    ``until`` (None: all of them); None for an hour that has not begun by ``until``."""
    out: list[float | None] = []
    for h in hours:
        marks = [h + k * _STEP for k in range(MARKS_PER_HOUR)]
        if until is not None:
            marks = [m for m in marks if m <= until]
        out.append(sum(waiting.at(m) for m in marks) / len(marks) if marks else None)
    return out


def typical(days: Sequence[Sequence[float | None]]) -> list[float | None]:
    """Per hour, the mean over the days that have a value for it (None: none has)."""
    if not days:
        return []
    width = max(len(d) for d in days)
    out: list[float | None] = []
    for i in range(width):
        vals = [d[i] for d in days if i < len(d) and d[i] is not None]
        out.append(sum(v for v in vals if v is not None) / len(vals) if vals else None)
    return out


@dataclass(frozen=True)
class DayCurve:
    """The chart's data for one unit and day: an hour label per column, today's values (None
    after now), the typical day's (None without history) and how many earlier days made it."""

    hours: tuple[str, ...]  # local "08", "09", …
    today: tuple[float | None, ...]
    typical: tuple[float | None, ...]
    history_days: int
