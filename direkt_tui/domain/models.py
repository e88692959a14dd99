"""The entities of the platform API (openapi.yaml), as plain immutable values.

Parsing from the API's JSON lives here too (``*.from_api``): it is pure and raises
:class:`ValidationError` with a short reason for an item that does not fit the contract, so
that the sync can quarantine it and go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Mapping

from .timeutil import UTC, InvalidInstant, parse_instant

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
    """An API item that does not satisfy the contract."""


def _req(d: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in d:
        raise ValidationError(f"missing field {key!r}")
    value = d[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValidationError(f"field {key!r} has the wrong type")
    return value


def _opt(d: Mapping[str, Any], key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
    value = d.get(key, default)
    if value is None:
        return default
    if not isinstance(value, kind):
        raise ValidationError(f"field {key!r} has the wrong type")
    return value


_fromiso = datetime.fromisoformat


def _instant(d: Mapping[str, Any], key: str, required: bool = False) -> datetime | None:
    value = d.get(key)
    if value is None:
        if required:
            raise ValidationError(f"missing field {key!r}")
        return None
    if type(value) is str:  # the hot path: RFC 3339 text (Python 3.11 reads "Z" itself)
        try:
            t = _fromiso(value)
        except ValueError:
            raise ValidationError(f"field {key!r}: not an RFC 3339 instant: {value!r}") from None
        tz = t.tzinfo
        if tz is UTC:
            return t
        if tz is None:
            raise ValidationError(f"field {key!r}: instant without offset: {value!r}")
        return t.astimezone(UTC)
    try:
        return parse_instant(value)
    except InvalidInstant as exc:
        raise ValidationError(f"field {key!r}: {exc}") from exc


def _version(d: Mapping[str, Any]) -> int:
    v = _req(d, "version", int)
    if isinstance(v, bool) or v < 1:
        raise ValidationError("field 'version' must be an integer >= 1")
    return v


def _profession(value: Any, key: str = "profession") -> str:
    if value not in PROFESSIONS:
        raise ValidationError(f"field {key!r}: unknown profession {value!r}")
    return value


def _hours_list(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise ValidationError(f"{where}: expected a list of intervals")
    out = []
    for item in value:
        if not isinstance(item, Mapping):
            raise ValidationError(f"{where}: interval is not an object")
        o, c = item.get("open"), item.get("close")
        if not (isinstance(o, str) and isinstance(c, str) and _HHMM.match(o) and _HHMM.match(c)):
            raise ValidationError(f"{where}: bad interval {item!r}")
        if not (o < c) or o > "24:00" or c > "24:00":
            raise ValidationError(f"{where}: close must be after open in {item!r}")
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
    def from_api(cls, d: Mapping[str, Any]) -> "Unit":
        if not isinstance(d, Mapping):
            raise ValidationError("unit is not an object")
        uid = _req(d, "id", str)
        tz = _req(d, "timezone", str)
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(tz)
        except Exception as exc:  # noqa: BLE001 - any failure means an unknown zone
            raise ValidationError(f"unknown timezone {tz!r}") from exc
        oh_raw = _req(d, "opening_hours", Mapping)
        opening = {}
        for day, intervals in oh_raw.items():
            if day not in {"1", "2", "3", "4", "5", "6", "7"}:
                raise ValidationError(f"opening_hours: bad weekday {day!r}")
            opening[day] = _hours_list(intervals, f"opening_hours[{day}]")
        special = {}
        for day, intervals in (_opt(d, "special_hours", Mapping, {}) or {}).items():
            try:
                date.fromisoformat(day)
            except (TypeError, ValueError) as exc:
                raise ValidationError(f"special_hours: bad date {day!r}") from exc
            special[day] = _hours_list(intervals, f"special_hours[{day}]")
        closed = set()
        for day in _opt(d, "closed_dates", list, []) or []:
            try:
                closed.add(date.fromisoformat(day))
            except (TypeError, ValueError) as exc:
                raise ValidationError(f"closed_dates: bad date {day!r}") from exc
        return cls(
            id=uid,
            name=_req(d, "name", str),
            timezone=tz,
            activated=_req(d, "activated", bool),
            opening_hours=opening,
            version=_version(d),
            special_hours=special,
            closed_dates=frozenset(closed),
            region=_opt(d, "region", str),
            private=bool(_opt(d, "private", bool, False)),
            care_to_care_phone=_opt(d, "care_to_care_phone", str),
            updated_at=_instant(d, "updated_at"),
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
    def from_api(cls, d: Mapping[str, Any]) -> "Staff":
        if not isinstance(d, Mapping):
            raise ValidationError("staff is not an object")
        profs = _req(d, "professions", list)
        return cls(
            id=_req(d, "id", str),
            unit_id=_req(d, "unit_id", str),
            name=_req(d, "name", str),
            professions=tuple(_profession(p, "professions") for p in profs),
            version=_version(d),
            title=_opt(d, "title", str),
            logged_in=bool(_opt(d, "logged_in", bool, False)),
            phone=_opt(d, "phone", str),
            updated_at=_instant(d, "updated_at"),
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
    def from_api(cls, d: Mapping[str, Any]) -> "Shift":
        if not isinstance(d, Mapping):
            raise ValidationError("shift is not an object")
        start = _instant(d, "start", required=True)
        end = _instant(d, "end", required=True)
        assert start is not None and end is not None
        if end <= start:
            raise ValidationError("shift ends before it starts")
        return cls(
            id=_req(d, "id", str),
            unit_id=_req(d, "unit_id", str),
            staff_id=_req(d, "staff_id", str),
            profession=_profession(d.get("profession")),
            start=start,
            end=end,
            version=_version(d),
            cancelled=bool(_opt(d, "cancelled", bool, False)),
            updated_at=_instant(d, "updated_at"),
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
            raise ValidationError("owner is not an object")
        kind = d.get("type")
        if kind == "person":
            sid = d.get("staff_id")
            if not isinstance(sid, str):
                raise ValidationError("owner: person without staff_id")
            return cls("person", staff_id=sid)
        if kind == "role":
            return cls("role", profession=_profession(d.get("profession"), "owner.profession"))
        raise ValidationError(f"owner: unknown type {kind!r}")

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
    def from_api(cls, d: Any) -> "Patient":
        if not isinstance(d, Mapping):
            raise ValidationError("patient is not an object")
        prot = _req(d, "protected_identity", bool)
        bd_raw = _req(d, "birth_date", str)
        try:
            bd = date.fromisoformat(bd_raw)
        except ValueError as exc:
            raise ValidationError("patient.birth_date is not a date") from exc
        _req(d, "display_name", str)
        _req(d, "personnummer", str)
        if prot:
            # Skyddad identitet: never keep name, number or phone (field notes, §6.3).
            return cls(True, bd, home_region=_opt(d, "home_region", str))
        return cls(
            False,
            bd,
            display_name=d.get("display_name"),
            personnummer=d.get("personnummer"),
            phone=_opt(d, "phone", str),
            home_region=_opt(d, "home_region", str),
        )


@dataclass(slots=True)
class Handover:
    to_unit_id: str
    requested_at: datetime
    accepted_at: datetime | None = None
    urgent: bool = False
    ticket: Mapping[str, Any] | None = None

    @classmethod
    def from_api(cls, d: Any) -> "Handover | None":
        if d is None:
            return None
        if not isinstance(d, Mapping):
            raise ValidationError("handover is not an object")
        req = _instant(d, "requested_at", required=True)
        assert req is not None
        return cls(
            to_unit_id=_req(d, "to_unit_id", str),
            requested_at=req,
            accepted_at=_instant(d, "accepted_at"),
            urgent=bool(_opt(d, "urgent", bool, False)),
            ticket=_opt(d, "ticket", Mapping),
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
    def from_api(cls, d: Mapping[str, Any]) -> "Case":
        """Parse and validate an API case. The common, well-formed case takes an inline fast
        path; anything unusual goes through the strict validator, which names the problem."""
        try:
            fast = _case_fast(d)
        except Exception:  # noqa: BLE001 - any surprise: let the strict path say what is wrong
            fast = None
        return fast if fast is not None else cls._from_api_strict(d)

    @classmethod
    def _from_api_strict(cls, d: Mapping[str, Any]) -> "Case":
        if not isinstance(d, Mapping):
            raise ValidationError("case is not an object")
        kind = _req(d, "kind", str)
        if kind not in ("care", "admin"):
            raise ValidationError(f"unknown kind {kind!r}")
        if "priority" not in d:
            raise ValidationError("missing field 'priority'")
        prio = d["priority"]
        if kind == "admin":
            if prio is not None:
                raise ValidationError("admin case with a priority")
        elif not (isinstance(prio, int) and not isinstance(prio, bool) and 1 <= prio <= 5):
            raise ValidationError("care case without a priority 1-5")
        status = _req(d, "status", str)
        if status not in STATUSES:
            raise ValidationError(f"unknown status {status!r}")
        if "owner" not in d:
            raise ValidationError("missing field 'owner'")
        close_reason = d.get("close_reason")
        if close_reason is not None and (not isinstance(close_reason, str) or close_reason not in CLOSE_REASONS):
            raise ValidationError(f"unknown close_reason {close_reason!r}")
        attempts = []
        raw_attempts = d.get("contact_attempts")
        if raw_attempts:
            if not isinstance(raw_attempts, list):
                raise ValidationError("field 'contact_attempts' has the wrong type")
            for a in raw_attempts:
                attempts.append(_instant({"a": a}, "a", required=True))
        notices = []
        for n in _opt(d, "notices", list, []) or []:
            if not isinstance(n, Mapping):
                raise ValidationError("notice is not an object")
            sent = _instant(n, "sent_at", required=True)
            assert sent is not None
            notices.append(Notice(_req(n, "template_id", str), sent))
        created = _instant(d, "created_at", required=True)
        updated = _instant(d, "updated_at", required=True)
        assert created is not None and updated is not None
        return cls(
            id=_req(d, "id", str),
            unit_id=_req(d, "unit_id", str),
            kind=kind,
            priority=prio,
            status=status,
            owner=Owner.from_api(d["owner"]),
            created_at=created,
            patient=Patient.from_api(d.get("patient")),
            version=_version(d),
            updated_at=updated,
            owner_since=_instant(d, "owner_since"),
            reason=_opt(d, "reason", str),
            received_at=_instant(d, "received_at"),
            started_at=_instant(d, "started_at"),
            closed_at=_instant(d, "closed_at"),
            close_reason=close_reason,
            last_patient_message_at=_instant(d, "last_patient_message_at"),
            last_staff_message_at=_instant(d, "last_staff_message_at"),
            contact_attempts=tuple(sorted(a for a in attempts if a is not None)),
            notices=tuple(sorted(notices, key=lambda n: n.sent_at)),
            handover=Handover.from_api(d.get("handover")),
            reopen_until=_instant(d, "reopen_until"),
            url=_opt(d, "url", str),
        )


def _utc(value: Any) -> datetime:
    """A required RFC 3339 instant in UTC; raises on anything else (the fast path's check)."""
    t = _fromiso(value)  # TypeError for a non-string, ValueError for bad text
    tz = t.tzinfo
    if tz is UTC:
        return t
    if tz is None:
        raise ValueError("no offset")
    return t.astimezone(UTC)


def _utc_opt(value: Any) -> datetime | None:
    return None if value is None else _utc(value)


_BIRTH = date.fromisoformat


def _case_fast(d: Any) -> "Case | None":
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
    if (status not in STATUSES or type(version) is not int or version < 1 or type(cid) is not str
            or type(unit_id) is not str):
        return None
    owner_d = d["owner"]
    if owner_d is None:
        owner = None
    elif type(owner_d) is dict and owner_d.get("type") == "person" and type(owner_d.get("staff_id")) is str:
        owner = Owner("person", owner_d["staff_id"])
    elif type(owner_d) is dict and owner_d.get("type") == "role" and owner_d.get("profession") in PROFESSIONS:
        owner = Owner("role", None, owner_d["profession"])
    else:
        return None
    close_reason = d.get("close_reason")
    if close_reason is not None and (type(close_reason) is not str or close_reason not in CLOSE_REASONS):
        return None
    p = d["patient"]
    if (type(p) is not dict or type(p["protected_identity"]) is not bool or type(p["display_name"]) is not str
            or type(p["personnummer"]) is not str or type(p["birth_date"]) is not str):
        return None
    phone, region = p.get("phone"), p.get("home_region")
    if (phone is not None and type(phone) is not str) or (region is not None and type(region) is not str):
        return None
    if p["protected_identity"]:
        patient = Patient(True, _BIRTH(p["birth_date"]), home_region=region)
    else:
        patient = Patient(False, _BIRTH(p["birth_date"]), p["display_name"], p["personnummer"], phone, region)
    attempts_raw = d.get("contact_attempts")
    if attempts_raw:
        if type(attempts_raw) is not list:
            return None
        attempts = tuple(sorted(_utc(a) for a in attempts_raw))
    else:
        attempts = ()
    notices_raw = d.get("notices")
    if notices_raw:
        if type(notices_raw) is not list:
            return None
        notices = []
        for n in notices_raw:
            if type(n) is not dict or type(n["template_id"]) is not str:
                return None
            notices.append(Notice(n["template_id"], _utc(n["sent_at"])))
        notices.sort(key=lambda n: n.sent_at)
        notices_t = tuple(notices)
    else:
        notices_t = ()
    ho = d.get("handover")
    handover = None if ho is None else Handover.from_api(ho)
    reason, url = d.get("reason"), d.get("url")
    if (reason is not None and type(reason) is not str) or (url is not None and type(url) is not str):
        return None
    return Case(
        cid, unit_id, kind, prio, status, owner, _utc(d["created_at"]), patient, version, _utc(d["updated_at"]),
        _utc_opt(d.get("owner_since")), reason, _utc_opt(d.get("received_at")), _utc_opt(d.get("started_at")),
        _utc_opt(d.get("closed_at")), close_reason, _utc_opt(d.get("last_patient_message_at")),
        _utc_opt(d.get("last_staff_message_at")), attempts, notices_t, handover, _utc_opt(d.get("reopen_until")),
        url,
    )


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    title: str
    text: str
    scope: str | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "Template":
        if not isinstance(d, Mapping):
            raise ValidationError("template is not an object")
        return cls(_req(d, "id", str), _req(d, "title", str), _req(d, "text", str), _opt(d, "scope", str))


@dataclass(frozen=True, slots=True)
class Coordinator:
    unit_id: str
    staff_id: str | None
    since: datetime | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "Coordinator":
        if not isinstance(d, Mapping):
            raise ValidationError("coordinator is not an object")
        sid = d.get("staff_id")
        if sid is not None and not isinstance(sid, str):
            raise ValidationError("coordinator.staff_id has the wrong type")
        if "staff_id" not in d:
            raise ValidationError("missing field 'staff_id'")
        return cls(_req(d, "unit_id", str), sid, _instant(d, "since"))


@dataclass(frozen=True, slots=True)
class Capabilities:
    reassign_person_held: bool = False
    max_page_size: int | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "Capabilities":
        if not isinstance(d, Mapping):
            raise ValidationError("capabilities is not an object")
        return cls(_req(d, "reassign_person_held", bool), _opt(d, "max_page_size", int))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the rule engine looks at, as read from the store at one moment.

    ``cases`` holds the open cases plus the recently closed ones that ``premature_close``
    needs; ``data_as_of`` is the platform's time at the newest successful sync (or None).
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


def mask_personnummer(pnr: str | None) -> str:
    """``19121212-1212`` → ``19121212-****`` (never the last four digits)."""
    if not pnr:
        return "–"
    digits = pnr.replace("-", "").replace("+", "")
    if len(digits) >= 8:
        return f"{digits[:8]}-****"
    return "****"
