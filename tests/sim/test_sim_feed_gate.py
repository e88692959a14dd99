"""The simulator's FeedGate: a test hook that counts the page requests of one feed and holds
the next one until the test lets it through (used to kill a sync at a known page). Every wait
here is on an event; the timeouts only bound a hang."""

from __future__ import annotations

import threading

import httpx
import pytest
from sim.sim_support import client, start
from sync.support import make_world

from direkt_tui.sim.faults import FeedGate


@pytest.fixture
def served():
    world = make_world(n_cases=30)
    srv = start(world)
    c = client(srv)
    yield srv, c
    c.close()
    srv.stop()


def _get_in_thread(c: httpx.Client, path: str, params: dict) -> tuple[threading.Thread, list]:
    out: list = []

    def run():
        try:
            out.append(c.get(path, params=params))
        except httpx.HTTPError as exc:  # the server stopped under it
            out.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


def test_the_gate_lets_k_pages_through_and_holds_the_next_until_allowed(served):
    srv, c = served
    gate = FeedGate("cases", allow=2)
    srv.feed_gate = gate
    r1 = c.get("/cases", params={"limit": 10})
    r2 = c.get("/cases", params={"limit": 10, "since": r1.json()["next_cursor"]})
    assert (r1.status_code, r2.status_code) == (200, 200)
    assert (gate.arrived, gate.passed, gate.waiting) == (2, 2, 0)
    assert c.get("/staff").status_code == 200  # another feed: not counted, not held
    with httpx.Client(base_url=srv.base_url, headers={"Authorization": "Bearer test-token"}, timeout=30) as c2:
        t, out = _get_in_thread(c2, "/cases", {"limit": 10, "since": r2.json()["next_cursor"]})
        assert gate.wait_waiting(timeout=30)
        assert (gate.arrived, gate.passed, gate.waiting) == (3, 2, 1) and out == []  # held
        gate.allow(1)
        t.join(timeout=30)
    assert out[0].status_code == 200 and len(out[0].json()["items"]) == 10
    assert gate.wait_passed(3, timeout=1)
    assert gate.arrived == gate.passed == 3


def test_open_releases_every_held_request_and_counts_on(served):
    srv, c = served
    gate = FeedGate("cases", allow=0)
    srv.feed_gate = gate
    with httpx.Client(base_url=srv.base_url, headers={"Authorization": "Bearer test-token"}, timeout=30) as c2:
        t, out = _get_in_thread(c2, "/cases", {"limit": 5})
        assert gate.wait_waiting(timeout=30)
        gate.open()
        t.join(timeout=30)
    assert out[0].status_code == 200
    assert c.get("/cases").status_code == 200
    assert (gate.arrived, gate.passed) == (2, 2)


def test_stopping_the_server_releases_a_held_request():
    world = make_world(n_cases=3)
    srv = start(world)
    gate = FeedGate("cases", allow=0)
    srv.feed_gate = gate
    with httpx.Client(base_url=srv.base_url, headers={"Authorization": "Bearer test-token"}, timeout=30) as c2:
        t, out = _get_in_thread(c2, "/cases", {})
        assert gate.wait_waiting(timeout=30)
        srv.stop()
        t.join(timeout=30)
    assert not t.is_alive()
    # the client may see the closed connection before the handler thread wakes: wait for the event
    assert gate.wait_passed(1, timeout=30)


def test_a_negative_allowance_is_refused():
    with pytest.raises(ValueError):
        FeedGate("cases", allow=-1)
