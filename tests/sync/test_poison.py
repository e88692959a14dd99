"""Issue 10 §3: poison values are quarantined at the sync, one item at a time, through the real
HTTP path (the simulator, or a hostile server on 127.0.0.1 where the simulator cannot say it),
and the rest of the page is applied. A quarantine reason names the field and the problem, never
the value; a too-long cursor is a bad page (the old cursor is kept)."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sync.support import (
    AS_OF,
    UNITS,
    Reply,
    ScriptedApi,
    case_doc,
    insert_raw,
    shift_doc,
    staff_doc,
    store_versions,
    unit_doc,
    world_versions,
    z,
)

from direkt_tui.config import Config, SyncConfig
from direkt_tui.sync.engine import RetryPolicy, SyncError

PNR = "19121212-1212"  # a personal identity number sent where an instant belongs
FEEDS = ("staff", "shifts", "cases")


def fixed_clock():
    return AS_OF  # the engine's clock is the simulator's (frozen) time: the window is deterministic


def poisoned(i: int, **changes) -> dict:
    d = case_doc(i)
    d.update(changes)
    return d


# (item, the field its reason must name)
POISON_CASES = [
    (poisoned(900, created_at="0001-01-01T00:00:00Z"), "created_at"),
    (poisoned(901, version=2**63), "version"),
    (poisoned(902, created_at=PNR), "created_at"),
    (poisoned(903, updated_at="9999-12-31T23:59:59Z"), "updated_at"),
    (poisoned(904, created_at="9999-12-31T23:59:59-01:00"), "created_at"),  # overflows in UTC
    (poisoned(905, created_at=z(AS_OF + timedelta(days=2, seconds=1))), "created_at"),  # past the slack
    (poisoned(906, created_at="1999-12-31T23:59:59Z"), "created_at"),
    (poisoned(907, version=0), "version"),
    (poisoned(908, version=2**53), "version"),
    (poisoned(909, reason="x" * 10_001), "reason"),
    (poisoned(910, contact_attempts=["0001-01-01T00:00:00Z"]), "contact_attempts[0]"),
    (poisoned(911, notices=[{"template_id": "next_day", "sent_at": "9999-12-31T23:59:59Z"}]), "notices[0].sent_at"),
    (poisoned(912, handover={"to_unit_id": "vc-b", "requested_at": "0001-01-01T00:00:00+01:00",
                             "accepted_at": None, "urgent": False, "ticket": None}), "handover.requested_at"),
    (poisoned(913, unit_id="u" * 201), "unit_id"),
    (poisoned(914, reopen_until="9999-01-01T00:00:00Z"), "reopen_until"),
    (poisoned(915, last_patient_message_at=PNR), "last_patient_message_at"),
]
# at the limits, and accepted
EDGE_CASES = [
    poisoned(920, version=2**53 - 1),
    poisoned(921, created_at="2000-01-01T00:00:00Z"),
    poisoned(922, created_at=z(AS_OF + timedelta(days=2)), updated_at=z(AS_OF + timedelta(days=2))),
    poisoned(923, reason="x" * 10_000),
    poisoned(924, reopen_until=z(AS_OF + timedelta(days=399))),
]


def long_id_case() -> dict:
    return poisoned(930, id="c-" + "9" * 300)


def test_poison_values_are_quarantined_one_by_one_and_the_rest_applies(sim, world, make_engine, caplog, tmp_path):
    for item, _field in POISON_CASES:
        insert_raw(world, "cases", item)
    for item in EDGE_CASES:
        insert_raw(world, "cases", item)
    insert_raw(world, "cases", long_id_case())
    insert_raw(world, "staff", dict(staff_doc(900), updated_at="0001-01-01T00:00:00Z"))
    insert_raw(world, "shifts", dict(shift_doc(900), start="9999-12-30T00:00:00Z", end="9999-12-31T00:00:00Z"))
    insert_raw(world, "shifts", dict(shift_doc(901), updated_at=PNR))
    edge_shift = shift_doc(902)
    edge_shift.update(start=z(AS_OF + timedelta(days=399)), end=z(AS_OF + timedelta(days=399, hours=8)))
    insert_raw(world, "shifts", edge_shift)

    eng = make_engine(sim.base_url, clock=fixed_clock)  # pages of 7: the poison is spread over many pages
    with caplog.at_level(logging.DEBUG):
        r = eng.sync_all()

    # the sync succeeded and everything but the poison is in the store, at its version
    assert eng.store.sync_health().consecutive_failures == 0
    bad_ids = {item["id"] for item, _f in POISON_CASES} | {long_id_case()["id"]}
    expected = {k: v for k, v in world_versions(world, "cases").items() if k not in bad_ids}
    assert store_versions(eng.store.path, "cases") == expected
    for item in EDGE_CASES:
        assert eng.store.case(item["id"]).version == item["version"]
    assert store_versions(eng.store.path, "staff") == {k: v for k, v in world_versions(world, "staff").items()
                                                        if k != "s-900"}
    assert set(store_versions(eng.store.path, "shifts")) == set(world_versions(world, "shifts")) - {"sh-900", "sh-901"}
    assert r.feeds["cases"].quarantined == len(POISON_CASES) + 1
    assert r.feeds["staff"].quarantined == 1 and r.feeds["shifts"].quarantined == 2

    # each quarantined with a reason naming its field
    q = {x.item_id: x for x in eng.store.quarantined()}
    for item, field in POISON_CASES:
        assert f"'{field}'" in q[item["id"]].reason, (item["id"], q[item["id"]].reason)
        assert q[item["id"]].payload["patient"] == "<redacted>"
    assert "'updated_at'" in q["s-900"].reason and "'start'" in q["sh-900"].reason
    assert "'updated_at'" in q["sh-901"].reason
    # the item whose id is too long is named by nothing but its reason
    assert None in q and "'id'" in q[None].reason and "longer than 200" in q[None].reason

    # never the value: not in a reason, not in the quarantine table, not in the log
    conn = sqlite3.connect(eng.store.path)
    try:
        stored = json.dumps(conn.execute("SELECT * FROM quarantine").fetchall())
    finally:
        conn.close()
    for text in (stored, caplog.text):
        assert "19121212" not in text
        assert "0001-01-01" not in text and "9999-12-31" not in text
        assert "x" * 300 not in text and "9" * 300 not in text
    assert q["c-902"].payload["created_at"] == "<redacted>"
    assert q["c-915"].payload["last_patient_message_at"] == "<redacted>"

    # and what was stored reports: exit 0, a valid document, nothing on stderr
    proc = subprocess.run([sys.executable, "-m", "direkt_tui.cli", "report", "--db", str(eng.store.path), "--at",
                           AS_OF.isoformat()], capture_output=True, env=_env(tmp_path), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    doc = json.loads(proc.stdout)
    assert doc["data_as_of"] is not None and doc["findings"]
    assert not bad_ids & {f["case_id"] for f in doc["findings"]}


def test_a_version_beyond_2_53_no_longer_fails_the_whole_feed(sim, world, make_engine):
    """Before: "Python int too large to convert to SQLite INTEGER" on every run."""
    insert_raw(world, "cases", poisoned(950, version=2**63))
    eng = make_engine(sim.base_url, clock=fixed_clock)
    for _ in range(2):
        eng.sync_all()
        assert eng.store.count("cases") == 40
        assert eng.store.sync_health().consecutive_failures == 0


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DIREKT_API_TOKEN"}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "data"))
    return env


# ------------------------------------------------------------------------------- cursors
class CursorServer:
    """The reference data and feeds of two units, with the cases feed's next cursor chosen per request."""

    def __init__(self):
        self.cursor_for: dict[str | None, str] = {}
        self.cases_since: list[str | None] = []

    def __call__(self, method, path, query, headers, body):
        if path.endswith("/capabilities"):
            return Reply(200, {"reassign_person_held": False, "max_page_size": 1000})
        if path.endswith("/units"):
            return Reply(200, {"items": [unit_doc(u) for u in UNITS]})
        if path.endswith("/templates"):
            return Reply(200, {"items": []})
        if path.endswith("/coordinator"):
            return Reply(404, {"title": "Not Found"})
        if path.endswith(("/staff", "/shifts")):
            return Reply(200, {"items": [], "next_cursor": "end", "has_more": False})
        if path.endswith("/cases"):
            since = query.get("since", [None])[0]
            self.cases_since.append(since)
            n = len(self.cases_since)
            return Reply(200, {"items": [case_doc(n)], "next_cursor": self.cursor_for.get(since, f"cur-{n}"),
                               "has_more": False})
        return Reply(404, {"title": "Not Found"})


@pytest.fixture
def quick_config():
    return Config(sync=SyncConfig(page_size=7))


def test_a_cursor_longer_than_4_kb_is_a_bad_page_and_the_old_cursor_stays(make_engine, quick_config):
    server = CursorServer()
    with ScriptedApi(server) as api:
        eng = make_engine(api.base_url, clock=fixed_clock, retry=RetryPolicy(max_attempts=2), config=quick_config)
        eng.sync_all()
        assert eng.store.cursor("cases") == "cur-1"
        # 4096 bytes is accepted and kept
        server.cursor_for["cur-1"] = "k" * 4096
        eng.sync_all(reference=False)
        assert eng.store.cursor("cases") == "k" * 4096
        assert eng.store.case("c-2") is not None
        # a 10 MB cursor (or one byte past 4 KB) is a bad page: nothing of it is applied, the cursor stays
        for cursor in ("c" * (10 * 1024 * 1024), "é" * 2049):
            server.cursor_for["k" * 4096] = cursor
            before = eng.store.count("cases")
            with pytest.raises(SyncError, match="next_cursor is longer than 4096 bytes"):
                eng.sync_all(reference=False)
            assert eng.store.cursor("cases") == "k" * 4096
            assert eng.store.count("cases") == before
        # and the next sync still works (before: "URL component 'query' too long" for ever after)
        del server.cursor_for["k" * 4096]
        eng.sync_all(reference=False)
        assert eng.store.cursor("cases").startswith("cur-")
        assert all(s is None or len(s) <= 4096 for s in server.cases_since)


def test_an_older_store_holding_a_huge_cursor_re_reads_the_feed(sim, world, make_engine, tmp_path):
    db = tmp_path / "old.db"
    first = make_engine(sim.base_url, "old.db", clock=fixed_clock)
    first.sync_all()
    first.store.close()
    conn = sqlite3.connect(db)  # what an older version stored
    conn.execute("UPDATE sync_state SET value = ? WHERE key = 'cursor:cases'", ("q" * (10 * 1024 * 1024),))
    conn.commit()
    conn.close()
    eng = make_engine(sim.base_url, "old.db", clock=fixed_clock)
    r = eng.sync_all()
    assert r.feeds["cases"].resynced
    assert len(eng.store.cursor("cases")) <= 4096
    assert store_versions(db, "cases") == world_versions(world, "cases")


# ------------------------------------------------------------------------------- no value in a reason
def test_a_reason_never_quotes_the_value():
    from direkt_tui.domain.models import Case, IngestWindow, ValidationError
    from direkt_tui.sync.engine import _reason

    window = IngestWindow.around(AS_OF)
    for field in ("created_at", "updated_at", "owner_since", "closed_at", "reason", "status", "kind", "url"):
        d = case_doc(1)
        d[field] = PNR if field.endswith("_at") or field == "owner_since" else {"x": PNR}
        with pytest.raises(ValidationError) as info:
            Case.from_api(d, window)
        assert field in str(info.value) and "1912" not in str(info.value)
        assert info.value.field == field
    assert _reason(ValueError(f"Invalid isoformat string: {PNR!r}")) == "unparsable (ValueError)"


def test_poison_in_reference_data_is_quarantined_and_the_rest_stored(sim, world, make_engine):
    with world.lock:
        world.units["vc-x"] = dict(unit_doc("vc-x"), closed_dates=["9999-12-31"])
        world.units["vc-y"] = dict(unit_doc("vc-y"), updated_at="0001-01-01T00:00:00Z")
        world.units["vc-z"] = dict(unit_doc("vc-z"), version=2**63)
        world.coordinators["vc-b"] = {"unit_id": "vc-b", "staff_id": "s-1", "since": PNR}
        world.templates.append({"id": "long", "title": "t" * 501, "text": "x", "scope": "local"})
    eng = make_engine(sim.base_url, clock=fixed_clock)
    r = eng.sync_all()
    assert r.reference.units == 2 and r.reference.quarantined == 5
    q = {x.item_id: x.reason for x in eng.store.quarantined()}
    assert "'closed_dates'" in q["vc-x"] and "'updated_at'" in q["vc-y"] and "'version'" in q["vc-z"]
    assert "'since'" in q["vc-b"] and "'title'" in q["long"]
    assert {u.id for u in eng.store.units()} == {"vc-a", "vc-b"}
    assert set(eng.store.coordinators()) == {"vc-a"} and len(eng.store.templates()) == 2
    assert "1912" not in json.dumps([x.payload for x in eng.store.quarantined()])
