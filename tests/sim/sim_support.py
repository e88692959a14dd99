"""Helpers for the simulator tests: servers on loopback, httpx clients, OpenAPI validation."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

import httpx
import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from direkt_tui.sim import SimServer

_REPO = Path(__file__).resolve().parents[2]
SHARED = next((p for p in (Path(os.environ.get("DIREKT_SHARED", _REPO / "shared")),
                           _REPO / "shared", _REPO.parent / "shared", Path("/work/shared"))
               if (p / "api" / "openapi.yaml").exists()), _REPO.parent / "shared")
OPENAPI = SHARED / "api" / "openapi.yaml"
SCENARIOS = sorted((SHARED / "scenarios").glob("*.json"))
TOKEN = "test-token"
# a Thursday in November (no DST change, no holiday)
THURSDAY_0730 = "2026-11-26T06:30:00Z"

_RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

format_checker = jsonschema.FormatChecker(formats=())


@format_checker.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339_UTC.match(value):
        raise ValueError(f"not RFC 3339: {value!r}")
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@format_checker.checks("date", raises=ValueError)
def _date(value) -> bool:
    if isinstance(value, str):
        datetime.strptime(value, "%Y-%m-%d")
    return True


class OpenApi:
    """Validates response bodies against the schemas of openapi.yaml."""

    def __init__(self, path: Path):
        self.doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource("urn:openapi", resource)
        self._validators: dict[str, jsonschema.Validator] = {}

    def validator(self, pointer: str) -> jsonschema.Validator:
        v = self._validators.get(pointer)
        if v is None:
            v = jsonschema.Draft202012Validator(
                {"$ref": "urn:openapi#" + pointer}, registry=self.registry,
                format_checker=format_checker)
            self._validators[pointer] = v
        return v

    def component(self, name: str, instance) -> None:
        self.validator(f"/components/schemas/{name}").validate(instance)

    def response_pointer(self, template: str, method: str, status: int) -> str | None:
        op = self.doc["paths"][template][method.lower()]
        resp = op["responses"].get(str(status))
        if resp is None:
            return None
        base = f"/paths/{template.replace('/', '~1')}/{method.lower()}/responses/{status}"
        if "$ref" in resp:
            base = resp["$ref"].lstrip("#")
            resp = self.resolve(resp["$ref"])
        ctype = next(iter(resp["content"]))
        return f"{base}/content/{ctype.replace('/', '~1')}/schema"

    def resolve(self, ref: str):
        node = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def check(self, resp: httpx.Response, template: str, method: str = "GET"):
        """Assert the response is documented (or a problem) and its body validates."""
        assert "x-server-time" in resp.headers, resp.headers
        assert _RFC3339_UTC.match(resp.headers["x-server-time"])
        assert resp.headers["x-server-time"].endswith("Z")
        body = resp.json()
        if resp.status_code >= 400:
            assert resp.headers["content-type"].startswith("application/problem+json")
            self.component("Problem", body)
            assert body["status"] == resp.status_code
        else:
            assert resp.headers["content-type"].startswith("application/json")
        pointer = self.response_pointer(template, method, resp.status_code)
        if pointer is not None:
            self.validator(pointer).validate(body)
        else:
            assert resp.status_code >= 400, f"undocumented {resp.status_code} for {method} {template}"
        return body


def start(world, token=TOKEN) -> SimServer:
    srv = SimServer(world, host="127.0.0.1", port=0, token=token)
    srv.start()
    return srv


def client(srv: SimServer, token=TOKEN, **kw) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=srv.base_url, headers=headers, timeout=kw.pop("timeout", 10), **kw)


def read_feed(c: httpx.Client, feed: str, limit: int = 500, since=None, openapi=None,
              max_pages: int = 10_000):
    """Read a feed to its end. Returns (items in order, last next_cursor, pages)."""
    items, pages = [], 0
    cursor = since
    while True:
        params = {"limit": limit}
        if cursor is not None:
            params["since"] = cursor
        r = c.get(f"/{feed}", params=params)
        assert r.status_code == 200, r.text
        body = openapi.check(r, f"/{feed}") if openapi else r.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        pages += 1
        assert pages <= max_pages
        if not body["has_more"]:
            return items, cursor, pages


def highest(items):
    best = {}
    for it in items:
        if it["id"] not in best or it["version"] > best[it["id"]]["version"]:
            best[it["id"]] = it
    return best
