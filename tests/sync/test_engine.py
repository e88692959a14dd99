"""The sync engine against the simulator over loopback HTTP, into real SQLite files."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sync.support import (
    AS_OF,
    Reply,
    ScriptedApi,
    Sleeps,
    assert_same_tables,
    bump,
    case_doc,
    insert_raw,
    remove,
    store_versions,
    table_rows,
    world_versions,
)

from direkt_tui.config import Config, SyncConfig
from direkt_tui.sync.engine import RetryPolicy, SyncAuthError, SyncError

FEEDS = ("staff", "shifts", "cases")


def clean_sync(make_engine, sim, name="clean.db"):
    eng = make_engine(sim.base_url, name)
    eng.sync_all()
    return eng.store.path


def test_full_sync_matches_the_server(sim, world, make_engine):
    # our clock a minute after the platform's, passed explicitly: data_as_of is never later than
    # our clock, so with the machine's clock this held only on dates after AS_OF
    eng = make_engine(sim.base_url, clock=lambda: AS_OF + timedelta(minutes=1))
    r = eng.sync_all()
    for feed in FEEDS:
        assert store_versions(eng.store.path, feed) == world_versions(world, feed)
    assert r.feeds["cases"].pages == 6  # 40 cases in pages of 7
    assert eng.store.count("units") == 2 and eng.store.count("templates") == 2
    assert eng.store.coordinators()["vc-a"].staff_id == "s-0"
    assert eng.store.capabilities().max_page_size == 1000
    # data_as_of is the server's clock (the simulator is frozen at AS_OF), not the local one
    health = eng.store.sync_health()
    assert health.data_as_of == AS_OF
    assert health.consecutive_failures == 0 and health.last_success_at is not None
    # a second cycle only fetches what changed
    bump(world, "cases", "c-5", status="received", received_at="2026-11-26T13:00:00Z")
    r2 = eng.sync_all(reference=False)
    assert r2.feeds["cases"].items == 1 and r2.feeds["cases"].changed == 1
    assert r2.feeds["staff"].items == 0
    assert eng.store.case("c-5").status == "received"


def test_small_pages_repeats_and_older_versions_keep_the_highest(sim, world, make_engine):
    for i in range(0, 40, 3):
        for _ in range(1 + i % 4):
            bump(world, "cases", f"c-{i}", reason=f"v{i}")
    for i in range(0, 12, 2):
        bump(world, "staff", f"s-{i}", logged_in=False)
    world.set_faults(max_page_size=2, repeat_rate=1.0, old_version_rate=1.0)
    eng = make_engine(sim.base_url)
    seen_old = []
    original = eng.store.apply_page

    def spy(feed, items, *a, **kw):
        current = world_versions(world, feed)
        seen_old.extend(i.id for i in items if i.version < current[i.id])
        return original(feed, items, *a, **kw)

    eng.store.apply_page = spy
    eng.sync_all()
    assert seen_old, "the simulator should have re-sent older versions"
    for feed in FEEDS:
        assert store_versions(eng.store.path, feed) == world_versions(world, feed)
    world.set_faults(max_page_size=None, repeat_rate=0.0, old_version_rate=0.0)
    assert_same_tables(eng.store.path, clean_sync(make_engine, sim))


def test_410_reread_keeps_local_data_until_it_completes(sim, world, make_engine):
    eng = make_engine(sim.base_url)
    eng.sync_all()
    before = eng.store.count("cases")
    remove(world, "cases", "c-7")  # gone on the server; only a completed re-read may drop it
    bump(world, "cases", "c-8", reason="changed")
    world.drop_cursors()

    counts: list[int] = []
    original = eng.store.apply_page
    fail_after = {"pages": 2}

    def spy(feed, items, *a, **kw):
        n = original(feed, items, *a, **kw)
        if feed == "cases":
            counts.append(eng.store.count("cases"))
            fail_after["pages"] -= 1
            if fail_after["pages"] == 0:
                world.set_faults(error_rate=1.0)  # the re-read breaks off half-way
        return n

    eng.store.apply_page = spy
    with pytest.raises(SyncError, match="500"):
        eng.sync_all(reference=False)
    assert eng.store.resync_pending("cases")
    assert eng.store.count("cases") == before  # nothing discarded while the re-read is unfinished
    assert eng.store.case("c-7") is not None
    assert min(counts) == before

    world.set_faults(error_rate=0.0)
    r = eng.sync_all(reference=False)
    assert r.feeds["cases"].resynced and r.feeds["cases"].removed == 1
    assert not eng.store.resync_pending("cases")
    assert eng.store.case("c-7") is None
    assert eng.store.case("c-8").reason == "changed"
    assert store_versions(eng.store.path, "cases") == world_versions(world, "cases")
    # the other feeds re-read in the first run (their cursors were dropped too) and lost nothing
    assert not eng.store.resync_pending("staff") and eng.store.count("staff") == 12
    assert_same_tables(eng.store.path, clean_sync(make_engine, sim))


def test_401_stops_at_once_with_a_clear_message(sim, make_engine):
    sleeps = Sleeps()
    eng = make_engine(sim.base_url, token="not-the-token", sleep=sleeps)
    with pytest.raises(SyncAuthError) as ei:
        eng.sync_all()
    assert "401" in str(ei.value) and "DIREKT_API_TOKEN" in str(ei.value)
    assert "not-the-token" not in str(ei.value)
    assert sleeps.calls == []  # no retries
    health = eng.store.sync_health()
    assert health.consecutive_failures == 1 and "401" in health.last_error
    assert health.data_as_of is None


def test_500s_then_recovery_with_exponential_backoff(sim, world, make_engine):
    world.set_faults(error_rate=1.0)

    def on_sleep(n):
        if n == 3:
            world.set_faults(error_rate=0.0)

    sleeps = Sleeps(on_sleep)
    eng = make_engine(sim.base_url, sleep=sleeps)
    eng.sync_all()
    assert sleeps.calls == [0.25, 0.5, 1.0]  # base 0.5, doubling, jitter factor 0.5 (rand = 0)
    assert store_versions(eng.store.path, "cases") == world_versions(world, "cases")
    assert eng.store.sync_health().consecutive_failures == 0


def test_backoff_is_capped_and_jittered():
    p = RetryPolicy(base_delay=1, max_delay=10)
    assert [p.backoff(n, lambda: 0.0) for n in range(6)] == [0.5, 1, 2, 4, 5, 5]
    assert p.backoff(10, lambda: 0.999) < 10
    assert p.backoff(2, lambda: 0.5) == 3.0


def test_gives_up_after_max_attempts_and_records_the_failure(sim, world, make_engine):
    world.set_faults(error_rate=1.0)
    sleeps = Sleeps()
    eng = make_engine(sim.base_url, sleep=sleeps, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(SyncError, match="gave up after 3 attempts"):
        eng.sync_all()
    assert len(sleeps.calls) == 2
    with pytest.raises(SyncError):
        eng.sync_all()
    h = eng.store.sync_health()
    assert h.consecutive_failures == 2 and "500" in h.last_error and "\n" not in h.last_error
    assert h.failing_since is not None


def test_timeouts_then_recovery(sim, world, make_engine):
    world.set_faults(hang_seconds=30)

    def on_sleep(n):
        if n == 2:
            world.set_faults(hang_seconds=0)

    sleeps = Sleeps(on_sleep)
    eng = make_engine(sim.base_url, sleep=sleeps, deadline=0.4)
    t0 = time.monotonic()
    eng.sync_all()
    assert time.monotonic() - t0 < 4
    assert len(sleeps.calls) == 2
    assert store_versions(eng.store.path, "shifts") == world_versions(world, "shifts")


def test_garbage_page_is_retried_and_never_half_applied(sim, world, make_engine):
    eng = make_engine(sim.base_url)
    eng.sync_all()
    for i in range(10):
        bump(world, "cases", f"c-{i}", reason="second")
    world.set_faults(garbage_rate=1.0)
    state = {}

    def on_sleep(n):
        # while every page is garbage nothing of it may reach the store
        state.setdefault("cursor", eng.store.cursor("cases"))
        assert eng.store.cursor("cases") == state["cursor"]
        assert [eng.store.case(f"c-{i}").reason for i in range(10)] == ["Förkylning"] * 10
        if n == 3:
            world.set_faults(garbage_rate=0.0)

    sleeps = Sleeps(on_sleep)
    eng._sleep = sleeps
    r = eng.sync_all(reference=False)
    assert len(sleeps.calls) == 3
    assert r.feeds["cases"].changed == 10
    assert [eng.store.case(f"c-{i}").reason for i in range(10)] == ["second"] * 10


def test_invalid_item_is_quarantined_and_the_rest_syncs(sim, world, make_engine):
    bad = case_doc(900)
    bad["priority"] = 9  # outside 1-5
    insert_raw(world, "cases", bad)
    no_id = {"unit_id": "vc-a", "name": "Nobody", "professions": ["nurse"], "version": 1}
    with world.lock:
        world.logs["staff"].record("ghost", 1, '{"unit_id":"vc-a","name":"Nobody","professions":["nurse"],"version":1}')
    odd = case_doc(901)
    odd["close_reason"] = []  # made Case.from_api raise TypeError, not ValidationError: still quarantined
    insert_raw(world, "cases", odd)
    eng = make_engine(sim.base_url)
    r = eng.sync_all()
    assert r.feeds["cases"].quarantined == 2 and r.feeds["staff"].quarantined == 1
    assert eng.store.count("cases") == 40 and eng.store.case("c-900") is None
    q = {x.item_id: x for x in eng.store.quarantined()}
    assert "priority" in q["c-900"].reason
    assert "close_reason" in q["c-901"].reason or "unparsable" in q["c-901"].reason
    assert q["c-900"].payload["patient"] == "<redacted>"  # no patient data kept in quarantine
    assert None in q and "id" in q[None].reason
    assert no_id["name"] == q[None].payload["name"]
    assert eng.store.sync_health().consecutive_failures == 0


def test_retry_after_is_honoured(sim, world, make_engine):
    world.set_faults(outage=True)  # 503 with Retry-After: 5

    def on_sleep(n):
        world.set_faults(outage=False)

    sleeps = Sleeps(on_sleep)
    eng = make_engine(sim.base_url, sleep=sleeps)
    eng.sync_all()
    assert sleeps.calls == [pytest.approx(5.0, abs=0.05)]
    world.set_faults(rate_limit_every=3)  # every third request: 429 with Retry-After: 1
    sleeps2 = Sleeps()
    eng._sleep = sleeps2
    bump(world, "cases", "c-1", reason="x")
    eng.sync_all()
    assert sleeps2.calls and all(c == pytest.approx(1.0, abs=0.05) for c in sleeps2.calls)


def test_a_long_retry_after_defers_later_runs_without_requests(sim, world, make_engine):
    def respond(method, path, query, headers, body):
        return Reply(503, {"title": "x", "status": 503, "code": "outage"}, {"Retry-After": "120"})

    with ScriptedApi(respond) as api:
        eng = make_engine(api.base_url, job_deadline=5)
        with pytest.raises(SyncError, match="no time left"):
            eng.sync_all()
        n = len(api.requests)
        assert eng.feeds_job() is None  # still inside Retry-After: no request at all
        assert len(api.requests) == n == 1


def test_job_deadline_bounds_a_run_against_a_hanging_server(make_engine):
    def respond(method, path, query, headers, body):
        return Reply(200, {"reassign_person_held": False}, mode="hang")

    with ScriptedApi(respond) as api:
        eng = make_engine(api.base_url, deadline=0.5, job_deadline=1.5, sleep=Sleeps(real=True))
        t0 = time.monotonic()
        with pytest.raises(SyncError):
            eng.sync_all()
        assert time.monotonic() - t0 < 2.5


def test_data_as_of_falls_back_to_health_then_local_clock(make_engine):
    page = {"items": [], "next_cursor": "end", "has_more": False}
    header = {"on": False, "health": True}

    def respond(method, path, query, headers, body):
        st = "2026-11-26T13:29:00Z" if header["on"] else None
        if path.endswith("/health"):
            if header["health"]:
                return Reply(200, {"status": "ok", "server_time": "2026-11-26T13:29:41Z"}, server_time=None)
            return Reply(500, b"", server_time=None)
        if path.endswith(("/units", "/templates")):
            return Reply(200, {"items": []}, server_time=st)
        if path.endswith("/capabilities"):
            return Reply(200, {"reassign_person_held": True}, server_time=st)
        return Reply(200, page, server_time=st)

    with ScriptedApi(respond) as api:
        # our clock at AS_OF, passed explicitly (the server times below are earlier; on the
        # machine's clock this held only on dates after AS_OF)
        eng = make_engine(api.base_url, retry=RetryPolicy(max_attempts=1), clock=lambda: AS_OF)
        r = eng.sync_all()
        assert r.data_as_of == AS_OF - timedelta(seconds=19)  # /health's server_time
        header["on"] = True
        assert eng.sync_all().data_as_of == AS_OF - timedelta(minutes=1)  # X-Server-Time
        header.update(on=False, health=False)
        r3 = eng.sync_all()
        assert r3.data_as_of == r3.finished_at  # the local clock at the end of the sync
        assert eng.store.sync_health().data_as_of == r3.finished_at


def test_on_synced_hook_runs_after_success_and_cannot_break_sync(sim, make_engine):
    got = []

    def hook(result):
        got.append(result)
        raise RuntimeError("a bug in the UI")

    eng = make_engine(sim.base_url, on_synced=hook)
    r = eng.sync_all()
    assert got == [r] and r.feeds["cases"].changed == 40


def test_purge_removes_closed_cases_past_retention(world, make_engine, sim):
    for i, days in ((100, 45), (101, 31), (102, 10)):
        insert_raw(world, "cases", case_doc(i, closed_days_ago=days))
    cfg = Config(sync=SyncConfig(retention_days=30, page_size=50))
    eng = make_engine(sim.base_url, config=cfg)
    eng.sync_all()
    assert eng.store.count("cases") == 43
    assert eng.purge(AS_OF) == 2
    assert eng.store.case("c-100") is None and eng.store.case("c-101") is None
    assert eng.store.case("c-102") is not None and eng.store.count("cases") == 41


def test_reference_quarantine_and_coordinators(sim, world, make_engine):
    with world.lock:
        world.units["vc-x"] = {"id": "vc-x", "name": "Broken", "timezone": "Mars/Olympus", "activated": True,
                               "opening_hours": {}, "version": 1}
    eng = make_engine(sim.base_url)
    r = eng.sync_reference()
    assert r.units == 2 and r.quarantined == 1
    assert [q.item_id for q in eng.store.quarantined()] == ["vc-x"]
    assert set(eng.store.coordinators()) == {"vc-a", "vc-b"}


def test_a_killed_run_resumes_from_the_last_committed_page(sim, world, make_engine):
    """Pages commit with their cursor: after a failure mid-feed the next run asks only for
    what follows the last committed page."""
    eng = make_engine(sim.base_url)
    pages = {"n": 0}
    original = eng.store.apply_page

    def spy(feed, *a, **kw):
        if feed == "cases":
            pages["n"] += 1
            if pages["n"] == 3:
                raise KeyboardInterrupt  # as abrupt as it gets inside the process
        return original(feed, *a, **kw)

    eng.store.apply_page = spy
    with pytest.raises(KeyboardInterrupt):
        eng.sync_all()
    assert eng.store.count("cases") == 14  # two pages of 7
    assert eng.store.integrity_check() == "ok"
    eng.store.apply_page = original
    r = eng.sync_all()
    assert r.feeds["cases"].items == 26
    assert_same_tables(eng.store.path, clean_sync(make_engine, sim))


def test_store_rows_have_no_protected_identity(sim, world, make_engine):
    insert_raw(world, "cases", case_doc(500, protected=True))
    eng = make_engine(sim.base_url)
    eng.sync_all()
    row = [r for r in table_rows(eng.store.path, "cases") if r[0] == "c-500"][0]
    assert "Testperson 500" not in row and "19800505-9001" not in row
