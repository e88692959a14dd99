"""Shared fixtures: scenario files from ../shared, real store files in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from direkt_tui.domain.models import Capabilities, Case, Coordinator, Shift, Staff, Template, Unit
from direkt_tui.domain.timeutil import require_instant
from direkt_tui.store.db import Store

ROOT = Path(__file__).resolve().parent.parent


def _private_user_dirs() -> None:
    """The suite never touches the user's own config, data or state (the audit key lives in the
    config directory): every XDG directory points into one temporary folder for this run, in this
    process and in the processes the tests start."""
    import atexit
    import os
    import shutil
    import tempfile

    # once per run: a test that does ``from conftest import …`` executes this module again under
    # another name, and must not re-point the directories under a fixture that set them
    if os.environ.get("DIREKT_TUI_TEST_HOME"):
        return
    home = tempfile.mkdtemp(prefix="direkt-tui-tests-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["DIREKT_TUI_TEST_HOME"] = home
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = os.path.join(home, var.split("_")[1].lower())


_private_user_dirs()


def _find_shared() -> Path:
    """``shared/`` beside the repository (CI and checkouts), or where DIREKT_SHARED says."""
    import os

    for candidate in (os.environ.get("DIREKT_SHARED"), ROOT.parent / "shared", ROOT / "shared"):
        if candidate and (Path(candidate) / "scenarios").is_dir():
            return Path(candidate)
    raise RuntimeError(f"shared/ with its scenarios was not found beside {ROOT} (set DIREKT_SHARED)")


SHARED = _find_shared()
SCENARIO_DIR = SHARED / "scenarios"
SCENARIOS = sorted(SCENARIO_DIR.glob("*.json"))
if not SCENARIOS:
    raise RuntimeError(f"no scenario files in {SCENARIO_DIR}")


def load_scenario(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def ingest_scenario(store: Store, sc: dict) -> None:
    """Put a scenario's entities into a store as a sync would, data_as_of = as_of."""
    as_of = require_instant(sc["as_of"])
    store.replace_reference(
        units=[Unit.from_api(u) for u in sc["units"]],
        templates=[Template.from_api(t) for t in sc.get("templates", [])],
        capabilities=Capabilities.from_api(sc["capabilities"]),
        coordinators=[Coordinator.from_api(c) for c in sc.get("coordinators", [])],
        fetched_at=as_of,
    )
    store.apply_page("staff", [Staff.from_api(s) for s in sc["staff"]], "c1")
    store.apply_page("shifts", [Shift.from_api(s) for s in sc["shifts"]], "c1")
    store.apply_page("cases", [Case.from_api(c) for c in sc["cases"]], "c1")
    store.record_sync_success(as_of, as_of)


@pytest.fixture
def scenario_store(tmp_path):
    """A factory: scenario path -> path of a real store file holding it."""

    def make(path: Path) -> Path:
        db = tmp_path / "store" / f"{path.stem}.db"
        with Store(db) as store:
            ingest_scenario(store, load_scenario(path))
        return db

    return make
