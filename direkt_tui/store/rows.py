"""Row mapping: entities to the tuples the store writes, stored rows back to entities.

Reading defends (issue 10 §3): a store written by an older version may hold what the ingest
now refuses; a converter raises :class:`BadRow` (or any error) for such a row and the reader
skips it (``Store.last_skipped``), never a crash. No SQL is run here.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast, overload

from ..domain.models import (
    EARLIEST,
    LATEST,
    MAX_VERSION,
    Case,
    Handover,
    Notice,
    Owner,
    Patient,
    Shift,
    Staff,
    Unit,
)
from ..domain.timeutil import to_store
from .schema import CASE_COLS


@overload
def parse_instant(text: str) -> datetime: ...
@overload
def parse_instant(text: None) -> None: ...
@overload
def parse_instant(text: str | None) -> datetime | None: ...
def parse_instant(text: str | None) -> datetime | None:
    """A stored instant (fixed-width UTC text) as a datetime; None stays None."""
    return None if text is None else datetime.fromisoformat(text)


# -- reading defends (issue 10 §3) ---------------------------------------------------------
# A store written by an older version may hold what the ingest now refuses (an instant of year
# 1 or 9999, a version beyond 2^53-1, text that is no instant at all). Such a row is skipped
# with a warning (``Store.last_skipped``), never a crash. Stored instants are fixed-width UTC
# text (``to_store``), so the absolute window is a string comparison.
INSTANT_LO, INSTANT_HI = cast(str, to_store(EARLIEST)), cast(str, to_store(LATEST))


class BadRow(ValueError):
    """A stored row that cannot be used (its first bad field is found afterwards)."""


def parse_skew(text: Any) -> float | None:
    try:
        value = float(text) if text is not None else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and math.isfinite(value) else None


def parse_stored_instant(text: Any) -> datetime | None:
    """A stored instant of the sync state, or None when it is unreadable or out of range."""
    if not isinstance(text, str) or not INSTANT_LO <= text < INSTANT_HI:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def instant_ok(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str) or not INSTANT_LO <= value < INSTANT_HI:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


_CASE_INSTANTS = (
    "owner_since",
    "created_at",
    "received_at",
    "started_at",
    "closed_at",
    "last_patient_message_at",
    "last_staff_message_at",
    "reopen_until",
    "updated_at",
)
_ROW_INSTANTS = {
    "cases": _CASE_INSTANTS,
    "shifts": ("start", "end", "updated_at"),
    "staff": ("updated_at",),
    "units": ("updated_at",),
    "coordinators": ("since",),
}
_ROW_JSON = {
    "cases": ("contact_attempts", "notices", "handover"),
    "staff": ("professions",),
    "units": ("opening_hours", "special_hours", "closed_dates"),
}


def row_problem(table: str, cols: Sequence[str], r: Sequence) -> str:
    """What is wrong with a stored row that could not be read: the first bad field and the
    problem, never the value."""
    values = dict(zip(cols, r, strict=False))
    v = values.get("version")
    if "version" in values and (type(v) is not int or not 1 <= v <= MAX_VERSION):
        return "field 'version' out of range"
    for name in _ROW_INSTANTS.get(table, ()):
        if name in values and not instant_ok(values[name]):
            return f"field {name!r} is not an instant in 2000-2100"
    for name in _ROW_JSON.get(table, ()):
        raw = values.get(name)
        if raw is None:
            continue
        try:
            data = json.loads(raw)
        except (TypeError, ValueError):
            return f"field {name!r} is unreadable"
        texts: list[Any] = []
        if name == "contact_attempts" and isinstance(data, list):
            texts = data
        elif name == "notices" and isinstance(data, list):
            texts = [n[1] if isinstance(n, list) and len(n) > 1 else 0 for n in data]
        elif name == "handover" and isinstance(data, dict):
            texts = [data.get("requested_at") or 0, data.get("accepted_at")]
        if any(not instant_ok(t) for t in texts):
            return f"field {name!r} holds an instant outside 2000-2100"
    return "unreadable row"


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# -- entity <-> row ------------------------------------------------------------------------
UNIT_COLS = (
    "id",
    "version",
    "name",
    "timezone",
    "activated",
    "private",
    "region",
    "care_to_care_phone",
    "opening_hours",
    "special_hours",
    "closed_dates",
    "updated_at",
)
STAFF_COLS = ("id", "version", "unit_id", "name", "title", "professions", "logged_in", "phone", "updated_at")
SHIFT_COLS = ("id", "version", "unit_id", "staff_id", "profession", "start", "end", "cancelled", "updated_at")


# fmt: off
def unit_row(u: Unit) -> tuple:
    return (u.id, u.version, u.name, u.timezone, int(u.activated), int(u.private), u.region, u.care_to_care_phone,
            dump_json({k: [list(iv) for iv in v] for k, v in u.opening_hours.items()}),
            dump_json({k: [list(iv) for iv in v] for k, v in u.special_hours.items()}),
            dump_json(sorted(d.isoformat() for d in u.closed_dates)), to_store(u.updated_at))


def staff_row(s: Staff) -> tuple:
    return (s.id, s.version, s.unit_id, s.name, s.title, dump_json(list(s.professions)), int(s.logged_in), s.phone,
            to_store(s.updated_at))


def shift_row(s: Shift) -> tuple:
    return (s.id, s.version, s.unit_id, s.staff_id, s.profession, to_store(s.start), to_store(s.end),
            int(s.cancelled), to_store(s.updated_at))
# fmt: on


def _st(value: datetime | None, _utc=UTC) -> str | None:
    """``to_store`` inlined for the ingest hot path (values are almost always UTC already)."""
    if value is None:
        return None
    if value.tzinfo is not _utc:
        value = value.astimezone(_utc)
    return value.isoformat(timespec="microseconds")


def case_row(c: Case) -> tuple:
    o = c.owner
    p = c.patient
    ho = c.handover
    st = _st
    handover = None
    if ho is not None:
        handover = dump_json(
            {
                "to_unit_id": ho.to_unit_id,
                "requested_at": st(ho.requested_at),
                "accepted_at": st(ho.accepted_at),
                "urgent": ho.urgent,
                "ticket": dict(ho.ticket) if ho.ticket is not None else None,
            }
        )
    prot = p.protected_identity
    return (
        c.id,
        c.version,
        c.unit_id,
        c.kind,
        c.priority,
        c.status,
        o.type if o else None,
        o.staff_id if o else None,
        o.profession if o else None,
        st(c.owner_since),
        c.reason,
        st(c.created_at),
        st(c.received_at),
        st(c.started_at),
        st(c.closed_at),
        c.close_reason,
        st(c.last_patient_message_at),
        st(c.last_staff_message_at),
        dump_json([st(a) for a in c.contact_attempts]) if c.contact_attempts else None,
        dump_json([[n.template_id, st(n.sent_at)] for n in c.notices]) if c.notices else None,
        handover,
        st(c.reopen_until),
        int(prot),
        p.birth_date.isoformat() if p.birth_date else None,
        None if prot else p.display_name,
        None if prot else p.personnummer,
        None if prot else p.phone,
        p.home_region,
        c.url,
        st(c.updated_at),
    )


PATIENT_IDENTITY = tuple(CASE_COLS.index(c) for c in ("patient_name", "patient_pnr", "patient_phone"))
NOT_FOR_RULES = frozenset(
    {"patient_name", "patient_pnr", "patient_phone", "patient_home_region", "url", "reopen_until"}
)
LIGHT_COLS = ", ".join(f"NULL AS {c}" if c in NOT_FOR_RULES else c for c in CASE_COLS)


def _intervals(text: str) -> dict[str, tuple[tuple[str, str], ...]]:
    return {k: tuple((a, b) for a, b in v) for k, v in json.loads(text).items()}


def _check_versioned(r: sqlite3.Row, table: str) -> None:
    """A version within 1..2^53-1 and a readable ``updated_at``, else :class:`BadRow`."""
    if not (instant_ok(r["updated_at"]) and type(r["version"]) is int and 1 <= r["version"] <= MAX_VERSION):
        raise BadRow(table)


def row_unit(r: sqlite3.Row) -> Unit:
    _check_versioned(r, "units")
    return Unit(
        id=r["id"],
        name=r["name"],
        timezone=r["timezone"],
        activated=bool(r["activated"]),
        opening_hours=_intervals(r["opening_hours"]),
        version=r["version"],
        special_hours=_intervals(r["special_hours"]),
        closed_dates=frozenset(date.fromisoformat(d) for d in json.loads(r["closed_dates"])),
        region=r["region"],
        private=bool(r["private"]),
        care_to_care_phone=r["care_to_care_phone"],
        updated_at=parse_instant(r["updated_at"]),
    )


def row_staff(r: sqlite3.Row) -> Staff:
    _check_versioned(r, "staff")
    return Staff(
        id=r["id"],
        unit_id=r["unit_id"],
        name=r["name"],
        professions=tuple(json.loads(r["professions"])),
        version=r["version"],
        title=r["title"],
        logged_in=bool(r["logged_in"]),
        phone=r["phone"],
        updated_at=parse_instant(r["updated_at"]),
    )


def row_shift(r: Sequence, _lo=INSTANT_LO, _hi=INSTANT_HI) -> Shift:
    v, start, end, updated = r[1], r[5], r[6], r[8]
    if not (
        type(v) is int
        and 0 < v <= MAX_VERSION
        and _lo <= start < _hi
        and _lo <= end < _hi
        and (updated is None or _lo <= updated < _hi)
    ):
        raise BadRow("shifts")
    return Shift(
        id=r[0],
        version=r[1],
        unit_id=r[2],
        staff_id=r[3],
        profession=r[4],
        start=parse_instant(r[5]),
        end=parse_instant(r[6]),
        cancelled=bool(r[7]),
        updated_at=parse_instant(r[8]),
    )


def row_case(r: Sequence, _fi=datetime.fromisoformat, _loads=json.loads, _lo=INSTANT_LO, _hi=INSTANT_HI) -> Case:
    (
        cid,
        version,
        unit_id,
        kind,
        priority,
        status,
        otype,
        ostaff,
        oprof,
        osince,
        reason,
        created,
        received,
        started,
        closed,
        close_reason,
        lpm,
        lsm,
        attempts,
        notices,
        handover,
        reopen,
        prot,
        bdate,
        pname,
        ppnr,
        pphone,
        pregion,
        url,
        updated,
    ) = r
    # what an older version may have stored that nothing later can work with (a TypeError for a
    # value of the wrong type is as good: the caller skips the row either way)
    if not (
        type(version) is int
        and 0 < version <= MAX_VERSION
        and _lo <= created < _hi
        and _lo <= updated < _hi
        and (osince is None or _lo <= osince < _hi)
        and (received is None or _lo <= received < _hi)
        and (started is None or _lo <= started < _hi)
        and (closed is None or _lo <= closed < _hi)
        and (lpm is None or _lo <= lpm < _hi)
        and (lsm is None or _lo <= lsm < _hi)
        and (reopen is None or _lo <= reopen < _hi)
    ):
        raise BadRow("cases")
    owner = None
    if otype == "person":
        owner = Owner("person", ostaff)
    elif otype == "role":
        owner = Owner("role", None, oprof)
    ho = None
    if handover:
        h = _loads(handover)
        acc = h.get("accepted_at")
        if not (_lo <= h["requested_at"] < _hi and (not acc or _lo <= acc < _hi)):
            raise BadRow("cases")
        ho = Handover(
            h["to_unit_id"], _fi(h["requested_at"]), _fi(acc) if acc else None, bool(h.get("urgent")), h.get("ticket")
        )
    att: tuple = ()
    if attempts:
        raw = _loads(attempts)
        if not all(_lo <= a < _hi for a in raw):
            raise BadRow("cases")
        att = tuple(_fi(a) for a in raw)
    sent: tuple = ()
    if notices:
        raw = _loads(notices)
        if not all(_lo <= n[1] < _hi for n in raw):
            raise BadRow("cases")
        sent = tuple(Notice(n[0], _fi(n[1])) for n in raw)
    return Case(
        cid,
        unit_id,
        kind,
        priority,
        status,
        owner,
        _fi(created),
        Patient(bool(prot), date.fromisoformat(bdate) if bdate else None, pname, ppnr, pphone, pregion),
        version,
        _fi(updated),
        _fi(osince) if osince else None,
        reason,
        _fi(received) if received else None,
        _fi(started) if started else None,
        _fi(closed) if closed else None,
        close_reason,
        _fi(lpm) if lpm else None,
        _fi(lsm) if lsm else None,
        att,
        sent,
        ho,
        _fi(reopen) if reopen else None,
        url,
    )


def _upsert_sql(table: str, cols: Sequence[str]) -> str:
    quoted = [f'"{c}"' for c in cols]
    updates = ", ".join(f"{q} = excluded.{q}" for q in quoted[1:])
    return (
        f"INSERT INTO {table} ({', '.join(quoted)}) VALUES ({', '.join('?' * len(cols))}) "
        f"ON CONFLICT(id) DO UPDATE SET {updates} WHERE excluded.version > {table}.version"
    )


UPSERT = {
    "units": _upsert_sql("units", UNIT_COLS),
    "staff": _upsert_sql("staff", STAFF_COLS),
    "shifts": _upsert_sql("shifts", SHIFT_COLS),
    "cases": _upsert_sql("cases", CASE_COLS),
}
TO_ROW: dict[str, Callable[[Any], tuple]] = {
    "units": unit_row,
    "staff": staff_row,
    "shifts": shift_row,
    "cases": case_row,
}


@dataclass(frozen=True)
class SyncHealth:
    data_as_of: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    failing_since: datetime | None
    clock_skew_seconds: float | None = None  # the platform's clock minus ours at the last success


@dataclass(frozen=True)
class Quarantined:
    feed: str
    item_id: str | None
    reason: str
    payload: Any
