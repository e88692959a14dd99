"""Auth, clock headers, keep-alive and fault injection (HTTP and the control endpoint)."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from sim.sim_support import TOKEN, client


def ctl(srv, token=TOKEN, **body):
    return httpx.post(srv.control_url, json=body, headers={"Authorization": f"Bearer {token}"})


def test_auth_required_except_health(scenario_server, openapi):
    world, srv, c = scenario_server()
    anon = client(srv, token=None)
    wrong = client(srv, token="not-it")
    try:
        assert anon.get("/health").status_code == 200
        for path in ("/capabilities", "/units", "/staff", "/shifts", "/cases", "/cases/c-1",
                     "/templates", "/units/vc-ryd/coordinator"):
            for cl in (anon, wrong):
                r = cl.get(path)
                assert r.status_code == 401, path
                assert r.json()["code"] == "unauthorized"
                assert r.headers["www-authenticate"].startswith("Bearer")
                openapi.component("Problem", r.json())
        r = anon.post("/cases/c-1/messages", json={"template_id": "high_load"},
                      headers={"Idempotency-Key": "k"})
        assert r.status_code == 401 and world.store["cases"]["c-1"]["notices"] == []
        assert httpx.get(srv.control_url).status_code == 401
        assert ctl(srv, token="bad", outage=True).status_code == 401
        assert world.faults.outage is False
    finally:
        anon.close()
        wrong.close()


def test_keep_alive_reuses_one_connection(scenario_server):
    world, srv, c = scenario_server()
    for _ in range(20):
        assert c.get("/cases").status_code == 200
        assert c.get("/cases/nope").status_code == 404
    assert len(srv._conns) == 1
    r = c.get("/cases")
    assert int(r.headers["content-length"]) == len(r.content)


def test_control_get_and_validation(scenario_server):
    world, srv, c = scenario_server()
    r = httpx.get(srv.control_url, headers={"Authorization": f"Bearer {TOKEN}"})
    st = r.json()
    assert r.status_code == 200 and st["sim_now"] == "2026-11-26T13:30:00Z"
    for field in ("latency_ms", "error_rate", "outage", "garbage_rate", "rate_limit_every",
                  "repeat_rate", "old_version_rate", "max_page_size", "drop_cursors",
                  "advance_seconds", "hang_seconds"):
        assert field in st or field == "hang_seconds", field
    assert ctl(srv, bogus=1).status_code == 422
    assert ctl(srv, error_rate=2).status_code == 422
    assert ctl(srv, max_page_size=0).status_code == 422
    assert ctl(srv, outage_windows=["25:00-26:00"]).status_code == 422
    assert world.faults.error_rate == 0


def test_advance_seconds_moves_the_clock(scenario_server):
    world, srv, c = scenario_server()
    r = ctl(srv, advance_seconds=3600)
    assert r.json()["sim_now"] == "2026-11-26T14:30:00Z"
    assert c.get("/health").json()["server_time"] == "2026-11-26T14:30:00Z"
    assert c.get("/units").headers["x-server-time"] == "2026-11-26T14:30:00Z"


def test_outage_and_windows(scenario_server, openapi):
    world, srv, c = scenario_server()  # 14:30 local
    ctl(srv, outage=True)
    for path in ("/health", "/cases", "/units"):
        r = c.get(path)
        assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
        openapi.component("Problem", r.json())
    ctl(srv, outage=False, outage_windows=["15:00-16:00"])
    assert c.get("/cases").status_code == 200
    ctl(srv, outage_windows=["14:00-15:00"])
    assert c.get("/cases").status_code == 503
    ctl(srv, advance_seconds=1800)  # 15:00 local
    assert c.get("/cases").status_code == 200
    ctl(srv, outage_windows=["23:00-15:30"])  # wraps midnight
    assert c.get("/cases").status_code == 503


def test_error_rate_and_rate_limit(scenario_server, openapi):
    world, srv, c = scenario_server()
    world.set_faults(error_rate=1.0)
    r = c.get("/cases")
    assert r.status_code == 500 and r.json()["code"] == "internal_error"
    openapi.component("Problem", r.json())
    world.set_faults(error_rate=0.0, rate_limit_every=3)
    codes = [c.get("/units").status_code for _ in range(9)]
    assert codes.count(429) == 3 and codes.count(200) == 6
    r = next(r for r in (c.get("/units") for _ in range(3)) if r.status_code == 429)
    assert r.headers["retry-after"] == "1"
    world.set_faults(rate_limit_every=0, error_rate=0.3)
    codes = [c.get("/units").status_code for _ in range(60)]
    assert 5 <= codes.count(500) <= 35


def test_garbage_pages(scenario_server):
    world, srv, c = scenario_server()
    world.set_faults(garbage_rate=1.0)
    r = c.get("/cases")
    assert r.status_code == 200 and int(r.headers["content-length"]) == len(r.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    assert c.get("/units").json()["items"]  # only feed pages are garbled
    world.set_faults(garbage_rate=0.0)
    assert c.get("/cases").json()["items"]


def test_latency_and_hang(scenario_server):
    world, srv, c = scenario_server()
    world.set_faults(latency_ms=250)
    t = time.monotonic()
    assert c.get("/units").status_code == 200
    assert time.monotonic() - t >= 0.24
    world.set_faults(latency_ms=0, hang_seconds=1.2)
    impatient = client(srv, timeout=0.3)
    try:
        with pytest.raises(httpx.ReadTimeout):
            impatient.get("/cases")
    finally:
        impatient.close()
    time.sleep(1.0)
    t = time.monotonic()
    assert c.get("/cases").status_code == 200
    assert time.monotonic() - t < 0.5
