"""Starting without a platform (issue 12, items 5 and 12): ``direkt-tui tui`` with nothing
answering says so — which URL it tried, how to configure it, that the demo needs nothing — and
is not an outage; ``sync --once`` without a server names the URL and leaves no empty store
behind; ``demo --db FILE`` writes its store to FILE and keeps it. Real subprocesses, a real
closed loopback port, real store files."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from direkt_tui import launch
from direkt_tui.config import ApiConfig, Config
from direkt_tui.store.db import Store
from direkt_tui.sync.engine import RetryPolicy

EXE = Path(sys.executable).parent / "direkt-tui"
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "direkt_tui.cli"]


@pytest.fixture
def closed_url() -> Iterator[str]:
    """A loopback URL where nothing answers: the port is bound (so nobody else gets it) but
    never listened on, so a connection is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{s.getsockname()[1]}/api/v1"


def _env(tmp_path: Path) -> dict[str, str]:
    env = os.environ.copy()
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / "home" / var.split("_")[1].lower())
    env["DIREKT_API_TOKEN"] = "t"
    return env


def _run(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CMD, *args], capture_output=True, text=True, env=_env(tmp_path), timeout=timeout, stdin=subprocess.DEVNULL
    )


def test_tui_with_nothing_answering_says_which_url_and_how_to_configure(tmp_path, closed_url):
    db = tmp_path / "store" / "direkt.db"
    proc = _run(tmp_path, "tui", "--api", closed_url, "--db", str(db))
    assert proc.returncode == 1, proc.stderr
    err = proc.stderr
    assert "Traceback" not in err
    # not an outage: the URL it tried, that nothing answers there, and the ways forward
    assert closed_url in err and "svarar inte" in err
    assert "DRIFTSTÖRNING" not in err and "DRIFTSTÖRNING" not in proc.stdout
    assert "--api URL" in err and "[api] url" in err and "direkt-tui demo" in err
    # nothing was ever stored: no empty store left behind
    assert not db.exists() and not Path(f"{db}-wal").exists()


def test_tui_with_nothing_answering_in_english(tmp_path, closed_url):
    proc = _run(tmp_path, "tui", "--api", closed_url, "--db", str(tmp_path / "x.db"), "--lang", "en")
    assert proc.returncode == 1
    assert f"does not answer at {closed_url}" in proc.stderr and "direkt-tui demo" in proc.stderr


def test_tui_without_configuration_says_none_is_configured(tmp_path, closed_url, monkeypatch, capsys):
    """No ``--api`` and no ``[api] url``: the default address is tried (the simulator's); the
    message says that nothing is configured (in-process: the default port may be in use here)."""
    monkeypatch.setattr(launch, "DEFAULT_API", closed_url)
    cfg = Config(api=ApiConfig(url=closed_url))
    db = tmp_path / "fresh.db"
    args = argparse.Namespace(command="tui", db=db, api=None, offline=False, read_only=False, lang=None)
    assert launch.run_app(args, cfg) == 1
    err = capsys.readouterr().err
    assert "ingen plattforms-API är konfigurerad" in err and closed_url in err
    assert "direkt-tui demo" in err and "config.toml" in err
    assert not db.exists()


def test_tui_keeps_a_store_that_already_has_data(tmp_path, closed_url, scenario_store, monkeypatch):
    """A store with data and a platform that does not answer is a real outage: the app opens
    (here: the first contact is skipped, the store is untouched)."""
    from conftest import SCENARIOS

    db = scenario_store(SCENARIOS[0])
    live = launch.build_live_sync(db, Config(), closed_url)
    try:
        assert launch.first_contact(live, closed_url, "sv") is None
    finally:
        live.shutdown(wait=False)
        live.store.close()
    assert db.exists()


def test_sync_once_without_server_names_the_url_and_leaves_no_store(tmp_path, closed_url):
    db = tmp_path / "new" / "direkt.db"
    proc = _run(tmp_path, "sync", "--once", "--api", closed_url, "--db", str(db))
    assert proc.returncode == 1, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("direkt-tui sync: failed:") and closed_url in line
    assert not db.exists() and not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()


def test_sync_once_without_server_keeps_an_existing_store(tmp_path, closed_url):
    from direkt_tui.sync.cli import run_sync

    db = tmp_path / "kept.db"
    Store(db).close()
    args = argparse.Namespace(db=db, api=closed_url, once=True, watch=False, verbose=0)
    import io

    err = io.StringIO()
    code = run_sync(args, Config(), stdout=io.StringIO(), stderr=err, retry=RetryPolicy(max_attempts=1))
    assert code == 1 and closed_url in err.getvalue()
    assert db.exists()  # it was there before: never removed


def test_sync_once_without_configuration_says_so(tmp_path, monkeypatch, closed_url):
    import io

    from direkt_tui.sync import cli as sync_cli

    monkeypatch.setattr(sync_cli, "DEFAULT_API", closed_url)
    args = argparse.Namespace(db=tmp_path / "d.db", api=None, once=True, watch=False, verbose=0)
    err = io.StringIO()
    code = sync_cli.run_sync(
        args, Config(api=ApiConfig(url=closed_url)), stdout=io.StringIO(), stderr=err, retry=RetryPolicy(max_attempts=1)
    )
    assert code == 1
    assert closed_url in err.getvalue() and "no [api] url is configured" in err.getvalue()
    assert not (tmp_path / "d.db").exists()


def test_demo_refuses_an_existing_db_file(tmp_path):
    db = tmp_path / "old.db"
    db.write_bytes(b"")
    proc = _run(tmp_path, "demo", "--db", str(db), timeout=30)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert str(db) in line and "finns redan" in line


DEMO_SCRIPT = """
import sys
from direkt_tui import cli
from direkt_tui.ui.app import DirektApp
from direkt_tui.ui.screens.shiftwork import ReportScreen

run = DirektApp.run

async def auto_pilot(pilot):
    app = pilot.app
    while app.board is None:
        await pilot.pause(0.05)
    await pilot.press("p")
    while not isinstance(app.screen, ReportScreen):
        await pilot.pause(0.05)
    print("report", app.screen.path, flush=True)
    await pilot.press("escape", "q")

DirektApp.run = lambda self, **kw: run(self, headless=True, size=(120, 40), auto_pilot=auto_pilot)
sys.exit(cli.main(sys.argv[1:]))
"""


def test_demo_db_is_honoured_and_its_report_is_kept(tmp_path):
    """``demo --db FILE``: the store is FILE and stays; the shift report is saved in the user's
    data directory (said on screen), and neither is removed when the demo quits."""
    script = tmp_path / "demo.py"
    script.write_text(DEMO_SCRIPT, encoding="utf-8")
    db = tmp_path / "mine" / "demo.db"
    env = _env(tmp_path)
    proc = subprocess.run(
        [sys.executable, str(script), "demo", "--db", str(db), "--seed", "7"],
        capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("report ")]
    report = Path(line.split(" ", 1)[1])
    data_dir = Path(env["XDG_DATA_HOME"]) / "direkt-tui"  # platformdirs' user data directory on Linux
    assert report.parent == data_dir / "demo-reports" and report.exists()
    assert report.read_text(encoding="utf-8").startswith("# ")
    assert db.exists() and str(db) in proc.stderr  # kept, and said so
    with Store(db, read_only=True) as store:
        assert store.data_as_of() is not None and store.units()
