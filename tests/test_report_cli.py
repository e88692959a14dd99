"""`direkt-tui report` (report.md) over real store files: every shared scenario reports exactly
its expected findings; exit codes; no patient data in the JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import SCENARIOS, load_scenario

from direkt_tui.cli import main
from direkt_tui.store.db import Store
from direkt_tui.store.schema import SCHEMA_VERSION

SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"]


def run_report(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed console script as a user would."""
    exe = Path(sys.executable).parent / "direkt-tui"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "direkt_tui.cli"]
    return subprocess.run([*cmd, "report", *args], capture_output=True, env=env or os.environ.copy(), timeout=60)


def check_against_scenario(doc: dict, sc: dict) -> None:
    got = {(f["rule"], f["unit_id"], f["case_id"]) for f in doc["findings"]}
    expected = {(e["rule"], e["unit_id"], e["case_id"]) for e in sc["expected_findings"]}
    assert got == expected, f"missing {expected - got}, extra {got - expected}"
    assert len(doc["findings"]) == len(got), "a finding's identity must be unique"
    by_key = {(f["rule"], f["unit_id"], f["case_id"]): f for f in doc["findings"]}
    for e in sc["expected_findings"]:
        if "action" in e:
            assert by_key[(e["rule"], e["unit_id"], e["case_id"])]["action"] == e["action"]


CASE_KEYS = {"id", "unit_id", "kind", "priority", "status", "severity", "clock", "since", "due_at", "minutes_left",
             "at_risk"}


def check_cases_against_scenario(doc: dict, sc: dict) -> None:
    """The report's ``cases`` (report.md): exactly these keys, no patient data; and, where the
    scenario has ``expected_cases`` (worked out by hand), the same cases in the same order with
    the same fields — instants compared as instants, in the unit's local offset."""
    for c in doc["cases"]:
        assert set(c) == CASE_KEYS, sorted(set(c) ^ CASE_KEYS)
        for key in ("since", "due_at"):
            if c[key] is not None:
                assert datetime.fromisoformat(c[key]).utcoffset() is not None
    if "expected_cases" not in sc:
        return
    assert [c["id"] for c in doc["cases"]] == [e["id"] for e in sc["expected_cases"]], "work-list order"
    for got, want in zip(doc["cases"], sc["expected_cases"], strict=True):
        for key, value in want.items():
            if key in ("since", "due_at") and value is not None and got[key] is not None:
                assert datetime.fromisoformat(got[key]) == datetime.fromisoformat(value), (want["id"], key, got[key])
            else:
                assert got[key] == value, (want["id"], key, got[key], value)
    tz = {u["id"]: u for u in sc["units"]}
    for c in doc["cases"]:
        if c["due_at"] is not None:
            local = datetime.fromisoformat(c["due_at"])
            assert local.utcoffset() == local.astimezone(ZoneInfo(tz[c["unit_id"]]["timezone"])).utcoffset()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_report_matches_exactly(path, scenario_store):
    sc = load_scenario(path)
    db = scenario_store(path)
    proc = run_report("--db", str(db), "--at", sc["as_of"], "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout.decode("utf-8"))
    check_against_scenario(doc, sc)
    check_cases_against_scenario(doc, sc)
    assert list(doc) == ["schema", "as_of", "data_as_of", "clock_skew_seconds", "stale", "parameters", "units",
                         "cases", "findings"]
    assert doc["schema"] == "direkt-tui/report/1"
    assert doc["as_of"] == sc["as_of"]
    assert doc["data_as_of"] == sc["as_of"] and doc["stale"] is False
    assert {u["id"] for u in doc["units"]} == {u["id"] for u in sc["units"]}
    sev = [SEVERITY_ORDER.index(f["severity"]) for f in doc["findings"]]
    assert sev == sorted(sev)
    for f in doc["findings"]:
        assert set(f) >= {"rule", "severity", "action", "unit_id", "case_id", "staff_id", "priority", "message"}
        assert f["message"]
    # no patient data in the JSON
    text = proc.stdout.decode("utf-8")
    for c in sc["cases"]:
        p = c["patient"]
        assert p["personnummer"] not in text
        assert p["personnummer"][:8] not in text
        assert p.get("phone", "§") not in text
        assert p["display_name"] not in text


def test_scenario_01_details(scenario_store):
    path = next(p for p in SCENARIOS if p.stem.startswith("01"))
    sc = load_scenario(path)
    proc = run_report("--db", str(scenario_store(path)), "--at", sc["as_of"])
    doc = json.loads(proc.stdout)
    unit = next(u for u in doc["units"] if u["id"] == "vc-kungsgatan")
    assert unit["open_now"] is True and unit["closes_at"] == "2026-11-26T17:00:00+01:00"
    assert unit["coordinator"] == {"staff_id": "s-1", "present": True}
    load = unit["load"]
    assert load["level"] == "high" and load["ratio"] == pytest.approx(1.67)
    assert load["waiting"] == {"1": 1, "2": 0, "3": 1, "4": 0, "5": 1, "admin": 1}
    assert load["queued"] == 2 and load["clinicians_present"] == {"doctor": 1, "nurse": 2}
    assert doc["parameters"]["response_limits"] == {"1": 15, "2": 60, "3": 180, "4": 300, "5": 480, "admin": 480}
    absent = next(f for f in doc["findings"] if f["rule"] == "absent_owner" and f["case_id"] == "c-1")
    assert absent["severity"] == "critical" and absent["staff_id"] == "s-2" and absent["priority"] == 2
    assert absent["message"].startswith("Ägaren (Bo Ek) är inte i tjänst")


def test_unit_filter_and_stale(scenario_store):
    path = next(p for p in SCENARIOS if p.stem.startswith("01"))
    sc = load_scenario(path)
    db = str(scenario_store(path))
    doc = json.loads(run_report("--db", db, "--at", sc["as_of"], "--unit", "vc-ryd").stdout)
    assert [u["id"] for u in doc["units"]] == ["vc-ryd"] and doc["findings"] == [] and doc["cases"] == []
    doc = json.loads(run_report("--db", db, "--at", sc["as_of"], "--unit", "vc-kungsgatan").stdout)
    assert [c["id"] for c in doc["cases"]] == [e["id"] for e in sc["expected_cases"]]
    # ten minutes later the data is stale: stale_data for every unit
    doc = json.loads(run_report("--db", db, "--at", "2026-11-26T14:40:00+01:00").stdout)
    assert doc["stale"] is True
    assert {(f["rule"], f["unit_id"]) for f in doc["findings"] if f["rule"] == "stale_data"} == {
        ("stale_data", "vc-kungsgatan"), ("stale_data", "vc-ryd")}


def test_fail_on(scenario_store):
    path = next(p for p in SCENARIOS if p.stem.startswith("01"))
    sc = load_scenario(path)
    db = str(scenario_store(path))
    assert run_report("--db", db, "--at", sc["as_of"], "--fail-on", "critical").returncode == 1
    assert run_report("--db", db, "--at", sc["as_of"], "--unit", "vc-ryd", "--fail-on", "info").returncode == 0


def test_markdown_is_swedish_and_masks(scenario_store):
    path = next(p for p in SCENARIOS if p.stem.startswith("01"))
    sc = load_scenario(path)
    proc = run_report("--db", str(scenario_store(path)), "--at", sc["as_of"], "--format", "markdown")
    assert proc.returncode == 0
    md = proc.stdout.decode("utf-8")
    # the shift report for the next coordinator, with the current state as its last part
    assert md.startswith("# Skiftrapport 1177 direkt – 2026-11-26")
    assert "Vårdcentralen Kungsgatan" in md and "Ägare ej i tjänst" in md
    assert "19800505-****" in md
    assert "19800505-9001" not in md
    # protected identity: neither name nor number
    assert "Skyddad identitet – kontrollera i Cosmic" in md
    assert "19750202" not in md and "Skyddad Person" not in md
    en = run_report("--db", str(scenario_store(path)), "--at", sc["as_of"], "--format", "markdown", "--lang", "en")
    assert en.stdout.decode().startswith("# Shift report")


@pytest.mark.parametrize("args,needle", [
    (["--at", "yesterday"], "--at"),
    (["--at", "2026-11-26T14:30:00"], "offset"),
    (["--format", "xml"], "--format"),
    (["--fail-on", "urgent"], "--fail-on"),
    (["--unit", "vc-nowhere"], "unknown unit"),
])
def test_bad_arguments_exit_2_with_one_line(args, needle, scenario_store):
    db = str(scenario_store(SCENARIOS[0]))
    proc = run_report("--db", db, *args)
    assert proc.returncode == 2
    err = proc.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and needle in err and "Traceback" not in err
    assert proc.stdout == b""


def test_unusable_stores_exit_2(tmp_path, scenario_store):
    missing = run_report("--db", str(tmp_path / "missing.db"))
    assert missing.returncode == 2 and "no store" in missing.stderr.decode()
    assert not (tmp_path / "missing.db").exists(), "report must never create a store"
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00garbage" * 1000)
    proc = run_report("--db", str(garbage))
    assert proc.returncode == 2 and len(proc.stderr.decode().strip().splitlines()) == 1
    db = scenario_store(SCENARIOS[0])
    with Store(db) as s:
        s.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    proc = run_report("--db", str(db))
    assert proc.returncode == 2 and "schema version" in proc.stderr.decode()


def test_bad_config_exit_2(tmp_path, scenario_store, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[rules]\nresponse_limits = { 9 = 10 }\n")
    code = main(["report", "--db", str(scenario_store(SCENARIOS[0])), "--config", str(cfg)])
    err = capsys.readouterr().err
    assert code == 2 and "unknown priority" in err and len(err.strip().splitlines()) == 1


def test_config_changes_parameters(tmp_path, scenario_store, capsys):
    path = next(p for p in SCENARIOS if p.stem.startswith("01"))
    sc = load_scenario(path)
    cfg = tmp_path / "c.toml"
    # c-5 (P1) waited 20 min; with a 30 min limit at vc-kungsgatan it is no longer overdue
    cfg.write_text('[units."vc-kungsgatan".rules]\nresponse_limits = { "1" = 30 }\n')
    code = main(["report", "--db", str(scenario_store(path)), "--at", sc["as_of"], "--config", str(cfg)])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert ("overdue_waiting", "c-5") not in {(f["rule"], f["case_id"]) for f in doc["findings"]}
    unit = next(u for u in doc["units"] if u["id"] == "vc-kungsgatan")
    assert unit["parameters"]["response_limits"]["1"] == 30
    c5 = next(c for c in doc["cases"] if c["id"] == "c-5")
    assert (c5["due_at"], c5["minutes_left"], c5["at_risk"]) == ("2026-11-26T14:40:00+01:00", 10, False)


def test_config_changes_the_at_risk_fraction_per_unit(tmp_path, scenario_store, capsys):
    """With the unit's fraction at 1/16, c-10 (admin, 30 of 480 working minutes: exactly 1/16) and
    c-3 (P4, 210 of 300) are at risk too; c-13 (P3, 10 of 180) is not; overdue cases never are."""
    path = next(p for p in SCENARIOS if p.stem.startswith("01"))
    sc = load_scenario(path)
    cfg = tmp_path / "c.toml"
    cfg.write_text('[units."vc-kungsgatan".rules]\nat_risk_fraction = 0.0625\n')
    code = main(["report", "--db", str(scenario_store(path)), "--at", sc["as_of"], "--config", str(cfg)])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    at_risk = {c["id"] for c in doc["cases"] if c["at_risk"]}
    assert at_risk == {"c-3", "c-6", "c-10"}
    assert next(u for u in doc["units"] if u["id"] == "vc-kungsgatan")["parameters"]["at_risk_fraction"] == 0.0625
    assert doc["parameters"]["at_risk_fraction"] == 0.75


def test_report_looks_back_through_the_case_history(scenario_store):
    """--at before the data's instant: the cases as their versions were then (§14)."""
    path = next(p for p in SCENARIOS if p.stem.startswith("01"))
    db = str(scenario_store(path))
    doc = json.loads(run_report("--db", db, "--at", "2026-11-26T14:15:00+01:00").stdout)
    assert doc.get("looking_back") is True and doc["stale"] is False
    found = {(f["rule"], f["case_id"]) for f in doc["findings"]}
    assert not any(cid == "c-13" for _r, cid in found)  # arrived 14:20: not there yet
    assert ("overdue_waiting", "c-5") not in found  # arrived 14:10: 5 working minutes <= 15
    now = json.loads(run_report("--db", db, "--at", "2026-11-26T14:30:00+01:00").stdout)
    assert "looking_back" not in now
    assert ("overdue_waiting", "c-5") in {(f["rule"], f["case_id"]) for f in now["findings"]}


def test_no_subcommand_is_the_application():
    """``direkt-tui --db X --offline`` is ``direkt-tui tui --db X --offline`` (cli.md)."""
    import direkt_tui.cli as cli
    from direkt_tui.cli import build_parser

    seen = {}

    def fake_app(args):
        seen["args"] = args
        return 0

    saved = cli.COMMANDS["tui"]
    cli.COMMANDS["tui"] = fake_app
    try:
        assert main(["--db", "/tmp/x.db", "--offline"]) == 0
        assert seen["args"].command == "tui" and str(seen["args"].db) == "/tmp/x.db" and seen["args"].offline
        assert main([]) == 0 and seen["args"].command == "tui"
    finally:
        cli.COMMANDS["tui"] = saved
    assert build_parser("report").parse_args(["report", "--format", "markdown"]).format == "markdown"


def test_units_carry_coverage_gaps_and_coordinator_until(tmp_path, scenario_store):
    """Gaps ahead (issue 13 §2): today's remaining opening hours with no clinician scheduled, and
    when the coordinator's presence ends; the existing unit keys are kept."""
    path = next(p for p in SCENARIOS if p.stem.startswith("01"))
    sc = load_scenario(path)
    doc = json.loads(run_report("--db", str(scenario_store(path)), "--at", sc["as_of"]).stdout)
    unit = next(u for u in doc["units"] if u["id"] == "vc-kungsgatan")
    assert list(unit)[:7] == ["id", "name", "open_now", "closes_at", "opens_at", "coordinator", "load"]
    assert unit["coverage_gaps"] == []
    assert unit["coordinator_until"] == "2026-11-26T16:00:00+01:00"  # Anna Berg's shift
    # without s-5 (Eva Grön, the afternoon doctor) nobody clinical is on 16:00-17:00
    from conftest import ingest_scenario

    sc["shifts"] = [s for s in sc["shifts"] if s["staff_id"] != "s-5"]
    sc["coordinators"] = [c for c in sc["coordinators"] if c["unit_id"] != "vc-ryd"]
    db = tmp_path / "gap.db"
    with Store(db) as store:
        ingest_scenario(store, sc)
    doc = json.loads(run_report("--db", str(db), "--at", sc["as_of"]).stdout)
    units = {u["id"]: u for u in doc["units"]}
    assert units["vc-kungsgatan"]["coverage_gaps"] == [
        {"start": "2026-11-26T16:00:00+01:00", "end": "2026-11-26T17:00:00+01:00"}
    ]
    assert units["vc-ryd"]["coordinator_until"] is None  # nobody holds the role


def test_units_carry_the_forecast_for_closing(scenario_store):
    """Issue 13 §4: every term of the forecast and the method used, per open unit; null when closed."""
    path = next(p for p in SCENARIOS if p.stem.startswith("01"))
    sc = load_scenario(path)
    doc = json.loads(run_report("--db", str(scenario_store(path)), "--at", sc["as_of"]).stdout)
    f = next(u for u in doc["units"] if u["id"] == "vc-kungsgatan")["forecast"]
    assert set(f) == {"closes_at", "method", "backlog_now", "arrivals", "arrivals_method", "history_days",
                      "arrival_rate", "wait_hours", "wait_method", "wait_cases", "late", "clinician_hours",
                      "cases_per_clinician_hour", "rate_method", "capacity", "completions", "backlog_at_close",
                      "extra_clinician_hours", "late_method", "late_arrivals", "late_carried", "carry_share"}
    assert f["closes_at"] == "2026-11-26T17:00:00+01:00" and f["history_days"] == 0
    assert f["late_method"] in ("today", "naive") and f["carry_share"] is None  # no history: as before
    assert f["arrivals_method"] == "today" and f["rate_method"] in ("today", "default")
    assert f["method"] in ("late", "capacity", "naive") and f["wait_method"] in ("recent", "today", "none")
    assert f["backlog_at_close"] == pytest.approx(f["backlog_now"] + f["arrivals"] - f["completions"], abs=0.11)
    late = json.loads(run_report("--db", str(scenario_store(path)), "--at", "2026-11-26T22:00:00+01:00").stdout)
    assert all(u["forecast"] is None for u in late["units"])
