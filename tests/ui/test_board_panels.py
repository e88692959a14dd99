"""The board's case panels against their definition, case by case: the work list holds every open
case with the highest severity of its findings; a side panel (absent owners, roles, overdue) holds
each case with a finding of its rules, with the highest severity among those. ``BoardBuilder``
routes each case in one pass (its severity taken from the rule engine's rank); this recomputes
the panels from the findings alone."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import SCENARIOS, ingest_scenario, load_scenario

from direkt_tui.config import Config
from direkt_tui.domain.roster import unit_roster
from direkt_tui.domain.rules import SEVERITY_RANK, RuleEngine
from direkt_tui.domain.timeutil import require_instant
from direkt_tui.sim import generate_world
from direkt_tui.store.db import Store
from direkt_tui.ui.model import _PANEL_OF, ABSENT_RULES, OVERDUE_RULES, ROLE_RULES, BoardBuilder, CaseFilter


def _highest(severities):
    return min(severities, key=SEVERITY_RANK.__getitem__, default=None)


def _generated_day() -> dict:
    """A generated unit day at 12:30 (many cases, findings of every kind), as a scenario."""
    w = generate_world(seed=2, start="2026-11-26T07:30:00+01:00", speed=0, preload_cases=150)
    w.advance(5 * 3600)
    units = w.list_units()
    return {
        "as_of": w.now().isoformat(),
        "units": units,
        "templates": w.list_templates(),
        "capabilities": w.get_capabilities(),
        "coordinators": [w.get_coordinator(u["id"]) for u in units],
        **{feed: list(w.entities(feed).values()) for feed in ("staff", "shifts", "cases")},
    }


# a filter and the cases it lets through, worked out apart from ``BoardBuilder._matches``
FILTERS = {
    "none": (CaseFilter(), lambda c: True),
    "p1-2": (CaseFilter(priorities=frozenset({"1", "2"})), lambda c: c.priority in (1, 2)),
}


@pytest.mark.parametrize("filt", FILTERS)
@pytest.mark.parametrize("source", [*SCENARIOS, "generated"], ids=lambda p: getattr(p, "stem", p))
def test_each_panel_holds_its_cases_at_the_severity_of_its_findings(tmp_path, source, filt):
    sc = _generated_day() if source == "generated" else load_scenario(source)
    case_filter, passes = FILTERS[filt]
    with Store(tmp_path / "s.db") as store:
        ingest_scenario(store, sc)
        board = BoardBuilder(store, RuleEngine(Config().params_for), "sv").build(
            require_instant(sc["as_of"]), case_filter
        )
    ev = board.evaluation
    shown = [c for c in ev.open_cases if passes(c)]
    assert [r.key for r in board.active] == [c.id for c in shown]
    for r in board.active:
        assert r.severity == _highest(f.severity for f in ev.findings_for(r.key)), r.key
    active_sev = {r.key: r.severity for r in board.active}
    open_ids = {c.id for c in ev.open_cases}
    panels_of: dict[str, int] = {}  # case id -> the side panels it is in
    other_severity = 0  # side rows whose severity is not their case's (a finding of another panel outranks)
    for rules, rows in ((ABSENT_RULES, board.absent), (ROLE_RULES, board.roles), (OVERDUE_RULES, board.overdue)):
        want = {}
        for c in shown:
            mine = [f.severity for f in ev.findings_for(c.id) if f.rule in rules]
            if mine:
                want[c.id] = _highest(mine)
        got = {r.key: r.severity for r in rows if r.key in open_ids}  # (closed cases' rows apart)
        assert got == want, rules
        for cid, sev in got.items():
            panels_of[cid] = panels_of.get(cid, 0) + 1
            other_severity += sev != active_sev[cid]
    # closed cases with findings (premature_close) are with the overdue ones, and only there
    by_id = {c.id: c for c in board.snapshot.cases}
    closed = sorted(cid for cid in ev.case_findings if cid not in open_ids and passes(by_id[cid]))
    assert sorted(r.key for r in board.overdue if r.key not in open_ids) == closed
    assert not any(r.key not in open_ids for r in board.absent + board.roles)
    # the at-risk cases the engine lists in its pass are those whose deadline says so
    risky = {cid for cid, d in ev.deadlines.items() if d.at_risk}
    assert sorted(c.id for c in ev.at_risk) == sorted(risky)
    assert board.at_risk == {
        uid: sum(1 for c in ev.open_cases if c.id in risky and c.unit_id == uid) for uid in board.unit_ids
    }
    if filt != "none":
        assert 0 < len(shown) < len(ev.open_cases), "the filter lets all or none through"
    if source == "generated" and filt == "none":  # every path of the routing is taken
        assert other_severity, "no side row whose severity differs from its case's"
        assert any(n > 1 for n in panels_of.values()), "no case in two side panels"
        assert risky, "the generated day has no case at risk"
        assert closed, "the generated day has no case closed too early"


def test_the_side_panels_rules_are_disjoint():
    """Each rule routes a case to one side panel (``_PANEL_OF``): a rule in two would be lost from one."""
    rules = [*ABSENT_RULES, *ROLE_RULES, *OVERDUE_RULES]
    assert len(set(rules)) == len(rules) == len(_PANEL_OF)


def test_the_boards_rosters_are_each_units_roster_worked_out_alone(tmp_path):
    """The board groups the held cases of every unit in one pass and takes the reply waits from
    the engine's reply clocks; each roster equals the unit's roster worked out from the snapshot."""
    sc = _generated_day()
    # a waiting case a person has been given (not received yet): not one the person holds
    holder = next(c for c in sc["cases"] if c["status"] == "started" and c["owner"]["type"] == "person")
    given = next(c for c in sc["cases"] if c["status"] == "waiting" and c["unit_id"] == holder["unit_id"])
    given["owner"] = dict(holder["owner"])
    at = require_instant(sc["as_of"])
    with Store(tmp_path / "s.db") as store:
        ingest_scenario(store, sc)
        engine = RuleEngine(Config().params_for)
        board = BoardBuilder(store, engine, "sv").build(at)
    ev = board.evaluation
    waits = 0
    for uid, ur in board.rosters.items():
        st = ev.units[uid]
        cal, window = engine.calendar(st.unit), st.parameters.shift_end_warning_minutes
        alone = unit_roster(board.snapshot, uid, at, cal, window, cases=ev.open_cases)  # work-list order
        assert [dataclasses.replace(p, oldest_reply_minutes=None) for p in ur.people] == [
            dataclasses.replace(p, oldest_reply_minutes=None) for p in alone.people
        ]
        for p, q in zip(ur.people, alone.people, strict=True):
            assert (p.oldest_reply_minutes is None) == (q.oldest_reply_minutes is None)
            if p.oldest_reply_minutes is not None:
                waits += 1
                assert p.oldest_reply_minutes == pytest.approx(q.oldest_reply_minutes, abs=1e-6)
        assert dataclasses.replace(ur, people=()) == dataclasses.replace(alone, people=())
    assert waits, "nobody on the generated day has a patient awaiting a reply"
    person = board.rosters[holder["unit_id"]].person(holder["owner"]["staff_id"])
    assert person is not None and holder["id"] in person.case_ids and given["id"] not in person.case_ids
