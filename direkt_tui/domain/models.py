"""The entities of the platform API (openapi.yaml), as plain immutable values.

Parsing from the API's JSON lives here too (``*.from_api``): it is pure and raises
:class:`ValidationError` with a short reason for an item that does not fit the contract, so
that the sync can quarantine it and go on.
"""

from __future__ import annotations

import re
from json import dumps as _json_dumps
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from .timeutil import UTC

PROFESSIONS: tuple[str, ...] = (
    "nurse",
    "doctor",
    "assistant_nurse",
    "physiotherapist",
    "occupational_therapist",
    "psychologist",
    "counsellor",
    "dietitian",
    "medical_admin",
    "admin_contact",
)
NON_CLINICAL: frozenset[str] = frozenset({"medical_admin", "admin_contact"})
CLINICAL: frozenset[str] = frozenset(PROFESSIONS) - NON_CLINICAL

OPEN_STATUSES: frozenset[str] = frozenset({"waiting", "received", "started"})
ACTIVE_STATUSES: frozenset[str] = frozenset({"received", "started"})
STATUSES: frozenset[str] = OPEN_STATUSES | {"closed"}
CLOSE_REASONS: frozenset[str] = frozenset(
    {"resolved", "no_response", "handed_over", "moved", "ticket_sent"}
)
_HHMM = re.compile(r"^[0-2][0-9]:[0-5][0-9]$")


class ValidationError(ValueError):
    """An API item that does not satisfy the contract. The message names the field and the
    problem, never the value (a personal identity number sent in the wrong field must not end
    up in a log or the quarantine table); ``field`` is the field's path (``created_at``,
    ``handover.requested_at``, ``notices[2].sent_at``) or None."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# -- what is accepted at ingest (issue 10 §3) ------------------------------------------------
# Instants: nothing the platform records is from before 2000 or from 2100 on (an absolute
# window, so that no later arithmetic can overflow), and an instant that records something that
# happened (created_at, updated_at, a message, a notice, …) is at most FUTURE_SLACK after the
# server's time; a planned one (a shift's start and end, reopen_until, a ticket's valid_until)
# at most PLANNED_HORIZON after it. The engine builds the window from each page's time
# (``IngestWindow.around``); without one only the absolute window applies.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)
PLANNED_HORIZON = timedelta(days=400)
EARLIEST_BIRTH = date(1870, 1, 1)
MAX_VERSION = 2**53 - 1  # versions 1 … 2^53-1 (exact in a double, fits SQLite's INTEGER)
MAX_ID_LEN = 200  # ids of cases, units, staff, shifts, templates
MAX_NAME_LEN = 500  # names, titles, phone numbers, personal identity numbers, regions, zones
MAX_TEXT_LEN = 10_000  # a case's reason and URL, a template's text
MAX_LIST_LEN = 1000  # contact attempts, notices, professions, dates and intervals of a unit
MAX_TICKET_LEN = 4096  # a handover ticket, as JSON
# a difference between the platform's clock and ours larger than this is shown (header, log);
# the report always carries it (report.md: clock_skew_seconds)
CLOCK_SKEW_SHOWN_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class IngestWindow:
    """The instants accepted at ingest: ``lo`` ≤ t ≤ ``hi`` for what happened, ≤ ``planned``
    for what is planned."""

    lo: datetime
    hi: datetime
    planned: datetime
    last_birth: date  # the latest birth date: hi's date

    @classmethod
    def around(cls, reference: datetime) -> "IngestWindow":
        """The window for data sent at ``reference`` (the server's time of the page)."""
        ref = min(max(reference.astimezone(UTC), EARLIEST), LATEST)
        hi = min(ref + FUTURE_SLACK, LATEST)
        return cls(EARLIEST, hi, min(ref + PLANNED_HORIZON, LATEST), hi.date())


ABSOLUTE_WINDOW = IngestWindow(EARLIEST, LATEST, LATEST, LATEST.date())


def sane_instant(t: datetime | None) -> bool:
    """Within the absolute window (what every reader may rely on)."""
    return t is not None and EARLIEST <= t < LATEST


def _bad(key: str, problem: str) -> ValidationError:
    return ValidationError(f"field {key!r}: {problem}", key)


def _req(d: Mapping[str, Any], key: str, kind: type | tuple[type, ...], limit: int | None = None,
         path: str | None = None) -> Any:
    name = path or key
    if key not in d:
        raise ValidationError(f"missing field {name!r}", name)
    value = d[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValidationError(f"field {name!r} has the wrong type", name)
    if limit is not None:
        _check_len(value, name, limit)
    return value


def _opt(d: Mapping[str, Any], key: str, kind: type | tuple[type, ...], default: Any = None,
         limit: int | None = None, path: str | None = None) -> Any:
    value = d.get(key, default)
    if value is None:
        return default
    name = path or key
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValidationError(f"field {name!r} has the wrong type", name)
    if limit is not None:
        _check_len(value, name, limit)
    return value


def _check_len(value: Any, name: str, limit: int) -> None:
    if len(value) > limit:
        raise _bad(name, f"longer than {limit}")


def _id(d: Mapping[str, Any], key: str, path: str | None = None) -> str:
    value = _req(d, key, str, MAX_ID_LEN, path)
    if not value:
        raise _bad(path or key, "empty id")
    return value


_fromiso = datetime.fromisoformat


def _instant(d: Mapping[str, Any], key: str, required: bool = False, window: IngestWindow = ABSOLUTE_WINDOW,
             planned: bool = False, path: str | None = None) -> datetime | None:
    """An RFC 3339 instant (UTC), within ``window``; the error names the field, not the value."""
    name = path or key
    value = d.get(key)
    if value is None:
        if required:
            raise ValidationError(f"missing field {name!r}", name)
        return None
    if type(value) is str:  # RFC 3339 text (Python 3.11 reads "Z" itself)
        try:
            t = _fromiso(value)
        except ValueError:
            raise _bad(name, "not an RFC 3339 instant") from None
    elif isinstance(value, datetime):
        t = value
    else:
        raise _bad(name, "not an RFC 3339 instant")
    tz = t.tzinfo
    if tz is None or t.utcoffset() is None:
        raise _bad(name, "instant without offset")
    if tz is not UTC:
        try:
            t = t.astimezone(UTC)
        except OverflowError:
            t = None  # type: ignore[assignment]
    hi = window.planned if planned else window.hi
    if t is None or not window.lo <= t <= hi or t >= LATEST:
        raise _bad(name, "instant out of range (before 2000-01-01 or more than "
                         + ("400 days" if planned else "2 days") + " after the server's time)")
    return t


def _version(d: Mapping[str, Any]) -> int:
    if "version" not in d:
        raise ValidationError("missing field 'version'", "version")
    v = d["version"]
    if type(v) is not int or not 1 <= v <= MAX_VERSION:
        raise ValidationError("field 'version' must be an integer 1 … 2^53-1", "version")
    return v


def _profession(value: Any, key: str = "profession") -> str:
    if type(value) is not str or value not in PROFESSIONS:
        raise _bad(key, "unknown profession")
    return value


def _day(value: Any, where: str) -> date:
    if type(value) is not str or len(value) != 10:
        raise _bad(where, "not a date")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _bad(where, "not a date") from None
    if not EARLIEST.date() <= day < LATEST.date():
        raise _bad(where, "date out of range")
    return day


def _hours_list(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or len(value) > MAX_LIST_LEN:
        raise _bad(where, "expected a list of intervals")
    out = []
    for item in value:
        if not isinstance(item, Mapping):
            raise _bad(where, "interval is not an object")
        o, c = item.get("open"), item.get("close")
        if not (isinstance(o, str) and isinstance(c, str) and _HHMM.match(o) and _HHMM.match(c)):
            raise _bad(where, "bad interval (HH:MM expected)")
        if not (o < c) or o > "24:00" or c > "24:00":
            raise _bad(where, "close must be after open")
        out.append((o, c))
    return tuple(out)


@dataclass(slots=True)
class Unit:
    id: str
    name: str
    timezone: str
    activated: bool
    opening_hours: Mapping[str, tuple[tuple[str, str], ...]]  # ISO weekday "1".."7"
    version: int
    special_hours: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    closed_dates: frozenset[date] = frozenset()
    region: str | None = None
    private: bool = False
    care_to_care_phone: str | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> "Unit":
        if not isinstance(d, Mapping):
            raise ValidationError("unit is not an object")
        uid = _id(d, "id")
        tz = _req(d, "timezone", str, MAX_NAME_LEN)
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(tz)
        except Exception as exc:  # noqa: BLE001 - any failure means an unknown zone
            raise _bad("timezone", "unknown time zone") from exc
        oh_raw = _req(d, "opening_hours", Mapping)
        opening = {}
        for day, intervals in oh_raw.items():
            if day not in {"1", "2", "3", "4", "5", "6", "7"}:
                raise _bad("opening_hours", "bad weekday (1-7 expected)")
            opening[day] = _hours_list(intervals, f"opening_hours[{day}]")
        special = {}
        special_raw = _opt(d, "special_hours", Mapping, {}) or {}
        if len(special_raw) > MAX_LIST_LEN:
            raise _bad("special_hours", f"more than {MAX_LIST_LEN} dates")
        for day, intervals in special_raw.items():
            _day(day, "special_hours")
            special[day] = _hours_list(intervals, "special_hours")
        closed = set()
        closed_raw = _opt(d, "closed_dates", list, [], MAX_LIST_LEN) or []
        for day in closed_raw:
            closed.add(_day(day, "closed_dates"))
        return cls(
            id=uid,
            name=_req(d, "name", str, MAX_NAME_LEN),
            timezone=tz,
            activated=_req(d, "activated", bool),
            opening_hours=opening,
            version=_version(d),
            special_hours=special,
            closed_dates=frozenset(closed),
            region=_opt(d, "region", str, limit=MAX_NAME_LEN),
            private=bool(_opt(d, "private", bool, False)),
            care_to_care_phone=_opt(d, "care_to_care_phone", str, limit=MAX_NAME_LEN),
            updated_at=_instant(d, "updated_at", window=window),
        )


@dataclass(slots=True)
class Staff:
    id: str
    unit_id: str
    name: str
    professions: tuple[str, ...]
    version: int
    title: str | None = None
    logged_in: bool = False
    phone: str | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> "Staff":
        if not isinstance(d, Mapping):
            raise ValidationError("staff is not an object")
        profs = _req(d, "professions", list, MAX_LIST_LEN)
        return cls(
            id=_id(d, "id"),
            unit_id=_id(d, "unit_id"),
            name=_req(d, "name", str, MAX_NAME_LEN),
            professions=tuple(_profession(p, "professions") for p in profs),
            version=_version(d),
            title=_opt(d, "title", str, limit=MAX_NAME_LEN),
            logged_in=bool(_opt(d, "logged_in", bool, False)),
            phone=_opt(d, "phone", str, limit=MAX_NAME_LEN),
            updated_at=_instant(d, "updated_at", window=window),
        )


@dataclass(slots=True)
class Shift:
    id: str
    unit_id: str
    staff_id: str
    profession: str
    start: datetime
    end: datetime
    version: int
    cancelled: bool = False
    updated_at: datetime | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> "Shift":
        if not isinstance(d, Mapping):
            raise ValidationError("shift is not an object")
        start = _instant(d, "start", required=True, window=window, planned=True)
        end = _instant(d, "end", required=True, window=window, planned=True)
        assert start is not None and end is not None
        if end <= start:
            raise ValidationError("shift ends before it starts", "end")
        return cls(
            id=_id(d, "id"),
            unit_id=_id(d, "unit_id"),
            staff_id=_id(d, "staff_id"),
            profession=_profession(d.get("profession")),
            start=start,
            end=end,
            version=_version(d),
            cancelled=bool(_opt(d, "cancelled", bool, False)),
            updated_at=_instant(d, "updated_at", window=window),
        )


@dataclass(slots=True)
class Owner:
    type: str  # "person" | "role"
    staff_id: str | None = None
    profession: str | None = None

    @classmethod
    def from_api(cls, d: Any) -> "Owner | None":
        if d is None:
            return None
        if not isinstance(d, Mapping):
            raise ValidationError("owner is not an object", "owner")
        kind = d.get("type")
        if kind == "person":
            sid = d.get("staff_id")
            if not isinstance(sid, str):
                raise ValidationError("owner: person without staff_id", "owner.staff_id")
            _check_len(sid, "owner.staff_id", MAX_ID_LEN)
            return cls("person", staff_id=sid)
        if kind == "role":
            return cls("role", profession=_profession(d.get("profession"), "owner.profession"))
        raise ValidationError("field 'owner.type': unknown owner type", "owner.type")

    def to_api(self) -> dict[str, str]:
        if self.type == "person":
            return {"type": "person", "staff_id": self.staff_id or ""}
        return {"type": "role", "profession": self.profession or ""}


@dataclass(slots=True)
class Patient:
    """The patient of a case. For protected identity the store keeps no name, number or phone."""

    protected_identity: bool
    birth_date: date | None
    display_name: str | None = None
    personnummer: str | None = None
    phone: str | None = None
    home_region: str | None = None

    @classmethod
    def from_api(cls, d: Any, window: IngestWindow = ABSOLUTE_WINDOW) -> "Patient":
        if not isinstance(d, Mapping):
            raise ValidationError("patient is not an object", "patient")
        prot = _req(d, "protected_identity", bool, path="patient.protected_identity")
        bd_raw = _req(d, "birth_date", str, path="patient.birth_date")
        try:
            bd = date.fromisoformat(bd_raw) if len(bd_raw) == 10 else None
        except ValueError:
            bd = None
        if bd is None:
            raise _bad("patient.birth_date", "not a date")
        if not EARLIEST_BIRTH <= bd <= window.last_birth:
            raise _bad("patient.birth_date", "date out of range")
        _req(d, "display_name", str, MAX_NAME_LEN, "patient.display_name")
        _req(d, "personnummer", str, MAX_NAME_LEN, "patient.personnummer")
        region = _opt(d, "home_region", str, limit=MAX_NAME_LEN, path="patient.home_region")
        phone = _opt(d, "phone", str, limit=MAX_NAME_LEN, path="patient.phone")
        if prot:
            # Skyddad identitet: never keep name, number or phone (field notes, §6.3).
            return cls(True, bd, home_region=region)
        return cls(False, bd, display_name=d.get("display_name"), personnummer=d.get("personnummer"), phone=phone,
                   home_region=region)


@dataclass(slots=True)
class Handover:
    to_unit_id: str
    requested_at: datetime
    accepted_at: datetime | None = None
    urgent: bool = False
    ticket: Mapping[str, Any] | None = None

    @classmethod
    def from_api(cls, d: Any, window: IngestWindow = ABSOLUTE_WINDOW) -> "Handover | None":
        if d is None:
            return None
        if not isinstance(d, Mapping):
            raise ValidationError("handover is not an object", "handover")
        req = _instant(d, "requested_at", required=True, window=window, path="handover.requested_at")
        assert req is not None
        ticket = _opt(d, "ticket", Mapping, path="handover.ticket")
        if ticket is not None:
            try:
                size = len(_json_dumps(ticket))
            except (TypeError, ValueError):
                raise _bad("handover.ticket", "not JSON") from None
            if size > MAX_TICKET_LEN:
                raise _bad("handover.ticket", f"longer than {MAX_TICKET_LEN}")
            if ticket.get("valid_until") is not None:
                _instant(ticket, "valid_until", window=window, planned=True, path="handover.ticket.valid_until")
        return cls(
            to_unit_id=_id(d, "to_unit_id", "handover.to_unit_id"),
            requested_at=req,
            accepted_at=_instant(d, "accepted_at", window=window, path="handover.accepted_at"),
            urgent=bool(_opt(d, "urgent", bool, False, path="handover.urgent")),
            ticket=ticket,
        )


@dataclass(slots=True)
class Notice:
    template_id: str
    sent_at: datetime


@dataclass(slots=True)
class Case:
    id: str
    unit_id: str
    kind: str  # "care" | "admin"
    priority: int | None
    status: str
    owner: Owner | None
    created_at: datetime
    patient: Patient
    version: int
    updated_at: datetime
    owner_since: datetime | None = None
    reason: str | None = None
    received_at: datetime | None = None
    started_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None
    last_patient_message_at: datetime | None = None
    last_staff_message_at: datetime | None = None
    contact_attempts: tuple[datetime, ...] = ()
    notices: tuple[Notice, ...] = ()
    handover: Handover | None = None
    reopen_until: datetime | None = None
    url: str | None = None

    # -- derived -------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        """Open (domain.md §2): waiting/received/started and not accepted by another unit."""
        if self.status not in OPEN_STATUSES:
            return False
        return not (self.handover is not None and self.handover.accepted_at is not None)

    @property
    def is_active(self) -> bool:
        return self.is_open and self.status in ACTIVE_STATUSES

    @property
    def patient_awaits_reply(self) -> bool:
        lp = self.last_patient_message_at
        if lp is None:
            return False
        ls = self.last_staff_message_at
        return ls is None or lp > ls

    @property
    def priority_key(self) -> str:
        """``"1"``…``"5"`` or ``"admin"`` (the keys of response limits and load)."""
        return "admin" if self.priority is None else str(self.priority)

    @classmethod
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> "Case":
        """Parse and validate an API case. The common, well-formed case takes an inline fast
        path; anything unusual goes through the strict validator, which names the problem."""
        try:
            fast = _case_fast(d, window)
        except Exception:  # noqa: BLE001 - any surprise: let the strict path say what is wrong
            fast = None
        return fast if fast is not None else cls._from_api_strict(d, window)

    @classmethod
    def _from_api_strict(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> "Case":
        if not isinstance(d, Mapping):
            raise ValidationError("case is not an object")
        cid = _id(d, "id")
        unit_id = _id(d, "unit_id")
        version = _version(d)
        kind = _req(d, "kind", str)
        if kind not in ("care", "admin"):
            raise _bad("kind", "unknown kind")
        if "priority" not in d:
            raise ValidationError("missing field 'priority'", "priority")
        prio = d["priority"]
        if kind == "admin":
            if prio is not None:
                raise ValidationError("admin case with a priority", "priority")
        elif not (isinstance(prio, int) and not isinstance(prio, bool) and 1 <= prio <= 5):
            raise ValidationError("care case without a priority 1-5", "priority")
        status = _req(d, "status", str)
        if status not in STATUSES:
            raise _bad("status", "unknown status")
        if "owner" not in d:
            raise ValidationError("missing field 'owner'", "owner")
        close_reason = d.get("close_reason")
        if close_reason is not None and (not isinstance(close_reason, str) or close_reason not in CLOSE_REASONS):
            raise _bad("close_reason", "unknown close reason")
        attempts = []
        raw_attempts = d.get("contact_attempts")
        if raw_attempts:
            if not isinstance(raw_attempts, list):
                raise ValidationError("field 'contact_attempts' has the wrong type", "contact_attempts")
            if len(raw_attempts) > MAX_LIST_LEN:
                raise _bad("contact_attempts", f"more than {MAX_LIST_LEN} entries")
            for i, a in enumerate(raw_attempts):
                attempts.append(_instant({"a": a}, "a", True, window, path=f"contact_attempts[{i}]"))
        notices = []
        raw_notices = _opt(d, "notices", list, [], MAX_LIST_LEN) or []
        for i, n in enumerate(raw_notices):
            if not isinstance(n, Mapping):
                raise ValidationError(f"notices[{i}] is not an object", f"notices[{i}]")
            sent = _instant(n, "sent_at", True, window, path=f"notices[{i}].sent_at")
            assert sent is not None
            notices.append(Notice(_id(n, "template_id", f"notices[{i}].template_id"), sent))
        created = _instant(d, "created_at", True, window)
        updated = _instant(d, "updated_at", True, window)
        assert created is not None and updated is not None
        return cls(
            id=cid,
            unit_id=unit_id,
            kind=kind,
            priority=prio,
            status=status,
            owner=Owner.from_api(d["owner"]),
            created_at=created,
            patient=Patient.from_api(d.get("patient"), window),
            version=version,
            updated_at=updated,
            owner_since=_instant(d, "owner_since", window=window),
            reason=_opt(d, "reason", str, limit=MAX_TEXT_LEN),
            received_at=_instant(d, "received_at", window=window),
            started_at=_instant(d, "started_at", window=window),
            closed_at=_instant(d, "closed_at", window=window),
            close_reason=close_reason,
            last_patient_message_at=_instant(d, "last_patient_message_at", window=window),
            last_staff_message_at=_instant(d, "last_staff_message_at", window=window),
            contact_attempts=tuple(sorted(a for a in attempts if a is not None)),
            notices=tuple(sorted(notices, key=lambda n: n.sent_at)),
            handover=Handover.from_api(d.get("handover"), window),
            reopen_until=_instant(d, "reopen_until", window=window, planned=True),
            url=_opt(d, "url", str, limit=MAX_TEXT_LEN),
        )


def _utc(value: Any) -> datetime:
    """A required RFC 3339 instant in UTC; raises on anything else (the fast path's check)."""
    t = _fromiso(value)  # TypeError for a non-string, ValueError for bad text
    tz = t.tzinfo
    if tz is UTC:
        return t
    if tz is None:
        raise ValueError("no offset")
    return t.astimezone(UTC)  # OverflowError near year 1 or 9999: the strict path says so


def _utc_opt(value: Any) -> datetime | None:
    return None if value is None else _utc(value)


_BIRTH = date.fromisoformat


def _case_fast(d: Any, window: IngestWindow = ABSOLUTE_WINDOW) -> "Case | None":
    """The fast path of ``Case.from_api``: the same checks as the strict path, inline. Returns
    None (or raises) for anything it does not accept, and the strict path decides."""
    if type(d) is not dict:
        return None
    kind = d["kind"]
    prio = d["priority"]
    if kind == "care":
        if type(prio) is not int or not 1 <= prio <= 5:
            return None
    elif kind != "admin" or prio is not None:
        return None
    status = d["status"]
    version = d["version"]
    cid, unit_id = d["id"], d["unit_id"]
    if (status not in STATUSES or type(version) is not int or not 0 < version <= MAX_VERSION
            or type(cid) is not str or type(unit_id) is not str
            or not 0 < len(cid) <= MAX_ID_LEN or not 0 < len(unit_id) <= MAX_ID_LEN):
        return None
    owner_d = d["owner"]
    if owner_d is None:
        owner = None
    elif (type(owner_d) is dict and owner_d.get("type") == "person" and type(sid := owner_d.get("staff_id")) is str
          and 0 < len(sid) <= MAX_ID_LEN):
        owner = Owner("person", sid)
    elif type(owner_d) is dict and owner_d.get("type") == "role" and owner_d.get("profession") in PROFESSIONS:
        owner = Owner("role", None, owner_d["profession"])
    else:
        return None
    close_reason = d.get("close_reason")
    if close_reason is not None and (type(close_reason) is not str or close_reason not in CLOSE_REASONS):
        return None
    lo, hi = window.lo, window.hi
    p = d["patient"]
    if (type(p) is not dict or type(p["protected_identity"]) is not bool or type(name := p["display_name"]) is not str
            or type(pnr := p["personnummer"]) is not str or type(p["birth_date"]) is not str
            or len(name) > MAX_NAME_LEN or len(pnr) > MAX_NAME_LEN):
        return None
    phone, region = p.get("phone"), p.get("home_region")
    if ((phone is not None and (type(phone) is not str or len(phone) > MAX_NAME_LEN))
            or (region is not None and (type(region) is not str or len(region) > MAX_NAME_LEN))):
        return None
    born = _BIRTH(p["birth_date"])
    if not EARLIEST_BIRTH <= born <= window.last_birth or len(p["birth_date"]) != 10:
        return None
    if p["protected_identity"]:
        patient = Patient(True, born, home_region=region)
    else:
        patient = Patient(False, born, name, pnr, phone, region)
    attempts_raw = d.get("contact_attempts")
    if attempts_raw:
        if type(attempts_raw) is not list or len(attempts_raw) > MAX_LIST_LEN:
            return None
        attempts = tuple(sorted(_utc(a) for a in attempts_raw))
        if not (lo <= attempts[0] and attempts[-1] <= hi):
            return None
    else:
        attempts = ()
    notices_raw = d.get("notices")
    if notices_raw:
        if type(notices_raw) is not list or len(notices_raw) > MAX_LIST_LEN:
            return None
        notices = []
        for n in notices_raw:
            if type(n) is not dict or type(tid := n["template_id"]) is not str or not 0 < len(tid) <= MAX_ID_LEN:
                return None
            sent = _utc(n["sent_at"])
            if not lo <= sent <= hi:
                return None
            notices.append(Notice(tid, sent))
        notices.sort(key=lambda n: n.sent_at)
        notices_t = tuple(notices)
    else:
        notices_t = ()
    ho = d.get("handover")
    handover = None if ho is None else Handover.from_api(ho, window)
    reason, url = d.get("reason"), d.get("url")
    if ((reason is not None and (type(reason) is not str or len(reason) > MAX_TEXT_LEN))
            or (url is not None and (type(url) is not str or len(url) > MAX_TEXT_LEN))):
        return None
    created, updated = _utc(d["created_at"]), _utc(d["updated_at"])
    owner_since, received, started = _utc_opt(d.get("owner_since")), _utc_opt(d.get("received_at")), \
        _utc_opt(d.get("started_at"))
    closed, lpm, lsm = _utc_opt(d.get("closed_at")), _utc_opt(d.get("last_patient_message_at")), \
        _utc_opt(d.get("last_staff_message_at"))
    reopen = _utc_opt(d.get("reopen_until"))
    if not (lo <= created <= hi and lo <= updated <= hi
            and (owner_since is None or lo <= owner_since <= hi) and (received is None or lo <= received <= hi)
            and (started is None or lo <= started <= hi) and (closed is None or lo <= closed <= hi)
            and (lpm is None or lo <= lpm <= hi) and (lsm is None or lo <= lsm <= hi)
            and (reopen is None or lo <= reopen <= window.planned)):
        return None
    return Case(
        cid, unit_id, kind, prio, status, owner, created, patient, version, updated, owner_since, reason,
        received, started, closed, close_reason, lpm, lsm, attempts, notices_t, handover, reopen, url,
    )


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    title: str
    text: str
    scope: str | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> "Template":
        if not isinstance(d, Mapping):
            raise ValidationError("template is not an object")
        return cls(_id(d, "id"), _req(d, "title", str, MAX_NAME_LEN), _req(d, "text", str, MAX_TEXT_LEN),
                   _opt(d, "scope", str, limit=MAX_NAME_LEN))


@dataclass(frozen=True, slots=True)
class Coordinator:
    unit_id: str
    staff_id: str | None
    since: datetime | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> "Coordinator":
        if not isinstance(d, Mapping):
            raise ValidationError("coordinator is not an object")
        if "staff_id" not in d:
            raise ValidationError("missing field 'staff_id'", "staff_id")
        sid = _opt(d, "staff_id", str, limit=MAX_ID_LEN)
        return cls(_id(d, "unit_id"), sid, _instant(d, "since", window=window))


@dataclass(frozen=True, slots=True)
class Capabilities:
    reassign_person_held: bool = False
    max_page_size: int | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> "Capabilities":
        if not isinstance(d, Mapping):
            raise ValidationError("capabilities is not an object")
        size = _opt(d, "max_page_size", int)
        if size is not None and not 1 <= size <= MAX_VERSION:
            raise _bad("max_page_size", "out of range")
        return cls(_req(d, "reassign_person_held", bool), size)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the rule engine looks at, as read from the store at one moment.

    ``cases`` holds the open cases plus the recently closed ones that ``premature_close``
    needs; ``data_as_of`` is the platform's time at the newest successful sync, never later than
    the application's clock then (or None).
    """

    units: tuple[Unit, ...]
    staff: Mapping[str, Staff]
    shifts: tuple[Shift, ...]
    cases: tuple[Case, ...]
    coordinators: Mapping[str, Coordinator]
    capabilities: Capabilities = Capabilities()
    templates: tuple[Template, ...] = ()
    data_as_of: datetime | None = None
    # (unit_id, staff_id) -> ((start, end), …) of non-cancelled shifts in the long-absence
    # window, as fixed-width UTC text (``timeutil.to_store``): whether someone has worked or
    # will work lately, without building a shift object for each. None: use ``shifts``.
    shift_spans: Mapping[tuple[str, str], tuple[tuple[str, str], ...]] | None = None
    # the platform's clock minus ours at the newest successful sync, seconds (None: unknown)
    clock_skew_seconds: float | None = None


def mask_personnummer(pnr: str | None) -> str:
    """``19121212-1212`` → ``19121212-****`` (never the last four digits)."""
    if not pnr:
        return "–"
    digits = pnr.replace("-", "").replace("+", "")
    if len(digits) >= 8:
        return f"{digits[:8]}-****"
    return "****"
