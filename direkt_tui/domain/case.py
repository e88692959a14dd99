"""A case of the platform (openapi.yaml) and its parts (owner, patient, handover, notice), as
plain values, with ``Case.from_api``: an inline fast path for the common, well-formed case and
a strict validator that names the problem for anything else (the sync quarantines it).

This is hot code (every synced case goes through ``_case_fast``); keep the fast path inline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from json import dumps as _json_dumps
from typing import Any

from .contract import (
    ABSOLUTE_WINDOW,
    ACTIVE_STATUSES,
    CLOSE_REASONS,
    EARLIEST_BIRTH,
    MAX_ID_LEN,
    MAX_LIST_LEN,
    MAX_NAME_LEN,
    MAX_TEXT_LEN,
    MAX_TICKET_LEN,
    MAX_VERSION,
    OPEN_STATUSES,
    PROFESSIONS,
    STATUSES,
    IngestWindow,
    ValidationError,
    _bad,
    _check_len,
    _fromiso,
    _id,
    _instant,
    _opt,
    _profession,
    _req,
    _version,
)
from .timeutil import UTC

__all__ = ["Case", "Handover", "Notice", "Owner", "Patient", "mask_personnummer"]


@dataclass(slots=True)
class Owner:
    type: str  # "person" | "role"
    staff_id: str | None = None
    profession: str | None = None

    @classmethod
    def from_api(cls, d: Any) -> Owner | None:
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
    def from_api(cls, d: Any, window: IngestWindow = ABSOLUTE_WINDOW) -> Patient:
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
        return cls(
            False,
            bd,
            display_name=d.get("display_name"),
            personnummer=d.get("personnummer"),
            phone=phone,
            home_region=region,
        )


@dataclass(slots=True)
class Handover:
    to_unit_id: str
    requested_at: datetime
    accepted_at: datetime | None = None
    urgent: bool = False
    ticket: Mapping[str, Any] | None = None

    @classmethod
    def from_api(cls, d: Any, window: IngestWindow = ABSOLUTE_WINDOW) -> Handover | None:
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
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> Case:
        """Parse and validate an API case. The common, well-formed case takes an inline fast
        path; anything unusual goes through the strict validator, which names the problem."""
        try:
            fast = _case_fast(d, window)
        except Exception:  # noqa: BLE001 - any surprise: let the strict path say what is wrong
            fast = None
        return fast if fast is not None else cls._from_api_strict(d, window)

    @classmethod
    def _from_api_strict(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> Case:
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


def _case_fast(d: Any, window: IngestWindow = ABSOLUTE_WINDOW) -> Case | None:
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
    if (
        status not in STATUSES
        or type(version) is not int
        or not 0 < version <= MAX_VERSION
        or type(cid) is not str
        or type(unit_id) is not str
        or not 0 < len(cid) <= MAX_ID_LEN
        or not 0 < len(unit_id) <= MAX_ID_LEN
    ):
        return None
    owner_d = d["owner"]
    if owner_d is None:
        owner = None
    elif (
        type(owner_d) is dict
        and owner_d.get("type") == "person"
        and type(sid := owner_d.get("staff_id")) is str
        and 0 < len(sid) <= MAX_ID_LEN
    ):
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
    if (
        type(p) is not dict
        or type(p["protected_identity"]) is not bool
        or type(name := p["display_name"]) is not str
        or type(pnr := p["personnummer"]) is not str
        or type(p["birth_date"]) is not str
        or len(name) > MAX_NAME_LEN
        or len(pnr) > MAX_NAME_LEN
    ):
        return None
    phone, region = p.get("phone"), p.get("home_region")
    if (phone is not None and (type(phone) is not str or len(phone) > MAX_NAME_LEN)) or (
        region is not None and (type(region) is not str or len(region) > MAX_NAME_LEN)
    ):
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
    if (reason is not None and (type(reason) is not str or len(reason) > MAX_TEXT_LEN)) or (
        url is not None and (type(url) is not str or len(url) > MAX_TEXT_LEN)
    ):
        return None
    created, updated = _utc(d["created_at"]), _utc(d["updated_at"])
    owner_since, received, started = (
        _utc_opt(d.get("owner_since")),
        _utc_opt(d.get("received_at")),
        _utc_opt(d.get("started_at")),
    )
    closed, lpm, lsm = (
        _utc_opt(d.get("closed_at")),
        _utc_opt(d.get("last_patient_message_at")),
        _utc_opt(d.get("last_staff_message_at")),
    )
    reopen = _utc_opt(d.get("reopen_until"))
    if not (
        lo <= created <= hi
        and lo <= updated <= hi
        and (owner_since is None or lo <= owner_since <= hi)
        and (received is None or lo <= received <= hi)
        and (started is None or lo <= started <= hi)
        and (closed is None or lo <= closed <= hi)
        and (lpm is None or lo <= lpm <= hi)
        and (lsm is None or lo <= lsm <= hi)
        and (reopen is None or lo <= reopen <= window.planned)
    ):
        return None
    return Case(
        cid,
        unit_id,
        kind,
        prio,
        status,
        owner,
        created,
        patient,
        version,
        updated,
        owner_since,
        reason,
        received,
        started,
        closed,
        close_reason,
        lpm,
        lsm,
        attempts,
        notices_t,
        handover,
        reopen,
        url,
    )


def mask_personnummer(pnr: str | None) -> str:
    """``19121212-1212`` → ``19121212-****`` (never the last four digits)."""
    if not pnr:
        return "–"
    digits = pnr.replace("-", "").replace("+", "")
    if len(digits) >= 8:
        return f"{digits[:8]}-****"
    return "****"
