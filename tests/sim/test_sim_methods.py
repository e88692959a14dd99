"""Methods the simulator does not serve: 405 problem+json with ``Allow``, never the standard
library's 501 HTML page; unknown paths 404; HEAD as GET without a body; OPTIONS 204 + Allow.

Routing comes before the token: what exists is the public contract, so a method a resource does
not serve is 405 with or without a (right) token, and an unknown path is 404.
"""

from __future__ import annotations

import json
import socket

import httpx
import pytest
from sim.sim_support import client

GET_ONLY = ["/health", "/capabilities", "/units", "/staff", "/shifts", "/cases", "/cases/c-1",
            "/templates"]
POST_ONLY = ["/cases/c-1/assign", "/cases/c-1/move", "/cases/c-1/messages"]
COORD = "/units/vc-ryd/coordinator"
SERVES = {**{p: "GET, HEAD, OPTIONS" for p in GET_ONLY},
          **{p: "POST, OPTIONS" for p in POST_ONLY},
          COORD: "GET, HEAD, PUT, OPTIONS"}
NOT_SERVED = {**{p: ("TRACE", "PATCH", "DELETE", "PUT", "POST", "QUERY") for p in GET_ONLY},
              **{p: ("TRACE", "PATCH", "DELETE", "PUT", "GET", "HEAD") for p in POST_ONLY},
              COORD: ("TRACE", "PATCH", "DELETE", "POST", "QUERY")}


def _assert_405(r: httpx.Response, path: str, openapi, *, body: bool = True) -> None:
    assert r.status_code == 405, (r.request.method, path, r.status_code, r.text[:200])
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["allow"] == SERVES[path]
    assert r.headers["x-server-time"].endswith("Z")
    if body:
        problem = r.json()
        openapi.component("Problem", problem)
        assert problem["status"] == 405 and problem["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", sorted(NOT_SERVED))
def test_a_method_a_resource_does_not_serve_is_405_problem_json(scenario_server, openapi, path):
    world, srv, c = scenario_server()
    before = world.entities("cases"), world.get_coordinator("vc-ryd")
    anon = client(srv, token=None)
    try:
        for method in NOT_SERVED[path]:
            body = method != "HEAD"
            r = c.request(method, path, json={"template_id": "high_load"} if body else None,
                          headers={"Idempotency-Key": "00000000-0000-4000-8000-000000000001"})
            _assert_405(r, path, openapi, body=body)
            assert body or r.content == b""
            # with or without a token: what a resource serves is no secret
            _assert_405(anon.request(method, path), path, openapi, body=body)
    finally:
        anon.close()
    assert (world.entities("cases"), world.get_coordinator("vc-ryd")) == before


def test_trace_patch_delete_put_on_the_control_endpoint_are_405(scenario_server, openapi):
    world, srv, c = scenario_server()
    for method in ("TRACE", "PATCH", "DELETE", "PUT"):
        r = c.request(method, srv.control_url)
        assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
        openapi.component("Problem", r.json())


def test_options_answers_204_with_allow(scenario_server):
    world, srv, c = scenario_server()
    for path, allow in SERVES.items():
        r = c.options(path)
        assert r.status_code == 204, path
        assert r.headers["allow"] == allow
        assert r.content == b"" and "content-length" not in r.headers
    with client(srv, token=None) as anon:
        assert anon.options("/cases").status_code == 204


def test_head_is_get_without_the_body(scenario_server):
    world, srv, c = scenario_server()
    for path in GET_ONLY + [COORD]:
        got = c.get(path)
        head = c.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-length"] == str(len(got.content))
        assert head.headers["content-type"] == got.headers["content-type"]
    with client(srv, token=None) as anon:
        assert anon.head("/cases").status_code == 401


@pytest.mark.parametrize("path", ["/nothing-here", "/cases/c-1/close", "/units/vc-ryd",
                                  "/cases/c-1/assign/x", "/units//coordinator"])
def test_an_unknown_path_is_404_problem_json_for_any_method(scenario_server, openapi, path):
    world, srv, c = scenario_server()
    anon = client(srv, token=None)
    try:
        for method in ("GET", "TRACE", "DELETE", "POST", "OPTIONS"):
            for cl in (c, anon):
                r = cl.request(method, path)
                assert r.status_code == 404, (method, path, r.status_code)
                assert r.headers["content-type"] == "application/problem+json"
                openapi.component("Problem", r.json())
                assert r.json()["code"] == "not_found"
            r = c.request(method, f"http://127.0.0.1:{srv.port}/api/v2/cases")
            assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    finally:
        anon.close()


def test_the_connection_stays_usable_after_a_405_with_a_body(scenario_server):
    world, srv, c = scenario_server()
    for _ in range(5):
        assert c.patch("/cases/c-1", content=b'{"status": "closed"}' * 50).status_code == 405
        assert c.get("/cases/c-1").status_code == 200
    assert len(srv._conns) == 1
    assert world.store["cases"]["c-1"]["status"] != "closed"


def _raw(srv, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:  # the server closes the connection after such an error
                return b"".join(chunks)
            chunks.append(chunk)


@pytest.mark.parametrize("request_line,status", [
    (b"GET /api/v1/health HTTP/1.1 trailing-junk", 400),
    (b"GET /api/v1/health HTTP/x.y", 400),
    (b"GET /api/v1/health HTTP/2.0", 505),
])
def test_the_standard_librarys_own_errors_are_problem_json_too(scenario_server, openapi,
                                                               request_line, status):
    world, srv, c = scenario_server()
    raw = _raw(srv, request_line + b"\r\nHost: 127.0.0.1\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].split(" ")[1] == str(status), lines[0]
    headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    assert int(headers["content-length"]) == len(body)
    problem = json.loads(body)
    openapi.component("Problem", problem)
    assert problem["status"] == status
