"""The generated world's earlier weeks (``generate_world(history_weeks=N)``, ``sim --history-weeks``):
closed cases and shifts of the days before the live one, served through the normal feeds over
loopback, the same for a seed, kept through the purge, and leaving the live day as it is."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sim.sim_support import THURSDAY_0730, read_feed

from direkt_tui.sim import generate_world
from direkt_tui.sim.timeutil import parse_iso, zone

LIVE = date(2026, 11, 26)  # THURSDAY_0730's local date


def _local(instant: str) -> date:
    return parse_iso(instant).astimezone(zone()).date()


def _served(gen_server, openapi, **kw) -> tuple[object, dict[str, dict], dict[str, dict]]:
    world, _srv, c = gen_server(seed=7, **kw)
    cases = {x["id"]: x for x in read_feed(c, "cases", openapi=openapi)[0]}
    shifts = {x["id"]: x for x in read_feed(c, "shifts", openapi=openapi)[0]}
    return world, cases, shifts


def test_history_days_are_served_closed_through_the_feeds(gen_server, openapi):
    world, cases, shifts = _served(gen_server, openapi, history_weeks=2)
    past = {cid: x for cid, x in cases.items() if cid in world.engine.kept}
    # the live day's own cases from before yesterday: only the scripted long absence (held for days)
    older = [x for k, x in cases.items() if k not in past and _local(x["created_at"]) < LIVE - timedelta(days=1)]
    assert len(older) <= 1 and all(x["status"] != "closed" for x in older)
    days = Counter(_local(x["created_at"]) for x in past.values())
    # every day of the two weeks before yesterday (which the live engine plays itself): the
    # weekdays' full load (the weekend unit's weekends are smaller), all closed and complete
    weekdays = [LIVE - timedelta(days=k) for k in range(2, 15) if (LIVE - timedelta(days=k)).weekday() < 5]
    assert all(days[d] > 60 for d in weekdays), days
    assert min(days) >= LIVE - timedelta(days=14)
    for x in past.values():
        assert x["status"] == "closed" and x["closed_at"] and x["close_reason"]
        assert x["created_at"] <= x["closed_at"]
        if x["received_at"]:
            assert x["created_at"] <= x["received_at"] <= x["closed_at"]
    assert sum(1 for x in past.values() if x["received_at"]) > 0.9 * len(past)
    # arrivals on the live day's curve: the morning peak (08-10) carries far more than the afternoon
    care = [parse_iso(x["created_at"]).astimezone(zone()) for x in past.values() if x["kind"] == "care"]
    assert sum(1 for t in care if 8 <= t.hour < 10) > sum(1 for t in care if 15 <= t.hour < 17)
    # the shifts of those days, of the world's own staff
    staff = set(world.entities("staff"))
    old_shifts = [s for s in shifts.values() if _local(s["start"]) < LIVE - timedelta(days=1)]
    assert {_local(s["start"]) for s in old_shifts} >= set(weekdays)
    assert {s["staff_id"] for s in old_shifts} <= staff


def test_history_is_the_same_for_a_seed_and_leaves_the_live_day_alone(gen_server, openapi):
    _w1, cases1, shifts1 = _served(gen_server, openapi, history_weeks=1)
    _w2, cases2, shifts2 = _served(gen_server, openapi, history_weeks=1)
    assert cases1 == cases2 and shifts1 == shifts2
    _w0, cases0, shifts0 = _served(gen_server, openapi)
    assert len(cases1) > len(cases0) + 300
    # with or without history, the live day (yesterday and today) is served the same
    assert {k: v for k, v in cases1.items() if k in cases0} == cases0
    assert {k: v for k, v in shifts1.items() if k in shifts0} == shifts0
    assert all(_local(x["created_at"]) < LIVE - timedelta(days=1) for k, x in cases1.items() if k not in cases0)


def test_same_weekday_days_are_those_of_the_full_weeks():
    full = generate_world(seed=3, start=THURSDAY_0730, speed=0, history_weeks=2)
    same = generate_world(seed=3, start=THURSDAY_0730, speed=0, history_weeks=2, history_same_weekday=True)
    thursdays = {LIVE - timedelta(days=7), LIVE - timedelta(days=14)}

    def of(world, feed, when):
        return {
            k: v for k, v in world.entities(feed).items() if k in world.engine.kept and _local(v[when]) in thursdays
        }

    assert of(same, "cases", "created_at") == of(full, "cases", "created_at") != {}
    assert of(same, "shifts", "start") == of(full, "shifts", "start") != {}
    assert {_local(v["created_at"]) for k, v in same.entities("cases").items() if k in same.engine.kept} <= thursdays


def test_history_is_kept_through_the_purge():
    world = generate_world(seed=5, start=THURSDAY_0730, speed=0, history_weeks=1)
    kept = {k for k in world.entities("cases") if k in world.engine.kept}
    shifts = {k for k in world.entities("shifts") if k in world.engine.kept}
    assert kept and shifts
    # two nightly purges, each of the cases closed over three days before: every history day's would go
    world.advance(2 * 86400)
    assert kept <= set(world.entities("cases")) and shifts <= set(world.entities("shifts"))


def test_history_weeks_bounds():
    with pytest.raises(ValueError):
        generate_world(seed=1, start=THURSDAY_0730, speed=0, history_weeks=9)
    with pytest.raises(ValueError):
        generate_world(seed=1, start=THURSDAY_0730, speed=0, history_weeks=-1)


def test_sim_cli_history_weeks():
    import argparse

    from sim.sim_support import SCENARIOS

    from direkt_tui.sim import cli

    p = argparse.ArgumentParser()
    cli.configure_parser(p)
    assert p.parse_args([]).history_weeks == 0  # unchanged by default
    world, server, what = cli.build(
        p.parse_args(
            ["--seed", "3", "--start", "2026-11-26T07:30", "--speed", "0", "--history-weeks", "1", "--port", "0"]
        )
    )
    assert "1 weeks of history" in what and world.engine.kept
    world, server, what = cli.build(
        p.parse_args(
            ["--seed", "3", "--start", "2026-11-26T07:30", "--speed", "0", "--history-weeks", "2"]
            + ["--history-same-weekday", "--port", "0"]
        )
    )
    days = {_local(c["created_at"]) for k, c in world.entities("cases").items() if k in world.engine.kept}
    assert days == {LIVE - timedelta(days=7), LIVE - timedelta(days=14)}
    for bad in (["--seed", "3", "--history-weeks", "9"], ["--scenario", str(SCENARIOS[0]), "--history-weeks", "2"]):
        with pytest.raises(cli.UsageError):
            cli.build(p.parse_args([*bad, "--port", "0"]))


def test_a_history_day_is_that_date_played_live():
    """The same date as history (a week before the live day) and as a live day of its own: the
    same arrivals (ids, instants, units, kinds, priorities) and the same shifts."""
    thursday = LIVE - timedelta(days=7)
    hist = generate_world(seed=4, start=THURSDAY_0730, speed=0, history_weeks=1, history_same_weekday=True)
    live = generate_world(seed=4, start="2026-11-19T07:30:00+01:00", speed=0)
    live.advance(29 * 3600)  # to noon the day after: the leftovers handled

    def arrivals(world, kept_only):
        return {
            (k, c["created_at"], c["unit_id"], c["kind"], c["priority"])
            for k, c in world.entities("cases").items()
            if _local(c["created_at"]) == thursday and (k in world.engine.kept or not kept_only)
        }

    def shifts(world):
        return {k: s for k, s in world.entities("shifts").items() if _local(s["start"]) == thursday}

    served = arrivals(hist, True)
    assert len(served) > 150 and served == arrivals(live, False)
    assert shifts(hist) == shifts(live) != {}
    # every case closed that day is the live play's, instant for instant; the leftovers are handled
    # the next morning (a few minutes apart: the morning's plan is not drawn in full), and the few
    # still open at noon there are closed then by Stöd och service
    cases, played = hist.entities("cases"), live.entities("cases")
    noon = "2026-11-20T11:00:00Z"
    for k, *_ in served:
        mine, theirs = cases[k], played[k]
        assert mine["status"] == "closed" and mine["closed_at"] <= noon
        if theirs["status"] == "closed" and _local(theirs["closed_at"]) == thursday:
            assert mine == theirs
