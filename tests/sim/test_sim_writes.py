"""Writes: idempotency, optimistic concurrency, assign / move / messages / coordinator rules."""

from __future__ import annotations

import json
import uuid

import pytest
from sim.sim_support import SCENARIOS, client, start

from direkt_tui.sim import world_from_scenario


def key():
    return str(uuid.uuid4())


def post(c, path, body, k=None):
    return c.post(path, json=body, headers={"Idempotency-Key": k or key()})


@pytest.fixture
def sc(scenario_server):
    """Scenario 01 at 2026-11-26 14:30 local (13:30Z)."""
    return scenario_server(SCENARIOS[0])


def test_writes_need_an_idempotency_key(sc):
    world, srv, c = sc
    r = c.post("/cases/c-3/messages", json={"template_id": "high_load"})
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_required"
    assert world.store["cases"]["c-3"]["notices"] == []
    r = c.put("/units/vc-ryd/coordinator", json={"staff_id": None})
    assert r.status_code == 422


def test_idempotent_replay_returns_first_result_and_changes_nothing(sc):
    world, srv, c = sc
    v = world.store["cases"]["c-3"]["version"]
    k = key()
    body = {"owner": {"type": "person", "staff_id": "s-1"}, "if_version": v}
    first = post(c, "/cases/c-3/assign", body, k)
    assert first.status_code == 200 and first.json()["version"] == v + 1
    head = world.logs["cases"].head
    again = post(c, "/cases/c-3/assign", body, k)
    assert again.status_code == 200 and again.content == first.content
    assert world.logs["cases"].head == head and world.store["cases"]["c-3"]["version"] == v + 1
    # replay of a message: one notice only
    k2 = key()
    m1 = post(c, "/cases/c-3/messages", {"template_id": "high_load"}, k2)
    m2 = post(c, "/cases/c-3/messages", {"template_id": "high_load"}, k2)
    assert m1.status_code == m2.status_code == 201 and m1.content == m2.content
    assert len(world.store["cases"]["c-3"]["notices"]) == 1
    # a stored error replays too, and the key cannot be reused elsewhere
    k3 = key()
    e1 = post(c, "/cases/c-3/assign", {"owner": {"type": "role", "profession": "nurse"},
                                       "if_version": 1}, k3)
    assert e1.status_code == 409
    e2 = post(c, "/cases/c-3/assign", {"owner": {"type": "role", "profession": "nurse"},
                                       "if_version": v + 2}, k3)
    assert e2.status_code == 409 and e2.content == e1.content
    assert post(c, "/cases/c-3/messages", {"template_id": "high_load"}, k3).status_code == 422


def test_version_conflict_carries_current_case(sc):
    world, srv, c = sc
    cur = world.store["cases"]["c-3"]
    r = post(c, "/cases/c-3/assign", {"owner": {"type": "role", "profession": "nurse"},
                                      "if_version": cur["version"] + 5})
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "version_conflict" and body["current"] == cur
    r = post(c, "/cases/c-3/move", {"to_unit_id": "vc-ryd", "if_version": cur["version"] + 1})
    assert r.status_code == 409 and r.json()["code"] == "version_conflict"


def test_held_by_person(sc):
    world, srv, c = sc
    case = world.store["cases"]["c-1"]
    assert case["owner"]["type"] == "person"
    r = post(c, "/cases/c-1/assign", {"owner": {"type": "role", "profession": "nurse"},
                                      "if_version": case["version"]})
    assert r.status_code == 409 and r.json()["code"] == "held_by_person"
    assert r.json()["current"]["owner"] == case["owner"]


def test_reassign_allowed_when_capability_says_so():
    doc = json.loads(SCENARIOS[0].read_text(encoding="utf-8"))
    doc["capabilities"] = {"reassign_person_held": True}
    world = world_from_scenario(doc)
    srv = start(world)
    try:
        with client(srv) as c:
            assert c.get("/capabilities").json()["reassign_person_held"] is True
            r = post(c, "/cases/c-1/assign", {"owner": {"type": "person", "staff_id": "s-1"},
                                              "if_version": 1})
            assert r.status_code == 200, r.text
            assert r.json()["owner"] == {"type": "person", "staff_id": "s-1"}
            assert r.json()["owner_since"] == "2026-11-26T13:30:00Z"
    finally:
        srv.stop()


def test_target_not_present(sc):
    world, srv, c = sc
    v = world.store["cases"]["c-3"]["version"]
    # s-4's shift was yesterday; s-20 works in another unit; s-2's shift ended 11:00Z
    for sid in ("s-4", "s-20", "s-2"):
        r = post(c, "/cases/c-3/assign", {"owner": {"type": "person", "staff_id": sid},
                                          "if_version": v})
        assert r.status_code == 409 and r.json()["code"] == "target_not_present", sid
    r = post(c, "/cases/c-3/assign", {"owner": {"type": "person", "staff_id": "nobody"},
                                      "if_version": v})
    assert r.status_code == 422


def test_target_not_scheduled_and_force(sc):
    world, srv, c = sc
    case = world.store["cases"]["c-3"]
    v = case["version"]
    body = {"owner": {"type": "role", "profession": "psychologist"}, "if_version": v}
    r = post(c, "/cases/c-3/assign", body)
    assert r.status_code == 409 and r.json()["code"] == "target_not_scheduled"
    assert world.store["cases"]["c-3"]["version"] == v
    r = post(c, "/cases/c-3/assign", dict(body, force=True))
    assert r.status_code == 200
    got = r.json()
    assert got["owner"] == {"type": "role", "profession": "psychologist"}
    assert got["version"] == v + 1 and got["updated_at"] == "2026-11-26T13:30:00Z"
    assert got["owner_since"] == "2026-11-26T13:30:00Z"
    # a scheduled profession needs no force
    r = post(c, "/cases/c-3/assign", {"owner": {"type": "role", "profession": "nurse"},
                                      "if_version": v + 1})
    assert r.status_code == 200 and r.json()["version"] == v + 2


def test_assign_closed_case(sc):
    world, srv, c = sc
    closed = next(x for x in world.store["cases"].values() if x["status"] == "closed")
    r = post(c, f"/cases/{closed['id']}/assign",
             {"owner": {"type": "role", "profession": "nurse"}, "if_version": closed["version"]})
    assert r.status_code == 409 and r.json()["code"] == "case_closed"
    r = post(c, "/cases/nope/assign", {"owner": {"type": "role", "profession": "nurse"},
                                       "if_version": 1})
    assert r.status_code == 404


def test_move_rules():
    doc = json.loads(SCENARIOS[0].read_text(encoding="utf-8"))
    doc["units"].append(dict(doc["units"][1], id="vc-inactive", name="Ej aktiverad",
                             activated=False))
    world = world_from_scenario(doc)
    srv = start(world)
    try:
        with client(srv) as c:
            waiting = next(x for x in world.store["cases"].values() if x["status"] == "waiting")
            received = next(x for x in world.store["cases"].values()
                            if x["status"] in ("received", "started"))
            cid, v = waiting["id"], waiting["version"]
            r = post(c, f"/cases/{cid}/move", {"to_unit_id": "vc-inactive", "if_version": v})
            assert r.status_code == 409 and r.json()["code"] == "unit_not_activated"
            r = post(c, f"/cases/{cid}/move", {"to_unit_id": "vc-nowhere", "if_version": v})
            assert r.status_code == 422
            r = post(c, f"/cases/{received['id']}/move",
                     {"to_unit_id": "vc-ryd", "if_version": received["version"]})
            assert r.status_code == 409 and r.json()["code"] == "already_received"
            r = post(c, f"/cases/{cid}/move", {"to_unit_id": "vc-ryd", "if_version": v})
            assert r.status_code == 200
            assert r.json()["unit_id"] == "vc-ryd" and r.json()["version"] == v + 1
            assert c.get(f"/cases/{cid}").json() == r.json()
    finally:
        srv.stop()


def test_messages(sc):
    world, srv, c = sc
    case = world.store["cases"]["c-2"]
    r = post(c, "/cases/c-2/messages", {"template_id": "next_day"})
    assert r.status_code == 201
    got = r.json()
    assert got["notices"][-1] == {"template_id": "next_day", "sent_at": "2026-11-26T13:30:00Z"}
    assert got["version"] == case["version"] and got["version"] == 2
    assert post(c, "/cases/c-2/messages", {"template_id": "nope"}).status_code == 422
    assert post(c, "/cases/c-2/messages", {}).status_code == 422
    assert post(c, "/cases/nope/messages", {"template_id": "next_day"}).status_code == 404
    closed = next(x for x in world.store["cases"].values() if x["status"] == "closed")
    r = post(c, f"/cases/{closed['id']}/messages", {"template_id": "next_day"})
    assert r.status_code == 409 and r.json()["code"] == "case_closed"
    r = c.post("/cases/c-2/messages", content=b"{not json", headers={"Idempotency-Key": key()})
    assert r.status_code == 422


def test_coordinator_put(sc):
    world, srv, c = sc
    assert c.get("/units/vc-kungsgatan/coordinator").json()["staff_id"] == "s-1"
    r = c.put("/units/vc-kungsgatan/coordinator", json={"staff_id": "s-4"},
              headers={"Idempotency-Key": key()})
    assert r.status_code == 409 and r.json()["code"] == "target_not_present"
    r = c.put("/units/vc-kungsgatan/coordinator", json={"staff_id": "s-5"},
              headers={"Idempotency-Key": key()})
    assert r.status_code == 200
    assert r.json() == {"unit_id": "vc-kungsgatan", "staff_id": "s-5",
                        "since": "2026-11-26T13:30:00Z"}
    assert c.get("/units/vc-kungsgatan/coordinator").json()["staff_id"] == "s-5"
    r = c.put("/units/vc-kungsgatan/coordinator", json={"staff_id": None},
              headers={"Idempotency-Key": key()})
    assert r.status_code == 200 and r.json()["staff_id"] is None
    assert [e["staff_id"] for e in world.coordinator_log][-2:] == ["s-5", None]
    r = c.put("/units/vc-kungsgatan/coordinator", json={}, headers={"Idempotency-Key": key()})
    assert r.status_code == 422
    r = c.put("/units/nope/coordinator", json={"staff_id": None},
              headers={"Idempotency-Key": key()})
    assert r.status_code == 404


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_request_cut_off_mid_body_is_not_a_write(sc, chunked):
    """A client killed between its headers and the end of its body (a SIGKILL mid-send) made no
    request: nothing is applied and nothing is recorded under its key, so the same key sent
    again after a restart is applied once (before, the short body was answered 422 invalid_json
    and that answer replayed to the resend: the outbox row ended 'failed')."""
    import socket
    from urllib.parse import urlsplit

    world, srv, c = sc
    v = world.store["cases"]["c-3"]["version"]
    k = key()
    body = json.dumps({"owner": {"type": "person", "staff_id": "s-1"}, "if_version": v}).encode()
    url = urlsplit(srv.base_url)
    head = (f"POST {url.path}/cases/c-3/assign HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Authorization: Bearer test-token\r\nIdempotency-Key: {k}\r\nContent-Type: application/json\r\n")
    if chunked:
        head += "Transfer-Encoding: chunked\r\n\r\n"
        partial = f"{len(body):x}\r\n".encode() + body[:10]
    else:
        head += f"Content-Length: {len(body)}\r\n\r\n"
        partial = body[:10]
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(head.encode() + partial)
        s.shutdown(socket.SHUT_WR)  # the client is gone
        assert s.recv(1024) == b""  # no answer to a request that never arrived whole
    assert world.store["cases"]["c-3"]["version"] == v
    again = post(c, "/cases/c-3/assign", json.loads(body), k)
    assert again.status_code == 200, again.text
    assert again.json()["version"] == v + 1
