"""§11 of the guideline: the Skiftslut checklist lists today's cases closed without an answer
and those handed over to another person or unit; each is marked as documented in Cosmic in a
real store (migration 4), audited, and the item is done when every one is marked."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from conftest import SCENARIOS, ingest_scenario, load_scenario

from direkt_tui.domain.checklists import checklist, evaluate_checklist
from direkt_tui.domain.models import Owner
from direkt_tui.domain.rules import RuleEngine
from direkt_tui.domain.timeutil import require_instant
from direkt_tui.store import actions
from direkt_tui.store.db import Store
from direkt_tui.store.schema import MIGRATIONS
from direkt_tui.store.shiftlog import clear_cosmic_mark, cosmic_cases, mark_cosmic

SC01 = next(p for p in SCENARIOS if p.stem.startswith("01"))


def _store(tmp_path):
    sc = load_scenario(SC01)
    s = Store(tmp_path / "s.db")
    ingest_scenario(s, sc)
    return s, sc, require_instant(sc["as_of"])


def test_the_migration_adds_the_marks_table(tmp_path):
    s, _sc, _at = _store(tmp_path)
    with s:
        assert "cosmic_marks" in s.table_names()
        assert "cosmic_marks" in MIGRATIONS[3]


def test_today_closed_without_answer_and_handed_over_cases_are_listed(tmp_path):
    s, _sc, at = _store(tmp_path)
    with s:
        # c-1 passes from s-2 to another person today: a person-to-person handover
        c1 = s.case("c-1")
        moved = dataclasses.replace(c1, version=c1.version + 1, owner=Owner("person", "s-3"), owner_since=at)
        s.apply_page("cases", [moved], "c2")
        since = at.replace(hour=0, minute=0)
        found = {c.case_id: c.why for c in cosmic_cases(s, since - timedelta(hours=1), at)}
        assert found == {"c-12": "no_response", "c-9": "unit_handover", "c-1": "reassigned"}
        # yesterday's are not today's
        assert cosmic_cases(s, at + timedelta(hours=1), at + timedelta(hours=2)) == []
        assert {c.case_id for c in cosmic_cases(s, since - timedelta(hours=1), at, ["vc-ryd"])} <= {"c-9"}


def test_a_mark_is_stored_and_audited_and_can_be_taken_back(tmp_path):
    s, _sc, at = _store(tmp_path)
    with s:
        since = at - timedelta(hours=12)
        mark_cosmic(s, "c-12", at, "Anna Berg (s-1)", "no_response")
        mark_cosmic(s, "c-12", at + timedelta(minutes=5), "Bo Ek")  # the first mark is kept
        c12 = next(c for c in cosmic_cases(s, since, at) if c.case_id == "c-12")
        assert c12.documented and c12.documented_by == "Anna Berg (s-1)" and c12.documented_at == at
        entries = [e for e in actions.audit_entries(s) if e.action.startswith("cosmic")]
        assert [(e.action, e.subject) for e in entries] == [("cosmic_documented", {"case": "c-12"})]
        assert clear_cosmic_mark(s, "c-12", at, "Anna Berg (s-1)")
        assert not clear_cosmic_mark(s, "c-12", at, "Anna Berg (s-1)")
        assert not next(c for c in cosmic_cases(s, since, at) if c.case_id == "c-12").documented
        assert [e.action for e in actions.audit_entries(s)][-1] == "cosmic_undocumented"
        assert actions.audit_check(s).ok


def test_the_end_checklist_item_is_open_until_every_case_is_documented(tmp_path):
    s, sc, at = _store(tmp_path)
    with s:
        ev = RuleEngine().evaluate(s.snapshot(around=at), at)
    assert any(i.cosmic for i in checklist("end")) and not any(i.cosmic for i in checklist("start"))
    item = next(st for st in evaluate_checklist("end", ev, None, at, ["c-12", "c-9"]) if st.item.cosmic)
    assert not item.done and item.case_ids == ("c-12", "c-9")
    item = next(st for st in evaluate_checklist("end", ev, None, at, []) if st.item.cosmic)
    assert item.done
