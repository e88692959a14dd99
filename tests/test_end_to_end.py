"""Every scenario in ../shared/scenarios through the real commands, over loopback HTTP into a
real store file: ``direkt-tui sim --scenario`` → ``direkt-tui sync --once`` →
``direkt-tui report``, matching the expected findings and, where the scenario has them, the
expected cases (work-list order and deadlines) exactly — also against a server that
pages small, repeats items across pages and re-sends older versions (as the contract allows)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import SCENARIOS, load_scenario
from real_sync import report_expectation
from test_report_cli import check_cases_against_scenario

EXE = Path(sys.executable).parent / "direkt-tui"
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "direkt_tui.cli"]
TOKEN = "e2e-token"
CHAOS = ["--max-page-size", "3", "--repeat-rate", "0.4", "--old-version-rate", "0.4"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def simulator():
    """Start ``direkt-tui sim`` as its own process; yields a function (scenario, extra) → URL."""
    procs: list[subprocess.Popen] = []

    def start(path: Path, extra: list[str]) -> str:
        port = free_port()
        proc = subprocess.Popen([*CMD, "sim", "--scenario", str(path), "--port", str(port), "--token", TOKEN, *extra],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        line = proc.stdout.readline()  # one line once it is serving
        assert "serving" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
        return f"http://127.0.0.1:{port}/api/v1"

    yield start
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.parametrize("chaos", [False, True], ids=["plain", "small-pages-repeats-old-versions"])
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_through_sim_sync_report(path, chaos, simulator, tmp_path):
    sc = load_scenario(path)
    url = simulator(path, CHAOS if chaos else [])
    env = dict(os.environ, DIREKT_API_TOKEN=TOKEN, XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    db = tmp_path / "store" / "direkt.db"
    sync = subprocess.run([*CMD, "sync", "--once", "--api", url, "--db", str(db)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert sync.returncode == 0, sync.stderr
    report = subprocess.run([*CMD, "report", "--db", str(db), "--at", sc["as_of"], "--format", "json"],
                            capture_output=True, env=env, timeout=60)
    assert report.returncode == 0, report.stderr
    doc = json.loads(report.stdout.decode("utf-8"))
    got = {(f["rule"], f["unit_id"], f["case_id"]) for f in doc["findings"]}
    # the scenario's findings; on a machine whose date is before the scenario's, also stale data
    # (the sync ran on that clock): derived from the instants the store recorded, not from today
    expected, data_as_of, stale = report_expectation(db, sc, [u["id"] for u in doc["units"]])
    assert got == expected, f"missing {expected - got}, extra {got - expected}"
    assert len(doc["findings"]) == len(expected)
    actions = {(f["rule"], f["unit_id"], f["case_id"]): f["action"] for f in doc["findings"]}
    for e in sc["expected_findings"]:
        if "action" in e:
            assert actions[(e["rule"], e["unit_id"], e["case_id"])] == e["action"]
    # the data's instant is the platform's (X-Server-Time of the frozen scenario clock), never
    # later than the sync's own clock
    assert datetime.fromisoformat(doc["data_as_of"]) == data_as_of and doc["stale"] is stale
    if data_as_of == datetime.fromisoformat(sc["as_of"]):  # as the scenario writes it
        assert doc["data_as_of"] == sc["as_of"]
    # every open case in work-list order with its highest severity and deadline (report.md
    # ``cases``), as worked out by hand; stale data is a unit finding and changes none of them
    check_cases_against_scenario(doc, sc)
