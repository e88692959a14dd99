"""Deliberately broken platform modes, for ``direkt-tui check-api`` to find (and its tests).

Each mode breaks one promise of the contract (``shared/api/openapi.yaml``) the way a real
adapter might; none of them is chaos the contract allows (re-sent items, older versions, small
pages are all legal and are the other fault settings):

- ``no_410`` — a cursor the server does not know is answered 200 with an empty page, as if the
  client were up to date (it should be 410: the client would silently miss every change);
- ``version_drift`` — an item's content changes between reads while its ``version`` stays;
- ``missing_fields`` — required fields are left out (a case's ``created_at``, a unit's
  ``timezone``, a staff member's ``name``);
- ``naive_timestamps`` — timestamps without an offset (``2026-11-26T13:30:00``);
- ``non_idempotent`` — a write repeated with the same ``Idempotency-Key`` is applied again.
"""

from __future__ import annotations

import json
import re
from typing import Any

MODES: tuple[str, ...] = ("no_410", "version_drift", "missing_fields", "naive_timestamps", "non_idempotent")

_MISSING = {"cases": "created_at", "staff": "name", "shifts": "profession", "units": "timezone"}
_OFFSET = re.compile(rb'("\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:Z|[+-]\d{2}:\d{2})"')


def break_body(body: bytes, resource: str, modes: frozenset[str], serial: int) -> bytes:
    """The JSON ``body`` served for ``resource`` (a feed name or ``units``), broken as ``modes``
    say; ``serial`` counts the server's responses (what drifts between reads)."""
    if not modes or not body:
        return body
    if ("version_drift" in modes or "missing_fields" in modes) and resource in _MISSING:
        doc: Any = json.loads(body)
        for item in doc.get("items", ()):
            if "missing_fields" in modes:
                item.pop(_MISSING[resource], None)
            if "version_drift" in modes:
                key = "reason" if resource == "cases" else ("title" if resource == "staff" else "cancelled")
                item[key] = f"drift {serial}" if key != "cancelled" else bool(serial % 2)
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if "naive_timestamps" in modes:
        body = _OFFSET.sub(rb'\1"', body)
    return body


def validate(modes: object) -> list[str]:
    """The modes as a sorted list; ValueError names an unknown one."""
    if not isinstance(modes, list) or not all(isinstance(m, str) for m in modes):
        raise ValueError("broken must be a list of mode names")
    unknown = sorted(set(modes) - set(MODES))
    if unknown:
        raise ValueError(f"unknown broken mode {unknown[0]!r} (known: {', '.join(MODES)})")
    return sorted(set(modes))
