"""A unit's working-time calendar (domain.md §3).

Opening hours on a local date are the weekly hours for its ISO weekday, replaced by
``special_hours`` for that date when present (an empty list closes the day); the unit is
closed on its ``closed_dates`` and on Swedish public and de-facto holidays (Midsommarafton,
Julafton, Nyårsafton) unless ``special_hours`` opens the date explicitly.

Local times are built per date with the unit's zone (never a fixed offset), so daylight-saving
changes shift neither opening hours nor working-time sums.

Internally the calendar keeps the opening intervals as UTC epoch seconds with prefix sums, so
``working_time`` and ``add_working_time`` cost a binary search. The table grows on demand.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from .holidays_se import FIRST_YEAR, LAST_YEAR, TABLE
from .models import Unit
from .timeutil import UTC

_CHUNK_DAYS = 10  # the table starts ±10 days around the first instant asked and grows on demand
_MAX_SEARCH_DAYS = 3 * 366  # a unit never open within three years has no next opening


@lru_cache(maxsize=64)
def swedish_holidays(year: int) -> frozenset[date]:
    """Public holidays plus de-facto holidays (explicit categories: defaults change): from the
    table made from the ``holidays`` library (``holidays_se``), the library itself outside it."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        return frozenset(date(year, int(md[:2]), int(md[2:])) for md in TABLE[year].split())
    import holidays as _holidays  # a fifth of a second to import: only for a year outside the table

    cal = _holidays.country_holidays("SE", years=year, categories=("public", "de_facto"))
    return frozenset(cal.keys())


def is_holiday(d: date) -> bool:
    return d in swedish_holidays(d.year)


def _local(d: date, hhmm: str, tz: ZoneInfo) -> datetime:
    h, m = int(hhmm[:2]), int(hhmm[3:])
    if h == 24:
        return datetime.combine(d + timedelta(days=1), time(0, m), tz)
    return datetime.combine(d, time(h, m), tz)


class UnitCalendar:
    """Opening hours and working time of one unit."""

    __slots__ = ("unit", "tz", "_starts", "_ends", "_prefix", "_cumend", "_first", "_last", "_lo", "_hi", "_memo")

    def __init__(self, unit: Unit):
        self.unit = unit
        self.tz = ZoneInfo(unit.timezone)
        self._starts: list[float] = []
        self._ends: list[float] = []
        self._prefix: list[float] = []  # working seconds before interval i
        self._cumend: list[float] = []  # working seconds to the end of interval i (a bisect's keys)
        self._first: date | None = None  # first local date covered
        self._last: date | None = None  # last local date covered
        self._lo = float("inf")  # instants strictly inside the covered dates (fast path)
        self._hi = float("-inf")
        # (ts, working seconds from the table's start to ts, the table it was counted on)
        self._memo: tuple[float, float, object] = (float("nan"), 0.0, None)

    # -- opening hours of a date -----------------------------------------------------------
    def intervals_on(self, d: date) -> list[tuple[datetime, datetime]]:
        """The opening intervals of local date ``d`` as aware datetimes (unit zone), sorted."""
        key = d.isoformat()
        unit = self.unit
        if key in unit.special_hours:
            spec = unit.special_hours[key]
        elif d in unit.closed_dates or is_holiday(d):
            spec = ()
        else:
            spec = unit.opening_hours.get(str(d.isoweekday()), ())
        out = []
        for o, c in sorted(spec):
            start, end = _local(d, o, self.tz), _local(d, c, self.tz)
            if end > start:
                out.append((start, end))
        # merge overlaps within the day
        merged: list[tuple[datetime, datetime]] = []
        for s, e in out:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        return merged

    def is_open_date(self, d: date) -> bool:
        return bool(self.intervals_on(d))

    def local_date(self, t: datetime) -> date:
        return t.astimezone(self.tz).date()

    # -- the interval table ----------------------------------------------------------------
    def _build(self, first: date, last: date) -> None:
        starts: list[float] = []
        ends: list[float] = []
        d = first
        while d <= last:
            for s, e in self.intervals_on(d):
                starts.append(s.timestamp())
                ends.append(e.timestamp())
            d += timedelta(days=1)
        prefix = []
        cumend = []
        acc = 0.0
        for s_ts, e_ts in zip(starts, ends, strict=True):
            prefix.append(acc)
            acc += e_ts - s_ts
            cumend.append(acc)
        self._starts, self._ends, self._prefix, self._cumend = starts, ends, prefix, cumend
        self._first, self._last = first, last
        self._lo = datetime.combine(first + timedelta(days=1), time(0), self.tz).timestamp()
        self._hi = datetime.combine(last, time(0), self.tz).timestamp()
        self._memo = (float("nan"), 0.0, starts)  # the table's start may have moved

    def _cover(self, ts: float) -> None:
        """Make sure the table covers the local date of ``ts``, growing it geometrically."""
        if self._lo <= ts < self._hi:
            return
        d = datetime.fromtimestamp(ts, self.tz).date()
        first, last = self._first, self._last
        if first is None or last is None:
            self._build(d - timedelta(days=_CHUNK_DAYS), d + timedelta(days=_CHUNK_DAYS))
            return
        if first < d < last:
            return  # covered; only the fast path's bounds were conservative
        span = max(timedelta(days=_CHUNK_DAYS), last - first)
        self._build(min(first, d - span), max(last, d + span))

    def _cum(self, ts: float) -> float:
        """Working seconds from the start of the table to ``ts``."""
        i = bisect_right(self._starts, ts) - 1
        if i < 0:
            return 0.0
        return self._prefix[i] + (min(ts, self._ends[i]) - self._starts[i])

    # -- public queries ----------------------------------------------------------------------
    def working_seconds(self, a: datetime, b: datetime) -> float:
        """Length of the overlap of ``[a, b)`` with opening hours, in seconds (0 if b <= a)."""
        return self.working_seconds_ts(a.timestamp(), b.timestamp())

    def working_seconds_ts(self, ta: float, tb: float) -> float:
        """``working_seconds`` over epoch seconds (the rule engine's hot path)."""
        if tb <= ta:
            return 0.0
        if not (self._lo <= ta < self._hi):
            self._cover(ta)
        if not (self._lo <= tb < self._hi):
            self._cover(tb)
        starts, ends, prefix = self._starts, self._ends, self._prefix
        # the evaluation instant is ``tb`` of every call in a row: its total is kept, with the
        # table it was counted on (a calendar is shared by concurrent board builds: a total
        # counted on a table another thread has since rebuilt is not used)
        memo = self._memo
        if memo[0] == tb and memo[2] is starts:
            cb = memo[1]
        else:
            i = bisect_right(starts, tb) - 1
            cb = 0.0 if i < 0 else prefix[i] + (min(tb, ends[i]) - starts[i])
            self._memo = (tb, cb, starts)
        i = bisect_right(starts, ta) - 1
        ca = 0.0 if i < 0 else prefix[i] + (min(ta, ends[i]) - starts[i])
        return cb - ca

    def working_time(self, a: datetime, b: datetime) -> timedelta:
        return timedelta(seconds=self.working_seconds(a, b))

    def working_minutes(self, a: datetime, b: datetime) -> float:
        return self.working_seconds(a, b) / 60.0

    def add_working_time(self, t: datetime, d: timedelta) -> datetime | None:
        """The earliest instant at which ``d`` of working time has passed since ``t``.

        None when the unit has no opening hours within three years of ``t``.
        """
        need = d.total_seconds()
        if need <= 0:
            return t
        result = self.add_working_seconds_ts(t.timestamp(), need)
        return None if result is None else datetime.fromtimestamp(result, UTC)

    def add_working_seconds_ts(self, ts: float, need: float) -> float | None:
        """``add_working_time`` over epoch seconds (``need`` > 0): the rule engine's hot path."""
        if not (self._lo <= ts < self._hi):
            self._cover(ts)
        horizon = ts + _MAX_SEARCH_DAYS * 86400
        while True:
            starts = self._starts
            # re-anchored: growing the table may move its origin (``_cum``, inline)
            i = bisect_right(starts, ts) - 1
            target = (0.0 if i < 0 else self._prefix[i] + (min(ts, self._ends[i]) - starts[i])) + need
            total = (self._prefix[-1] + self._ends[-1] - starts[-1]) if starts else 0.0
            if total >= target:
                break
            assert self._last is not None
            edge = datetime.combine(self._last, time(12), self.tz).timestamp()
            if edge > horizon:
                return None
            self._cover(edge + 86400)
        # first interval whose end reaches the target (``_cumend[i]`` is ``prefix[i] + length``;
        # ``total`` can exceed the last of them by a rounding: then the last interval)
        lo = min(bisect_left(self._cumend, target), len(self._starts) - 1)
        return self._starts[lo] + (target - self._prefix[lo])

    def is_open(self, t: datetime) -> bool:
        return self.is_open_ts(t.timestamp())

    def is_open_ts(self, ts: float) -> bool:
        """``is_open`` over epoch seconds (no datetime built: the rule engine's hot path)."""
        if not (self._lo <= ts < self._hi):
            self._cover(ts)
        i = bisect_right(self._starts, ts) - 1
        return i >= 0 and ts < self._ends[i]

    def current_period(self, t: datetime) -> tuple[datetime, datetime] | None:
        """The opening interval containing ``t`` (start inclusive, end exclusive), if any."""
        ts = t.timestamp()
        self._cover(ts)
        i = bisect_right(self._starts, ts) - 1
        if i >= 0 and ts < self._ends[i]:
            return (datetime.fromtimestamp(self._starts[i], UTC), datetime.fromtimestamp(self._ends[i], UTC))
        return None

    def next_opening(self, t: datetime) -> datetime | None:
        """The next instant > ``t`` at which an opening interval starts."""
        for s, _e in self._periods_from(t):
            if s > t:
                return s
        return None

    def previous_closing(self, t: datetime) -> datetime | None:
        """The most recent closing instant <= ``t`` (end of an opening interval)."""
        ts = t.timestamp()
        self._cover(ts)
        for _ in range(_MAX_SEARCH_DAYS // _CHUNK_DAYS + 2):
            i = bisect_right(self._ends, ts) - 1
            if i >= 0:
                return datetime.fromtimestamp(self._ends[i], UTC)
            assert self._first is not None
            self._cover(datetime.combine(self._first, time(12), self.tz).timestamp() - 86400)
        return None

    def day_close(self, d: date) -> datetime | None:
        """The closing instant of local date ``d`` (end of its last opening interval)."""
        iv = self.intervals_on(d)
        return iv[-1][1].astimezone(UTC) if iv else None

    def day_open(self, d: date) -> datetime | None:
        iv = self.intervals_on(d)
        return iv[0][0].astimezone(UTC) if iv else None

    def next_working_day(self, d: date) -> date | None:
        """Nästkommande vardag: the next local date after ``d`` with opening hours."""
        for i in range(1, _MAX_SEARCH_DAYS):
            cand = d + timedelta(days=i)
            if self.is_open_date(cand):
                return cand
        return None

    def start_of_day(self, t: datetime) -> datetime:
        d = self.local_date(t)
        return datetime.combine(d, time(0), self.tz).astimezone(UTC)

    def _periods_from(self, t: datetime) -> Iterator[tuple[datetime, datetime]]:
        d = self.local_date(t)
        for i in range(_MAX_SEARCH_DAYS):
            for s, e in self.intervals_on(d + timedelta(days=i)):
                if e > t:
                    yield s.astimezone(UTC), e.astimezone(UTC)
