"""The forecast for closing (issue 13 §4): each term of the formula, the methods and their
fall-backs, and the store-side assembly over a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from direkt_tui.domain.forecast import PastDay, backlog, clinician_hours, forecast
from direkt_tui.domain.models import Shift

T = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # 13:00 Stockholm
CLOSE = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


WAITS = [1.0, 1.0, 1.5, 1.5, 1.0]  # five cases taken in the last two hours: a mean wait of 1.2 h


def _f(**kw):
    base = dict(backlog_now=10, clinician_hours_ahead=20.0, history=[], arrivals_recent=8, recent_hours=2.0,
                hours_left=4.0, default_rate=2.0, waits_recent=WAITS)
    return forecast(T, CLOSE, **{**base, **kw})


def test_the_late_cases_are_the_arrivals_within_one_wait_of_closing():
    """8 arrivals in the last 2 h: 4 an hour; 16 more by closing; a wait of 1.2 h leaves
    4 × 1.2 = 4.8 at closing; 20 clinician-hours × 2 = 40 could take all the rest."""
    f = _f()
    assert f.arrivals_method == "today" and f.arrival_rate == 4 and f.arrivals == 16
    assert f.wait_method == "recent" and f.wait_cases == 5 and f.wait_hours == pytest.approx(1.2)
    assert f.capacity == 40 and f.late == pytest.approx(4.8) and f.method == "late"
    assert f.backlog_at_close == pytest.approx(4.8) and f.completions == pytest.approx(26 - 4.8)
    assert f.extra_clinician_hours == 0  # more staff cannot take the late ones
    f = _f(hours_left=0.5)  # half an hour left: only that half hour's arrivals
    assert f.arrivals == 2 and f.late == pytest.approx(2) and f.backlog_at_close == pytest.approx(2)


def test_the_roster_decides_when_the_clinicians_cannot_keep_up():
    """6 clinician-hours × 2 = 12 of 10 + 16: 14 left, 14 − 4.8 = 9.2 of them for 4.6 more hours."""
    f = _f(clinician_hours_ahead=6.0)
    assert f.method == "capacity" and f.capacity == 12
    assert f.backlog_at_close == pytest.approx(14) and f.completions == pytest.approx(12)
    assert f.extra_clinician_hours == pytest.approx((14 - 4.8) / 2)
    doc = f.to_json()
    assert doc["method"] == "capacity" and doc["late"] == 4.8 and doc["wait_hours"] == 1.2 and doc["capacity"] == 12
    assert doc["backlog_at_close"] == round(doc["backlog_now"] + doc["arrivals"] - doc["completions"], 1)


def test_history_gives_the_arrivals_the_rate_and_the_late_cases():
    """Three same weekdays: 10 arrivals after this time, takings 90 over 36 clinician-hours
    (2.5 > the configured 2). Late, from those days' closings: 2, 4 and 3 cases that arrived
    after this time were still waiting (a mean of 3), and of the 4 + 6 + 0 waiting at this time
    1 + 2 + 0 were (0.3): 3 + 10 × 0.3 = 6 — not 3 an hour × 1.2 h. 6 h × 2.5 = 15 of 20 leaves 5
    the clinicians cannot take: fewer than the late 6, so late decides."""
    h = [PastDay(8, 30, 12.0, 2, waiting_then=4, carried=1, late_after=2), PastDay(12, 30, 12.0, 4, 6, 2, 4),
         PastDay(10, 30, 12.0, 3, 0, 0, 3)]
    f = _f(history=h, clinician_hours_ahead=6.0)
    assert f.arrivals_method == "history" and f.history_days == 3 and f.arrivals == 10 and f.arrival_rate == 3
    assert f.rate_method == "history" and f.rate == pytest.approx(2.5)
    assert f.late_method == "history" and f.late_arrivals == 3 and f.carry_share == pytest.approx(0.3)
    assert f.late_carried == pytest.approx(3) and f.late == pytest.approx(6) and f.method == "late"
    assert f.backlog_at_close == pytest.approx(6) and f.extra_clinician_hours == 0
    doc = f.to_json()
    assert doc["late_method"] == "history" and doc["late_arrivals"] == 3 and doc["late_carried"] == 3
    assert doc["carry_share"] == 0.3 and doc["late"] == 6 and doc["wait_hours"] == 1.2  # every key kept
    f = _f(history=h, clinician_hours_ahead=4.0)  # 4 h × 2.5 = 10 of 20: 10 left, 4 of them for more staff
    assert f.method == "capacity" and f.late == pytest.approx(6) and f.backlog_at_close == pytest.approx(10)
    assert f.extra_clinician_hours == pytest.approx((10 - 6) / 2.5)
    f = _f(history=h, waits_recent=(), waits_today=())  # no wait today: the history needs none
    assert f.late_method == "history" and f.method == "late" and f.late == pytest.approx(6)
    f = _f(history=[PastDay(1, 30, 12.0, 6, 0, 0, 5), PastDay(1, 30, 12.0, 6, 0, 0, 5)], backlog_now=0)
    assert f.carry_share == 0 and f.late == 1 and f.backlog_at_close == 1  # never more late than there will be cases
    f = _f(history=[PastDay(99, 99, 9.0, 9, 9, 9, 9)])  # one day is not enough: today's rate × wait
    assert f.arrivals_method == "today" and f.arrivals == 16
    assert f.late_method == "today" and f.late == pytest.approx(4.8) and f.carry_share is None


def test_the_closing_waits_of_an_earlier_day_by_hand():
    """13:00 on a day closing at 16:00 (UTC here): a waiting at both, b taken at 14:00, c closed
    at 12:30 (before), d arrived at 14:30 and waiting at closing, e arrived at 15:00 and taken at
    16:00 sharp (not waiting then), f arrived at 16:00 sharp (waiting), g taken at the instant
    it arrived (never waiting)."""
    from direkt_tui.domain.curve import interval
    from direkt_tui.domain.forecast import ClosingWaits

    def at(h, m=0):
        return datetime(2026, 11, 19, h, m, tzinfo=UTC)

    rows = [(at(9), None, None), (at(10), at(14), at(15)), (at(11), None, at(12, 30)), (at(14, 30), at(17), None),
            (at(15), at(16), at(16, 5)), (at(16), None, None), (at(12, 40), at(12, 40), None)]
    w = ClosingWaits((interval(*r) for r in rows), at(16))
    assert w.at(at(13)) == (2, 1, 2)  # a, b waiting; a still at closing; d, f arrived after
    assert w.at(at(8)) == (0, 0, 3)  # nothing yet; a, d, f all arrived after
    assert w.at(at(14, 30)) == (2, 2, 1)  # a, d (arrived at that instant); f after
    assert w.at(at(18)) == w.at(at(16)) == (3, 3, 0)  # after closing counts as closing


def test_the_wait_falls_back_to_the_day_then_to_the_naive_forecast():
    f = _f(waits_recent=WAITS[:4], waits_today=[0.5] * 5)  # four are too few: the day's five
    assert f.wait_method == "today" and f.wait_hours == 0.5 and f.late == 2 and f.backlog_at_close == 2
    f = _f(waits_recent=WAITS[:4], waits_today=WAITS[:4])
    assert f.wait_method == "none" and f.wait_hours is None and f.method == "naive"
    assert f.late == 10 and f.backlog_at_close == 10  # the backlog stays as it is
    assert f.to_json()["wait_hours"] is None
    f = _f(recent_hours=0.25)  # a quarter of an hour open: no arrival rate either
    assert f.arrivals_method == "none" and f.arrivals == 0 and f.method == "naive" and f.backlog_at_close == 10


def test_the_service_rate_is_the_largest_of_the_default_history_and_today():
    f = _f(completions_today=12, clinician_hours_so_far=4.0)
    assert f.rate_method == "today" and f.rate == pytest.approx(3)
    f = _f(completions_today=6, clinician_hours_so_far=4.0)  # 1.5 an hour: the clinicians kept up
    assert f.rate_method == "default" and f.rate == 2.0
    f = _f(completions_today=4, clinician_hours_so_far=1.0)  # too few cases to go on
    assert f.rate_method == "default"
    f = _f(history=[PastDay(10, 12, 12.0), PastDay(10, 12, 12.0)])  # 1 an hour: below the default
    assert f.rate_method == "default" and f.rate == 2.0


def test_clinician_hours_count_clinical_uncancelled_shifts_within_the_window():
    def sh(i, prof, a, b, cancelled=False, unit="u"):
        return Shift(f"sh-{i}", unit, f"s-{i}", prof, T + timedelta(hours=a), T + timedelta(hours=b), 1, cancelled)

    shifts = [sh(1, "nurse", -2, 2), sh(2, "doctor", 1, 8), sh(3, "medical_admin", 0, 4),
              sh(4, "nurse", 0, 4, cancelled=True), sh(5, "nurse", 0, 4, unit="other")]
    assert clinician_hours(shifts, "u", T, CLOSE) == pytest.approx(2 + 3)
    # the read side's one pass over a unit's shifts: before and after 15:00, in 09:00-12:00 and 13:00-17:00
    from direkt_tui.reports.forecast import _clinician_hours_split

    periods = [(T - timedelta(hours=4), T - timedelta(hours=1)), (T, CLOSE)]
    mine = [s for s in shifts if s.unit_id == "u"]
    split = _clinician_hours_split(mine, periods, T + timedelta(hours=2))
    ref = [sum(clinician_hours(mine, "u", max(a, lo), min(b, hi)) for a, b in periods if min(b, hi) > max(a, lo))
           for lo, hi in ((T - timedelta(days=1), T + timedelta(hours=2)), (T + timedelta(hours=2), CLOSE))]
    assert split == pytest.approx(ref) and split == pytest.approx((2 + 1 + 1 + 0, 0 + 2))


def test_the_store_sums_the_same_clinician_hours(tmp_path):
    """``Store.scheduled_hours`` (SQL, for earlier days) agrees with ``clinician_hours``."""
    from direkt_tui.domain.models import CLINICAL
    from direkt_tui.store.db import Store

    def sh(i, prof, a, b, cancelled=False, unit="u"):
        return Shift(f"sh-{i}", unit, f"s-{i}", prof, T + timedelta(hours=a), T + timedelta(hours=b), 1, cancelled)

    shifts = [sh(1, "nurse", -2, 2), sh(2, "doctor", 1, 8), sh(3, "medical_admin", 0, 4),
              sh(4, "nurse", 0, 4, cancelled=True), sh(5, "nurse", 0, 4, unit="other"), sh(6, "nurse", -30, -26)]
    windows = [(T - timedelta(hours=1), T + timedelta(hours=1.5)), (T + timedelta(hours=2), CLOSE)]
    with Store(tmp_path / "s.db") as st:
        st.apply_page("shifts", shifts, "c1")
        got = st.scheduled_hours("u", windows, CLINICAL)
    assert got == pytest.approx(sum(clinician_hours(shifts, "u", a, b) for a, b in windows), abs=1e-6)
    assert got == pytest.approx(2.5 + 0.5 + 2, abs=1e-6)  # the nurse 2.5, the doctor 0.5 + 2


def test_backlog_is_waiting_and_queued_care_cases():
    from builders import case

    from direkt_tui.domain.models import Case

    cs = [Case.from_api(case("c-1", created=T, status="waiting")),
          Case.from_api(case("c-2", created=T, status="received", owner={"type": "role", "profession": "nurse"})),
          Case.from_api(case("c-3", created=T, status="started", owner={"type": "person", "staff_id": "s-1"})),
          Case.from_api(case("c-4", created=T, status="waiting", kind="admin", priority=None))]
    assert backlog(cs) == 2


def test_the_store_gives_the_same_weekday_history(tmp_path):
    """Scenario 01 (Thursday 26 Nov 14:30) with care cases kept from the four Thursdays before:
    arrivals after 14:30 and cases taken per clinician-hour come from those days."""
    import copy

    from conftest import SCENARIOS, ingest_scenario, load_scenario

    from direkt_tui.reports.forecast import unit_forecast
    from direkt_tui.store.db import Store

    sc = load_scenario(next(p for p in SCENARIOS if p.stem.startswith("01")))
    at = datetime.fromisoformat(sc["as_of"])
    extra_cases, extra_shifts = [], []
    template = next(c for c in sc["cases"] if c["unit_id"] == "vc-kungsgatan")
    for week in range(1, 5):
        day = at - timedelta(days=7 * week)
        for i in range(week + 1):  # 2, 3, 4, 5 arrivals after 14:30 on those days
            c = copy.deepcopy(template)
            c.update(id=f"h{week}-{i}", status="closed", version=3, owner=None, owner_since=None,
                     created_at=(day + timedelta(minutes=10 + i)).isoformat(),
                     received_at=(day + timedelta(minutes=20 + i)).isoformat(),
                     started_at=None, closed_at=(day + timedelta(minutes=40 + i)).isoformat(),
                     close_reason="resolved", updated_at=(day + timedelta(minutes=40 + i)).isoformat())
            extra_cases.append(c)
        extra_shifts.append({"id": f"hs-{week}", "unit_id": "vc-kungsgatan", "staff_id": "s-1",
                             "profession": "nurse", "start": (day - timedelta(hours=6)).isoformat(),
                             "end": (day + timedelta(hours=2)).isoformat(), "version": 1})
    sc = {**sc, "cases": sc["cases"] + extra_cases, "shifts": sc["shifts"] + extra_shifts}
    with Store(tmp_path / "s.db") as st:
        ingest_scenario(st, sc)
        snap = st.snapshot(around=at)
        unit = next(u for u in st.units() if u.id == "vc-kungsgatan")
        f = unit_forecast(st, snap, unit, at)
    assert f is not None and f.arrivals_method == "history" and f.history_days == 4
    assert f.arrivals == pytest.approx((2 + 3 + 4 + 5) / 4)
    assert f.arrival_rate == 0  # none of them in the hour before closing
    assert f.late_method == "history" and f.late == 0  # all taken by 14:55: none left at those closings
    # 2..5 taken over 8 clinician-hours a day (14 / 32 an hour): below the default
    assert f.rate_method == "default"
    assert f.backlog_now == backlog(c for c in snap.cases if c.unit_id == "vc-kungsgatan")


def test_the_history_read_once_is_read_again_when_the_store_gains_cases(tmp_path):
    """Earlier days are kept per store, unit and day, but a case synced in since counts."""
    import copy

    from conftest import SCENARIOS, ingest_scenario, load_scenario

    from direkt_tui.domain.models import Case
    from direkt_tui.reports.forecast import unit_forecast
    from direkt_tui.store.db import Store

    sc = load_scenario(next(p for p in SCENARIOS if p.stem.startswith("01")))
    at = datetime.fromisoformat(sc["as_of"])
    template = next(c for c in sc["cases"] if c["unit_id"] == "vc-kungsgatan")

    def kept(cid, day, minutes):
        c = copy.deepcopy(template)
        t = day + timedelta(minutes=minutes)
        c.update(id=cid, status="closed", version=3, owner=None, owner_since=None, created_at=t.isoformat(),
                 received_at=(t + timedelta(minutes=5)).isoformat(), started_at=None,
                 closed_at=(t + timedelta(minutes=9)).isoformat(), close_reason="resolved",
                 updated_at=(t + timedelta(minutes=9)).isoformat())
        return c

    weeks = [at - timedelta(days=7 * k) for k in (1, 2)]
    # one arrival after 14:30 on each of the two Thursdays, at 16:40 (in the hour before 17:00)
    sc = {**sc, "cases": sc["cases"] + [kept(f"h{k}", d, 130) for k, d in enumerate(weeks)]}
    with Store(tmp_path / "s.db") as st:
        ingest_scenario(st, sc)
        snap = st.snapshot(around=at)
        unit = next(u for u in st.units() if u.id == "vc-kungsgatan")
        f = unit_forecast(st, snap, unit, at)
        assert f is not None and f.arrivals_method == "history" and f.arrivals == 1 and f.arrival_rate == 1
        reads = []
        real = st.care_waits
        st.care_waits = lambda *a: reads.append(a) or real(*a)
        assert unit_forecast(st, snap, unit, at) == f and reads == []  # the same from what was kept
        st.apply_page("cases", [Case.from_api(kept("t1", at - timedelta(minutes=60), 0))], "c2")
        assert unit_forecast(st, snap, unit, at) == f and reads == []  # a case today: earlier days stand
        st.apply_page("cases", [Case.from_api(kept("h9", weeks[0], 140))], "c3")
        g = unit_forecast(st, snap, unit, at)
        assert len(reads) == 1  # only the day that gained a case is read again
    assert g is not None and g.arrivals == 1.5 and g.arrival_rate == 1.5


def test_the_store_gives_the_late_cases_from_the_same_weekdays_closings(tmp_path):
    """Scenario 01 (Thursday 26 Nov 14:30, closing 17:00) with two earlier Thursdays, each:
    a arrived 14:00, taken the next morning; b arrived 14:10, taken 15:00; c arrived 16:00, taken
    the next morning; d arrived 16:30, closed 16:45; e arrived 15:00, closed the next morning.
    At 14:30 a and b were waiting, a still at closing (1 of 2); c and e arrived after and were
    still waiting at closing: late = 2 + backlog_now × ½, read from a real SQLite file."""
    import copy

    from conftest import SCENARIOS, ingest_scenario, load_scenario

    from direkt_tui.reports.forecast import past_days, unit_forecast
    from direkt_tui.store.db import Store

    sc = load_scenario(next(p for p in SCENARIOS if p.stem.startswith("01")))
    at = datetime.fromisoformat(sc["as_of"])
    template = next(c for c in sc["cases"] if c["unit_id"] == "vc-kungsgatan")

    def kept(cid, day, created, received, closed):
        c = copy.deepcopy(template)
        iso = {k: None if m is None else (day + timedelta(minutes=m)).isoformat()
               for k, m in (("created_at", created), ("received_at", received), ("closed_at", closed))}
        c.update(id=cid, status="closed", version=3, owner=None, owner_since=None, started_at=None,
                 close_reason="resolved", updated_at=iso["closed_at"], **iso)
        return c

    extra = []
    for k in (1, 2):
        day = at - timedelta(days=7 * k)  # 14:30 that Thursday; the next morning is +18 h
        extra += [kept(f"a{k}", day, -30, 18 * 60, 18 * 60 + 30), kept(f"b{k}", day, -20, 30, 50),
                  kept(f"c{k}", day, 90, 18 * 60, 18 * 60 + 30), kept(f"d{k}", day, 120, None, 135),
                  kept(f"e{k}", day, 30, None, 17 * 60 + 40)]
    sc = {**sc, "cases": sc["cases"] + extra}
    with Store(tmp_path / "s.db") as st:
        ingest_scenario(st, sc)
        snap = st.snapshot(around=at)
        unit = next(u for u in st.units() if u.id == "vc-kungsgatan")
        from direkt_tui.domain.calendar import UnitCalendar

        days = past_days(st, unit, UnitCalendar(unit), at)
        f = unit_forecast(st, snap, unit, at)
    assert [(d.arrivals_after, d.waiting_then, d.carried, d.late_after) for d in days] == [(3, 2, 1, 2)] * 2
    assert f is not None and f.history_days == 2 and f.arrivals == 3 and f.late_method == "history"
    assert f.late_arrivals == 2 and f.carry_share == 0.5 and f.late_carried == f.backlog_now / 2
    assert f.backlog_now == backlog(c for c in snap.cases if c.unit_id == "vc-kungsgatan") > 0
    assert f.late == pytest.approx(min(2 + f.backlog_now / 2, f.backlog_now + 3))


def test_the_detail_view_writes_out_the_history_late_term():
    """With history the late line gives the history's own closing backlog, not rate × wait."""
    from zoneinfo import ZoneInfo

    from direkt_tui.ui.screens.loaddetail import forecast_lines

    h = [PastDay(8, 30, 12.0, 2, waiting_then=4, carried=1, late_after=2), PastDay(12, 30, 12.0, 4, 6, 2, 4),
         PastDay(10, 30, 12.0, 3, 0, 0, 3)]
    tz = ZoneInfo("Europe/Stockholm")
    sv = forecast_lines(_f(history=h, clinician_hours_ahead=6.0), tz, "sv")
    assert sv[2] == ("6,0 väntar kvar vid stängning hur många som än arbetar, som samma veckodagar (samma veckodag"
                     " 4 veckor): 3,0 som kommer efter nu och 3,0 av de 10 som väntar nu (30 % hade kvar då).")
    en = forecast_lines(_f(history=h, clinician_hours_ahead=4.0), tz, "en")
    assert en[2].startswith("6.0 are still waiting at closing however many work") and "(30 % were left then)" in en[2]
    assert en[3].startswith("The clinicians cannot keep up: 10.0 can be taken")
