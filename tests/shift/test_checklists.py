"""The shift checklists (guideline §10.1, domain.md §6) on the shared scenarios."""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import case, local, snapshot
from conftest import SCENARIOS, ingest_scenario, load_scenario

from direkt_tui import i18n
from direkt_tui.domain import checklists
from direkt_tui.domain.checklists import (
    CHECKLISTS,
    KINDS,
    checklist_title,
    evaluate_checklist,
)
from direkt_tui.domain.rules import RULE_IDS as RULES
from direkt_tui.domain.rules import RuleEngine
from direkt_tui.domain.timeutil import require_instant
from direkt_tui.i18n import CATALOGUE
from direkt_tui.i18n import t as tr
from direkt_tui.store.db import Store


def _scenario(tmp_path, prefix):
    path = next(p for p in SCENARIOS if p.stem.startswith(prefix))
    sc = load_scenario(path)
    at = require_instant(sc["as_of"])
    with Store(tmp_path / f"{prefix}.db") as store:
        ingest_scenario(store, sc)
        snap = store.snapshot(around=at)
    return snap, RuleEngine().evaluate(snap, at), at


def _status(kind, ev, snap, at):
    return {s.item.id: s for s in evaluate_checklist(kind, ev, snap, at)}


def test_checklists_are_well_formed():
    assert set(CHECKLISTS) == set(KINDS) == {"start", "during", "end"}
    for kind, items in CHECKLISTS.items():
        ids = [i.id for i in items]
        assert len(ids) == len(set(ids)), kind
        for item in items:
            assert set(item.rules) <= set(RULES), item
            assert item.text_key in CATALOGUE
            sv, en = CATALOGUE[item.text_key]
            assert sv and en and sv != en
    for kind in KINDS:
        assert checklist_title(kind) in ("Skiftstart", "Under dagen", "Skiftslut")
    # §10.1's duties all appear during the day
    during = {i.id for i in CHECKLISTS["during"]}
    assert {"coordinator", "owners_present", "date_filter", "load", "unscheduled_roles", "handovers", "urgent",
            "ongoing_first", "long_absence"} <= during
    assert {"next_day_notice", "urgent_before_close", "shift_end_handover"} <= {i.id for i in CHECKLISTS["end"]}
    with pytest.raises(ValueError):
        evaluate_checklist("lunch", None, None, None)  # type: ignore[arg-type]


def test_new_strings_and_lookup():
    # this feature's texts are in the one catalogue, in both languages
    keys = [k for k in i18n.CATALOGUE if k.split(".")[0] in ("checklist", "fallback", "calllist", "shift")]
    assert len(keys) > 80 and not hasattr(checklists, "CHECKLIST_STRINGS")
    for key in keys:
        sv, en = i18n.CATALOGUE[key]
        assert sv and en, key
        assert tr(key) == i18n.t(key) and tr(key, "en") == i18n.t(key, "en")
    assert tr("checklist.done") == "klart" and tr("checklist.done", "en") == "done"
    assert tr("no.such.key") == "no.such.key"


def test_scenario_01_statuses(tmp_path):
    snap, ev, at = _scenario(tmp_path, "01")
    during = _status("during", ev, snap, at)
    assert during["coordinator"].done and during["staffing"].done and during["data_fresh"].done
    assert during["owners_present"].case_ids == ("c-1", "c-11", "c-2")  # work-list order
    assert during["owners_present"].summary() == "3 ärenden"
    assert during["owners_present"].worst_severity == "critical"
    assert during["long_absence"].case_ids == ("c-11",) and during["long_absence"].summary() == "1 ärende"
    assert during["load"].unit_ids == ("vc-kungsgatan",) and during["load"].case_ids == ()
    assert during["load"].summary() == "1 enhet" and during["load"].summary("en") == "1 unit"
    assert during["unscheduled_roles"].case_ids == ("c-3",)
    assert during["handovers"].case_ids == ("c-9", "c-4")
    assert during["urgent"].case_ids == ("c-5",)
    assert during["ongoing_first"].case_ids == ("c-7",)
    # filter by date: the open cases of earlier days, oldest first, then today's after-hours arrival
    assert during["date_filter"].case_ids == ("c-11", "c-8", "c-6")
    start = _status("start", ev, snap, at)
    assert start["owners_present"].case_ids == ("c-1", "c-11")  # at day start: absent owners only
    assert start["date_filter"].case_ids == ("c-11", "c-8", "c-6")
    end = _status("end", ev, snap, at)
    assert end["shift_end_handover"].case_ids == ("c-2",)
    assert end["closable"].case_ids == ("c-8",)
    assert end["deviations"].case_ids == ("c-12",)  # a closed case: premature_close
    assert end["next_day_notice"].done and end["next_day_notice"].summary() == "klart"
    assert end["coordinator_handover"].done


def test_scenario_02_statuses(tmp_path):
    snap, ev, at = _scenario(tmp_path, "02")
    start = _status("start", ev, snap, at)
    assert start["coordinator"].unit_ids == ("vc-fredag",) and not start["coordinator"].done
    assert start["coordinator"].worst_severity == "critical"
    assert start["staffing"].unit_ids == ("vc-fredag",)
    assert start["owners_present"].case_ids == ("d-1",)
    assert start["urgent"].case_ids == ("d-1", "d-5")
    assert start["date_filter"].done and start["load"].done and start["data_fresh"].done
    end = _status("end", ev, snap, at)
    assert end["urgent_before_close"].case_ids == ("d-1", "d-5")
    assert end["next_day_notice"].case_ids == ("d-2", "d-4")
    assert end["next_day_notice"].summary() == "2 ärenden" and end["next_day_notice"].summary("en") == "2 cases"
    assert end["coordinator_handover"].unit_ids == ("vc-fredag",)
    assert end["closable"].done and end["deviations"].done and end["handovers"].done


def test_mixed_summary_and_stale_data():
    at = local("2026-11-26 10:00")
    snap = snapshot(cases=[case("x-1", created=local("2026-11-24 10:00"), priority=3)],
                    data_as_of=at - timedelta(minutes=30))
    ev = RuleEngine().evaluate(snap, at)
    st = _status("during", ev, snap, at)
    assert st["data_fresh"].unit_ids == ("vc-a",) and st["data_fresh"].worst_severity == "high"
    assert st["date_filter"].case_ids == ("x-1",) and st["date_filter"].worst_severity is None
    # no coordinator, no clinician: both unit items not done
    assert not st["coordinator"].done and not st["staffing"].done
    assert st["coordinator"].summary() == "1 enhet"
