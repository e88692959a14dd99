"""The TOML configuration (cli.md) and default paths.

Every key is optional. ``data/config.toml`` at the top of the repository is the example: every
key this module reads, commented, at its default (``tests/test_data_config.py`` keeps the two in
step). Numbers are bounded (:data:`BOUNDS`, :data:`RULE_BOUNDS`); an unknown section or key, a
wrong type or a number out of range is a :class:`ConfigError` naming the file, section and key.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from .domain.forecast import DEFAULT_CASES_PER_CLINICIAN_HOUR
from .domain.params import DEFAULTS, Parameters

APP = "direkt-tui"
DEFAULT_API = "http://127.0.0.1:8024/api/v1"


class ConfigError(Exception):
    """A configuration that cannot be used; the message says what and where."""


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "direkt.db"


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


@dataclass(frozen=True)
class ApiConfig:
    url: str = DEFAULT_API
    token_file: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    ca_bundle: Path | None = None
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    write_timeout: float = 10.0
    deadline: float = 20.0


@dataclass(frozen=True)
class SyncConfig:
    feed_interval_seconds: float = 15
    reference_interval_seconds: float = 300
    retention_days: int = 30
    page_size: int = 500


@dataclass(frozen=True)
class FallbackConfig:
    stod_och_service_phone: str | None = None
    inera_phone: str | None = None


@dataclass(frozen=True)
class UiConfig:
    lang: str = "sv"
    bell: bool = False
    theme: str | None = None  # a Textual theme name; the one chosen in the app is written back here


@dataclass(frozen=True)
class UserConfig:
    """Who uses this installation: shown in the audit log and offered for the coordinator role."""

    name: str | None = None
    staff_id: str | None = None


@dataclass(frozen=True)
class AuditConfig:
    """The audit log's HMAC key file (``store.auditkey``); None: ``audit.key`` in the user's
    configuration directory. Created 0600 on first use; the key itself is never shown."""

    key_file: Path | None = None


@dataclass(frozen=True)
class ForecastConfig:
    """The forecast for closing (README, "Forecast for closing"): the least number of care cases
    a clinician is taken to manage per hour (the service rate is the largest of this, the unit's
    history's and today's takings per clinician-hour, which only show what arrived)."""

    cases_per_clinician_hour: float = DEFAULT_CASES_PER_CLINICIAN_HOUR


@dataclass(frozen=True)
class Config:
    api: ApiConfig = field(default_factory=ApiConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    fallback: FallbackConfig = field(default_factory=FallbackConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    user: UserConfig = field(default_factory=UserConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)
    forecast: ForecastConfig = field(default_factory=ForecastConfig)
    rules: Parameters = DEFAULTS
    unit_rules: Mapping[str, Parameters] = field(default_factory=dict)
    keys: Mapping[str, str] = field(default_factory=dict)  # [keys]: key id (ui/keys.py) → key string(s)
    source: Path | None = None

    def params_for(self, unit_id: str) -> Parameters:
        return self.unit_rules.get(unit_id, self.rules)


def _section(data: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: [{name}] must be a table")
    return value


# Every number that bounds a time or a size: (lowest, highest, unit, whole numbers only). The
# lowest is exclusive when it is 0 ("a positive number"), inclusive otherwise. ``inf``, ``nan``
# and ``1e308`` are valid TOML floats: without these bounds ``deadline = inf`` removed the
# request deadline and ``retention_days = 1e308`` overflowed a date later, far from the cause.
MAX_NETWORK_SECONDS = 300.0
BOUNDS: Mapping[str, tuple[float, float, str, bool]] = {
    "connect_timeout": (0, MAX_NETWORK_SECONDS, "seconds", False),
    "read_timeout": (0, MAX_NETWORK_SECONDS, "seconds", False),
    "write_timeout": (0, MAX_NETWORK_SECONDS, "seconds", False),
    "deadline": (0, MAX_NETWORK_SECONDS, "seconds", False),
    "feed_interval_seconds": (0.1, 3600, "seconds", False),
    "reference_interval_seconds": (0.1, 86400, "seconds", False),
    "retention_days": (1, 3650, "days", True),
    "page_size": (1, 1000, "items", True),
    "cases_per_clinician_hour": (0, 100, "cases per clinician-hour", False),
}
# rule parameters (domain.md §4) by the unit their name ends in; generous (a year), but finite
RULE_BOUNDS: Mapping[str, tuple[float, float, str, bool]] = {
    "_minutes": (0, 525600, "minutes", False),
    "_hours": (0, 8760, "hours", False),
    "_fraction": (0, 1, "", False),
}
RESPONSE_LIMIT_BOUNDS = (0, 525600, "working minutes", False)
OTHER_RULE_BOUNDS = (0, 1_000_000, "", False)


def _range_text(lo: float, hi: float, unit: str, whole: bool) -> str:
    kind = "a positive whole number" if whole else "a positive number"
    unit = f" {unit}" if unit else ""
    if lo > 0:
        return f"{kind} from {lo:g} to {hi:g}{unit}"
    return f"{kind} of at most {hi:g}{unit}"


def check_number(key: str, value: Any, bounds: tuple[float, float, str, bool]) -> str | None:
    """Why ``value`` is not an acceptable ``key`` (None when it is): a finite number within
    ``bounds``; never a bool, ``inf``, ``nan`` or a number too large for the times it bounds."""
    lo, hi, unit, whole = bounds
    ok = (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and (value > lo if lo == 0 else value >= lo)
        and value <= hi
        and (not whole or isinstance(value, int))
    )
    if ok:
        return None
    return f"{key} must be {_range_text(lo, hi, unit, whole)}, got {value!r}"


def _check_rules(section: Mapping[str, Any], where: str) -> None:
    """Finite, sensible numbers in a [rules] table before the domain sees them (its own
    checks say "positive", not "finite": ``int(inf)`` raised OverflowError)."""
    for key, value in section.items():
        if key == "response_limits" and isinstance(value, Mapping):
            for p, minutes in value.items():
                why = check_number(f"response_limits.{p}", minutes, RESPONSE_LIMIT_BOUNDS)
                if why:
                    raise ConfigError(f"{where}: {why}")
            continue
        if key == "load_thresholds" and isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                why = check_number(f"load_thresholds[{i}]", v, OTHER_RULE_BOUNDS)
                if why:
                    raise ConfigError(f"{where}: {why}")
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            bounds = next((b for suffix, b in RULE_BOUNDS.items() if key.endswith(suffix)), OTHER_RULE_BOUNDS)
            why = check_number(key, value, bounds)
            if why:
                raise ConfigError(f"{where}: {why}")


def _build(cls: type, data: Mapping[str, Any], where: str, paths: tuple[str, ...] = ()) -> Any:
    known = set(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}")
        default = cls.__dataclass_fields__[key].default  # type: ignore[attr-defined]
        if key in paths:
            if not isinstance(value, str):
                raise ConfigError(f"{where}: {key} must be a path")
            value = Path(value).expanduser()
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: {key} must be true or false")
        elif isinstance(default, (int, float)):
            why = check_number(
                key,
                value,
                BOUNDS.get(key, (0, 1_000_000, "", isinstance(default, int) and not isinstance(default, float))),
            )
            if why:
                raise ConfigError(f"{where}: {why}")
            if isinstance(default, float):
                value = float(value)
        elif default is None or isinstance(default, str):
            if not isinstance(value, str):
                raise ConfigError(f"{where}: {key} must be a string")
        kwargs[key] = value
    return cls(**kwargs)


def load_config(path: str | os.PathLike[str] | None = None, *, required: bool = False) -> Config:
    """Read the configuration. A missing default file gives the defaults; a missing file that
    was named explicitly, or a malformed one, raises :class:`ConfigError`."""
    explicit = path is not None
    p = Path(path) if path is not None else default_config_path()
    if not p.exists():
        if explicit or required:
            raise ConfigError(f"configuration file not found: {p}")
        return Config()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration {p}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: invalid TOML: {exc}") from exc
    return config_from_data(data, str(p), p)


SECTIONS = ("api", "sync", "rules", "units", "fallback", "ui", "user", "audit", "keys", "forecast")


def config_from_data(data: Mapping[str, Any], where: str, source: Path | None = None) -> Config:
    """The configuration from parsed TOML ``data``; :class:`ConfigError` names ``where`` (the
    file), the section and the key of the first problem."""
    p = source
    known = set(SECTIONS)
    for key in data:
        if key not in known:
            raise ConfigError(f"{where}: unknown section [{key}]")
    api = _build(
        ApiConfig,
        _section(data, "api", where),
        f"{where} [api]",
        paths=("token_file", "client_cert", "client_key", "ca_bundle"),
    )
    sync = _build(SyncConfig, _section(data, "sync", where), f"{where} [sync]")
    fallback = _build(FallbackConfig, _section(data, "fallback", where), f"{where} [fallback]")
    ui = _build(UiConfig, _section(data, "ui", where), f"{where} [ui]")
    user = _build(UserConfig, _section(data, "user", where), f"{where} [user]")
    audit = _build(AuditConfig, _section(data, "audit", where), f"{where} [audit]", paths=("key_file",))
    forecast = _build(ForecastConfig, _section(data, "forecast", where), f"{where} [forecast]")
    if ui.lang not in ("sv", "en"):
        raise ConfigError(f'{where} [ui]: lang must be "sv" or "en"')
    keys = dict(_section(data, "keys", where))
    for key_id, key in keys.items():
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(f"{where} [keys]: {key_id} must be a key string, e.g. ctrl+f")
    _check_rules(_section(data, "rules", where), f"{where} [rules]")
    try:
        rules = DEFAULTS.with_overrides(_section(data, "rules", where))
    except ValueError as exc:
        raise ConfigError(f"{where} [rules]: {exc}") from exc
    unit_rules: dict[str, Parameters] = {}
    for unit_id, section in _section(data, "units", where).items():
        if not isinstance(section, Mapping):
            raise ConfigError(f"{where}: [units.{unit_id}] must be a table")
        for key in section:
            if key != "rules":
                raise ConfigError(f"{where} [units.{unit_id}]: unknown key {key!r}")
        _check_rules(_section(section, "rules", where), f"{where} [units.{unit_id}.rules]")
        try:
            unit_rules[unit_id] = rules.with_overrides(_section(section, "rules", where))
        except ValueError as exc:
            raise ConfigError(f"{where} [units.{unit_id}.rules]: {exc}") from exc
    return Config(
        api=api,
        sync=sync,
        fallback=fallback,
        ui=ui,
        user=user,
        audit=audit,
        forecast=forecast,
        rules=rules,
        unit_rules=unit_rules,
        keys=keys,
        source=p,
    )
