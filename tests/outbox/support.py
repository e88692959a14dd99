"""Helpers for the outbox tests: a small simulator world, a store filled from it, a counter of
the writes the simulator applied, and a client."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from direkt_tui.domain.models import Capabilities, Case, Coordinator, Shift, Staff, Template, Unit
from direkt_tui.sim.timeutil import SimClock
from direkt_tui.sim.world import ApiError, World
from direkt_tui.store.db import Store
from direkt_tui.sync import client as api
from direkt_tui.sync.client import ApiClient

TOKEN = "outbox-test-token"
AS_OF = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
WEEKDAYS = {str(d): [{"open": "08:00", "close": "17:00"}] for d in range(1, 6)}


def z(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unit_doc(uid: str, activated: bool = True) -> dict:
    return {"id": uid, "name": f"Vårdcentralen {uid}", "timezone": "Europe/Stockholm", "activated": activated,
            "opening_hours": WEEKDAYS, "special_hours": {}, "closed_dates": [], "region": "Östergötland",
            "care_to_care_phone": "010-000 00 00", "version": 1, "updated_at": "2026-01-01T00:00:00Z"}


def staff_doc(sid: str, uid: str, profession: str) -> dict:
    return {"id": sid, "unit_id": uid, "name": f"Person {sid}", "title": profession, "professions": [profession],
            "logged_in": True, "version": 1, "updated_at": "2026-01-01T00:00:00Z"}


def shift_doc(sid: str, uid: str, profession: str, *, present: bool = True) -> dict:
    start = AS_OF - timedelta(hours=4) if present else AS_OF + timedelta(hours=6)
    return {"id": f"sh-{sid}", "unit_id": uid, "staff_id": sid, "profession": profession, "start": z(start),
            "end": z(start + timedelta(hours=8)), "cancelled": False, "version": 1,
            "updated_at": "2026-01-01T00:00:00Z"}


def case_doc(i: int, uid: str = "vc-a", *, owner: dict | None = None, status: str = "waiting") -> dict:
    created = AS_OF - timedelta(minutes=i % 300 + 1)
    return {
        "id": f"c-{i}", "unit_id": uid, "kind": "care", "priority": 1 + i % 5, "status": status,
        "owner": owner if owner is not None else {"type": "role", "profession": "nurse"},
        "owner_since": z(created), "reason": "Förkylning", "created_at": z(created),
        "received_at": z(created) if status != "waiting" else None, "started_at": None, "closed_at": None,
        "close_reason": None, "last_patient_message_at": None, "last_staff_message_at": None,
        "contact_attempts": [], "notices": [], "handover": None, "reopen_until": None,
        "patient": {"display_name": f"Testperson {i}", "personnummer": "19800505-9001", "birth_date": "1980-05-05",
                    "phone": "070-000 00 01", "protected_identity": False, "home_region": "Östergötland"},
        "url": f"https://clinic.example/cases/c-{i}", "version": 1, "updated_at": z(created),
    }


STAFF = [("s-1", "vc-a", "nurse"), ("s-2", "vc-a", "doctor"), ("s-3", "vc-b", "nurse"), ("s-4", "vc-a", "nurse")]


def make_world(n_cases: int = 20, *, extra_cases: list[dict] = ()) -> World:
    """Units vc-a, vc-b (activated) and vc-x (not); s-1 (nurse), s-2 (doctor) present in vc-a,
    s-3 present in vc-b, s-4 (nurse) of vc-a not on shift now; ``n_cases`` waiting cases
    c-0… in vc-a owned by the nurse queue; s-1 coordinates vc-a. The clock is frozen."""
    return World(
        units=[unit_doc("vc-a"), unit_doc("vc-b"), unit_doc("vc-x", activated=False)],
        staff=[staff_doc(*s) for s in STAFF],
        shifts=[shift_doc(sid, uid, prof, present=sid != "s-4") for sid, uid, prof in STAFF],
        cases=[case_doc(i) for i in range(n_cases)] + list(extra_cases),
        templates=[{"id": "high_load", "title": "Hög belastning", "text": "Vi har många ärenden.", "scope": "regional"},
                   {"id": "next_day", "title": "Nästa dag", "text": "Vi återkommer.", "scope": "local"}],
        coordinators=[{"unit_id": "vc-a", "staff_id": "s-1", "since": "2026-11-26T07:00:00Z"}],
        capabilities={"reassign_person_held": False},
        clock=SimClock(AS_OF, speed=0),
        name="outbox-tests",
    )


def fill_store(store: Store, world: World) -> None:
    """Put the world's entities into the store as a sync would."""
    store.replace_reference(
        units=[Unit.from_api(u) for u in world.list_units()],
        templates=[Template.from_api(t) for t in world.list_templates()],
        capabilities=Capabilities.from_api(world.get_capabilities()),
        coordinators=[Coordinator.from_api(world.get_coordinator(u)) for u in world.units],
        fetched_at=AS_OF,
    )
    store.apply_page("staff", [Staff.from_api(s) for s in world.entities("staff").values()], "c1")
    store.apply_page("shifts", [Shift.from_api(s) for s in world.entities("shifts").values()], "c1")
    store.apply_page("cases", [Case.from_api(c) for c in world.entities("cases").values()], "c1")


class Applied:
    """Counts the writes the world applied (a change made), per (kind, subject)."""

    def __init__(self, world: World):
        self.counts: Counter = Counter()
        self.calls: Counter = Counter()
        self._lock = threading.Lock()
        for kind, name in (("assign", "assign"), ("move", "move"), ("message", "send_message"),
                           ("coordinator", "set_coordinator")):
            setattr(world, name, self._wrap(world, kind, getattr(world, name)))

    def _wrap(self, world: World, kind: str, fn):
        def counted(subject: str, body: Any):
            with world.lock:  # the world's lock is re-entrant: before/after are one atomic step
                before = _version(world, kind, subject)
                with self._lock:
                    self.calls[(kind, subject)] += 1
                try:
                    out = fn(subject, body)
                except ApiError:
                    raise
                if _version(world, kind, subject) != before:
                    with self._lock:
                        self.counts[(kind, subject)] += 1
                return out
        return counted


def _version(world: World, kind: str, subject: str) -> Any:
    if kind == "coordinator":
        return world.coordinator_versions.get(subject)
    c = world.store["cases"].get(subject)
    return None if c is None else c["version"]


class RecordingClient(ApiClient):
    """The real client, remembering for each request what came back **to its caller**:
    ``answers`` holds (Idempotency-Key, HTTP status) in the order the caller got them, the
    status ``None`` when no answer reached it (a network error, the deadline). What the
    platform wrote is not the same thing: an answer written after the caller's deadline (a slow
    platform, a loaded machine) never reached it, and the caller rightly asks again."""

    def __init__(self, *a: Any, **kw: Any):
        super().__init__(*a, **kw)
        self._answers: list[tuple[str | None, int | None]] = []
        self._answers_lock = threading.Lock()

    def request(self, method: str, path: str, **kw: Any):  # type: ignore[override]
        key = kw.get("idempotency_key")
        try:
            r = super().request(method, path, **kw)
        except api.ApiError as exc:  # the client's errors (the simulator's ApiError is another class)
            self._note(key, None if isinstance(exc, api.NetworkError) else exc.status)
            raise
        self._note(key, r.status)
        return r

    def _note(self, key: str | None, status: int | None) -> None:
        with self._answers_lock:
            self._answers.append((key, status))

    @property
    def answers(self) -> list[tuple[str | None, int | None]]:
        with self._answers_lock:
            return list(self._answers)


def is_refusal(status: int | None) -> bool:
    """A final "no" from the platform: a 4xx other than 401/403 (credentials) and 429 (later)."""
    return status is not None and 400 <= status < 500 and status not in (401, 403, 429)


def assert_no_request_after_a_received_refusal(answers: list[tuple[str | None, int | None]]) -> None:
    """No Idempotency-Key is sent again once its refusal reached the sender."""
    refused_at: dict[str, int] = {}
    for i, (key, status) in enumerate(answers):
        if key in refused_at:
            raise AssertionError(f"{key} sent again (answer {i}) after the refusal the sender received "
                                 f"(answer {refused_at[key]})")
        if key is not None and is_refusal(status):
            refused_at[key] = i


def client_for(base_url: str, **kw: Any) -> ApiClient:
    kw.setdefault("deadline", 10.0)
    return ApiClient(base_url, token=TOKEN, **kw)


def store_path(tmp: Path) -> Path:
    return tmp / "data" / "direkt.db"
