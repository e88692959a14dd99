"""Rule parameters (domain.md §4) with their defaults.

"Verksamheten beslutar om lokal rutin": every value can be changed per unit in the
configuration; :func:`Parameters.with_overrides` validates such overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

PRIORITY_KEYS: tuple[str, ...] = ("1", "2", "3", "4", "5", "admin")


def _default_limits() -> dict[str, int]:
    return {"1": 15, "2": 60, "3": 180, "4": 300, "5": 480, "admin": 480}


@dataclass(frozen=True)
class Parameters:
    response_limits: Mapping[str, int] = field(default_factory=_default_limits)
    long_absence_hours: int = 72
    long_absence_lookahead_hours: int = 24
    shift_end_warning_minutes: int = 30
    close_warning_minutes: int = 60
    next_day_notice_minutes: int = 30
    min_open_working_hours: float = 6
    contact_attempt_gap_minutes: int = 120
    handover_accept_minutes: int = 30
    load_thresholds: tuple[float, float, float] = (4, 8, 12)
    stale_after_minutes: int = 5
    at_risk_fraction: float = 0.75  # §4b: at risk once this share of the response limit has passed

    def limit_minutes(self, priority_key: str) -> int:
        return int(self.response_limits[priority_key])

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["response_limits"] = {k: int(self.response_limits[k]) for k in PRIORITY_KEYS}
        d["load_thresholds"] = list(self.load_thresholds)
        return d

    def with_overrides(self, overrides: Mapping[str, Any] | None) -> Parameters:
        """A copy with ``overrides`` applied; ValueError with a clear reason for a bad one."""
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            if key not in known:
                raise ValueError(f"unknown rule parameter {key!r}")
            if key == "response_limits":
                if not isinstance(value, Mapping):
                    raise ValueError("response_limits must be a table of priority = minutes")
                limits = dict(self.response_limits)
                for p, minutes in value.items():
                    p = str(p)
                    if p not in PRIORITY_KEYS:
                        raise ValueError(f"response_limits: unknown priority {p!r}")
                    if not _positive_number(minutes):
                        raise ValueError(f"response_limits.{p} must be a positive number of minutes")
                    limits[p] = int(minutes)
                changes[key] = limits
            elif key == "load_thresholds":
                if (
                    not isinstance(value, (list, tuple))
                    or len(value) != 3
                    or not all(_positive_number(v) for v in value)
                    or not (value[0] <= value[1] <= value[2])
                ):
                    raise ValueError("load_thresholds must be three increasing positive numbers")
                changes[key] = tuple(float(v) for v in value)
            elif key == "at_risk_fraction":
                if not _positive_number(value) or value > 1:
                    raise ValueError("at_risk_fraction must be a number greater than 0 and at most 1")
                changes[key] = float(value)
            else:
                if not _positive_number(value):
                    raise ValueError(f"{key} must be a positive number")
                changes[key] = value
        return replace(self, **changes)


def _positive_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0


DEFAULTS = Parameters()
