"""Issue 10 §2: text from the platform is data, never markup or terminal control.

Scenario 01 with hostile strings (terminal escapes, bell, backspace, C1 controls, bidi
overrides, Rich markup, Markdown and HTML syntax, spreadsheet formulas) in the reasons, patient
names and phones, staff names and titles, unit names and templates is served by the real
simulator over loopback, synced by the real engine into a real store file, and then

- shown by the application (Pilot): main screen, case detail, checklist, help, phone list,
  template chooser, unit picker, shift report — the rendered screen shows ``[red]`` literally
  and no escape, bell, backspace or direction change reaches the terminal output;
- printed by ``direkt-tui report --format json|markdown`` and ``direkt-tui calllist --format
  markdown|csv`` as processes: no control character survives, Markdown syntax stays text, and
  no CSV cell starts a formula.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SCENARIOS, load_scenario
from real_sync import report_expectation

from direkt_tui.domain.text import LogSanitizer, csv_cell, install_log_sanitizer, log, markdown, visible

SCENARIO_01 = next(p for p in SCENARIOS if p.stem.startswith("01"))
EXE = Path(sys.executable).parent / "direkt-tui"
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "direkt_tui.cli"]
TOKEN = "hostile-token"
SIZE = (170, 50)

# -- what may never reach an output -----------------------------------------------------------
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# every C0 control but newline, DEL, every C1 control, the bidi controls, LS/PS
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f" + BIDI + "\u2028\u2029]")

OSC_TITLE = "\x1b]0;pwned\x07"
REASON = (f"Ont i magen {OSC_TITLE}\x1b[2J [red]röd[/red] [link=https://evil.example]klicka[/link] "
          "**fet** `kod` <b>html</b> | rör \u202eexe.txt\u202c a\bb \x9b31m\x00 &#x202E; "
          "https://evil.example/x\nny rad")
PATIENT = '=HYPERLINK("https://evil.example","Testperson") [bold]X[/bold]\x1b[31m'
PHONE = "@SUM(1+1)\x07"
OWNER = f"-2+3 [red]Bo[/red] Ek {OSC_TITLE} \u2066Lind\u2069"  # s-2, owner of c-1 (absent)
COORD = "+Anna [blink]Berg[/blink] \x1b[2J\x08"  # s-1, coordinator of vc-kungsgatan
UNIT = f"Vårdcentralen [red]Kungsgatan[/red] {OSC_TITLE}| # \u202eX"
OTHER_UNIT = "Vårdcentralen <i>Ryd</i> *x* \x1b[5m"
TITLE = "[red]titel[/red]\x07"
TEMPLATE_TITLE = f"[red]Hög[/red] belastning{OSC_TITLE}"
TEMPLATE_TEXT = "=1+1 [link=https://evil.example]x[/link]\x07 _kursiv_"


HOSTILE_WORDS = ("kod", "evil", "pwned", "fet", "html", "Ryd", "Kungsgatan", "Bo", "Berg", "Testperson", "titel")


def write_hostile_scenario(path: Path) -> dict:
    """Scenario 01 with hostile strings everywhere the platform sends text."""
    sc = load_scenario(SCENARIO_01)
    for u in sc["units"]:
        u["name"] = UNIT if u["id"] == "vc-kungsgatan" else OTHER_UNIT
    for s in sc["staff"]:
        s["title"] = TITLE
        if s["id"] == "s-2":
            s["name"] = OWNER
        elif s["id"] == "s-1":
            s["name"] = COORD
        else:
            s["name"] = f"{s['name']} [red]r[/red]\x1b[1m"
    for c in sc["cases"]:
        c["reason"] = REASON
        p = c["patient"]
        if not p["protected_identity"]:
            p["display_name"] = PATIENT
            p["phone"] = PHONE
        if c["id"] == "c-1":
            c["notices"] = [{"template_id": "high_load", "sent_at": "2026-11-26T09:00:00Z"}]
    for t in sc["templates"]:
        t["title"] = TEMPLATE_TITLE
        t["text"] = TEMPLATE_TEXT
    path.write_text(json.dumps(sc, ensure_ascii=False), encoding="utf-8")
    return sc


def assert_clean(text: str, where: str) -> None:
    m = FORBIDDEN.search(text)
    assert m is None, f"{where}: {m.group()!r} survives at {m.start()}: {text[max(0, m.start() - 60):m.end() + 60]!r}"


# -- the sanitiser on its own -----------------------------------------------------------------
def test_visible_makes_controls_and_bidi_visible():
    out = visible(REASON)
    assert_clean(out, "visible")
    assert "\\x1b]0;pwned\\x07" in out and "\\u202eexe.txt\\u202c" in out and "a\\x08b" in out
    assert "\\x9b31m\\x00" in out
    assert "[red]röd[/red]" in out  # markup is the widgets' business: kept as text here
    assert out.endswith("https://evil.example/x ny rad")  # a line break is a space on one line
    assert visible("a\r\nb\rc\td", multiline=True) == "a\nb\nc d"
    assert visible("rad ett\u2028rad två\x85tre") == "rad ett rad två tre"
    assert visible(None) == "" and visible(12) == "12"
    plain = "Vårdcentralen Kungsgatan – 070-000 00 01 (P1)"
    assert visible(plain) is plain  # nothing to do: the same object


def test_markdown_escapes_syntax():
    out = markdown(REASON)
    assert_clean(out, "markdown")
    for raw, escaped in (("[red]", "\\[red\\]"), ("**fet**", "\\*\\*fet\\*\\*"), ("`kod`", "\\`kod\\`"),
                         ("<b>", "\\<b\\>"), ("| rör", "\\| rör"), ("&#x202E;", "\\&\\#x202E;"),
                         ("https://", "https\\://")):
        assert escaped in out, (raw, out)
    assert markdown("# rubrik") == "\\# rubrik"
    assert markdown("- punkt").startswith("\\-") and markdown("+ x").startswith("\\+")
    assert markdown("1. första") == "1\\. första"
    assert markdown("www.evil.com a@b.se") == "www\\.evil.com a\\@b.se"
    assert markdown("Hälso- & sjukvård") == "Hälso- & sjukvård"  # no entity: left alone
    assert markdown("C:\\temp") == "C:\\\\temp"


def test_markdown_renders_as_the_literal_text():
    from markdown_it import MarkdownIt

    md = MarkdownIt("gfm-like")
    html = md.render(f"| a | b |\n|---|---|\n| {markdown(REASON)} | {markdown(UNIT)} |\n")
    assert "<a " not in html and "<b>" not in html and "<code>" not in html and "<strong>" not in html
    assert html.count("<td>") == 2  # the pipes in the text did not make cells
    assert "[red]röd[/red]" in html and "**fet**" in html and "&lt;b&gt;html&lt;/b&gt;" in html
    assert "&amp;#x202E;" in html  # the entity stays text, it does not decode to U+202E


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+46 70-123 45 67", "'+46 70-123 45 67"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("  =x", "'  =x"), ("\t=x", "' =x"), ("-5", "-5"), ("+46701234567", "+46701234567"), ("-1,5", "-1,5"),
    ("1e5", "1e5"), ("x=1", "x=1"), ("–", "–"), ("", ""), (None, ""), (7, "7"), ("a\x1b[2Jb", "a\\x1b[2Jb"),
])
def test_csv_cell_owasp(cell, expected):
    assert csv_cell(cell) == expected


def test_log_sanitizer_formats_then_makes_visible():
    stream = io.StringIO()
    logger = logging.getLogger("direkt_tui.test_hostile_text")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        install_log_sanitizer(logger)
        install_log_sanitizer(logger)  # idempotent
        assert sum(isinstance(f, LogSanitizer) for f in handler.filters) == 1
        logger.warning("quarantined %s: %s", "c-1", OWNER)
        try:
            raise ValueError(f"problem {OSC_TITLE}")
        except ValueError:
            logger.exception("failed for %r", COORD)
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert_clean(out, "log")
    assert "quarantined c-1: -2+3 [red]Bo[/red] Ek \\x1b]0;pwned\\x07" in out
    assert "ValueError: problem \\x1b]0;pwned\\x07" in out  # the traceback's text too
    assert log(f"a{OSC_TITLE}\nb") == "a\\x1b]0;pwned\\x07 b"


# -- simulator → sync → store -------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile scenario's file and its expectations."""
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "01-hostile.json"
    sc = write_hostile_scenario(path)
    return path, sc


@pytest.fixture(scope="module")
def hostile_store(hostile, tmp_path_factory):
    """The hostile scenario served by the simulator and synced by ``direkt-tui sync --once``."""
    from direkt_tui.sim import SimServer
    from direkt_tui.sim import load_scenario as load_world

    path, sc = hostile
    folder = tmp_path_factory.mktemp("hostile-store")
    db = folder / "store" / "direkt.db"
    env = dict(os.environ, DIREKT_API_TOKEN=TOKEN, XDG_CONFIG_HOME=str(folder / "cfg"))
    server = SimServer(load_world(path), token=TOKEN)
    server.start()
    try:
        sync = subprocess.run([*CMD, "sync", "--once", "--api", server.base_url, "--db", str(db)],
                              capture_output=True, text=True, env=env, timeout=120)
    finally:
        server.stop()
    assert sync.returncode == 0, sync.stderr
    assert_clean(sync.stdout + sync.stderr, "sync output")
    return db, sc, env


def run_cli(hostile_store, *args: str) -> str:
    db, sc, env = hostile_store
    proc = subprocess.run([*CMD, *args, "--db", str(db), "--at", sc["as_of"]], capture_output=True, env=env,
                          timeout=60)
    assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
    assert proc.stderr == b""
    text = proc.stdout.decode("utf-8")
    assert_clean(text.replace("\r\n", "\n"), " ".join(args))  # CSV rows end in CR LF
    return text


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_report_json_carries_no_control_characters(hostile_store, lang):
    doc = json.loads(run_cli(hostile_store, "report", "--format", "json", "--lang", lang))
    for s in _strings(doc):
        assert_clean(s, "a decoded JSON string")
    names = {u["id"]: u["name"] for u in doc["units"]}
    assert names["vc-kungsgatan"] == visible(UNIT)
    # the messages name the staff: shown, made visible
    absent = next(f for f in doc["findings"] if f["rule"] == "absent_owner" and f["case_id"] == "c-1")
    assert "\\x1b]0;pwned\\x07" in absent["message"] and "[red]Bo[/red]" in absent["message"]
    # nothing else changed: the findings are the scenario's (with stale data on a machine whose
    # date is before the scenario's: the sync ran on that clock; see real_sync)
    got = {(f["rule"], f["unit_id"], f["case_id"]) for f in doc["findings"]}
    db, sc, _env = hostile_store
    assert got == report_expectation(db, sc, list(names))[0]


def _markdown_tables_keep_their_shape(text: str) -> None:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("gfm-like").parse(text)
    cells, header = [], None
    for tok in tokens:
        assert tok.type not in ("html_inline", "html_block"), tok
        if tok.type == "thead_open":
            header, cells = None, []
        elif tok.type == "tr_open":
            cells = []
        elif tok.type in ("th_open", "td_open"):
            cells.append(tok.type)
        elif tok.type == "tr_close":
            if header is None:
                header = len(cells)
            assert len(cells) == header, "a row has more or fewer cells than its header"
        elif tok.type == "inline":
            for child in tok.children or ():
                # none of these is ours; a code span is (the audit anchor), but never around platform text
                assert child.type not in ("link_open", "html_inline", "s_open", "image"), (child.type, tok.content)
                assert child.type != "code_inline" or not any(w in child.content for w in HOSTILE_WORDS), (
                    child.content)


def _rendered_markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like").render(text)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_report_markdown_is_literal(hostile_store, lang):
    text = run_cli(hostile_store, "report", "--format", "markdown", "--lang", lang)
    _markdown_tables_keep_their_shape(text)
    html = _rendered_markdown(text)
    assert "Vårdcentralen [red]Kungsgatan[/red] \\x1b]0;pwned\\x07| # \\u202eX" in html  # the unit's heading
    assert "+Anna [blink]Berg[/blink] \\x1b[2J\\x08" in html  # the coordinator
    assert "-2+3 [red]Bo[/red] Ek" in html  # a message naming the absent owner
    assert "<a " not in html and "<i>" not in html and "<em>x</em>" not in html


def test_calllist_markdown_is_literal(hostile_store):
    text = run_cli(hostile_store, "calllist", "--format", "markdown")
    _markdown_tables_keep_their_shape(text)
    html = _rendered_markdown(text)
    assert "[red]röd[/red] [link=https://evil.example]klicka[/link] **fet** `kod` &lt;b&gt;html&lt;/b&gt;" in html
    assert visible(PATIENT).replace('"', "&quot;") in html and "@SUM(1+1)\\x07" in html
    assert "<a " not in html and "<b>" not in html and "<strong>fet" not in html


def test_calllist_csv_starts_no_formula(hostile_store):
    text = run_cli(hostile_store, "calllist", "--format", "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 5
    number = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
    for row in rows:
        for cell in row:
            head = cell.lstrip()[:1]
            assert head not in ("=", "+", "-", "@") or number.fullmatch(cell.strip()), cell
    flat = [cell for row in rows for cell in row]
    assert "'" + visible(PATIENT) in flat and "'" + visible(PHONE) in flat
    assert "'" + visible(OWNER) in flat  # the owner's name starts with "-"
    assert visible(REASON) in flat


# -- the application ------------------------------------------------------------------------------
def rendered(app) -> tuple[str, str]:
    """What the terminal would receive for the current screen (the driver's bytes) and its
    plain text (the segments' text)."""
    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    raw = update.render_segments(console)
    console.print(update)
    return raw, console.export_text(styles=False)


# the terminal output may hold style (SGR) and cursor-position sequences, nothing else
_OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\d+;\d+H|\x1b\[\?[0-9;]*[hl]")


def assert_screen_clean(app, where: str, *literal: str) -> str:
    raw, plain = rendered(app)
    stripped = _OWN_SEQUENCES.sub("", raw)
    assert "\x1b" not in stripped, f"{where}: an escape sequence reaches the terminal: " \
                                   f"{stripped[stripped.index(chr(27)) - 40:stripped.index(chr(27)) + 40]!r}"
    assert_clean(stripped.replace("\r", ""), f"{where} (terminal output)")
    assert_clean(plain, f"{where} (screen text)")
    svg = app.export_screenshot()
    assert_clean(svg, f"{where} (SVG)")
    for text in literal:
        assert text in plain, f"{where}: {text!r} is not shown literally:\n{plain}"
    return plain


async def _settle(pilot) -> None:
    from textual.worker import WorkerCancelled

    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()


async def _wait(pilot, condition, timeout: float = 10.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def test_application_shows_platform_text_literally(hostile, tmp_path, monkeypatch):
    from textual.widgets import Markdown

    from direkt_tui.config import Config, UserConfig
    from direkt_tui.domain.timeutil import require_instant
    from direkt_tui.launch import build_live_sync
    from direkt_tui.sim import SimServer
    from direkt_tui.sim import load_scenario as load_world
    from direkt_tui.ui.app import DirektApp
    from direkt_tui.ui.clock import FrozenClock
    from direkt_tui.ui.screens.actions import ChoiceScreen
    from direkt_tui.ui.screens.detail import CaseDetailScreen
    from direkt_tui.ui.screens.dialogs import UnitPicker
    from direkt_tui.ui.screens.help import HelpScreen
    from direkt_tui.ui.screens.shiftwork import ChecklistScreen, FallbackScreen, ReportScreen
    from direkt_tui.ui.widgets.table import VirtualTable

    path, sc = hostile
    monkeypatch.setenv("DIREKT_API_TOKEN", TOKEN)
    server = SimServer(load_world(path), token=TOKEN)
    server.start()
    cfg = Config(user=UserConfig(name="Anna Berg", staff_id="s-1"))
    db = tmp_path / "app" / "live.db"
    db.parent.mkdir()
    live = build_live_sync(db, cfg, server.base_url)
    clock = FrozenClock(require_instant(sc["as_of"]))
    live.scheduler.engine.clock = clock.now
    live.scheduler.engine.sync_all()
    app = DirektApp(db, cfg, clock=clock, sync=live)
    live.bind(app)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            active = app.query_one("#active", VirtualTable)
            assert await _wait(pilot, lambda: "c-1" in [r.key for r in active.rows])
            assert_screen_clean(app, "main screen", "-2+3 [red]Bo[", "+Anna [blink]B", "VC [red]Kungsgatan[/red]",
                                "\\x1b]0;pwned\\x07| # \\u202eX: höjd av", "Belastningen är hög")

            active.move_to_key("c-1")
            await pilot.press("enter")
            await _settle(pilot)
            assert isinstance(app.screen, CaseDetailScreen)
            assert_screen_clean(app, "case detail", "[red]röd[/red]", "[link=https://evil.example]klicka[/link]",
                                "\\x1b]0;pwned\\x07", "[bold]X[/bold]", "[red]Hög[/red]", "**fet**")
            await pilot.press("escape")
            await _settle(pilot)

            await pilot.press("1")
            await _settle(pilot)
            assert isinstance(app.screen, ChecklistScreen)
            assert_screen_clean(app, "checklist")
            await pilot.press("escape")

            await pilot.press("question_mark")
            await _settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            assert_screen_clean(app, "help")
            await pilot.press("escape")

            await pilot.press("F")
            await _settle(pilot)
            assert isinstance(app.screen, FallbackScreen)
            phones = app.screen.query_one(VirtualTable)
            assert await _wait(pilot, lambda: phones.row_count > 5)
            assert_screen_clean(app, "phone list", "=HYPERLINK(", "@SUM(1+1)\\x07")
            await pilot.press("escape")
            await _settle(pilot)

            active.focus()
            active.move_to_key("c-1")
            await pilot.press("t")
            # the template flow is a worker waiting on its chooser: wait for the screen, not the worker
            assert await _wait(pilot, lambda: isinstance(app.screen, ChoiceScreen))
            await pilot.pause()
            assert_screen_clean(app, "template chooser", "[red]Hög[/red] belastning\\x1b]0;pwned\\x07",
                                "[link=https://evil.example]x[/link]\\x07")
            await pilot.press("escape")

            await pilot.press("u")
            await _settle(pilot)
            assert isinstance(app.screen, UnitPicker)
            assert_screen_clean(app, "unit picker", "Vårdcentralen [red]Kungsgatan[/red]", "<i>Ryd</i> *x*")
            await pilot.press("escape")

            await pilot.press("p")
            await _settle(pilot)
            assert isinstance(app.screen, ReportScreen)
            body = app.screen.query_one(Markdown)
            assert body._open_links is False  # a link in the report could only come from the platform
            assert_screen_clean(app, "shift report", "[red]Kungsgatan[/red]")
            await pilot.press("escape")
    finally:
        live.shutdown(wait=True)
        live.store.close()
        server.stop()


async def test_notifications_show_text_literally(tmp_path):
    """A toast (a sync failure carries the server's problem detail) is not read as markup."""
    from direkt_tui.store.db import Store
    from direkt_tui.ui.app import DirektApp

    db = tmp_path / "empty.db"
    Store(db).close()
    app = DirektApp(db)
    async with app.run_test(size=(100, 20), notifications=True) as pilot:
        app.sync_cycle_finished(False, f"503 [red]Service[/red] [link=https://evil.example]x[/link] {OSC_TITLE}")
        await pilot.pause()
        await pilot.pause(0.2)
        note = list(app._notifications)[-1]
        assert note.markup is False
        assert_clean(note.message, "toast")
        assert_screen_clean(app, "toast", "[red]Service[/red]")


def test_sync_errors_on_stderr_are_literal(tmp_path):
    """A server's problem detail reaches stderr (``direkt-tui sync``) made visible."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    problem = json.dumps({"type": "about:blank", "title": f"Bad {OSC_TITLE}", "status": 400, "code": "bad",
                          "detail": f"[red]nej[/red] {OSC_TITLE}\x1b[2J\u202e\x08"}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(400)
            self.send_header("Content-Type", "application/problem+json")
            self.send_header("Content-Length", str(len(problem)))
            self.end_headers()
            self.wfile.write(problem)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = dict(os.environ, DIREKT_API_TOKEN=TOKEN, XDG_CONFIG_HOME=str(tmp_path / "cfg"))
        url = f"http://127.0.0.1:{server.server_address[1]}/api/v1"
        proc = subprocess.run([*CMD, "sync", "--once", "-v", "--api", url, "--db", str(tmp_path / "s.db")],
                              capture_output=True, env=env, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 1, err
    assert_clean(err, "sync stderr")
    assert "[red]nej[/red] \\x1b]0;pwned\\x07\\x1b[2J\\u202e\\x08" in err
