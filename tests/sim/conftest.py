"""Fixtures for the simulator tests (real loopback HTTP with httpx)."""

from __future__ import annotations

import pytest
from sim.sim_support import OPENAPI, SCENARIOS, THURSDAY_0730, OpenApi, client, start

from direkt_tui.sim import generate_world, load_scenario


@pytest.fixture(scope="session")
def openapi() -> OpenApi:
    return OpenApi(OPENAPI)


@pytest.fixture
def scenario_server():
    """Factory: serve a scenario file; yields (world, server, client)."""
    made = []

    def make(path=SCENARIOS[0]):
        world = load_scenario(path)
        srv = start(world)
        c = client(srv)
        made.append((srv, c))
        return world, srv, c

    yield make
    for srv, c in made:
        c.close()
        srv.stop()


@pytest.fixture
def gen_server():
    """Factory: serve a generated world (frozen clock unless speed given)."""
    made = []

    def make(seed=7, start_at=THURSDAY_0730, speed=0, **kw):
        world = generate_world(seed=seed, start=start_at, speed=speed, **kw)
        srv = start(world)
        c = client(srv)
        made.append((srv, c))
        return world, srv, c

    yield make
    for srv, c in made:
        c.close()
        srv.stop()
