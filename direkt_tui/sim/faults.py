"""Fault injection settings (chaos) for the simulator.

Settable from CLI flags, from tests through ``World.set_faults(...)`` and at runtime through
``POST /_sim/control``. One-shot actions (``advance_seconds``, ``drop_cursors``,
``hang_seconds``) act when set and are not stored.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class FaultError(ValueError):
    pass


def parse_window(text: str) -> tuple[int, int]:
    """``"HH:MM-HH:MM"`` (sim local time) -> (start minute, end minute) of the day.

    A window whose end is before its start wraps midnight (``22:00-02:00``)."""
    m = _WINDOW.match(text.strip())
    if not m:
        raise FaultError(f"outage window must look like HH:MM-HH:MM, got {text!r}")
    a = int(m.group(1)) * 60 + int(m.group(2))
    b = int(m.group(3)) * 60 + int(m.group(4))
    if a == b:
        raise FaultError(f"empty outage window {text!r}")
    return a, b


def in_window(minute_of_day: int, window: tuple[int, int]) -> bool:
    a, b = window
    if a < b:
        return a <= minute_of_day < b
    return minute_of_day >= a or minute_of_day < b


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    outage: bool = False
    outage_windows: list[str] = field(default_factory=list)
    garbage_rate: float = 0.0
    rate_limit_every: int = 0
    repeat_rate: float = 0.0
    old_version_rate: float = 0.0
    max_page_size: int | None = None

    # one-shot actions accepted by update() but not stored
    ACTIONS = ("advance_seconds", "drop_cursors", "hang_seconds")

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(cls.__dataclass_fields__)

    def validated_update(self, changes: dict) -> dict:
        """Validate ``changes`` (stored fields and actions); returns the normalised dict.

        Raises FaultError on an unknown field or a bad value; nothing is applied then."""
        if not isinstance(changes, dict):
            raise FaultError("control body must be a JSON object")
        out: dict = {}
        for key, value in changes.items():
            if key in ("latency_ms", "rate_limit_every"):
                out[key] = _int(key, value, 0, 600_000)
            elif key in ("error_rate", "garbage_rate", "repeat_rate", "old_version_rate"):
                out[key] = _rate(key, value)
            elif key in ("outage", "drop_cursors"):
                if not isinstance(value, bool):
                    raise FaultError(f"{key} must be a boolean")
                out[key] = value
            elif key == "max_page_size":
                out[key] = None if value is None else _int(key, value, 1, 1000)
            elif key == "outage_windows":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise FaultError("outage_windows must be a list of HH:MM-HH:MM strings")
                for v in value:
                    parse_window(v)
                out[key] = [v.strip() for v in value]
            elif key in ("advance_seconds", "hang_seconds"):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise FaultError(f"{key} must be a number")
                if value < 0 or value > 10 * 365 * 86400:
                    raise FaultError(f"{key} out of range")
                out[key] = float(value)
            else:
                raise FaultError(f"unknown control field {key!r}")
        return out

    def apply_stored(self, changes: dict) -> None:
        for key, value in changes.items():
            if key in self.__dataclass_fields__:
                setattr(self, key, value)

    def windows(self) -> list[tuple[int, int]]:
        return [parse_window(w) for w in self.outage_windows]


def _int(key, value, lo, hi) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultError(f"{key} must be an integer")
    if not lo <= value <= hi:
        raise FaultError(f"{key} must be between {lo} and {hi}")
    return value


def _rate(key, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FaultError(f"{key} must be a number between 0 and 1")
    if not 0.0 <= float(value) <= 1.0:
        raise FaultError(f"{key} must be between 0 and 1")
    return float(value)
