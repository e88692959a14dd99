"""Every write the coordinator can make, delivered by the outbox sender to the real simulator
over loopback, and the store updated from the platform's answers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from direkt_tui.sim import SimServer
from direkt_tui.store import actions
from direkt_tui.store.db import Store
from direkt_tui.sync.outbox import (
    OutboxSender,
    assign_write,
    coordinator_write,
    move_write,
    template_write,
)
from outbox.support import AS_OF, TOKEN, Applied, case_doc, client_for, fill_store, make_world, store_path


@pytest.fixture
def env(tmp_path):
    world = make_world(12, extra_cases=[case_doc(100, owner={"type": "person", "staff_id": "s-1"}),
                                        case_doc(101, status="received")])
    applied = Applied(world)
    srv = SimServer(world, port=0, token=TOKEN)
    srv.start()
    store = Store(store_path(tmp_path))
    fill_store(store, world)
    client = client_for(srv.base_url)
    outcomes: list[tuple[str, str]] = []
    sender = OutboxSender(store, client, clock=lambda: AS_OF, on_outcome=lambda r, s: outcomes.append((r.case_id or r.unit_id, s)))
    yield world, applied, store, sender, outcomes
    sender.close()
    client.close()
    store.close()
    srv.stop()


def _send(store, sender, action, writes):
    batch = actions.enqueue(store, AS_OF, "Anna (s-1)", action, writes, {"n": len(writes)})
    assert sender.run_until_idle(20)
    return actions.batch_rows(store, batch)


def test_assign_to_role(env):
    world, applied, store, sender, outcomes = env
    cases = [store.case(f"c-{i}") for i in range(5)]
    rows = _send(store, sender, "reassign", [assign_write(c, {"type": "role", "profession": "doctor"}) for c in cases])
    assert [r.status for r in rows] == ["done"] * 5
    assert all(r.http_status == 200 and r.attempts == 1 for r in rows)
    for c in cases:
        now = world.get_case(c.id)
        assert now["owner"] == {"type": "role", "profession": "doctor"} and now["version"] == c.version + 1
        mine = store.case(c.id)
        assert mine.version == c.version + 1 and mine.owner.profession == "doctor"
        assert applied.counts[("assign", c.id)] == 1
    assert sorted(outcomes) == sorted((c.id, "done") for c in cases)
    # the row keeps a summary without patient data
    assert rows[0].result["owner"] == {"type": "role", "profession": "doctor"}
    assert "Testperson" not in json.dumps([r.result for r in rows])
    entries = actions.audit_entries(store)
    assert [(e.action, e.outcome) for e in entries] == [("reassign", "queued"), ("outcome", "ok")]
    assert entries[-1].detail["counts"] == {"done": 5}
    assert actions.audit_verify(store) == []


def test_assign_to_present_person_and_refusals(env):
    world, applied, store, sender, _ = env
    c0, c1, held = store.case("c-0"), store.case("c-1"), store.case("c-100")
    rows = _send(store, sender, "reassign", [
        assign_write(c0, {"type": "person", "staff_id": "s-2"}),
        assign_write(c1, {"type": "person", "staff_id": "s-4"}),  # not on shift now
        assign_write(held, {"type": "role", "profession": "nurse"}),  # held by a person (§6.1)
    ])
    assert [(r.status, r.code) for r in rows] == [("done", None), ("failed", "target_not_present"),
                                                   ("failed", "held_by_person")]
    assert world.get_case("c-0")["owner"] == {"type": "person", "staff_id": "s-2"}
    assert store.case("c-0").owner.staff_id == "s-2"
    assert world.get_case("c-1")["version"] == c1.version and applied.counts[("assign", "c-1")] == 0
    assert all(r.attempts == 1 for r in rows)  # refusals are not retried
    assert actions.audit_entries(store)[-1].outcome == "partial"


def test_move(env):
    world, applied, store, sender, _ = env
    c2, received = store.case("c-2"), store.case("c-101")
    rows = _send(store, sender, "move", [move_write(c2, "vc-b"), move_write(received, "vc-b"),
                                         move_write(store.case("c-3"), "vc-x")])
    assert [(r.status, r.code) for r in rows] == [("done", None), ("failed", "already_received"),
                                                   ("failed", "unit_not_activated")]
    assert world.get_case("c-2")["unit_id"] == "vc-b"
    moved = store.case("c-2")
    assert moved.unit_id == "vc-b" and moved.version == c2.version + 1


def test_template(env):
    world, applied, store, sender, _ = env
    cases = [store.case(f"c-{i}") for i in range(4, 8)]
    rows = _send(store, sender, "message", [template_write(c, "high_load") for c in cases])
    assert {r.status for r in rows} == {"done"} and {r.http_status for r in rows} == {201}
    for c in cases:
        assert [n["template_id"] for n in world.get_case(c.id)["notices"]] == ["high_load"]
        assert [n.template_id for n in store.case(c.id).notices] == ["high_load"]
        assert applied.counts[("message", c.id)] == 1


def test_template_checked_against_the_version(env):
    world, applied, store, sender, _ = env
    stale = store.case("c-8")
    world.assign("c-8", {"owner": {"type": "role", "profession": "doctor"}, "if_version": stale.version})
    rows = _send(store, sender, "message", [template_write(stale, "next_day", check_version=True)])
    assert rows[0].status == "conflict" and rows[0].code == "version_conflict"
    assert world.get_case("c-8")["notices"] == []
    assert store.case("c-8").version == stale.version + 1  # the current case was stored


def test_coordinator_take_over_and_hand_back(env):
    world, applied, store, sender, _ = env
    assert store.coordinators()["vc-a"].staff_id == "s-1"
    rows = _send(store, sender, "coordinator", [coordinator_write("vc-a", "s-2")])
    assert rows[0].status == "done" and rows[0].result == {"unit_id": "vc-a", "staff_id": "s-2"}
    assert world.get_coordinator("vc-a")["staff_id"] == "s-2"
    assert store.coordinators()["vc-a"].staff_id == "s-2"
    rows = _send(store, sender, "coordinator", [coordinator_write("vc-a", None)])
    assert rows[0].status == "done"
    assert world.get_coordinator("vc-a")["staff_id"] is None
    assert store.coordinators()["vc-a"].staff_id is None
    rows = _send(store, sender, "coordinator", [coordinator_write("vc-b", "s-4")])  # s-4 is not present in vc-b
    assert (rows[0].status, rows[0].code) == ("failed", "target_not_present")
    assert applied.counts[("coordinator", "vc-a")] == 2 and applied.counts[("coordinator", "vc-b")] == 0


def test_version_conflict_is_stored_and_not_retried(env):
    world, applied, store, sender, outcomes = env
    stale = store.case("c-9")
    world.assign("c-9", {"owner": {"type": "person", "staff_id": "s-1"}, "if_version": stale.version})
    rows = _send(store, sender, "reassign", [assign_write(stale, {"type": "role", "profession": "doctor"})])
    assert (rows[0].status, rows[0].code, rows[0].http_status, rows[0].attempts) == ("conflict", "version_conflict",
                                                                                     409, 1)
    current = store.case("c-9")
    assert current.version == stale.version + 1 and current.owner.staff_id == "s-1"
    assert applied.calls[("assign", "c-9")] == 2  # the world's own change + the one refused attempt
    assert sender.send_due().attempted == 0
    assert ("c-9", "conflict") in outcomes


def test_faults_are_retried_with_the_same_key(env):
    world, applied, store, sender, _ = env
    t = [AS_OF]
    sender.clock = lambda: t[0]
    world.set_faults(error_rate=1.0)
    batch = actions.enqueue(store, AS_OF, "Anna", "reassign",
                            [assign_write(store.case("c-10"), {"type": "role", "profession": "doctor"})])
    r = sender.send_due()
    assert (r.attempted, r.retrying) == (1, 1)
    (row,) = actions.batch_rows(store, batch)
    assert row.status == "pending" and row.next_attempt_at > AS_OF and "500" in row.detail
    assert sender.send_due().attempted == 0  # backing off
    world.set_faults(error_rate=0.0, rate_limit_every=1)
    t[0] += timedelta(minutes=1)
    r = sender.send_due()
    assert r.retrying == 1 and r.paused_until == t[0] + timedelta(seconds=1)
    assert sender.send_due().attempted == 0  # Retry-After: no request before it
    world.set_faults(rate_limit_every=0)
    t[0] += timedelta(seconds=1)
    r = sender.send_due()
    assert r.done == 1
    (row,) = actions.batch_rows(store, batch)
    assert row.status == "done" and row.attempts == 3
    assert applied.counts[("assign", "c-10")] == 1


def test_auth_error_stops_sending_and_keeps_rows(env, tmp_path):
    world, applied, store, sender, _ = env
    from direkt_tui.sync.client import ApiClient

    seen = []
    bad = OutboxSender(store, ApiClient(sender.client.base_url, token="wrong"), clock=lambda: AS_OF,
                       on_auth_error=seen.append)
    batch = actions.enqueue(store, AS_OF, "Anna", "reassign",
                            [assign_write(store.case(f"c-{i}"), {"type": "role", "profession": "doctor"})
                             for i in (0, 1, 2)])
    r = bad.send_due()
    assert r.auth_error and len(seen) == 1 and r.finished == 0
    assert {x.status for x in actions.batch_rows(store, batch)} == {"pending"}
    assert bad.send_due().attempted == 0  # stopped until resumed
    assert not bad.run_until_idle(1)
    bad.close()
    assert sender.run_until_idle(10)
    assert {x.status for x in actions.batch_rows(store, batch)} == {"done"}


def test_scheduled_job_delivers(env):
    from apscheduler.schedulers.background import BackgroundScheduler

    world, applied, store, sender, outcomes = env
    scheduler = BackgroundScheduler(timezone="Europe/Stockholm")
    job = sender.schedule(scheduler, interval=1)
    assert (job.max_instances, job.coalesce) == (1, True)
    scheduler.start()
    try:
        batch = actions.enqueue(store, AS_OF, "Anna", "reassign",
                                [assign_write(store.case("c-11"), {"type": "role", "profession": "doctor"})])
        import time

        end = time.monotonic() + 10
        while actions.pending_count(store) and time.monotonic() < end:
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    assert [r.status for r in actions.batch_rows(store, batch)] == ["done"]
    assert ("c-11", "done") in outcomes
