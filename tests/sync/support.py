"""Helpers for the sync tests: a simulator world with many entities, an in-process simulator,
store comparison, and a small scripted HTTP server for faults the simulator cannot produce
(a body or headers that trickle, a hang after the headers, missing X-Server-Time)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from direkt_tui.sim.timeutil import SimClock
from direkt_tui.sim.world import World

TOKEN = "test-token-5e1f"
AS_OF = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
UNITS = ("vc-a", "vc-b")
WEEKDAYS = {str(d): [{"open": "08:00", "close": "17:00"}] for d in range(1, 6)}


def z(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unit_doc(uid: str) -> dict:
    return {"id": uid, "name": f"Vårdcentralen {uid}", "timezone": "Europe/Stockholm", "activated": True,
            "opening_hours": WEEKDAYS, "special_hours": {}, "closed_dates": [], "region": "Östergötland",
            "care_to_care_phone": "010-000 00 00", "version": 1, "updated_at": "2026-01-01T00:00:00Z"}


def staff_doc(i: int) -> dict:
    uid = UNITS[i % len(UNITS)]
    return {"id": f"s-{i}", "unit_id": uid, "name": f"Person {i}", "title": "nurse", "professions": ["nurse"],
            "logged_in": True, "version": 1, "updated_at": "2026-01-01T00:00:00Z"}


def shift_doc(i: int) -> dict:
    start = AS_OF.replace(hour=7) + timedelta(days=i // 20)
    return {"id": f"sh-{i}", "unit_id": UNITS[i % len(UNITS)], "staff_id": f"s-{i % 10}", "profession": "nurse",
            "start": z(start), "end": z(start + timedelta(hours=8)), "cancelled": False, "version": 1,
            "updated_at": "2026-01-01T00:00:00Z"}


def case_doc(i: int, *, closed_days_ago: float | None = None, protected: bool = False) -> dict:
    created = AS_OF - timedelta(minutes=5 * (i % 200) + 1)
    d = {
        "id": f"c-{i}", "unit_id": UNITS[i % len(UNITS)], "kind": "care", "priority": 1 + i % 5,
        "status": "waiting", "owner": {"type": "role", "profession": "nurse"}, "owner_since": z(created),
        "reason": "Förkylning", "created_at": z(created), "received_at": None, "started_at": None,
        "closed_at": None, "close_reason": None, "last_patient_message_at": None, "last_staff_message_at": None,
        "contact_attempts": [], "notices": [], "handover": None, "reopen_until": None,
        "patient": {"display_name": f"Testperson {i}", "personnummer": "19800505-9001", "birth_date": "1980-05-05",
                    "phone": "070-000 00 01", "protected_identity": protected, "home_region": "Östergötland"},
        "url": f"https://clinic.example/cases/c-{i}", "version": 1, "updated_at": z(created),
    }
    if closed_days_ago is not None:
        closed = AS_OF - timedelta(days=closed_days_ago)
        d.update(status="closed", closed_at=z(closed), close_reason="resolved", received_at=z(created),
                 created_at=z(min(created, closed - timedelta(hours=1))), owner_since=None,
                 updated_at=z(closed))
    return d


def make_world(n_cases: int = 40, n_staff: int = 12, n_shifts: int = 16, *, extra_cases: list[dict] = (),
               log_retention: int = 10_000) -> World:
    return World(
        units=[unit_doc(u) for u in UNITS],
        staff=[staff_doc(i) for i in range(n_staff)],
        shifts=[shift_doc(i) for i in range(n_shifts)],
        cases=[case_doc(i) for i in range(n_cases)] + list(extra_cases),
        templates=[{"id": "high_load", "title": "Hög belastning", "text": "Vi har många ärenden.", "scope": "regional"},
                   {"id": "next_day", "title": "Nästa dag", "text": "Vi återkommer.", "scope": "local"}],
        coordinators=[{"unit_id": "vc-a", "staff_id": "s-0", "since": "2026-11-26T07:00:00Z"}],
        capabilities={"reassign_person_held": False, "max_page_size": 1000},
        clock=SimClock(AS_OF, speed=0),
        log_retention=log_retention,
        name="sync-tests",
    )


def bump(world: World, feed: str, entity_id: str, **changes: Any) -> int:
    """Change an entity in the simulator (a new version in its change feed); returns the version."""
    with world.lock:
        ent = world.store[feed][entity_id]
        ent.update(changes)
        world._update(feed, ent, world.now())
        return ent["version"]


def insert_raw(world: World, feed: str, entity: dict) -> None:
    """Put an entity into a feed as is (even one that breaks the contract)."""
    with world.lock:
        world._insert(feed, dict(entity))


def remove(world: World, feed: str, entity_id: str) -> None:
    with world.lock:
        world._remove(feed, entity_id)


# ------------------------------------------------------------------------------- comparing stores
ENTITY_TABLES = ("units", "staff", "shifts", "cases", "templates")


def table_rows(db: Path, table: str) -> list[tuple]:
    conn = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    finally:
        conn.close()


def coordinator_rows(db: Path) -> list[tuple]:
    conn = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT unit_id, staff_id, since FROM coordinators ORDER BY 1").fetchall()
    finally:
        conn.close()


def assert_same_tables(a: Path, b: Path) -> None:
    for table in ENTITY_TABLES:
        ra, rb = table_rows(a, table), table_rows(b, table)
        assert ra == rb, f"table {table} differs: {len(ra)} vs {len(rb)} rows"
    assert coordinator_rows(a) == coordinator_rows(b)


def world_versions(world: World, feed: str) -> dict[str, int]:
    return {k: v["version"] for k, v in world.entities(feed).items()}


def store_versions(db: Path, feed: str) -> dict[str, int]:
    return {r[0]: r[1] for r in table_rows(db, feed)}


# ------------------------------------------------------------------------------- a scripted server
@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes as is
    headers: dict = field(default_factory=dict)
    server_time: str | None = "2026-11-26T13:30:00Z"
    mode: str = "normal"  # normal | trickle_body | trickle_headers | hang_after_headers | hang
    interval: float = 0.1

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if self.body is None:
            return b""
        return json.dumps(self.body).encode()


class ScriptedApi:
    """A tiny HTTP/1.1 server on 127.0.0.1: ``respond(method, path, query, headers, body)``
    returns a :class:`Reply`. Every request is recorded in ``requests``."""

    def __init__(self, respond: Callable[..., Reply]):
        self.respond = respond
        self.requests: list[dict] = []
        self.stopping = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _go(self, method):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                parts = urlsplit(self.path)
                rec = {"method": method, "path": parts.path, "query": parse_qs(parts.query),
                       "headers": dict(self.headers), "body": raw}
                api.requests.append(rec)
                reply = api.respond(method, parts.path, rec["query"], self.headers, raw)
                api._write(self, reply)

            def do_GET(self):
                self._go("GET")

            def do_POST(self):
                self._go("POST")

            def do_PUT(self):
                self._go("PUT")

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def _write(self, h: BaseHTTPRequestHandler, r: Reply) -> None:
        body = r.payload()
        lines = [f"HTTP/1.1 {r.status} X"]
        hdrs = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        if r.server_time:
            hdrs["X-Server-Time"] = r.server_time
        hdrs.update(r.headers)
        lines += [f"{k}: {v}" for k, v in hdrs.items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        w = h.wfile
        try:
            if r.mode == "hang":
                self.stopping.wait(30)
                return
            if r.mode == "trickle_headers":
                for i in range(len(head)):
                    if self.stopping.wait(r.interval):
                        return
                    w.write(head[i:i + 1])
                    w.flush()
                w.write(body)
                w.flush()
                return
            w.write(head)
            w.flush()
            if r.mode == "hang_after_headers":
                self.stopping.wait(30)
                return
            if r.mode == "trickle_body":
                for i in range(len(body)):
                    if self.stopping.wait(r.interval):
                        return
                    w.write(body[i:i + 1])
                    w.flush()
                return
            w.write(body)
            w.flush()
        except (TimeoutError, BrokenPipeError, ConnectionResetError, OSError):
            h.close_connection = True

    def start(self) -> ScriptedApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> ScriptedApi:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Sleeps:
    """An injectable sleep: records each wait and runs ``on_sleep(n)`` (n from 1) instead of
    waiting, so fault scenarios can clear the fault after a given number of retries."""

    def __init__(self, on_sleep: Callable[[int], None] | None = None, real: bool = False):
        self.calls: list[float] = []
        self.on_sleep = on_sleep
        self.real = real

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.on_sleep is not None:
            self.on_sleep(len(self.calls))
        if self.real:
            time.sleep(seconds)
