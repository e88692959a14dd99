"""`direkt-tui calllist` (cli.md, domain.md §8): the phone list on paper, from a real store file,
through the command line in a subprocess."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import SCENARIOS, load_scenario

from direkt_tui.domain.timeutil import require_instant
from direkt_tui.reports import shift
from direkt_tui.store.db import Store

SC01 = next(p for p in SCENARIOS if p.stem.startswith("01"))
# domain.md §8, by hand: by priority (P1 first, admin last), then working time waited, longest first
# (P3: c-11 since 20 Nov, c-4 240 min, c-7 235, c-2 30, c-13 10; P4: c-8 390, c-3 210)
ORDER_01 = ["c-5", "c-1", "c-9", "c-11", "c-4", "c-7", "c-2", "c-13", "c-8", "c-3", "c-6", "c-10"]

# The real argument parser, with `calllist` pointed at run_calllist (what the lead wires in cli.py).
WRAPPER = ("import sys; from direkt_tui import cli; from direkt_tui.reports import calllist; "
           "cli.COMMANDS['calllist'] = lambda a: calllist.run_calllist(a, cli.load_config(a.config)); "
           "sys.exit(cli.main())")


def _env(tmp_path: Path) -> dict:
    env = os.environ.copy()
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME"):
        env[var] = str(tmp_path / "home")
    env.pop("DIREKT_API_TOKEN", None)
    return env


def run_calllist(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WRAPPER, "calllist", *args], capture_output=True,
                          env=_env(tmp_path), timeout=60)


@pytest.fixture
def store01(scenario_store):
    db = scenario_store(SC01)
    sc = load_scenario(SC01)
    at = require_instant(sc["as_of"])
    with Store(db) as s:
        shift.mark_called(s, "c-1", at + timedelta(minutes=5), "inget svar", "Anna")
    return db, sc


@pytest.fixture
def config(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text('[fallback]\nstod_och_service_phone = "010-111 11 11"\ninera_phone = "0771-22 22 22"\n',
                 encoding="utf-8")
    return p


def _table_ids(md: str) -> list[str]:
    rows = [line for line in md.splitlines() if line.startswith("| ") and not line.startswith("| Nr")]
    return [r.split(" | ")[3] for r in rows]


def test_markdown_weekday_afternoon(tmp_path, store01, config):
    db, sc = store01
    proc = run_calllist(tmp_path, "--db", str(db), "--config", str(config), "--at", "2026-11-26T14:40:00+01:00")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    md = proc.stdout.decode("utf-8")
    assert md.startswith("# Ringlista – reservrutin 1177 direkt")
    assert "**Kontakta nu: Stöd och service – 010-111 11 11** – vardag kl 8–17 (§12)" in md
    assert "säger inget" not in md
    assert "Uppgifterna är från 2026-11-26 14:30 (10 min gamla)." in md
    assert _table_ids(md) == ORDER_01
    rows = {r.split(" | ")[3]: r for r in md.splitlines() if r.startswith("| ") and not r.startswith("| Nr")}
    assert "| 070-000 0005 |" in rows["c-5"] and "19800505-****" in rows["c-5"]
    assert rows["c-1"].startswith("| 2 | [x] 14:35 Anna | P2 | c-1 |")
    assert rows["c-5"].startswith("| 1 | [ ] | P1 | c-5 |")
    assert "hämta kontaktuppgift i Cosmic" in rows["c-13"]
    assert "- c-1: inget svar" in md
    # never the protected patient's identity; never a full personal number
    assert "Skyddad Person" not in md and "070-000 0013" not in md and "19750202" not in md
    for c in sc["cases"]:
        assert c["patient"]["personnummer"] not in md
    assert "c-12" not in _table_ids(md) and "c-14" not in _table_ids(md)  # closed


def test_markdown_night_without_numbers_says_the_guideline_is_silent(tmp_path, store01):
    db, _ = store01
    proc = run_calllist(tmp_path, "--db", str(db), "--at", "2026-11-26T22:30:00+01:00")
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout.decode("utf-8")
    assert "**Kontakta nu: Inera (telefon) – nummer saknas i konfigurationen**" in md
    assert "> Riktlinjen (§12) säger inget om den här tiden." in md
    assert "riktlinjen anger inte" not in md  # said once, not twice (issue 12 item 16)
    assert "(8 h 00 min gamla)" in md


@pytest.mark.parametrize("at, expected", [
    ("2026-11-26T19:00:00+01:00", "**Kontakta nu: Inera (telefon) – 0771-22 22 22** – vardagskväll kl 17–22 (§12)"),
    ("2026-11-28T10:00:00+01:00", "**Kontakta nu: Inera (telefon) – 0771-22 22 22** – helg (§12)"),
    ("2026-12-24T10:00:00+01:00", "**Kontakta nu: Inera (telefon) – 0771-22 22 22** – helgdag (§12)"),
])
def test_markdown_evening_weekend_holiday(tmp_path, store01, config, at, expected):
    db, _ = store01
    proc = run_calllist(tmp_path, "--db", str(db), "--config", str(config), "--at", at)
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout.decode("utf-8")
    assert expected in md and "säger inget" not in md


def test_csv(tmp_path, store01):
    db, _ = store01
    proc = run_calllist(tmp_path, "--db", str(db), "--at", "2026-11-26T14:40:00+01:00", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode("utf-8")  # UTF-8, strictly
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Nr", "Prio", "Ärende", "Enhet"] and "Telefon" in header and "Uppringd" in header
    assert all(len(r) == len(header) for r in body)
    col = {name: i for i, name in enumerate(header)}
    assert [r[col["Ärende"]] for r in body] == ORDER_01
    assert [r[col["Nr"]] for r in body] == [str(i) for i in range(1, 13)]
    by_id = {r[col["Ärende"]]: r for r in body}
    assert by_id["c-5"][col["Telefon"]] == "070-000 0005" and by_id["c-5"][col["Prio"]] == "P1"
    assert by_id["c-13"][col["Telefon"]] == "hämta kontaktuppgift i Cosmic"
    assert by_id["c-13"][col["Personnummer"]] == "" and by_id["c-13"][col["Patient"]] == "Skyddad identitet"
    assert by_id["c-1"][col["Uppringd"]] == "uppringd" and by_id["c-1"][col["Uppringd av"]] == "Anna"
    assert by_id["c-1"][col["Uppringd kl"]] == "2026-11-26 14:35"
    assert by_id["c-5"][col["Uppringd"]] == ""
    assert "Skyddad Person" not in text and "070-000 0013" not in text


def test_unit_filter_and_english(tmp_path, store01):
    db, _ = store01
    proc = run_calllist(tmp_path, "--db", str(db), "--at", "2026-11-26T14:40:00+01:00", "--unit", "vc-ryd")
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout.decode("utf-8")
    assert "Inga öppna ärenden." in md and _table_ids(md) == []
    proc = run_calllist(tmp_path, "--db", str(db), "--at", "2026-11-26T14:40:00+01:00", "--lang", "en")
    md = proc.stdout.decode("utf-8")
    assert md.startswith("# Phone list") and "get the contact details from Cosmic" in md
    assert "number missing in the configuration" in md


def test_missing_or_unreadable_store_or_unknown_unit_exit_2(tmp_path, store01):
    db, _ = store01
    cases = [
        ("--db", str(tmp_path / "nope.db")),
        ("--db", str(db), "--unit", "vc-unknown"),
    ]
    junk = tmp_path / "junk.db"
    junk.write_text("not a database\n" * 100, encoding="utf-8")
    cases.append(("--db", str(junk)))
    for args in cases:
        proc = run_calllist(tmp_path, *args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert proc.stdout == b""
        lines = proc.stderr.decode("utf-8").strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("direkt-tui calllist: error:"), lines


def test_store_is_not_written(tmp_path, store01):
    db, _ = store01
    before = db.stat().st_mtime_ns, db.read_bytes()
    proc = run_calllist(tmp_path, "--db", str(db), "--at", "2026-11-26T14:40:00+01:00")
    assert proc.returncode == 0
    assert (db.stat().st_mtime_ns, db.read_bytes()) == before


def test_installed_console_script(tmp_path, store01):
    """The real `direkt-tui calllist` console script."""
    db, _ = store01
    exe = Path(sys.executable).parent / "direkt-tui"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "direkt_tui.cli"]
    proc = subprocess.run([*cmd, "calllist", "--db", str(db), "--at", "2026-11-26T14:40:00+01:00",
                           "--format", "csv"], capture_output=True, env=_env(tmp_path), timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout.decode("utf-8"))))
    assert [r[2] for r in rows[1:]] == ORDER_01


def test_at_before_the_last_fetch_looks_back(tmp_path, store01):
    """Issue 12 item 24: `--at` before the data was fetched prints the cases as they were then,
    and says so – not "Utskriven 10:00" over data "från 14:30 (0 min gamla)"."""
    db, sc = store01
    at = "2026-11-26T10:00:00+01:00"
    proc = run_calllist(tmp_path, "--db", str(db), "--at", at)
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout.decode()
    assert "Utskriven 2026-11-26 10:00" in md
    assert ("Tillbakablick: ärendena som de var 2026-11-26 10:00 (ur ärendenas historik i lagret; "
            "senast hämtat 2026-11-26 14:30).") in md
    assert "gamla)" not in md
    later = {c["id"] for c in sc["cases"] if require_instant(c["created_at"]) > require_instant(at)}
    assert later and not later & set(_table_ids(md))
    en = run_calllist(tmp_path, "--db", str(db), "--at", at, "--lang", "en").stdout.decode()
    assert "Looking back: the cases as they were at 2026-11-26 10:00" in en
