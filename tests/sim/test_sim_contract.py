"""Every response body of every endpoint validates against openapi.yaml."""

from __future__ import annotations

import uuid

import pytest
from sim.sim_support import SCENARIOS, highest, read_feed


def _key():
    return str(uuid.uuid4())


def _walk_everything(c, openapi, world):
    """GET every endpoint, validating each response; returns the feeds' items."""
    r = c.get("/health", headers={"Authorization": ""})
    body = openapi.check(r, "/health")
    assert body["status"] == "ok"
    assert body["server_time"] == r.headers["x-server-time"]
    caps = openapi.check(c.get("/capabilities"), "/capabilities")
    assert caps["reassign_person_held"] is world.capabilities["reassign_person_held"]
    units = openapi.check(c.get("/units"), "/units")["items"]
    assert {u["id"] for u in units} == set(world.units)
    templates = openapi.check(c.get("/templates"), "/templates")["items"]
    assert templates
    feeds = {}
    for feed in ("staff", "shifts", "cases"):
        items, _, _ = read_feed(c, feed, limit=7, openapi=openapi)
        feeds[feed] = items
    for case in feeds["cases"][:25]:
        got = openapi.check(c.get(f"/cases/{case['id']}"), "/cases/{case_id}")
        assert got["id"] == case["id"]
    for u in units:
        coord = openapi.check(c.get(f"/units/{u['id']}/coordinator"), "/units/{unit_id}/coordinator")
        assert coord["unit_id"] == u["id"]
    return units, templates, feeds


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_served_as_given(path, scenario_server, openapi):
    import json

    doc = json.loads(path.read_text(encoding="utf-8"))
    world, srv, c = scenario_server(path)
    r = c.get("/capabilities")
    from direkt_tui.sim.timeutil import iso, parse_iso

    assert r.headers["x-server-time"] == iso(parse_iso(doc["as_of"]))
    units, templates, feeds = _walk_everything(c, openapi, world)
    assert units == doc["units"]
    assert templates == doc["templates"]
    for feed in ("staff", "shifts", "cases"):
        assert [i["id"] for i in feeds[feed]] == [e["id"] for e in doc[feed]]
        assert highest(feeds[feed]) == {e["id"]: e for e in doc[feed]}
    for coord in doc["coordinators"]:
        got = c.get(f"/units/{coord['unit_id']}/coordinator").json()
        assert got == coord


def test_generated_world_validates(gen_server, openapi):
    world, srv, c = gen_server(seed=11, units=5)
    world.advance(4 * 3600)  # 11:30 local: plenty of states
    units, templates, feeds = _walk_everything(c, openapi, world)
    assert len(units) == 5
    assert {"high_load", "next_day", "seek_care_again", "handed_over", "confirm_ticket"} <= {
        t["id"] for t in templates}
    statuses = {i["status"] for i in feeds["cases"]}
    assert statuses == {"waiting", "received", "started", "closed"}
    for case in feeds["cases"]:
        openapi.component("Case", case)
        assert (case["priority"] is None) == (case["kind"] == "admin")
        assert case["url"] == f"https://clinic.example/cases/{case['id']}"
    for s in feeds["staff"]:
        openapi.component("Staff", s)
    for s in feeds["shifts"]:
        openapi.component("Shift", s)


def test_write_and_error_responses_validate(scenario_server, openapi):
    world, srv, c = scenario_server(SCENARIOS[0])
    cases = world.entities("cases")
    waiting = next(cid for cid, x in cases.items() if x["status"] == "waiting")
    closed = next(cid for cid, x in cases.items() if x["status"] == "closed")
    held = next(cid for cid, x in cases.items()
                if x["status"] != "closed" and (x["owner"] or {}).get("type") == "person")
    v = cases[waiting]["version"]
    T = "/cases/{case_id}/"
    checks = [
        (c.post(f"/cases/{waiting}/messages", json={"template_id": "high_load"},
                headers={"Idempotency-Key": _key()}), T + "messages", "POST", 201),
        (c.post(f"/cases/{waiting}/messages", json={"template_id": "nope"},
                headers={"Idempotency-Key": _key()}), T + "messages", "POST", 422),
        (c.post(f"/cases/{closed}/messages", json={"template_id": "high_load"},
                headers={"Idempotency-Key": _key()}), T + "messages", "POST", 409),
        (c.post("/cases/nope/messages", json={"template_id": "high_load"},
                headers={"Idempotency-Key": _key()}), T + "messages", "POST", 404),
        (c.post(f"/cases/{waiting}/assign", json={"owner": {"type": "role", "profession": "nurse"},
                                                  "if_version": v},
                headers={"Idempotency-Key": _key()}), T + "assign", "POST", 409),
        (c.post(f"/cases/{held}/assign", json={"owner": {"type": "role", "profession": "nurse"},
                                               "if_version": cases[held]["version"]},
                headers={"Idempotency-Key": _key()}), T + "assign", "POST", 409),
        (c.post(f"/cases/{waiting}/assign", json={"owner": {"type": "alien"}, "if_version": 1},
                headers={"Idempotency-Key": _key()}), T + "assign", "POST", 422),
        (c.post(f"/cases/{waiting}/move", json={"to_unit_id": "vc-ryd", "if_version": v + 1},
                headers={"Idempotency-Key": _key()}), T + "move", "POST", 200),
        (c.post(f"/cases/{held}/move", json={"to_unit_id": "vc-ryd",
                                             "if_version": cases[held]["version"]},
                headers={"Idempotency-Key": _key()}), T + "move", "POST", 409),
        (c.post(f"/cases/{waiting}/move", json={"to_unit_id": "vc-ryd"}),
         T + "move", "POST", 422),
        (c.put("/units/vc-kungsgatan/coordinator", json={"staff_id": None},
               headers={"Idempotency-Key": _key()}), "/units/{unit_id}/coordinator", "PUT", 200),
        (c.put("/units/vc-kungsgatan/coordinator", json={"staff_id": "s-4"},
               headers={"Idempotency-Key": _key()}), "/units/{unit_id}/coordinator", "PUT", 409),
        (c.put("/units/nope/coordinator", json={"staff_id": None},
               headers={"Idempotency-Key": _key()}), "/units/{unit_id}/coordinator", "PUT", 404),
        (c.get("/cases/nope"), "/cases/{case_id}", "GET", 404),
        (c.get("/units/nope/coordinator"), "/units/{unit_id}/coordinator", "GET", 404),
        (c.get("/cases", params={"limit": 0}), "/cases", "GET", 422),
        (c.get("/cases", params={"since": "bogus"}), "/cases", "GET", 410),
        (c.get("/staff", headers={"Authorization": "Bearer wrong"}), "/staff", "GET", 401),
    ]
    for resp, template, method, status in checks:
        assert resp.status_code == status, (template, resp.text)
        body = openapi.check(resp, template, method)
        if status == 409 and template.startswith("/cases"):
            assert body["code"] in {"version_conflict", "held_by_person", "already_received",
                                    "case_closed"}
            if body["code"] != "case_closed" or "current" in body:
                openapi.component("Case", body["current"])


def test_unknown_path_and_method_are_problems(scenario_server, openapi):
    world, srv, c = scenario_server()
    r = c.get("/nothing-here")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    openapi.component("Problem", r.json())
    r = c.delete("/cases")
    assert r.status_code == 405 and "GET" in r.headers["allow"]
    openapi.component("Problem", r.json())
    r = c.get("http://127.0.0.1:%d/elsewhere" % srv.port)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
