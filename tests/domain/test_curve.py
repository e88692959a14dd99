"""The chart of waiting care cases per hour (issue 13 §4): the count at an instant, the hour's
mean of its ten-minute marks, the typical day, and the store-side assembly over a real SQLite
file (today against the same weekday of earlier weeks). Values worked out by hand."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from direkt_tui.domain.curve import Interval, Waiting, hourly, interval, typical

H8 = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 08:00 Stockholm


def test_a_case_waits_from_arrival_until_received_or_closed_whichever_first():
    a = H8 + timedelta(minutes=5)
    assert interval(a, a + timedelta(minutes=30), None).taken == a + timedelta(minutes=30)
    assert interval(a, None, a + timedelta(minutes=10)).taken == a + timedelta(minutes=10)
    assert interval(a, a + timedelta(minutes=30), a + timedelta(minutes=10)).taken == a + timedelta(minutes=10)
    assert interval(a, None, None).taken is None
    assert interval(a, a - timedelta(minutes=1), None).taken == a  # never taken before it arrived


def test_waiting_counts_arrived_and_not_yet_taken_at_the_instant():
    w = Waiting([Interval(H8, H8 + timedelta(minutes=20)), Interval(H8 + timedelta(minutes=10), None)])
    assert w.at(H8 - timedelta(seconds=1)) == 0
    assert w.at(H8) == 1  # arrived at that instant
    assert w.at(H8 + timedelta(minutes=10)) == 2
    assert w.at(H8 + timedelta(minutes=20)) == 1  # taken at that instant: no longer waiting
    assert w.at(H8 + timedelta(hours=5)) == 1


def test_an_hour_is_the_mean_of_its_ten_minute_marks_up_to_now():
    # arrived 08:05, taken 09:25: waiting at 08:10–08:50 (5 of 6 marks) and 09:00–09:20 (3 of 6)
    w = Waiting([Interval(H8 + timedelta(minutes=5), H8 + timedelta(minutes=85))])
    hours = [H8, H8 + timedelta(hours=1), H8 + timedelta(hours=2)]
    assert hourly(w, hours) == [pytest.approx(5 / 6), pytest.approx(3 / 6), 0.0]
    # at 09:15 the 09 hour has its marks 09:00 and 09:10 only; 10 has not begun
    assert hourly(w, hours, until=H8 + timedelta(minutes=75)) == [pytest.approx(5 / 6), 1.0, None]


def test_the_typical_day_is_the_mean_of_the_days_with_a_value():
    assert typical([[1.0, 2.0, None], [3.0, None, None]]) == [2.0, 2.0, None]
    assert typical([]) == []


def test_the_store_gives_today_against_the_same_weekday_of_earlier_weeks(tmp_path):
    """Scenario 01's units and shifts (Thursday 26 Nov, 14:30, open 08–17) with cases of our own:
    today A (08:05–09:25) and B (waiting since 09:00); an admin case and another unit's case
    that do not count; on 19 Nov E (10:00–11:00), on 12 Nov F (10:00–10:30), nothing kept of
    5 Nov and 29 Oct (so two days make the typical Thursday)."""
    from conftest import SCENARIOS, ingest_scenario, load_scenario

    from direkt_tui.reports.curve import day_curve
    from direkt_tui.store.db import Store

    sc = load_scenario(next(p for p in SCENARIOS if p.stem.startswith("01")))
    at = datetime.fromisoformat(sc["as_of"])
    template = next(c for c in sc["cases"] if c["unit_id"] == "vc-kungsgatan")

    def local(day: int, hh: int, mm: int) -> str:  # CET (UTC+1) in November
        return datetime(2026, 11, day, hh - 1, mm, tzinfo=UTC).isoformat()

    def case(cid, created, received=None, closed=None, kind="care", unit="vc-kungsgatan"):
        c = copy.deepcopy(template)
        status = "closed" if closed else ("started" if received else "waiting")
        c.update(id=cid, unit_id=unit, kind=kind, status=status, version=1, created_at=created,
                 received_at=received, started_at=received, closed_at=closed,
                 close_reason="resolved" if closed else None, updated_at=closed or received or created,
                 owner={"type": "person", "staff_id": "s-2"} if received else None,
                 owner_since=received, last_patient_message_at=None, last_staff_message_at=None)
        if kind == "admin":
            c["priority"] = None
        return c

    cases = [
        case("a", local(26, 8, 5), local(26, 9, 25)),
        case("b", local(26, 9, 0)),
        case("adm", local(26, 8, 0), kind="admin"),
        case("other", local(26, 8, 0), unit="vc-ryd"),
        case("e", local(19, 10, 0), local(19, 11, 0), local(19, 11, 30)),
        case("f", local(12, 10, 0), local(12, 10, 30), local(12, 10, 40)),
    ]
    with Store(tmp_path / "s.db") as st:
        ingest_scenario(st, {**sc, "cases": cases})
        unit = next(u for u in st.units() if u.id == "vc-kungsgatan")
        curve = day_curve(st, unit, at)
        sunday = day_curve(st, unit, at + timedelta(days=3))
    assert curve is not None and sunday is None  # not open on Sundays
    assert curve.hours == ("08", "09", "10", "11", "12", "13", "14", "15", "16")
    # 08: A at 5 of 6 marks; 09: A at 3 of 6, B at all; 10–14: B (14 up to 14:30); 15, 16: not yet
    assert curve.today == (pytest.approx(5 / 6), 1.5, 1.0, 1.0, 1.0, 1.0, 1.0, None, None)
    assert curve.history_days == 2
    # 10: E at all six marks on 19 Nov, F at three on 12 Nov
    assert curve.typical == (0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def test_the_hours_of_a_day_over_a_daylight_saving_change_are_each_there_once():
    """A unit open 00:00–06:00 on the spring change (29 March 2026: 02:00 does not exist) and the
    autumn one (25 October 2026: 02:00–03:00 twice): 5 and 7 real hours."""
    from builders import unit

    from direkt_tui.domain.calendar import UnitCalendar
    from direkt_tui.domain.models import Unit
    from direkt_tui.reports.curve import _hours

    night = {str(d): [{"open": "00:00", "close": "06:00"}] for d in range(1, 8)}
    cal = UnitCalendar(Unit.from_api(unit(opening_hours=night)))
    for day, labels in ((29, ["00", "01", "03", "04", "05"]), (25, ["00", "01", "02", "02", "03", "04", "05"])):
        d = datetime(2026, 3 if day == 29 else 10, day).date()
        hours = _hours(cal, cal.day_open(d), cal.day_close(d))
        assert [h.strftime("%H") for h in hours] == labels
        utc = [h.astimezone(UTC) for h in hours]  # (same-zone subtraction is wall-clock time)
        assert all(b - a == timedelta(hours=1) for a, b in zip(utc, utc[1:], strict=False))  # real hours


def test_a_total_counted_on_a_table_since_rebuilt_is_not_used():
    """The calendar keeps the evaluation instant's total; a board build racing another could
    write a total counted on the table before a rebuild — it must not be used after it."""
    from builders import unit

    from direkt_tui.domain.calendar import UnitCalendar
    from direkt_tui.domain.models import Unit

    cal = UnitCalendar(Unit.from_api(unit()))
    a, b = H8.timestamp(), (H8 + timedelta(hours=3)).timestamp()
    right = cal.working_seconds_ts(a, b)
    old = cal._starts
    cal._cover((H8 + timedelta(days=3000)).timestamp())  # the table grows: rebuilt
    assert cal._starts is not old
    cal._memo = (b, 12345.0, old)  # what a racing thread counted on the old table
    assert cal.working_seconds_ts(a, b) == right == 3 * 3600
