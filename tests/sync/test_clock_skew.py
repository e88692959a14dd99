"""Issue 10 §4: a bogus server clock cannot keep stale data fresh. ``data_as_of`` is never later
than the application's own clock at the end of the sync; the skew is recorded, reported
(``clock_skew_seconds``) and shown in the header when it is more than a few minutes; an absurd
or unparseable ``X-Server-Time`` (year 1, year 9999, garbage) crashes nothing. Over a hostile
server on 127.0.0.1 (the simulator's clock is always sane), into real store files; the report
as a subprocess, the application with Pilot."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sync.support import AS_OF, UNITS, Reply, ScriptedApi, case_doc, shift_doc, staff_doc, unit_doc, z

from direkt_tui.config import Config
from direkt_tui.domain.timeutil import to_local_text
from direkt_tui.store.db import Store
from direkt_tui.sync.engine import RetryPolicy, SyncError
from direkt_tui.sync.live import LiveSync, follow_platform
from direkt_tui.ui.app import DirektApp
from direkt_tui.ui.clock import FrozenClock, ServerClock

T = AS_OF  # the application's clock at the end of the sync
STHLM = "Europe/Stockholm"


class Platform:
    """Two units with a few cases, every answer stamped with ``server_time`` (None: no header);
    ``down`` makes every request a 500."""

    def __init__(self, server_time: str | None, health_time: str | None = None):
        self.server_time = server_time
        self.health_time = health_time
        self.down = False

    def __call__(self, method, path, query, headers, body):
        st = self.server_time
        if self.down:
            return Reply(500, {"title": "down"}, server_time=st)
        if path.endswith("/health"):
            return Reply(200, {"status": "ok", "server_time": self.health_time}, server_time=None)
        if path.endswith("/capabilities"):
            return Reply(200, {"reassign_person_held": False, "max_page_size": 1000}, server_time=st)
        if path.endswith("/units"):
            return Reply(200, {"items": [unit_doc(u) for u in UNITS]}, server_time=st)
        if path.endswith("/templates"):
            return Reply(200, {"items": []}, server_time=st)
        if path.endswith("/coordinator"):
            return Reply(404, {"title": "Not Found"}, server_time=st)
        items = {"/staff": [staff_doc(i) for i in range(4)], "/shifts": [shift_doc(i) for i in range(4)],
                 "/cases": [case_doc(i) for i in range(6)]}
        for suffix, docs in items.items():
            if path.endswith(suffix):
                done = query.get("since", [None])[0] == "end"
                return Reply(200, {"items": [] if done else docs, "next_cursor": "end", "has_more": False},
                             server_time=st)
        return Reply(404, {"title": "Not Found"}, server_time=st)


def env_for(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DIREKT_API_TOKEN"}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "data"))
    return env


def report(db: Path, at: datetime, tmp_path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "direkt_tui.cli", "report", "--db", str(db), "--at", at.isoformat()],
                          capture_output=True, env=env_for(tmp_path), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr
    return json.loads(proc.stdout)


def plain(widget) -> str:
    from rich.console import Console

    console = Console(width=300, file=io.StringIO(), color_system=None, legacy_windows=False)
    console.print(widget.content)
    return console.file.getvalue()


async def header_of(db: Path, at: datetime, lang: str = "sv") -> tuple[str, DirektApp]:
    """The application on ``db`` at ``at`` (no sync of its own): the header's text, and the app."""
    app = DirektApp(db, Config(), lang=lang, clock=FrozenClock(at))
    async with app.run_test(size=(200, 40)) as pilot:
        for _ in range(600):  # the first board, built in a worker thread
            await pilot.pause(0.05)
            if app.board is not None:
                break
        await pilot.pause(0.1)
        assert app.board is not None
        return plain(app.query_one("#statusbar")), app


# ------------------------------------------------------------------------------- a clock ahead
async def test_a_server_clock_of_9999_never_keeps_stale_data_fresh(make_engine, tmp_path):
    platform = Platform("9999-12-31T23:59:59Z")
    now = {"t": T}
    with ScriptedApi(platform) as api:
        eng = make_engine(api.base_url, clock=lambda: now["t"], retry=RetryPolicy(max_attempts=1))
        r = eng.sync_all()
        assert r.data_as_of == T  # not 9999: our clock at the end of the sync
        expected_skew = (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - T).total_seconds()
        assert r.skew_seconds == pytest.approx(expected_skew)
        health = eng.store.sync_health()
        assert health.data_as_of == T and health.clock_skew_seconds == pytest.approx(expected_skew)

        doc = report(eng.store.path, T, tmp_path)
        assert doc["data_as_of"] == to_local_text(T, STHLM) and doc["stale"] is False
        assert doc["clock_skew_seconds"] == round(expected_skew)

        # the platform goes down: the data grows old, as measured on our clock
        platform.down = True
        now["t"] = T + timedelta(minutes=20)
        with pytest.raises(SyncError):
            eng.sync_all()
        assert eng.store.sync_health().consecutive_failures == 1

    later = report(eng.store.path, T + timedelta(minutes=20), tmp_path)
    assert later["stale"] is True
    assert "stale_data" in {f["rule"] for f in later["findings"]}

    # and the application goes into outage mode (the fallback routine), showing the skew
    text, app = await header_of(eng.store.path, T + timedelta(minutes=20))
    assert app.outage
    assert "plattformens klocka" in text and "före" in text and "dygn" in text


async def test_a_server_an_hour_ahead_is_capped_and_shown(make_engine, tmp_path):
    with ScriptedApi(Platform(z(T + timedelta(hours=1)))) as api:
        eng = make_engine(api.base_url, clock=lambda: T)
        r = eng.sync_all()
    assert r.data_as_of == T and r.skew_seconds == pytest.approx(3600)
    assert report(eng.store.path, T, tmp_path)["clock_skew_seconds"] == 3600
    text, _app = await header_of(eng.store.path, T)
    assert "plattformens klocka 1 h 00 före" in text
    text_en, _app = await header_of(eng.store.path, T, lang="en")
    assert "platform clock 1 h 00 ahead" in text_en


# ------------------------------------------------------------------------------- a clock behind
@pytest.mark.parametrize("behind, shown", [(timedelta(minutes=3), False), (timedelta(minutes=10), True)])
async def test_a_server_clock_behind_is_the_data_instant_and_a_large_skew_is_shown(make_engine, tmp_path, behind,
                                                                                    shown):
    with ScriptedApi(Platform(z(T - behind))) as api:
        eng = make_engine(api.base_url, clock=lambda: T)
        r = eng.sync_all()
    assert r.data_as_of == T - behind  # the platform's time: it is not later than ours
    assert r.skew_seconds == pytest.approx(-behind.total_seconds())
    doc = report(eng.store.path, T, tmp_path)
    assert doc["data_as_of"] == to_local_text(T - behind, STHLM)
    assert doc["clock_skew_seconds"] == -round(behind.total_seconds())
    text, _app = await header_of(eng.store.path, T)
    assert ("plattformens klocka 10 min efter" in text) is shown
    assert "plattformens klocka" in text or not shown


# ------------------------------------------------------------------------------- absurd clocks
@pytest.mark.parametrize("header, skew_known", [
    ("0001-01-01T00:00:00Z", True),  # parses: an absurd skew, the data's instant is ours
    ("0001-01-01T00:00:00+01:00", False),  # year 0 in UTC: unusable
    ("9999-12-31T23:59:59-01:00", False),  # year 10000 in UTC: unusable
    ("Thu, 26 Nov 2026 13:30:00 GMT", False),  # not RFC 3339
    ("garbage", False),
    ("2026-13-45T99:99:99Z", False),
])
async def test_absurd_or_garbage_server_times_crash_nothing(make_engine, tmp_path, header, skew_known):
    with ScriptedApi(Platform(header, health_time="not a time either")) as api:
        eng = make_engine(api.base_url, clock=lambda: T, retry=RetryPolicy(max_attempts=1))
        r = eng.sync_all()
    assert r.data_as_of == T
    assert (r.skew_seconds is not None) is skew_known
    doc = report(eng.store.path, T, tmp_path)
    assert doc["data_as_of"] == to_local_text(T, STHLM)
    assert (doc["clock_skew_seconds"] is not None) is skew_known
    text, _app = await header_of(eng.store.path, T)
    assert "Synk" in text
    assert ("plattformens klocka" in text) is skew_known


def test_health_server_time_in_the_future_is_capped_too(make_engine):
    with ScriptedApi(Platform(None, health_time="9999-12-31T23:59:59Z")) as api:
        eng = make_engine(api.base_url, clock=lambda: T)
        r = eng.sync_all()
    assert r.data_as_of == T and r.skew_seconds > 0


# ------------------------------------------------------------------------------- an older store
async def test_an_older_store_with_data_as_of_9999_reads_as_the_end_of_that_sync(tmp_path):
    import sqlite3

    db = tmp_path / "old.db"
    with Store(db) as s:
        s.record_sync_success(T, T)
    conn = sqlite3.connect(db)  # what an older version stored from X-Server-Time: 9999-12-31
    conn.execute("UPDATE sync_state SET value = '9999-12-31T23:59:59.000000+00:00' WHERE key = 'data_as_of'")
    conn.commit()
    conn.close()
    with Store(db, read_only=True) as s:
        assert s.data_as_of() == T and s.sync_health().data_as_of == T
    later = T + timedelta(minutes=30)
    assert report(db, later, tmp_path)["stale"] is True
    text, _app = await header_of(db, later)
    assert "Synk" in text


# ------------------------------------------------------------------------------- the clocks the app follows
def test_the_demo_follows_the_simulated_platform_and_the_live_app_its_own_clock():
    class Result:
        def __init__(self, server_time, data_as_of):
            self.server_time, self.data_as_of = server_time, data_as_of

    ahead = T + timedelta(seconds=3)
    demo = ServerClock(rate=0.0)  # rate 0: the clock stays where it was anchored
    follow_platform(demo, Result(ahead, T))
    assert demo.now() == ahead  # the platform's time, not the capped data instant (no creeping lag)
    follow_platform(demo, Result(datetime(9999, 12, 31, tzinfo=UTC), T))
    assert demo.now() == T  # never an absurd one

    live_clock = ServerClock(rate=1.0)
    live = LiveSync(store=None, scheduler=None, clock=live_clock)  # the `tui` command against a platform
    live._on_cycle(Result(datetime(9999, 12, 31, tzinfo=UTC), T), None)
    assert not live_clock.anchored  # its clock is the local one (report.md)
    followed = LiveSync(store=None, scheduler=None, clock=ServerClock(rate=0.0), follow_server=True)
    followed._on_cycle(Result(ahead, T), None)
    assert followed.clock.now() == ahead
