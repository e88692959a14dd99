"""The rule table as data (issue 11): ``RULES`` carries domain.md §4's table row by row (id,
subject, severity ladder, action(s), §), the engine reads severity and action from it, the
findings keep raw numbers and times that only the message renderer formats, and load (§5) and
the work-list order (§7) live in their own modules."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from builders import case, local, minutes, person, shift, snapshot, staff
from conftest import SCENARIOS, SHARED, ingest_scenario, load_scenario

from direkt_tui.domain import checklists, load, ordering, rules, ruletable
from direkt_tui.domain.params import Parameters
from direkt_tui.domain.rules import RULES, Ladder, RuleEngine, render_message
from direkt_tui.domain.timeutil import require_instant
from direkt_tui.store.db import Store

DAY = "2026-11-26"  # a Thursday; the builders' unit is open 08:00-17:00


def _spec_rows() -> list[list[str]]:
    """The rows of the rule table in domain.md §4, cells stripped."""
    text = (SHARED / "spec" / "domain.md").read_text(encoding="utf-8")
    section = text[text.index("## 4. Rules") : text.index("## 4b.")]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 6:
            rows.append(cells)
    return rows


def _spec_ladder(text: str) -> Ladder:
    text = text.replace("`", "")
    if m := re.fullmatch(r"(\w+) for P1–2, else (\w+)", text):
        return Ladder(m[2], m[1], "p1-2")
    if m := re.fullmatch(r"(\w+) \(critical when urgent\)", text):
        return Ladder(m[1], "critical", "urgent")
    if m := re.fullmatch(r"(\w+); critical when very_high", text):
        return Ladder(m[1], "critical", "very_high")
    assert re.fullmatch(r"\w+", text), text
    return Ladder(text)


def test_rules_are_the_spec_table_in_its_order():
    rows = _spec_rows()
    assert len(rows) == 19
    assert [r.id for r in RULES] == [row[0].strip("`") for row in rows]
    for rule, (rid, subject, _when, severity, action, section) in zip(RULES, rows, strict=True):
        assert rule.subject == subject, rid
        assert rule.severity == _spec_ladder(severity), rid
        assert rule.actions == tuple(re.findall(r"`([\w:]+)`", action.split(" where ")[0])), rid
        assert rule.sections == tuple(re.findall(r"\d+(?:\.\d+)?", section.split("(")[0])), rid
        assert rule.message_key == f"msg.{rule.id}" and rule.action == rule.actions[0]
    assert rules.RULE_IDS == tuple(r.id for r in RULES)
    assert [rules.RULE_RANK[r.id] for r in RULES] == list(range(len(RULES)))
    assert rules.RULES_BY_ID["high_load"] is ruletable.HIGH_LOAD
    with pytest.raises(AttributeError):
        RULES[0].id = "x"  # type: ignore[misc]


def test_ladders():
    assert Ladder("high", "critical", "p1-2").of(True) == "critical"
    assert Ladder("high", "critical", "p1-2").of(False) == "high"
    assert Ladder("info").of(True) == Ladder("info").of(False) == "info"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_finding_follows_its_row(tmp_path, path):
    sc = load_scenario(path)
    at = require_instant(sc["as_of"])
    with Store(tmp_path / "s.db") as store:
        ingest_scenario(store, sc)
        snap = store.snapshot(around=at)
    seen = set()
    for t in (at - timedelta(hours=4), at, at + timedelta(hours=3)):
        for f in RuleEngine().evaluate(snap, t).findings:
            rule = rules.RULES_BY_ID[f.rule]
            assert f.severity in (rule.severity.base, rule.severity.raised), f
            assert f.action in rule.actions, f
            assert (f.case_id is None) == (rule.subject == "unit"), f
            assert f.message_key.startswith(rule.message_key) and f.message != f.message_key, f
            seen.add(f.rule)
    assert len(seen) >= 5


# -- formatting belongs to the message renderer -------------------------------------------------
def test_high_load_keeps_the_ratio_a_number():
    t = local(f"{DAY} 10:00")
    w = dict(
        staff_=[staff("d1", "doctor")], shifts=[shift("d1", local(f"{DAY} 08:00"), local(f"{DAY} 16:00"), "doctor")]
    )
    cases = [case(created=t - minutes(1), priority=4) for _ in range(17)]
    thresholds = Parameters().with_overrides({"load_thresholds": [4, 8, 16.5]})
    for lang, text in (("sv", "17,0"), ("en", "17.0")):
        ev = RuleEngine(thresholds, lang=lang).evaluate(snapshot(**w, cases=cases, data_as_of=t), t)
        (f,) = [f for f in ev.findings if f.rule == "high_load"]
        assert f.message_args == {"level": "very_high", "ratio": 17.0} and f.severity == "critical"
        assert text in f.message
        assert ("mycket hög" if lang == "sv" else "very high") in f.message.lower()


def test_owner_shift_ending_keeps_the_time_an_instant():
    t = local(f"{DAY} 14:45")
    c = case(
        created=local(f"{DAY} 09:00"),
        status="received",
        owner=person("n1"),
        priority=1,
        cid="c-x",
        received_at=local(f"{DAY} 09:05"),
        owner_since=local(f"{DAY} 09:05"),
    )
    w = dict(staff_=[staff("n1")], shifts=[shift("n1", local(f"{DAY} 07:00"), local(f"{DAY} 15:00"))])
    (f,) = [
        f
        for f in RuleEngine().evaluate(snapshot(**w, cases=[c], data_as_of=t), t).findings
        if f.rule == "owner_shift_ending"
    ]
    end = f.message_args["time"]
    assert isinstance(end, datetime) and end == local(f"{DAY} 15:00") and end.utcoffset() == timedelta(hours=1)
    assert "15:00" in f.message and f.severity == "high"


def test_render_message_formats_codes_numbers_and_times():
    args = {"prio": 2, "minutes": 20, "limit": 60}
    assert render_message("msg.overdue_waiting", args) == "Har väntat 20 min arbetstid (gräns 1 h för P2) – ta emot nu."
    assert "admin" in render_message("msg.overdue_waiting", {**args, "prio": None}, "en").lower()
    assert "sjuksköterska" in render_message("msg.unscheduled_profession", {"profession": "nurse"}).lower()
    assert "okänd" in render_message("msg.long_absence", {"name": None})
    assert render_message("msg.closable", None, "en") == render_message("msg.closable", {}, "en")


# -- load (§5) and ordering (§7) in their own modules --------------------------------------------
def test_load_module():
    assert rules.Load is load.Load and rules.LEVELS is load.LEVELS
    th = (4.0, 8.0, 12.0)
    assert [load.load_level(r, th, False) for r in (0, 3.99, 4, 8, 11.99, 12, 40)] == [
        "normal",
        "normal",
        "elevated",
        "high",
        "high",
        "very_high",
        "very_high",
    ]
    assert load.load_level(0, th, True) == "high" and load.load_level(13, th, True) == "very_high"


def test_ordering_module():
    assert rules.SEVERITIES is ordering.SEVERITIES and rules.severity_at_least is ordering.severity_at_least
    assert ordering.severity_at_least("critical", "high") and not ordering.severity_at_least("info", "medium")
    t = local(f"{DAY} 10:00")
    snap = snapshot(
        cases=[
            case(created=t - minutes(5), priority=3, cid="p3-new"),
            case(created=t - minutes(50), priority=3, cid="p3-old"),
            case(created=t - minutes(10), kind="admin", cid="admin"),
            case(created=t - minutes(1), priority=4, cid="p4-flagged"),
            case(created=t - minutes(2), priority=1, cid="p1"),
        ]
    )
    cases = list(snap.cases)
    waited = {"p3-new": 5.0, "p3-old": 50.0, "admin": 10.0, "p4-flagged": 1.0, "p1": 2.0}
    ordering.sort_work_list(cases, {"p4-flagged": ordering.SEVERITY_RANK["high"]}, waited)
    assert [c.id for c in cases] == ["p4-flagged", "p1", "p3-old", "p3-new", "admin"]
    # §7: a critical finding lifts above a high one; medium, low and info never lift a case
    for sev in ("medium", "low", "info"):
        ranks = {"p4-flagged": ordering.SEVERITY_RANK[sev], "admin": ordering.SEVERITY_RANK["critical"]}
        ordering.sort_work_list(cases, ranks, waited)
        assert [c.id for c in cases] == ["admin", "p1", "p3-old", "p3-new", "p4-flagged"], sev


def test_an_info_finding_does_not_lift_a_p4_above_a_p1_in_the_report(tmp_path):
    """The defect a new user saw: an after-hours P4 came before a P1 with no finding (§7)."""
    t = local(f"{DAY} 10:00")
    snap = snapshot(
        cases=[
            case(created=t - minutes(1), priority=1, cid="p1"),
            case(created=local(f"{DAY} 06:00"), priority=4, cid="p4-night"),
        ],
        data_as_of=t,
    )
    ev = RuleEngine().evaluate(snap, t)
    assert "info" in {f.severity for f in ev.findings_for("p4-night")}
    assert not list(ev.findings_for("p1"))
    assert [c.id for c in ev.open_cases] == ["p1", "p4-night"]


def test_checklists_keep_no_second_catalogue():
    assert not hasattr(checklists, "tr") and not hasattr(checklists, "CHECKLIST_STRINGS")
