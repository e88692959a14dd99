"""Instants: parsing and formatting. Pure; never reads the clock."""

from __future__ import annotations

from datetime import UTC, datetime  # UTC is re-exported: other modules import it from here
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class InvalidInstant(ValueError):
    """A timestamp that is not RFC 3339 with an offset."""


def parse_instant(value: str | datetime | None) -> datetime | None:
    """Parse an RFC 3339 instant (with offset, ``Z`` allowed) into an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidInstant(f"instant without offset: {value!r}")
        return value.astimezone(UTC)
    if not isinstance(value, str):
        raise InvalidInstant(f"not a timestamp: {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInstant(f"not an RFC 3339 instant: {value!r}") from exc
    if parsed.tzinfo is None:
        raise InvalidInstant(f"instant without offset: {value!r}")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        raise InvalidInstant(f"instant out of range: {value!r}") from None


def require_instant(value: str | datetime | None) -> datetime:
    parsed = parse_instant(value)
    if parsed is None:
        raise InvalidInstant("missing instant")
    return parsed


def to_store(value: datetime | None) -> str | None:
    """Fixed-width UTC text, sortable as a string: ``2026-11-26T13:30:00.000000+00:00``."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def to_api(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with ``Z`` (as the API sends)."""
    if value is None:
        return None
    v = value.astimezone(UTC)
    spec = "microseconds" if v.microsecond else "seconds"
    return v.isoformat(timespec=spec).replace("+00:00", "Z")


def to_local_text(value: datetime | None, tz: ZoneInfo | str = STOCKHOLM) -> str | None:
    """RFC 3339 in the unit's local offset (report.md: ``as_of`` and ``closes_at``)."""
    if value is None:
        return None
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    v = value.astimezone(zone)
    spec = "microseconds" if v.microsecond else "seconds"
    return v.isoformat(timespec=spec)
