"""Make the README's pictures: SVG (and PNG when cairosvg is installed) of the main screens,
from the shared scenario 01 with a frozen clock (the load detail with four earlier Thursdays
kept, as its tests have it).

    python scripts/screenshots.py            # writes screenshots/*.svg and *.png
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import SCENARIOS, ingest_scenario  # noqa: E402

from direkt_tui.domain.timeutil import require_instant  # noqa: E402
from direkt_tui.store.db import Store  # noqa: E402
from direkt_tui.ui.app import DirektApp  # noqa: E402
from direkt_tui.ui.clock import FrozenClock  # noqa: E402

OUT = ROOT / "screenshots"


async def shoot(db: Path, as_of, name: str, keys: list[str], lang: str = "sv", before=None) -> Path:
    from textual.worker import WorkerCancelled

    app = DirektApp(db, clock=FrozenClock(as_of), lang=lang)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            try:
                await app.workers.wait_for_complete()
            except WorkerCancelled:
                pass
            await pilot.pause()
        if before:
            before(app)
        for k in keys:
            await pilot.press(k)
            await pilot.pause()
        for _ in range(2):
            try:
                await app.workers.wait_for_complete()
            except WorkerCancelled:
                pass
            await pilot.pause()
        path = OUT / f"{name}.svg"
        app.save_screenshot(str(path))
    return path


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    scenario = next(p for p in SCENARIOS if p.stem.startswith("01"))
    sc = json.loads(scenario.read_text(encoding="utf-8"))
    as_of = require_instant(sc["as_of"])
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "shots.db"
        with Store(db) as s:
            ingest_scenario(s, sc)
        made = [
            await shoot(db, as_of, "main", []),
            await shoot(db, as_of, "case-detail", ["enter"], before=lambda a: a.query_one("#active").move_to_key("c-1")),
            await shoot(db, as_of, "filtered", ["slash", *"regel:absent_owner", "enter"]),
            await shoot(db, as_of, "help", ["question_mark"]),
            await shoot(db, as_of, "main-en", [], lang="en"),
        ]
        # the load panel's detail view with its chart: scenario 01 with four earlier Thursdays kept
        from ui.test_load_detail import history_store

        hdb, _ = history_store(Path(tmp))

        def on_load(app) -> None:
            load = app.query_one("#load")
            load.focus()
            load.move_to_key("vc-kungsgatan")

        made.append(await shoot(hdb, as_of, "load-detail", ["enter"], before=on_load))
    try:
        import cairosvg
    except ImportError:
        print("cairosvg not installed: SVG only (pip install cairosvg for PNG)")
        cairosvg = None
    for svg in made:
        if cairosvg is not None:
            cairosvg.svg2png(url=str(svg), write_to=str(svg.with_suffix(".png")))
        print(svg.relative_to(ROOT))


if __name__ == "__main__":
    asyncio.run(main())
