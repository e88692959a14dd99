"""The entities of the platform API (openapi.yaml), as plain immutable values, and the
:class:`Snapshot` the rule engine reads.

This module is the domain's single import point for them; the definitions live by
responsibility:

- :mod:`.contract`: the vocabulary (professions, statuses, close reasons), the limits, the
  ingest window (:class:`IngestWindow`) and :class:`ValidationError`, with the field validators;
- :mod:`.entities`: units, staff, shifts, templates, coordinators, capabilities (``from_api``);
- :mod:`.case`: a case and its parts, with the fast and the strict ``Case.from_api``.

Parsing from the API's JSON (``*.from_api``) is pure and raises :class:`ValidationError` with a
short reason for an item that does not fit the contract, so that the sync can quarantine it and
go on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .case import Case, Handover, Notice, Owner, Patient, mask_personnummer
from .contract import (
    ABSOLUTE_WINDOW,
    ACTIVE_STATUSES,
    CLINICAL,
    CLOSE_REASONS,
    EARLIEST,
    EARLIEST_BIRTH,
    FUTURE_SLACK,
    LATEST,
    MAX_ID_LEN,
    MAX_LIST_LEN,
    MAX_NAME_LEN,
    MAX_TEXT_LEN,
    MAX_TICKET_LEN,
    MAX_VERSION,
    NON_CLINICAL,
    OPEN_STATUSES,
    PLANNED_HORIZON,
    PROFESSIONS,
    STATUSES,
    IngestWindow,
    ValidationError,
    sane_instant,
)
from .entities import Capabilities, Coordinator, Shift, Staff, Template, Unit

__all__ = [
    "ABSOLUTE_WINDOW",
    "ACTIVE_STATUSES",
    "CLINICAL",
    "CLOCK_SKEW_SHOWN_SECONDS",
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
    "Capabilities",
    "Case",
    "Coordinator",
    "Handover",
    "IngestWindow",
    "Notice",
    "Owner",
    "Patient",
    "Shift",
    "Snapshot",
    "Staff",
    "Template",
    "Unit",
    "ValidationError",
    "mask_personnummer",
    "sane_instant",
]

# a difference between the platform's clock and ours larger than this is shown (header, log);
# the report always carries it (report.md: clock_skew_seconds)
CLOCK_SKEW_SHOWN_SECONDS = 300.0


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
