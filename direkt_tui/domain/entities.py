"""The platform's reference data (openapi.yaml) as plain values: units, staff, shifts,
templates, the coordinator role and the platform's capabilities, each with its ``from_api``
parser (pure; raises :class:`~.contract.ValidationError`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .contract import (
    ABSOLUTE_WINDOW,
    MAX_ID_LEN,
    MAX_LIST_LEN,
    MAX_NAME_LEN,
    MAX_TEXT_LEN,
    MAX_VERSION,
    IngestWindow,
    ValidationError,
    _bad,
    _day,
    _hours_list,
    _id,
    _instant,
    _opt,
    _profession,
    _req,
    _version,
)

__all__ = ["Capabilities", "Coordinator", "Shift", "Staff", "Template", "Unit"]


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
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> Unit:
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
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> Staff:
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
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> Shift:
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


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    title: str
    text: str
    scope: str | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> Template:
        if not isinstance(d, Mapping):
            raise ValidationError("template is not an object")
        return cls(
            _id(d, "id"),
            _req(d, "title", str, MAX_NAME_LEN),
            _req(d, "text", str, MAX_TEXT_LEN),
            _opt(d, "scope", str, limit=MAX_NAME_LEN),
        )


@dataclass(frozen=True, slots=True)
class Coordinator:
    unit_id: str
    staff_id: str | None
    since: datetime | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> Coordinator:
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
    def from_api(cls, d: Mapping[str, Any], window: IngestWindow = ABSOLUTE_WINDOW) -> Capabilities:
        if not isinstance(d, Mapping):
            raise ValidationError("capabilities is not an object")
        size = _opt(d, "max_page_size", int)
        if size is not None and not 1 <= size <= MAX_VERSION:
            raise _bad("max_page_size", "out of range")
        return cls(_req(d, "reassign_person_held", bool), size)
