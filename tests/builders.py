"""Small builders of API-shaped entities for rule and calendar tests (fictional data only)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from direkt_tui.domain.models import Capabilities, Case, Coordinator, Shift, Snapshot, Staff, Unit

TZ = ZoneInfo("Europe/Stockholm")
WEEKDAYS = {str(d): [{"open": "08:00", "close": "17:00"}] for d in range(1, 6)}


def local(text: str) -> datetime:
    """'2026-11-26 14:30' in Stockholm time, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def iso(t: datetime) -> str:
    return t.isoformat()


def unit(uid: str = "vc-a", **kw: Any) -> dict:
    d = {
        "id": uid,
        "name": f"Vårdcentralen {uid}",
        "timezone": "Europe/Stockholm",
        "activated": True,
        "opening_hours": WEEKDAYS,
        "special_hours": {},
        "closed_dates": [],
        "care_to_care_phone": "010-000 00 00",
        "version": 1,
    }
    d.update(kw)
    return d


def staff(sid: str, profession: str = "nurse", uid: str = "vc-a") -> dict:
    return {"id": sid, "unit_id": uid, "name": f"Person {sid}", "professions": [profession], "version": 1}


def shift(sid: str, start: datetime, end: datetime, profession: str = "nurse", uid: str = "vc-a",
          shift_id: str | None = None, cancelled: bool = False) -> dict:
    return {"id": shift_id or f"sh-{sid}-{start.isoformat()}", "unit_id": uid, "staff_id": sid,
            "profession": profession, "start": iso(start), "end": iso(end), "cancelled": cancelled, "version": 1}


_n = 0


def case(cid: str | None = None, *, created: datetime, status: str = "waiting", priority: int | None = 3,
         kind: str = "care", owner: dict | None = None, uid: str = "vc-a", **kw: Any) -> dict:
    global _n
    _n += 1
    d = {
        "id": cid or f"c-{_n}",
        "unit_id": uid,
        "kind": kind,
        "priority": None if kind == "admin" else priority,
        "status": status,
        "owner": owner,
        "owner_since": None,
        "created_at": iso(created),
        "received_at": None,
        "started_at": None,
        "closed_at": None,
        "close_reason": None,
        "last_patient_message_at": None,
        "last_staff_message_at": None,
        "contact_attempts": [],
        "notices": [],
        "handover": None,
        "patient": {"display_name": "Testperson", "personnummer": "19800505-9001", "birth_date": "1980-05-05",
                    "phone": "070-000 00 01", "protected_identity": False},
        "version": 1,
        "updated_at": iso(created),
    }
    for k, v in kw.items():
        d[k] = iso(v) if isinstance(v, datetime) else v
    return d


def person(sid: str) -> dict:
    return {"type": "person", "staff_id": sid}


def role(profession: str) -> dict:
    return {"type": "role", "profession": profession}


def snapshot(*, units: list[dict] | None = None, staff_: list[dict] = (), shifts: list[dict] = (),
             cases: list[dict] = (), coordinators: list[dict] | None = None, reassign: bool = False,
             data_as_of: datetime | None = None) -> Snapshot:
    units = units or [unit()]
    return Snapshot(
        units=tuple(Unit.from_api(u) for u in units),
        staff={s["id"]: Staff.from_api(s) for s in staff_},
        shifts=tuple(Shift.from_api(s) for s in shifts),
        cases=tuple(Case.from_api(c) for c in cases),
        coordinators={c["unit_id"]: Coordinator.from_api(c) for c in (coordinators or [])},
        capabilities=Capabilities(reassign_person_held=reassign),
        data_as_of=data_as_of,
    )


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
