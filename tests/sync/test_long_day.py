"""A 12-hour generated day synced continuously: the store follows the platform all day and
the client's memory stays flat (issue: sync, "a 12-hour generated day at high speed")."""

from __future__ import annotations

import gc
import tracemalloc

from direkt_tui.config import Config
from direkt_tui.sim import SimServer, generate_world
from direkt_tui.store.db import Store
from direkt_tui.sync.client import ApiClient
from direkt_tui.sync.engine import SyncEngine
from direkt_tui.sync.recorder import Recorder

CLIENT_CODE = ("*/direkt_tui/sync/*", "*/direkt_tui/store/*", "*/direkt_tui/domain/*")


def client_bytes(snapshot: tracemalloc.Snapshot) -> int:
    """Memory still held that was allocated by the client's code (sync, store, domain)."""
    filters = [tracemalloc.Filter(True, pattern) for pattern in CLIENT_CODE]
    return sum(stat.size for stat in snapshot.filter_traces(filters).statistics("filename"))


def test_a_twelve_hour_day_synced_with_flat_memory(tmp_path):
    world = generate_world(seed=7, start="2026-11-26T07:30:00+01:00", speed=0)
    server = SimServer(world, token="t")
    server.start()
    try:
        with ApiClient(server.base_url, token="t") as client, Store(tmp_path / "day.db") as store:
            # our clock is the simulated day's (as in the demo): data_as_of is never later than
            # our clock, so with the machine's clock the day's data was "from the future" on any
            # date before it
            engine = SyncEngine(store, client, Config(), on_synced=Recorder(store, Config()), clock=world.now)
            samples = []
            tracemalloc.start()
            for step in range(12 * 6):  # 12 simulated hours in 10-minute steps
                world.advance(600)
                result = engine.sync_all(reference=step % 6 == 0)
                assert result.data_as_of == world.now().replace(microsecond=0) or result.data_as_of <= world.now()
                if step in (11, 12 * 6 - 1):  # after two hours of warm-up, and at the end
                    gc.collect()
                    samples.append(client_bytes(tracemalloc.take_snapshot()))
            tracemalloc.stop()
            # the store followed the platform: every case at its current version
            ours = {c.id: c.version for c in store.open_cases()}
            theirs = {cid: c["version"] for cid, c in world.entities("cases").items()
                      if c["status"] != "closed"}
            assert ours == theirs and len(ours) > 20
            # the findings log and the load history were written all day
            assert store.conn.execute("SELECT count(DISTINCT at) FROM load_history").fetchone()[0] >= 60
            assert store.conn.execute("SELECT count(*) FROM finding_log").fetchone()[0] > 0
            assert store.integrity_check() == "ok"
        warm, end = samples
        print(f"client memory after warm-up {warm} B, at the end {end} B")
        assert end - warm < 300_000, f"the client's memory grew {end - warm} bytes over ten hours"
    finally:
        server.stop()
