"""`direkt-tui serve`: the board in a real browser (headless Chromium through playwright, the
system's browser, no download), read-only by default, the one sync in the serve process; the
tabs only read the store, or queue writes in its outbox with --allow-writes."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SCENARIOS, ingest_scenario, load_scenario

from direkt_tui import serve
from direkt_tui.domain.writes import role, send_template
from direkt_tui.store import actions
from direkt_tui.store.db import Store

EXE = Path(sys.executable).parent / "direkt-tui"
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "direkt_tui.cli"]
ANSI = re.compile(r"\x1b\[[0-9;?$]*[A-Za-z]|\x1b\][^\x07]*\x07")
PANELS_SV = ("Aktiva ärenden", "Ägare ej i tjänst", "Överlämnat till ej schemalagd yrkesroll",
             "Försenade ärenden", "Belastning")


def _browser() -> str | None:
    return next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(port: int, proc: subprocess.Popen, bound: float = 90) -> None:
    import httpx

    end = time.monotonic() + bound  # a bound against a hang, not a timing assumption
    while time.monotonic() < end:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else proc.returncode
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve never answered")


def test_loud_warning_beyond_loopback_only():
    assert serve.host_warning("127.0.0.1") is None and serve.host_warning("localhost") is None
    text = serve.host_warning("10.0.0.5")
    assert text is not None and "NO authentication" in text and "TLS (SITHS)" in text


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        p = subprocess.run([*CMD, "serve", "--demo", "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.strip() == (
        f"direkt-tui serve: error: cannot listen on 127.0.0.1:{port} (in use, or not an address here)")


def test_a_tab_queues_writes_in_the_store_for_the_serve_process(tmp_path):
    """--allow-writes: a tab's write goes to the store's outbox with its audit entry; it sends nothing."""
    db = tmp_path / "s.db"
    sc = load_scenario(next(p for p in SCENARIOS if p.stem.startswith("01")))
    with Store(db) as st:
        ingest_scenario(st, sc)
    from datetime import datetime

    from direkt_tui.ui.clock import FrozenClock

    port = serve.StoreOutboxPort(db, FrozenClock(datetime.fromisoformat(sc["as_of"])))
    try:
        case = port.writer().case("c-3")
        batch = port.enqueue("Anna (s-1)", "template", [send_template(case, "high_load")], {})
        port.sync_now()  # the serve process syncs: nothing happens here
    finally:
        port.shutdown()
    with Store(db, read_only=True) as st:
        rows = actions.batch_rows(st, batch)
        assert [(r.case_id, r.status) for r in rows] == [("c-3", "pending")]
        assert [e.action for e in actions.audit_entries(st)] == ["template"]
    assert role("nurse")  # the builders the tab uses are the app's own


@pytest.mark.slow
def test_the_board_in_a_real_browser(tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium on this machine (.ci/run installs Debian's chromium)")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
    port = _free_port()
    env = dict(os.environ, DIREKT_API_TOKEN="demo")
    proc = subprocess.Popen([*CMD, "serve", "--demo", "--port", str(port), "--speed", "0"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    frames: list[str] = []
    try:
        _wait_http(port, proc)
        with playwright.sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=browser, args=["--no-sandbox"])
            page = b.new_page(viewport={"width": 1400, "height": 900})
            page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(
                data if isinstance(data, str) else data.decode("utf-8", "replace"))))
            page.goto(f"http://127.0.0.1:{port}/")

            def screen_has(*words: str, bound: float = 60) -> bool:
                end = time.monotonic() + bound
                while time.monotonic() < end:
                    text = ANSI.sub("", "".join(frames))
                    if all(w in text for w in words):
                        return True
                    page.wait_for_timeout(200)  # lets playwright deliver the frames
                return False

            assert screen_has(*PANELS_SV), ANSI.sub("", "".join(frames))[-2000:]
            assert screen_has("skrivskyddad")  # read-only unless --allow-writes
            page.screenshot(path=str(tmp_path / "board.png"))
            frames.clear()
            page.locator("#terminal").click()
            page.keyboard.press("?")
            assert screen_has("Hjälp – direkt-tui"), ANSI.sub("", "".join(frames))[-2000:]
            b.close()
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert (tmp_path / "board.png").stat().st_size > 10_000
