"""What of a rejected item is kept in quarantine, and the ingest window a page is checked against.

The reason names the field and the problem, never the value; the quarantined payload keeps no
patient data, not the rejected value, nothing long and nothing that looks like a personal
identity number.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from ..domain.models import EARLIEST, LATEST, MAX_ID_LEN, IngestWindow, ValidationError, sane_instant
from ..store.db import Quarantined

REDACTED = "<redacted>"
_MAX_KEPT_STRING = 200  # longer strings of a rejected item are not kept
_MAX_KEPT_JSON = 2000  # nor are nested values longer than this as JSON
_MAX_KEPT_KEYS = 60
_PNR_LIKE = re.compile(r"(?<!\d)(?:\d{6}|\d{8})[-+ ]?\d{4}(?!\d)")
_DATE_LIKE = re.compile(r"\d{4}-\d\d-\d\d")
_DATE_IN = re.compile(r"\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d)")


def _keep(value: Any) -> bool:
    """Whether a value of a rejected item may be kept in quarantine: short, and nothing that
    looks like a personal identity number."""
    if value is None or isinstance(value, (bool, int, float)):
        return not isinstance(value, int) or isinstance(value, bool) or abs(value) <= 2**53
    if isinstance(value, str):
        if len(value) > _MAX_KEPT_STRING or _PNR_LIKE.search(value):
            return False
        # an instant is kept only when it is a sane one (an item may break more than one field)
        return not _DATE_LIKE.match(value) or _sane_text(value)
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return False
    return (
        len(text) <= _MAX_KEPT_JSON
        and not _PNR_LIKE.search(text)
        and all(_sane_text(m.group(0)) for m in _DATE_IN.finditer(text))
    )


def _sane_text(text: str) -> bool:
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return False
    if len(text) == 10:  # a date (a closed date of a unit)
        return EARLIEST.year <= t.year < LATEST.year
    if t.tzinfo is None:
        return False
    try:
        return sane_instant(t.astimezone(UTC))
    except OverflowError:
        return False


def redact(payload: Any, bad_field: str | None = None) -> Any:
    """What of a rejected item goes into quarantine: patient details never do, nor the value of
    the field that was rejected, nor any value that is long or looks like a personal identity
    number (the reason names the field; the value is never kept or logged)."""
    if isinstance(payload, dict):
        top = None
        if bad_field:
            top = bad_field.split(".", 1)[0].split("[", 1)[0]
        out: dict[str, Any] = {}
        for key, value in list(payload.items())[:_MAX_KEPT_KEYS]:
            if not isinstance(key, str) or len(key) > 64:
                continue
            if key == "patient" or key == top or not _keep(value):
                out[key] = REDACTED
            else:
                out[key] = value
        return out
    return REDACTED if payload is not None else None


def reason(exc: Exception) -> str:
    """One line naming the field and the problem, never the value."""
    if isinstance(exc, ValidationError):
        return str(exc)
    # a parser gap: the exception's text may quote the value, so only its type is kept
    return f"unparsable ({type(exc).__name__})"


def _bad_field(exc: Exception) -> str | None:
    return getattr(exc, "field", None) if isinstance(exc, ValidationError) else None


def _item_id(item: Any) -> str | None:
    """The id of a rejected item, when it is a plausible id (else None: the id itself may be
    what is wrong, and is then not repeated)."""
    if isinstance(item, dict):
        value = item.get("id")
        if (
            isinstance(value, str)
            and 0 < len(value) <= MAX_ID_LEN
            and value.isprintable()
            and not _PNR_LIKE.search(value)
        ):
            return value
    return None


def quarantined(feed: str, item: Any, exc: Exception, item_id: str | None = None) -> Quarantined:
    return Quarantined(
        feed, item_id if item_id is not None else _item_id(item), reason(exc), redact(item, _bad_field(exc))
    )


def page_window(clock_now: datetime, server_time: datetime | None) -> IngestWindow:
    """The ingest window of a page: around the later of our clock and the server's (a sane one)."""
    ref = clock_now
    if server_time is not None and sane_instant(server_time) and server_time > ref:
        ref = server_time
    return IngestWindow.around(ref)


__all__ = ["REDACTED", "page_window", "quarantined", "reason", "redact"]
