"""The simulator against an OpenAPI fuzzer: schemathesis over every operation of openapi.yaml.

Every check schemathesis has runs (server errors, status codes, content types, headers, response
schemas, negative data rejected, required headers, undeclared methods with 405 + ``Allow``,
credentials ignored, …) except *positive data acceptance*: schema-valid requests rightly fail
here, e.g. a random ``since`` cursor gets 410 and a random case id 404.

Deterministic: a fixed seed with ``derandomize`` (the same examples in the same order on every
run of the same code), no deadline, no example database, and a fresh world frozen at the
scenario's ``as_of`` for every example (a write made by one example cannot change what the next
one sees), with the change logs' instance id pinned so cursors are the same bytes on every run.

Each kind of failure the fuzzer found in the simulator also has a plain regression test: a
non-UUID ``Idempotency-Key`` was accepted (below); TRACE, QUERY and other unserved methods got the
standard library's 501 HTML page (``test_sim_methods.py``).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import uuid

import httpx
import pytest
import schemathesis
import yaml
from sim.sim_support import OPENAPI, SCENARIOS, TOKEN

import direkt_tui
from direkt_tui.sim import SimServer, world_from_scenario

# Hypothesis mixes constants from the project's modules loaded so far into what it draws; load
# them all first, so the examples are the same whether this file runs alone or in the suite.
for _mod in pkgutil.walk_packages(direkt_tui.__path__, "direkt_tui."):
    if not _mod.name.endswith(".__main__"):
        importlib.import_module(_mod.name)

SEED = 20261126
MAX_EXAMPLES = 40
SCENARIO = json.loads(SCENARIOS[0].read_text(encoding="utf-8"))
OPEN_CASE = next(c["id"] for c in SCENARIO["cases"] if c["status"] != "closed")
UNIT = SCENARIO["units"][0]["id"]


def _config(**extra) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": SEED,
        # the token for the contract's `bearer` scheme: schemathesis sends it and, on every 2xx,
        # repeats the request without it and with a wrong one, expecting 401 (ignored_auth)
        "auth": {"openapi": {"bearer": {"bearer": TOKEN}}},
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {"positive_data_acceptance": {"enabled": False}},
        **extra,
    })


# random identifiers (404 for nearly all: the routing, validation and error paths)
schema = schemathesis.openapi.from_path(OPENAPI, config=_config())
# a real open case and unit: reads succeed and writes reach the rules (422, 409, 2xx)
known = schemathesis.openapi.from_path(
    OPENAPI, config=_config(parameters={"case_id": OPEN_CASE, "unit_id": UNIT}))


def fresh_world():
    world = world_from_scenario(SCENARIO)
    world.instance = "5eed0001"  # cursors carry it; pinned so every run sends the same bytes
    for log in world.logs.values():
        log.instance = world.instance
    return world


@pytest.fixture(scope="module")
def sim():
    srv = SimServer(fresh_world(), host="127.0.0.1", port=0, token=TOKEN)
    srv.start()
    yield srv
    srv.stop()


def _run(case, sim: SimServer) -> None:
    sim.world = fresh_world()  # every example starts from the same state
    case.call_and_validate(base_url=sim.base_url, timeout=10)


@schema.parametrize()
def test_fuzz_every_operation(case, sim):
    _run(case, sim)


@known.include(path_regex=r"\{").parametrize()
def test_fuzz_every_operation_on_known_ids(case, sim):
    _run(case, sim)


# ------------------------------------------------------------ what the fuzzer found, pinned


@pytest.fixture
def c(sim):
    sim.world = fresh_world()
    with httpx.Client(base_url=sim.base_url, timeout=10,
                      headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


@pytest.mark.parametrize("key", ["k", "not-a-uuid", "0" * 32, "{%s}" % uuid.UUID(int=1),
                                 "urn:uuid:%s" % uuid.UUID(int=1),
                                 str(uuid.UUID(int=1))[:-1] + "g"])
def test_an_idempotency_key_that_is_no_uuid_is_rejected_and_changes_nothing(c, sim, key):
    # found: PUT /units/{unit_id}/coordinator with `Idempotency-Key: k` answered 200 and wrote
    world = sim.world
    before = world.get_coordinator(UNIT)
    r = c.put(f"/units/{UNIT}/coordinator", json={"staff_id": None},
              headers={"Idempotency-Key": key})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "invalid_idempotency_key"
    assert world.get_coordinator(UNIT) == before
    notices = world.get_case(OPEN_CASE).get("notices", [])
    r = c.post(f"/cases/{OPEN_CASE}/messages", json={"template_id": "high_load"},
               headers={"Idempotency-Key": key})
    assert r.status_code == 422 and r.json()["code"] == "invalid_idempotency_key"
    assert world.get_case(OPEN_CASE).get("notices", []) == notices


def test_a_uuid_idempotency_key_in_any_case_is_accepted(c, sim):
    key = str(uuid.uuid4()).upper()
    r = c.post(f"/cases/{OPEN_CASE}/messages", json={"template_id": "high_load"},
               headers={"Idempotency-Key": key})
    assert r.status_code == 201, r.text
    again = c.post(f"/cases/{OPEN_CASE}/messages", json={"template_id": "high_load"},
                   headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json() == r.json()


def _secured_operations():
    doc = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    for template, item in doc["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("security", doc.get("security")) != []:
                yield template, method.upper(), op


_BODIES = {
    "/cases/{case_id}/assign": {"owner": {"type": "role", "profession": "nurse"}, "if_version": 1},
    "/cases/{case_id}/move": {"to_unit_id": SCENARIO["units"][-1]["id"], "if_version": 1},
    "/cases/{case_id}/messages": {"template_id": "high_load"},
    "/units/{unit_id}/coordinator": {"staff_id": None},
}


_SECURED = list(_secured_operations())


@pytest.mark.parametrize("template,method,op", _SECURED, ids=[f"{m} {t}" for t, m, _ in _SECURED])
def test_every_secured_operation_answers_401_as_declared(sim, openapi, template, method, op):
    # what the fuzzer's ignored_auth check probes after a 2xx, made explicit for every operation
    assert "401" in op["responses"], f"{method} {template} does not declare 401"
    sim.world = world = fresh_world()
    before = world.entities("cases"), [world.get_coordinator(u) for u in world.units]
    path = template.format(case_id=OPEN_CASE, unit_id=UNIT)
    body = _BODIES.get(template) if method != "GET" else None
    for auth in (None, "Bearer not-the-token", f"Basic {TOKEN}", "Bearer", TOKEN):
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        if auth is not None:
            headers["Authorization"] = auth
        r = httpx.request(method, sim.base_url + path, json=body, headers=headers, timeout=10)
        assert r.status_code == 401, (method, path, auth, r.status_code)
        assert r.headers["www-authenticate"].startswith("Bearer")
        problem = openapi.check(r, template, method)
        assert problem["code"] == "unauthorized"
    assert (world.entities("cases"), [world.get_coordinator(u) for u in world.units]) == before
