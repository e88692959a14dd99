"""UI fixtures: a real store file from scenario 01 and an app with a frozen clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from direkt_tui.domain.timeutil import require_instant
from direkt_tui.store.db import Store
from direkt_tui.ui.app import DirektApp
from direkt_tui.ui.clock import FrozenClock

from conftest import SCENARIOS, ingest_scenario, load_scenario

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
