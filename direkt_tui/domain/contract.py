"""The platform contract's vocabulary and limits (openapi.yaml), the ingest window and the field
validators that the entities' ``from_api`` share.

Everything here is pure: a validator raises :class:`ValidationError` with a short reason that
names the field, never the value, so that the sync can quarantine an item and go on. The
``_``-names are the domain's own helpers (used by :mod:`.entities` and :mod:`.case`), not an API
for other layers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .timeutil import UTC

__all__ = [
    "ABSOLUTE_WINDOW",
    "ACTIVE_STATUSES",
    "CLINICAL",
    "CLOSE_REASONS",
    "EARLIEST",
    "EARLIEST_BIRTH",
    "FUTURE_SLACK",
    "LATEST",
    "MAX_ID_LEN",
    "MAX_LIST_LEN",
    "MAX_NAME_LEN",
    "MAX_TEXT_LEN",
    "MAX_TICKET_LEN",
    "MAX_VERSION",
    "NON_CLINICAL",
    "OPEN_STATUSES",
    "PLANNED_HORIZON",
    "PROFESSIONS",
    "STATUSES",
    "IngestWindow",
    "ValidationError",
    "sane_instant",
]

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
CLOSE_REASONS: frozenset[str] = frozenset({"resolved", "no_response", "handed_over", "moved", "ticket_sent"})
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


@dataclass(frozen=True, slots=True)
class IngestWindow:
    """The instants accepted at ingest: ``lo`` ≤ t ≤ ``hi`` for what happened, ≤ ``planned``
    for what is planned."""

    lo: datetime
    hi: datetime
    planned: datetime
    last_birth: date  # the latest birth date: hi's date

    @classmethod
    def around(cls, reference: datetime) -> IngestWindow:
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


def _req(
    d: Mapping[str, Any], key: str, kind: type | tuple[type, ...], limit: int | None = None, path: str | None = None
) -> Any:
    name = path or key
    if key not in d:
        raise ValidationError(f"missing field {name!r}", name)
    value = d[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValidationError(f"field {name!r} has the wrong type", name)
    if limit is not None:
        _check_len(value, name, limit)
    return value


def _opt(
    d: Mapping[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    default: Any = None,
    limit: int | None = None,
    path: str | None = None,
) -> Any:
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


def _instant(
    d: Mapping[str, Any],
    key: str,
    required: bool = False,
    window: IngestWindow = ABSOLUTE_WINDOW,
    planned: bool = False,
    path: str | None = None,
) -> datetime | None:
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
        raise _bad(
            name,
            "instant out of range (before 2000-01-01 or more than "
            + ("400 days" if planned else "2 days")
            + " after the server's time)",
        )
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
