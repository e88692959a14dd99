"""Live update over loopback: simulator (scenario 01) → sync scheduler → application."""

from __future__ import annotations

import uuid

import httpx
from conftest import load_scenario

from direkt_tui.config import Config
from direkt_tui.domain.timeutil import require_instant
from direkt_tui.launch import build_live_sync
from direkt_tui.sim import SimServer
from direkt_tui.sim import load_scenario as load_world
from direkt_tui.ui.app import DirektApp
from direkt_tui.ui.clock import FrozenClock
from direkt_tui.ui.widgets.table import VirtualTable

from .conftest import SCENARIO_01, SIZE, settle, wait_for


async def test_live_update_after_sync(tmp_path, monkeypatch):
    monkeypatch.setenv("DIREKT_API_TOKEN", "demo")
    sc = load_scenario(SCENARIO_01)
    server = SimServer(load_world(SCENARIO_01), token="demo")
    server.start()
    live = build_live_sync(tmp_path / "live.db", Config(), server.base_url)
    live.scheduler.engine.sync_all()
    app = DirektApp(tmp_path / "live.db", Config(), clock=FrozenClock(require_instant(sc["as_of"])), sync=live)
    live.bind(app)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            roles = app.query_one("#roles", VirtualTable)
            assert "c-3" in [r.key for r in roles.rows]  # physiotherapist queue, nobody scheduled
            # another client on the platform hands c-3 to the nurses (scheduled) ...
            with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer demo"}) as http:
                case = http.get("/cases/c-3").json()
                r = http.post("/cases/c-3/assign", headers={"Idempotency-Key": str(uuid.uuid4())},
                              json={"owner": {"type": "role", "profession": "nurse"}, "if_version": case["version"]})
                assert r.status_code == 200, r.text
            # ... and after "sync now" the board follows, keeping the work list's cursor
            active = app.query_one("#active", VirtualTable)
            active.move_to_key("c-7")
            built = app.boards_built
            await pilot.press("r")
            assert await wait_for(pilot, lambda: "c-3" not in [r.key for r in roles.rows] and app.boards_built > built)
            assert active.cursor_key == "c-7"
            assert app.query_one("#roles", VirtualTable).border_title.endswith("(2)")
    finally:
        live.shutdown(wait=True)
        live.store.close()
        server.stop()
