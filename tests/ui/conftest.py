"""UI fixtures: a real store file from scenario 01 and an app with a frozen clock."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import SCENARIOS, ingest_scenario, load_scenario
from textual.widgets import OptionList

from direkt_tui.config import Config, UserConfig
from direkt_tui.domain.timeutil import require_instant
from direkt_tui.launch import build_live_sync
from direkt_tui.sim import SimServer
from direkt_tui.sim import load_scenario as load_world
from direkt_tui.store.db import Store
from direkt_tui.ui.app import DirektApp
from direkt_tui.ui.clock import FrozenClock
from direkt_tui.ui.screens.actions import ChoiceScreen

SCENARIO_01 = next(p for p in SCENARIOS if p.stem.startswith("01"))
SIZE = (120, 40)


@pytest.fixture
def scenario01_db(tmp_path) -> tuple[Path, dict]:
    sc = load_scenario(SCENARIO_01)
    db = tmp_path / "ui" / "s01.db"
    with Store(db) as s:
        ingest_scenario(s, sc)
    return db, sc


def make_app(db: Path, sc: dict, **kw) -> DirektApp:
    return DirektApp(db, clock=FrozenClock(require_instant(sc["as_of"])), **kw)


async def settle(pilot) -> None:
    """Wait for the board workers (a newer refresh may cancel an older one) and the repaint."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()


def text_of(widget) -> str:
    """The plain text a Static shows."""
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), color_system=None, legacy_windows=False)
    console.print(widget.content)
    return console.file.getvalue()


@pytest.fixture
def live_app(tmp_path, monkeypatch):
    """A factory: the app on scenario 01, synced from a real simulator, with the outbox."""
    monkeypatch.setenv("DIREKT_API_TOKEN", "demo")
    made = []

    def make(**kw):
        sc = load_scenario(SCENARIO_01)
        world = load_world(SCENARIO_01)
        server = SimServer(world, token="demo")
        server.start()
        cfg = Config(user=UserConfig(name="Anna Berg", staff_id="s-1"))
        live = build_live_sync(tmp_path / "live.db", cfg, server.base_url)
        # the engine reads the app's frozen clock from the first sync on: with the wall clock,
        # whether reference data is due later depended on today's date
        clock = FrozenClock(require_instant(sc["as_of"]))
        live.scheduler.engine.clock = clock.now
        live.scheduler.engine.sync_all()
        app = DirektApp(tmp_path / "live.db", cfg, clock=clock, sync=live, **kw)
        live.bind(app)
        made.append((server, live))
        return app, world, live

    yield make
    for server, live in made:
        live.shutdown(wait=True)
        live.store.close()
        server.stop()


async def wait_for(pilot, condition, timeout: float = 10.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def choose(pilot, option_id: str) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, ChoiceScreen), screen
    ol = screen.query_one(OptionList)
    ids = [ol.get_option_at_index(i).id for i in range(ol.option_count)]
    assert option_id in ids, ids
    ol.highlighted = ids.index(option_id)
    await pilot.press("enter")
    await pilot.pause()


