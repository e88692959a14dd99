"""§14: the ready draft of a deviation report for Synergi — the fields the guideline names,
the case URL, what happened and when, never the patient's name, number, phone or own words —
and saved whole beside the shift reports."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from conftest import SCENARIOS, load_scenario

from direkt_tui.domain.models import Case
from direkt_tui.domain.rules import Finding
from direkt_tui.reports.deviation import deviation_draft, needs_deviation, save_deviation

SC01 = next(p for p in SCENARIOS if p.stem.startswith("01"))
ZONE = ZoneInfo("Europe/Stockholm")


def _case(cid: str) -> Case:
    raw = next(c for c in load_scenario(SC01)["cases"] if c["id"] == cid)
    return Case.from_api(raw)


def _premature(case: Case) -> Finding:
    return Finding(
        "premature_close", "high", "report_deviation", case.unit_id, case.id, None, case.priority,
        "premature_close", {"case": case.id},
    )  # fmt: skip


def test_the_draft_has_the_synergi_fields_the_url_and_what_happened_when():
    case = _case("c-12")
    text = deviation_draft(case, [_premature(case)], "sv", unit_names={case.unit_id: "Vårdcentralen Test"}, zone=ZONE)
    lines = text.splitlines()
    assert "Involverade system: Gemensamma IT-stöd 1177 direkt" in lines
    assert "  Länknamn: Patientärende" in lines
    assert f"  Länkadress (URL): {case.url}" in lines
    assert "Vårdcentralen Test" in text
    assert "Avslutat 2026-11-26 10:00 (utan svar från patienten)." in text  # 09:00Z in local time
    assert "Avslutat för tidigt" in text  # the finding, by its Swedish name


def test_the_draft_carries_no_patient_data():
    case = _case("c-12")
    text = deviation_draft(case, [_premature(case)], "sv", zone=ZONE)
    p = case.patient
    for secret in (p.display_name, p.personnummer, p.personnummer.replace("-", ""), p.phone, case.reason):
        assert secret and secret not in text


def test_english_keeps_the_synergi_values_swedish():
    case = _case("c-1")
    text = deviation_draft(case, [], "en", zone=ZONE)
    assert "Involverade system: Gemensamma IT-stöd 1177 direkt" in text and "Länknamn: Patientärende" in text
    assert "What happened:" in text and "The case is open (started)." in text


def test_a_premature_close_calls_for_a_report_other_cases_on_request():
    case = _case("c-12")
    assert needs_deviation([_premature(case)]) and not needs_deviation([])


def test_saved_beside_the_shift_reports_whole_and_private(tmp_path):
    folder = tmp_path / "reports"
    at = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
    path = save_deviation("utkast\n", folder, "c-12", at, ZONE)
    assert path.parent == folder and path.name == "avvikelse-c-12-20261126-1430.txt"
    assert path.read_text(encoding="utf-8") == "utkast\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == [path.name]  # no part file left behind
    weird = save_deviation("x", folder, "../c/13", at, ZONE)
    assert weird.parent == folder
