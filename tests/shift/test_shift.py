"""Shift work over a real store: the findings log, load samples, sign-offs with their audit
entry, call marks, and the Markdown shift report."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from conftest import SCENARIOS, ingest_scenario, load_scenario

from direkt_tui import i18n
from direkt_tui.domain.rules import RuleEngine
from direkt_tui.domain.timeutil import require_instant, to_store
from direkt_tui.reports import shift
from direkt_tui.store import actions
from direkt_tui.store.db import Store, StoreError

SC01 = next(p for p in SCENARIOS if p.stem.startswith("01"))


@pytest.fixture
def board(tmp_path):
    sc = load_scenario(SC01)
    at = require_instant(sc["as_of"])
    store = Store(tmp_path / "shift.db")
    ingest_scenario(store, sc)
    snap = store.snapshot(around=at)
    yield store, snap, at, sc
    store.close()


def _rows(store):
    return store.conn.execute("SELECT rule, unit_id, case_id, severity, opened_at, resolved_at FROM finding_log "
                              "ORDER BY rule, case_id, opened_at").fetchall()


def test_finding_log_opens_and_resolves_across_evaluations(board):
    store, snap, at, sc = board
    engine = RuleEngine()
    ev1 = engine.evaluate(snap, at)
    opened, resolved = shift.record_findings(store, at, ev1)
    assert (opened, resolved) == (len(sc["expected_findings"]), 0)
    keys = {(r[0], r[1], r[2]) for r in _rows(store)}
    assert keys == {(e["rule"], e["unit_id"], e["case_id"] or "") for e in sc["expected_findings"]}
    assert all(r[5] is None for r in _rows(store))

    # the same findings again: nothing opens, nothing resolves
    t2 = at + timedelta(seconds=20)
    assert shift.record_findings(store, t2, engine.evaluate(snap, t2)) == (0, 0)

    # c-5 (P1, overdue) is received elsewhere and leaves: its finding and the high load resolve
    t3 = at + timedelta(minutes=1)
    snap3 = dataclasses.replace(snap, cases=tuple(c for c in snap.cases if c.id != "c-5"))
    ev3 = engine.evaluate(snap3, t3)
    assert shift.record_findings(store, t3, ev3) == (0, 2)
    resolved_rows = {(r[0], r[2]): r[5] for r in _rows(store) if r[5] is not None}
    assert set(resolved_rows) == {("overdue_waiting", "c-5"), ("high_load", "")}
    assert set(resolved_rows.values()) == {to_store(t3)}
    assert len(shift.open_logged_findings(store)) == len(sc["expected_findings"]) - 2

    # it comes back: a new row opens, the old one stays resolved
    t4 = at + timedelta(minutes=2)
    assert shift.record_findings(store, t4, engine.evaluate(snap, t4)) == (2, 0)
    c5 = [r for r in _rows(store) if r[0] == "overdue_waiting" and r[2] == "c-5"]
    assert len(c5) == 2 and c5[0][5] is not None and c5[1][5] is None


def test_finding_log_only_touches_the_evaluated_units(board):
    store, snap, at, _ = board
    engine = RuleEngine()
    shift.record_findings(store, at, engine.evaluate(snap, at))
    only_ryd = engine.evaluate(snap, at + timedelta(minutes=1), ["vc-ryd"])
    assert only_ryd.findings == []
    assert shift.record_findings(store, at + timedelta(minutes=1), only_ryd) == (0, 0)
    assert all(r[5] is None for r in _rows(store))


def test_finding_log_is_one_transaction(board, monkeypatch):
    store, snap, at, _ = board
    ev = RuleEngine().evaluate(snap, at)
    ev.findings.append(None)  # type: ignore[arg-type] - breaks half-way through
    with pytest.raises(AttributeError):
        shift.record_findings(store, at, ev)
    assert _rows(store) == []


def test_record_loads_one_sample_per_unit_per_minute(board):
    store, snap, at, _ = board
    engine = RuleEngine()
    shift.record_loads(store, at + timedelta(seconds=5), engine.evaluate(snap, at + timedelta(seconds=5)))
    shift.record_loads(store, at + timedelta(seconds=40), engine.evaluate(snap, at + timedelta(seconds=40)))
    shift.record_loads(store, at + timedelta(minutes=1), engine.evaluate(snap, at + timedelta(minutes=1)))
    rows = store.conn.execute("SELECT unit_id, at, level, waiting FROM load_history ORDER BY unit_id, at").fetchall()
    assert [(r[0], r[1][11:19]) for r in rows] == [("vc-kungsgatan", "13:30:00"), ("vc-kungsgatan", "13:31:00"),
                                                    ("vc-ryd", "13:30:00"), ("vc-ryd", "13:31:00")]
    assert rows[0][2] == "high" and rows[0][3] == 4
    s = shift.load_summary(store, "vc-kungsgatan", at - timedelta(hours=1), at + timedelta(hours=1))
    assert s is not None and s.samples == 2 and s.max_level == "high" and s.last_waiting == 4
    assert shift.load_summary(store, "vc-kungsgatan", at + timedelta(hours=1), at + timedelta(hours=2)) is None


def test_sign_off_writes_the_row_and_an_audit_entry(board):
    store, snap, at, _ = board
    row_id = shift.sign_off(store, at, "start", ["vc-ryd", "vc-kungsgatan"], "Anna Berg",
                            ["coordinator", "staffing"], {"owners_present": ["c-1", "c-11"]})
    [so] = shift.signoffs(store)
    assert so.id == row_id and so.checklist == "start" and so.unit_ids == ["vc-kungsgatan", "vc-ryd"]
    assert so.signed_by == "Anna Berg" and so.signed_at == at
    assert so.acknowledged == ["coordinator", "staffing"] and so.outstanding == {"owners_present": ["c-1", "c-11"]}
    [entry] = actions.audit_entries(store)
    assert entry.action == "checklist_sign_off" and entry.actor == "Anna Berg" and entry.outcome == "ok"
    assert entry.subject == {"checklist": "start", "units": ["vc-kungsgatan", "vc-ryd"], "signoff": row_id}
    assert entry.detail["outstanding"] == {"owners_present": ["c-1", "c-11"]}
    assert actions.audit_verify(store) == []


def test_sign_off_refuses_bad_input_and_writes_nothing(board):
    store, *_ = board
    at = board[2]
    with pytest.raises(ValueError):
        shift.sign_off(store, at, "lunch", ["vc-ryd"], "Anna", [], [])
    with pytest.raises(ValueError):
        shift.sign_off(store, at, "end", ["vc-ryd"], "  ", [], [])
    with pytest.raises(TypeError):  # not JSON: the row must not be written without its audit entry
        shift.sign_off(store, at, "end", ["vc-ryd"], "Anna", [object()], [])
    assert shift.signoffs(store) == [] and actions.audit_entries(store) == []


def test_call_marks(board, tmp_path):
    store, snap, at, _ = board
    shift.mark_called(store, "c-1", at, "inget svar, ring igen", "Anna")
    shift.mark_called(store, "c-5", at + timedelta(minutes=1), None, None)
    shift.mark_called(store, "c-1", at + timedelta(minutes=5), "nådd", "Bo")
    marks = shift.call_marks(store)
    assert set(marks) == {"c-1", "c-5"}
    assert marks["c-1"].note == "nådd" and marks["c-1"].called_by == "Bo"
    assert marks["c-1"].called_at == at + timedelta(minutes=5)
    assert shift.clear_call_mark(store, "c-5", at + timedelta(minutes=6)) is True
    assert shift.clear_call_mark(store, "c-5", at + timedelta(minutes=6)) is False
    assert set(shift.call_marks(store)) == {"c-1"}
    entries = actions.audit_entries(store)
    assert [e.action for e in entries] == ["call_mark", "call_mark", "call_mark", "call_unmark"]
    text = json.dumps([[e.subject, e.detail] for e in entries], ensure_ascii=False)
    assert "nådd" not in text and "inget svar" not in text  # notes stay out of the audit chain
    assert actions.audit_verify(store) == []
    # readable from a read-only store (the calllist command)
    with Store(store.path, read_only=True) as ro:
        assert set(shift.call_marks(ro)) == {"c-1"}
        with pytest.raises(StoreError):
            shift.mark_called(ro, "c-2", at)


def test_shift_report_sections(board):
    store, snap, at, sc = board
    engine = RuleEngine()
    since, until = at - timedelta(hours=6), at + timedelta(minutes=10)
    # before the shift: must not show
    actions.audit_append(store, since - timedelta(hours=1), "Gun", "coordinator", {"units": ["vc-ryd"]})
    t1 = at - timedelta(hours=1)
    shift.record_loads(store, t1, engine.evaluate(snap, t1))
    shift.record_findings(store, t1, engine.evaluate(snap, t1))
    ev = engine.evaluate(snap, at)
    shift.record_loads(store, at, ev)
    shift.record_findings(store, at, ev)
    # two minutes later c-5 has left: its finding and the high load resolve
    t3 = at + timedelta(minutes=2)
    snap = dataclasses.replace(snap, cases=tuple(c for c in snap.cases if c.id != "c-5"))
    ev = engine.evaluate(snap, t3)
    shift.record_findings(store, t3, ev)
    actions.enqueue(store, at, "Anna Berg", "reassign", [actions.OutboxWrite("assign", {"if_version": 1}, "c-3",
                                                                              "vc-kungsgatan")])
    shift.sign_off(store, at, "during", ["vc-kungsgatan"], "Anna Berg", ["coordinator"], {"urgent": ["c-5"]})
    shift.mark_called(store, "c-1", at, "inget svar", "Anna Berg")
    md = shift.shift_report_markdown(store, ev, snap, since, until)

    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings[0].startswith("# Skiftrapport 1177 direkt – 2026-11-26")
    for h in ("## Belastning under passet", "## Fynd under passet", "## Åtgärder", "## Checklistor",
              "## Uppringda patienter (reservrutin)", "## Kvar att göra – läget nu"):
        assert any(line.startswith(h) for line in headings), h
    assert "### Vårdcentralen Kungsgatan (vc-kungsgatan)" in headings
    order = [md.index(h) for h in ("## Belastning", "## Fynd", "## Åtgärder", "## Checklistor", "## Kvar att göra")]
    assert order == sorted(order)
    assert "Period: 2026-11-26 08:30 – 2026-11-26 14:40" in md

    load = md[md.index("## Belastning"):md.index("## Fynd")]
    assert "| Vårdcentralen Kungsgatan | normal–hög | hög | 1/4/4 | 1,67 | 14:30 |" in load
    assert "| Vårdcentralen Ryd | normal–normal | normal | 0/0/0 | 0,00 | 13:30 |" in load
    assert "Mätpunkter" not in md and "Mätningar" not in md
    findings = md[md.index("## Fynd"):md.index("## Åtgärder")]
    assert "Nya: 14. Åtgärdade eller försvunna: 2." in findings
    assert "| 13:30 | öppet | kritisk | Ägare ej i tjänst | Vårdcentralen Kungsgatan | c-1 |" in findings
    assert "| 14:30 | 14:32 | kritisk | Försenat, väntar | Vårdcentralen Kungsgatan | c-5 |" in findings
    assert "| 14:30 | 14:32 | hög | Hög belastning | Vårdcentralen Kungsgatan | – |" in findings
    assert "| vc-kungsgatan |" not in findings
    acts = md[md.index("## Åtgärder"):md.index("## Checklistor")]
    assert "Lagt över ärende" in acts and "Signerat checklista" in acts and "Ringt patient" in acts
    assert "Gun" not in acts
    checks = md[md.index("## Checklistor"):md.index("## Uppringda")]
    assert "| 14:30 | Under dagen | Anna Berg | Ansvarig utsedd | Brådskande ärenden (c-5) | Vårdcentralen Kungsgatan |" in checks
    assert "Signerat checklista | Under dagen |" in acts  # the checklist's title, not its id "during"
    calls = md[md.index("## Uppringda"):md.index("## Kvar att göra")]
    assert "| 14:30 | c-1 | Anna Berg | inget svar |" in calls
    now = md[md.index("## Kvar att göra"):]
    assert "Lägesrapport" not in now  # its title is replaced by the section heading
    for e in sc["expected_findings"]:
        if e["case_id"] and e["case_id"] != "c-5":
            assert f"| {e['case_id']} |" in now
    assert "| c-5 |" not in now

    # patient data: masked numbers only, never the protected patient's identity, no phone numbers
    for c in sc["cases"]:
        p = c["patient"]
        assert p["personnummer"] not in md and p["phone"] not in md
    assert "Skyddad Person" not in md and "19750202" not in md


def test_shift_report_empty_period_and_english(board):
    store, snap, at, _ = board
    ev = RuleEngine().evaluate(snap, at)
    md = shift.shift_report_markdown(store, ev, snap, at - timedelta(hours=8), at)
    assert "Ingen belastning registrerad under perioden." in md
    assert "Inga fynd öppnades eller löstes under perioden." in md
    assert "Inga åtgärder registrerade under perioden." in md
    assert "Inga checklistor signerade under perioden." in md
    assert "## Uppringda" not in md
    en = shift.shift_report_markdown(store, ev, snap, at - timedelta(hours=8), at, lang="en")
    assert en.startswith("# Shift report 1177 direkt") and "## Still open – the state now" in en
    assert "No actions recorded in the period." in en


def test_shift_report_counts_info_findings_and_names_what_an_action_concerned(board):
    """Issue 12 items 15 and 24: info findings as counts per rule (not a row each), a batch's
    outcome names its cases (never "batch <uuid>"), outcomes and checklists in words."""
    store, snap, at, _ = board
    ev = RuleEngine().evaluate(snap, at)
    shift.record_findings(store, at, ev)
    info = [f for f in ev.findings if f.severity == "info"]
    assert info  # scenario 01 has some (protected identity, after-hours arrivals)
    batch = actions.enqueue(store, at, "Anna Berg", "reassign",
                            [actions.OutboxWrite("assign", {"if_version": 1}, "c-3", "vc-kungsgatan")])
    (row,) = actions.batch_rows(store, batch)
    actions.finish(store, row.id, at + timedelta(minutes=1), "done", http_status=200, actor="Anna Berg")
    shift.sign_off(store, at, "start", ["vc-kungsgatan"], "Anna Berg", [],
                   {"data_fresh": [], "long_absence": ["c-11"]})
    md = shift.shift_report_markdown(store, ev, snap, at - timedelta(hours=1), at + timedelta(minutes=5))
    findings = md[md.index("## Fynd"):md.index("## Åtgärder")]
    assert "| info |" not in findings
    counts = {}
    for f in info:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    for rule, n in counts.items():
        assert f"{i18n.t('rule.' + rule)}: {n}" in findings
    acts = md[md.index("## Åtgärder"):md.index("## Checklistor")]
    assert "batch" not in acts and "utskick" not in acts and "queued" not in acts
    outcome = next(line for line in acts.splitlines() if "| Utfall |" in line and "| Tid |" not in line)
    assert "| c-3 |" in outcome and "ok (klara 1)" in outcome
    assert "köad" in acts  # the request, before its outcome
    checks = md[md.index("## Checklistor"):]
    assert "data_fresh" not in md and "long_absence" not in md
    assert "Data aktuell, Längre frånvaro (c-11)" in checks
