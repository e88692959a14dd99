"""Load a scenario file (``direkt-scenario/1``) into a World frozen at its ``as_of``."""

from __future__ import annotations

import json
from pathlib import Path

from .timeutil import SimClock, parse_iso
from .world import World

SCHEMA = "direkt-scenario/1"


class ScenarioError(ValueError):
    """The scenario file is missing, unreadable or not a direkt-scenario/1 document."""


def load_scenario(path, *, log_retention: int = 10_000) -> World:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"scenario file not found: {p}") from None
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario file {p}: {exc.strerror or exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{p}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return world_from_scenario(doc, source=str(p), log_retention=log_retention)


def world_from_scenario(doc: dict, *, source: str = "scenario", log_retention: int = 10_000) -> World:
    if not isinstance(doc, dict):
        raise ScenarioError(f"{source}: a scenario is a JSON object")
    if doc.get("schema") != SCHEMA:
        raise ScenarioError(f"{source}: schema must be {SCHEMA!r}, got {doc.get('schema')!r}")
    try:
        as_of = parse_iso(doc["as_of"])
    except (KeyError, ValueError, TypeError):
        raise ScenarioError(f"{source}: as_of must be an RFC 3339 instant with an offset") from None
    for key in ("units", "staff", "shifts", "cases", "templates", "coordinators"):
        if not isinstance(doc.get(key, []), list):
            raise ScenarioError(f"{source}: {key} must be a list")
    if not doc.get("units"):
        raise ScenarioError(f"{source}: no units")
    try:
        world = World(
            units=doc["units"],
            staff=doc.get("staff", []),
            shifts=doc.get("shifts", []),
            cases=doc.get("cases", []),
            templates=doc.get("templates", []),
            coordinators=doc.get("coordinators", []),
            capabilities=doc.get("capabilities") or {"reassign_person_held": False},
            clock=SimClock(as_of, speed=0),
            log_retention=log_retention,
            name=doc.get("name") or source,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioError(f"{source}: malformed entity ({type(exc).__name__}: {exc})") from None
    world.scenario = doc
    return world
