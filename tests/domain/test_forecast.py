"""The forecast for closing (issue 13 §4): each term of the formula, the methods and their
fall-backs, and the store-side assembly over a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from direkt_tui.domain.forecast import PastDay, backlog, clinician_hours, forecast
from direkt_tui.domain.models import Shift

T = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # 13:00 Stockholm
CLOSE = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


def _f(**kw):
    base = dict(backlog_now=10, clinician_hours_ahead=6.0, history=[], arrivals_today=12,
                open_hours_so_far=4.0, open_hours_left=4.0, default_rate=2.0)
    return forecast(T, CLOSE, **{**base, **kw})


def test_history_is_the_mean_of_the_same_weekday_days():
    f = _f(history=[PastDay(8, 30, 12.0), PastDay(12, 30, 12.0), PastDay(10, 30, 12.0)])
    assert f.arrivals_method == "history" and f.history_days == 3 and f.arrivals == 10
    assert f.rate_method == "history" and f.rate == pytest.approx(90 / 36)
    assert f.completions == pytest.approx(min(20, 90 / 36 * 6))
    assert f.backlog_at_close == pytest.approx(20 - 15)
    assert f.extra_clinician_hours == pytest.approx(5 / (90 / 36))


def test_too_little_history_uses_todays_rate_then_nothing():
    f = _f(history=[PastDay(99, 99, 9.0)])  # one day is not enough
    assert f.arrivals_method == "today" and f.arrivals == pytest.approx(12 / 4 * 4)
    f = _f(open_hours_so_far=0.25)
    assert f.arrivals_method == "none" and f.arrivals == 0


def test_the_service_rate_falls_back_to_today_then_the_default():
    f = _f(completions_today=6, clinician_hours_so_far=4.0)
    assert f.rate_method == "today" and f.rate == pytest.approx(1.5)
    f = _f(completions_today=6, clinician_hours_so_far=0.5)
    assert f.rate_method == "default" and f.rate == 2.0
    f = _f(completions_today=4, clinician_hours_so_far=4.0)  # too few cases to go on
    assert f.rate_method == "default"


def test_capacity_beyond_the_backlog_leaves_nothing_and_needs_no_hours():
    f = _f(clinician_hours_ahead=100.0)
    assert f.completions == pytest.approx(22) and f.backlog_at_close == 0 and f.extra_clinician_hours == 0
    doc = f.to_json()
    assert doc["backlog_at_close"] == 0 and doc["arrivals_method"] == "today" and doc["rate_method"] == "default"


def test_clinician_hours_count_clinical_uncancelled_shifts_within_the_window():
    def sh(i, prof, a, b, cancelled=False, unit="u"):
        return Shift(f"sh-{i}", unit, f"s-{i}", prof, T + timedelta(hours=a), T + timedelta(hours=b), 1, cancelled)

    shifts = [sh(1, "nurse", -2, 2), sh(2, "doctor", 1, 8), sh(3, "medical_admin", 0, 4),
              sh(4, "nurse", 0, 4, cancelled=True), sh(5, "nurse", 0, 4, unit="other")]
    assert clinician_hours(shifts, "u", T, CLOSE) == pytest.approx(2 + 3)


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
    assert f.rate_method == "history"
    assert f.backlog_now == backlog(c for c in snap.cases if c.unit_id == "vc-kungsgatan")
