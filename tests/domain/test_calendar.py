"""Working time (domain.md §3): DST, holidays, de-facto holidays, lunch breaks, special hours,
closed dates; and hypothesis properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from builders import local, unit
from hypothesis import given, settings
from hypothesis import strategies as st

from direkt_tui.domain.calendar import UnitCalendar, is_holiday
from direkt_tui.domain.models import Unit

H = timedelta(hours=1)
M = timedelta(minutes=1)


def cal(**kw) -> UnitCalendar:
    return UnitCalendar(Unit.from_api(unit(**kw)))


LUNCH = {str(d): [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "17:00"}] for d in range(1, 6)}
EVERY_DAY = {str(d): [{"open": "08:00", "close": "17:00"}] for d in range(1, 8)}


def test_plain_weekday():
    c = cal()
    assert c.working_time(local("2026-11-26 07:00"), local("2026-11-26 18:00")) == 9 * H
    assert c.working_time(local("2026-11-26 14:30"), local("2026-11-26 14:45")) == 15 * M
    # across a night: 16:00-17:00 + 08:00-10:00
    assert c.working_time(local("2026-11-25 16:00"), local("2026-11-26 10:00")) == 3 * H
    # reversed and empty intervals are zero
    assert c.working_time(local("2026-11-26 10:00"), local("2026-11-26 09:00")) == timedelta(0)


def test_weekend_closed():
    c = cal()
    # Friday 16:00 -> Monday 09:00: 1 h Friday + 1 h Monday
    assert c.working_time(local("2026-11-27 16:00"), local("2026-11-30 09:00")) == 2 * H


@pytest.mark.parametrize("day", ["2026-03-29", "2026-10-25"])
def test_dst_change_days_keep_opening_hours(day):
    c = cal(opening_hours=EVERY_DAY)
    # the DST Sunday is a 23 h or 25 h day, but opening hours are still 08:00-17:00 local
    assert c.working_time(local(f"{day} 00:00"), local(f"{day} 23:59")) == 9 * H
    iv = c.intervals_on(date.fromisoformat(day))
    assert [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in iv] == [("08:00", "17:00")]


def test_dst_across_spring_and_autumn():
    c = cal(opening_hours=EVERY_DAY)
    # Saturday 16:00 -> Monday 09:00 across each change: 1 + 9 + 1 hours
    assert c.working_time(local("2026-03-28 16:00"), local("2026-03-30 09:00")) == 11 * H
    assert c.working_time(local("2026-10-24 16:00"), local("2026-10-26 09:00")) == 11 * H
    # the UTC offset differs on either side, the local hours do not
    assert local("2026-03-28 08:00").utcoffset() != local("2026-03-30 08:00").utcoffset()
    end = c.add_working_time(local("2026-03-28 16:30"), 2 * H)
    assert end == local("2026-03-29 09:30").astimezone(UTC)
    end = c.add_working_time(local("2026-10-24 16:30"), 2 * H)
    assert end == local("2026-10-25 09:30").astimezone(UTC)


def test_public_and_de_facto_holidays_are_closed():
    # Julafton (de facto), juldagen, annandag jul: Thu 24 - Sat 26 Dec 2026; Nyårsafton Thu 31 Dec
    assert is_holiday(date(2026, 12, 24)) and is_holiday(date(2026, 12, 31)) and is_holiday(date(2026, 6, 19))
    assert is_holiday(date(2026, 4, 3))  # långfredagen
    assert not is_holiday(date(2026, 12, 23))
    c = cal()
    assert c.working_time(local("2026-12-23 16:00"), local("2026-12-28 09:00")) == 2 * H
    assert c.working_time(local("2026-12-30 16:00"), local("2027-01-04 09:00")) == 2 * H
    # Midsommarafton 2026 is Friday 19 June
    assert c.working_time(local("2026-06-18 16:00"), local("2026-06-22 09:00")) == 2 * H
    assert c.next_working_day(date(2026, 12, 23)) == date(2026, 12, 28)


def test_lunch_break_does_not_count():
    c = cal(opening_hours=LUNCH)
    assert c.working_time(local("2026-11-26 11:30"), local("2026-11-26 13:30")) == 1 * H
    assert not c.is_open(local("2026-11-26 12:30"))
    assert c.is_open(local("2026-11-26 13:00"))
    assert not c.is_open(local("2026-11-26 12:00"))  # the end of an interval is closed
    assert c.add_working_time(local("2026-11-26 11:45"), 30 * M) == local("2026-11-26 13:15").astimezone(UTC)
    period = c.current_period(local("2026-11-26 11:10"))
    assert period is not None and period[1] == local("2026-11-26 12:00").astimezone(UTC)


def test_special_hours_and_closed_dates():
    c = cal(special_hours={"2026-11-26": [{"open": "10:00", "close": "12:00"}],
                           "2026-11-28": [{"open": "09:00", "close": "11:00"}],  # a Saturday opened
                           "2026-12-24": [{"open": "08:00", "close": "12:00"}],  # Julafton opened explicitly
                           "2026-11-30": []},  # a Monday closed
            closed_dates=["2026-11-27"])
    assert c.working_time(local("2026-11-26 00:00"), local("2026-11-27 00:00")) == 2 * H
    assert c.working_time(local("2026-11-27 00:00"), local("2026-11-28 00:00")) == timedelta(0)
    assert c.working_time(local("2026-11-28 00:00"), local("2026-11-29 00:00")) == 2 * H
    assert c.working_time(local("2026-11-30 00:00"), local("2026-12-01 00:00")) == timedelta(0)
    assert c.working_time(local("2026-12-24 00:00"), local("2026-12-25 00:00")) == 4 * H
    assert c.next_working_day(date(2026, 11, 26)) == date(2026, 11, 28)


def test_after_closing_arrival_starts_at_next_opening():
    c = cal()
    arrived = local("2026-11-26 19:00")
    assert c.working_time(arrived, local("2026-11-27 08:00")) == timedelta(0)
    assert c.working_time(arrived, local("2026-11-27 08:15")) == 15 * M
    assert c.add_working_time(arrived, 15 * M) == local("2026-11-27 08:15").astimezone(UTC)


def test_opening_and_closing_queries():
    c = cal()
    t = local("2026-11-27 18:00")  # Friday evening
    assert c.next_opening(t) == local("2026-11-30 08:00").astimezone(UTC)
    assert c.previous_closing(t) == local("2026-11-27 17:00").astimezone(UTC)
    assert c.previous_closing(local("2026-11-30 07:00")) == local("2026-11-27 17:00").astimezone(UTC)
    assert c.day_close(date(2026, 11, 27)) == local("2026-11-27 17:00").astimezone(UTC)
    assert c.day_close(date(2026, 11, 28)) is None


def test_add_working_time_far_ahead_and_never_open():
    c = cal()
    # 100 working days of 9 h
    end = c.add_working_time(local("2026-11-26 08:00"), timedelta(hours=900))
    assert end is not None and c.working_time(local("2026-11-26 08:00"), end) == timedelta(hours=900)
    closed = cal(opening_hours={})
    assert closed.add_working_time(local("2026-11-26 08:00"), H) is None
    assert closed.working_time(local("2026-11-01 00:00"), local("2026-12-01 00:00")) == timedelta(0)


# -- properties --------------------------------------------------------------------------------
BASE = datetime(2026, 1, 1, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=730 * 24 * 60).map(lambda m: BASE + timedelta(minutes=m))
CALS = [cal(), cal(opening_hours=LUNCH), cal(opening_hours=EVERY_DAY, closed_dates=["2026-07-01"])]


@settings(max_examples=300, deadline=None)
@given(a=instants, b=instants, c=instants, which=st.integers(0, len(CALS) - 1))
def test_working_time_is_additive(a, b, c, which):
    a, b, c = sorted((a, b, c))
    k = CALS[which]
    assert k.working_seconds(a, c) == pytest.approx(k.working_seconds(a, b) + k.working_seconds(b, c), abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(t=instants, mins=st.integers(min_value=1, max_value=60 * 24 * 30), which=st.integers(0, len(CALS) - 1))
def test_add_working_time_inverts_working_time(t, mins, which):
    k = CALS[which]
    d = timedelta(minutes=mins)
    end = k.add_working_time(t, d)
    assert end is not None
    assert k.working_seconds(t, end) == pytest.approx(d.total_seconds(), abs=1e-3)
    # earliest: a minute earlier not enough working time has passed
    assert k.working_seconds(t, end - M) < d.total_seconds()
    # the result lies in opening hours or at the end of an interval
    assert k.is_open(end - timedelta(seconds=1))


@settings(max_examples=200, deadline=None)
@given(a=instants, hours=st.integers(min_value=1, max_value=24 * 14), which=st.integers(0, len(CALS) - 1))
def test_closed_time_never_counts(a, hours, which):
    """Working time equals the overlap with the opening intervals of each local date, computed
    independently of the calendar's interval table: time outside them never counts."""
    k = CALS[which]
    b = a + timedelta(hours=hours)
    d, last = k.local_date(a) - timedelta(days=1), k.local_date(b) + timedelta(days=1)
    reference = 0.0
    while d <= last:
        for s, e in k.intervals_on(d):
            lo, hi = max(a, s), min(b, e)
            if hi > lo:
                reference += (hi - lo).total_seconds()
        d += timedelta(days=1)
    assert k.working_seconds(a, b) == pytest.approx(reference, abs=1e-6)
    assert k.working_seconds(a, b) <= (b - a).total_seconds()
    # and an instant found closed adds nothing around it
    if not k.is_open(a):
        assert k.working_seconds(a, a + timedelta(seconds=1)) == 0
