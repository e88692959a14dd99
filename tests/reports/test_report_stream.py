"""``direkt-tui report --format json`` writes the document item by item (cli._write_json): the
same bytes as serializing the whole document at once, on the public scenarios, with no cases
or findings, and with keys after the lists."""

from __future__ import annotations

import io
import json

import pytest
from builders import local, snapshot
from conftest import SCENARIOS, load_scenario

from direkt_tui.cli import _json_bytes, _write_json
from direkt_tui.domain.params import DEFAULTS
from direkt_tui.domain.report import build_report, report_head, report_items
from direkt_tui.domain.rules import RuleEngine
from direkt_tui.domain.timeutil import require_instant
from direkt_tui.store.db import Store


def streamed(doc, items) -> bytes:
    out = io.BytesIO()
    _write_json(out, doc, items)
    return out.getvalue()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_streamed_bytes_are_the_whole_documents(path, scenario_store):
    at = require_instant(load_scenario(path)["as_of"])
    with Store(scenario_store(path), read_only=True) as store:
        engine = RuleEngine()
        snap = store.snapshot(around=at, identity=False, **engine.read_plan(store.units(), at))
    ev = engine.evaluate(snap, at)
    whole = _json_bytes(build_report(ev, snap, DEFAULTS))
    doc = json.loads(whole)
    assert doc["cases"] and doc["findings"]  # both lists are written item by item
    assert streamed(report_head(ev, snap, DEFAULTS), report_items(ev)) == whole
    # a key after the lists (looking back) stays where it was
    head = report_head(ev, snap, DEFAULTS)
    head["looking_back"] = True
    full = build_report(ev, snap, DEFAULTS)
    full["looking_back"] = True
    assert streamed(head, report_items(ev)) == _json_bytes(full)


def test_empty_lists_and_a_name_like_the_marker():
    snap = snapshot(data_as_of=local("2026-11-26 12:00"))
    ev = RuleEngine().evaluate(snap, local("2026-11-26 12:00"))
    head = report_head(ev, snap, DEFAULTS)
    head["units"][0]["name"] = '\n  "cases": []'  # platform text that looks like the key
    full = dict(head, **{k: list(v) for k, v in report_items(ev).items()})
    assert full["cases"] == [] and full["findings"]  # no case; the unit's own findings
    assert streamed(head, report_items(ev)) == _json_bytes(full)
    assert json.loads(streamed(report_head(ev, snap, DEFAULTS), report_items(ev)))["cases"] == []
