"""Fixtures for the sync tests: a simulator on 127.0.0.1 and engines over real store files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sync.support import TOKEN, Sleeps, make_world

from direkt_tui.config import ApiConfig, Config, SyncConfig
from direkt_tui.sim.server import SimServer
from direkt_tui.store.db import Store
from direkt_tui.sync.client import ApiClient
from direkt_tui.sync.engine import RetryPolicy, SyncEngine


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def sim(world):
    server = SimServer(world, token=TOKEN)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def config():
    return Config(api=ApiConfig(deadline=5.0, read_timeout=5.0), sync=SyncConfig(page_size=7))


@pytest.fixture
def make_engine(tmp_path, config):
    """Factory: (base_url, db name, **engine kwargs) -> SyncEngine over a real store file.
    The default sleep is a recording fake (no real waiting); ``rand`` is 0 (no jitter)."""
    made: list[tuple[Store, ApiClient]] = []

    def make(base_url: str, name: str = "store.db", *, token: str | None = TOKEN, deadline: float = 5.0,
             sleep=None, **kw) -> SyncEngine:
        store = Store(tmp_path / name)
        client = ApiClient(base_url, token=token, deadline=deadline, read_timeout=deadline)
        made.append((store, client))
        kw.setdefault("rand", lambda: 0.0)
        kw.setdefault("retry", RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=8.0))
        return SyncEngine(store, client, kw.pop("config", config), sleep=sleep or Sleeps(), **kw)

    yield make
    for store, client in made:
        client.close()
        store.close()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "store.db"
