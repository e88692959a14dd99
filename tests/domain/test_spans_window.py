"""The long-absence rule reads the shift spans around the instant only (a window a day wider
each way, kept while it covers the instant): one store connection read again and again across
days finds what a fresh connection finds each time (real SQLite file)."""

from __future__ import annotations

from datetime import timedelta

from builders import case, local, person, shift, staff, unit

from direkt_tui.domain.models import Case, Coordinator, Shift, Staff, Unit
from direkt_tui.domain.rules import RuleEngine
from direkt_tui.store.db import Store


def _fill(db):
    day = local("2026-11-16 08:00")
    staff_ = [staff(f"n{i}") for i in range(6)]
    # n0 works every weekday of three weeks; n1..n5 one day each, spread over them
    shifts = [shift("n0", day + timedelta(days=d), day + timedelta(days=d, hours=8)) for d in range(21)]
    shifts += [shift(f"n{i}", day + timedelta(days=3 * i), day + timedelta(days=3 * i, hours=6)) for i in range(1, 6)]
    cases = [case(f"c-{i}", created=day - timedelta(hours=1), status="received", owner=person(f"n{i}"),
                  received_at=day, owner_since=day) for i in range(1, 6)]
    with Store(db) as s:
        s.replace_reference(units=[Unit.from_api(unit())], coordinators=[Coordinator("vc-a", "n0", None)])
        s.ingest("staff", [Staff.from_api(x) for x in staff_])
        s.ingest("shifts", [Shift.from_api(x) for x in shifts])
        s.ingest("cases", [Case.from_api(x) for x in cases])
        s.record_sync_success(day, day)


def _absent(store, engine, at):
    snap = store.snapshot(around=at, identity=False, **engine.read_plan(store.units(), at))
    return sorted((f.rule, f.case_id) for f in engine.evaluate(snap, at).findings if f.rule == "long_absence")


def test_a_reused_connection_finds_what_a_fresh_one_finds(tmp_path):
    db = tmp_path / "spans.db"
    _fill(db)
    engine = RuleEngine()
    seen = set()
    with Store(db, read_only=True) as kept:
        for hours in list(range(0, 24 * 20, 11)) + [24 * 2, 24 * 15, 5]:  # forward, then back again
            at = local("2026-11-16 09:00") + timedelta(hours=hours)
            with Store(db, read_only=True) as fresh:
                expected = _absent(fresh, RuleEngine(), at)
            assert _absent(kept, engine, at) == expected, at
            seen.add(tuple(expected))
    assert len(seen) > 3  # the findings did change with the instant
