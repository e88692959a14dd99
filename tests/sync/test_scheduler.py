"""The APScheduler jobs: configuration, running on an interval, never overlapping, shutdown."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from datetime import time as dtime
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sync.support import bump

from direkt_tui.config import Config
from direkt_tui.sync.engine import SyncEngine
from direkt_tui.sync.scheduler import JOB_FEEDS, JOB_PURGE, JOB_REFERENCE, SyncScheduler


def test_jobs_are_configured_safely(sim, make_engine):
    eng = make_engine(sim.base_url)
    s = SyncScheduler(eng, Config(), run_now=False)
    feeds, ref, purge = s.job(JOB_FEEDS), s.job(JOB_REFERENCE), s.job(JOB_PURGE)
    for job in (feeds, ref, purge):
        assert job.max_instances == 1 and job.coalesce is True and job.misfire_grace_time >= 1
    assert isinstance(feeds.trigger, IntervalTrigger) and feeds.trigger.interval.total_seconds() == 15
    assert isinstance(ref.trigger, IntervalTrigger) and ref.trigger.interval.total_seconds() == 300
    assert isinstance(purge.trigger, CronTrigger)
    assert str(purge.trigger.timezone) == "Europe/Stockholm"
    fields = {f.name: str(f) for f in purge.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("4", "15")
    # one worker thread: jobs never interleave on the store's writer connection
    assert s.scheduler._executors["default"]._pool._max_workers == 1
    # the nightly purge is never put inside the daylight-saving hour
    with pytest.raises(ValueError, match="02:00"):
        SyncScheduler(eng, Config(), purge_at=dtime(2, 30))


def test_purge_fires_at_04_15_local_across_the_dst_change(sim, make_engine):
    eng = make_engine(sim.base_url)
    s = SyncScheduler(eng, Config(), run_now=False)
    trig = s.job(JOB_PURGE).trigger
    tz = ZoneInfo("Europe/Stockholm")
    t = datetime(2026, 10, 24, 12, 0, tzinfo=tz)  # the clocks go back on 2026-10-25 03:00
    fires = []
    prev = None
    for _ in range(3):
        t = trig.get_next_fire_time(prev, t)
        fires.append(t.astimezone(tz))
        prev = t
        t = t.replace(minute=16)
    assert [(f.day, f.hour, f.minute) for f in fires] == [(25, 4, 15), (26, 4, 15), (27, 4, 15)]


def test_feeds_job_runs_on_an_interval_and_sees_changes(sim, world, make_engine):
    cycles: list = []
    done = threading.Event()

    def on_cycle(result, error):
        cycles.append((result, error))
        if len(cycles) == 1:
            bump(world, "cases", "c-3", reason="changed between runs")
        if len(cycles) >= 4:
            done.set()

    eng = make_engine(sim.base_url)
    s = SyncScheduler(eng, Config(), feed_interval=0.25, on_cycle=on_cycle)
    t0 = time.monotonic()
    s.start()
    try:
        assert done.wait(10), f"only {len(cycles)} runs"
    finally:
        s.shutdown()
    assert time.monotonic() - t0 < 5
    assert all(err is None for _, err in cycles)
    assert cycles[0][0].feeds["cases"].changed == 40 and cycles[0][0].reference is not None
    assert sum(r.feeds["cases"].changed for r, _ in cycles[1:]) == 1
    assert eng.store.case("c-3").reason == "changed between runs"
    assert not s.scheduler.running


def test_a_slow_run_is_never_overlapped(sim, world, make_engine):
    """A run longer than the interval: later runs are skipped or coalesced, never concurrent."""
    world.set_faults(latency_ms=60)  # the first run (≈16 requests) lasts ≈1 s
    active = {"now": 0, "max": 0, "runs": 0}
    lock = threading.Lock()
    eng = make_engine(sim.base_url, deadline=3)
    real = SyncEngine.feeds_job

    def counted(self):
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
            active["runs"] += 1
        try:
            return real(self)
        finally:
            with lock:
                active["now"] -= 1

    eng.feeds_job = counted.__get__(eng)
    s = SyncScheduler(eng, Config(), feed_interval=0.1)
    s.start()
    time.sleep(2.0)
    s.shutdown()
    world.set_faults(latency_ms=0)
    assert active["runs"] >= 3 and active["max"] == 1


def test_run_forever_returns_on_stop_and_shuts_down(sim, make_engine):
    eng = make_engine(sim.base_url)
    s = SyncScheduler(eng, Config(), feed_interval=0.2)
    threading.Timer(0.8, s.stop).start()
    t0 = time.monotonic()
    assert s.run_forever(handle_signals=False) is None
    assert time.monotonic() - t0 < 5
    assert not s.scheduler.running
    assert eng.store.count("cases") == 40


def test_shutdown_interrupts_a_long_retry_after_wait(make_engine):
    from sync.support import Reply, ScriptedApi

    def respond(method, path, query, headers, body):
        return Reply(429, {"title": "x", "status": 429, "code": "rate_limited"}, {"Retry-After": "30"})

    with ScriptedApi(respond) as api:
        eng = make_engine(api.base_url, sleep=None, job_deadline=60)
        eng._sleep = eng._interruptible_sleep  # the real, interruptible wait
        s = SyncScheduler(eng, Config(), feed_interval=5)
        s.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        s.shutdown(wait=True)
        assert time.monotonic() - t0 < 2


def test_auth_failure_pauses_the_jobs(sim, make_engine):
    errors = []
    eng = make_engine(sim.base_url, token="bad")
    s = SyncScheduler(eng, Config(), feed_interval=0.2, on_auth_error=errors.append)
    s.start()
    time.sleep(1.0)
    s.shutdown()
    assert len(errors) == 1 and "401" in str(errors[0])
    assert eng.store.sync_health().consecutive_failures == 1  # it was not tried again
