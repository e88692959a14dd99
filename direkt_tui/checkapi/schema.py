"""The contract's schemas, for validating what an adapter serves: OpenAPI 3.1 components as
JSON Schema 2020-12, with RFC 3339 instants that must carry an offset."""

from __future__ import annotations

import re
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|z|[+-]\d{2}:\d{2})$")

FORMATS = jsonschema.FormatChecker(formats=())
# the component schemas the checks validate against
REQUIRED = (
    "Problem",
    "Capabilities",
    "Unit",
    "Staff",
    "Shift",
    "Case",
    "Template",
    "StaffPage",
    "ShiftPage",
    "CasePage",
)


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        raise ValueError(f"not an RFC 3339 instant with an offset: {value[:40]!r}")
    datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)
    return True


def is_instant(value: object) -> bool:
    try:
        return isinstance(value, str) and _date_time(value)
    except ValueError:
        return False


class Contract:
    """The OpenAPI document and a validator per component schema."""

    def __init__(self, path: Path | None = None):
        text = (
            path.read_text(encoding="utf-8")
            if path is not None
            else resources.files(__package__).joinpath("openapi.yaml").read_text(encoding="utf-8")
        )
        doc = yaml.safe_load(text)
        schemas = doc.get("components", {}).get("schemas", {}) if isinstance(doc, dict) else {}
        missing = [n for n in REQUIRED if not isinstance(schemas, dict) or n not in schemas]
        if missing:
            raise ValueError(f"not the platform contract: no schema {', '.join(missing)} under components.schemas")
        self.doc: dict[str, Any] = doc
        self.version = str(self.doc.get("info", {}).get("version", "?"))
        resource = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self._registry: Registry = Registry().with_resource("urn:openapi", resource)
        self._validators: dict[str, jsonschema.Validator] = {}

    def _validator(self, name: str) -> jsonschema.Validator:
        v = self._validators.get(name)
        if v is None:
            schema = {"$ref": f"urn:openapi#/components/schemas/{name}"}
            v = jsonschema.Draft202012Validator(schema, registry=self._registry, format_checker=FORMATS)
            self._validators[name] = v
        return v

    def errors(self, name: str, instance: Any, limit: int = 3) -> list[str]:
        """Up to ``limit`` readable errors of ``instance`` against component ``name``."""
        out: list[str] = []
        for err in self._validator(name).iter_errors(instance):
            where = "/".join(str(p) for p in err.absolute_path) or "(top)"
            out.append(f"{where}: {_short(err.message)}")
            if len(out) >= limit:
                break
        return out


def _short(message: str, n: int = 160) -> str:
    return message if len(message) <= n else message[: n - 1] + "…"
