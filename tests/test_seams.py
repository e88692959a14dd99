"""Issue 11, the seams: one home for the platform's write requests (domain/writes.py), the
composition root outside ui/ (ui talks to the live sync through a typed port), and reports/."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from outbox.support import case_doc
from sync.support import Reply, ScriptedApi

import direkt_tui
from direkt_tui.domain import writes
from direkt_tui.domain.actions import PlanItem, Target
from direkt_tui.domain.models import Case
from direkt_tui.store import actions
from direkt_tui.store.db import Store
from direkt_tui.sync.client import ApiClient
from direkt_tui.sync.outbox import request_for

PACKAGE = Path(direkt_tui.__file__).parent


def _case(cid: str = "c-1", version: int = 3, unit: str = "vc-a") -> Case:
    return Case.from_api(case_doc(1, unit) | {"id": cid, "version": version})


# ------------------------------------------------------------------------------- the builders
def test_one_endpoint_map_for_every_kind():
    assert writes.ENDPOINTS == {
        "assign": ("POST", "/cases/{case_id}/assign"),
        "move": ("POST", "/cases/{case_id}/move"),
        "message": ("POST", "/cases/{case_id}/messages"),
        "coordinator": ("PUT", "/units/{unit_id}/coordinator"),
    }
    assert actions.KINDS == writes.KINDS
    assert writes.endpoint("assign", "c 1/x") == ("POST", "/cases/c%201%2Fx/assign")
    assert writes.endpoint("coordinator", unit_id="vc-a") == ("PUT", "/units/vc-a/coordinator")
    for bad in (("nonsense", "c-1", None), ("move", None, "vc-a"), ("coordinator", "c-1", "")):
        with pytest.raises(ValueError):
            writes.endpoint(*bad)


def test_builders_from_a_case_a_plan_item_and_an_api_dict_agree():
    case = _case()
    item = PlanItem("c-1", "vc-a", 3, "plan.will.role", None)
    doc = {"id": "c-1", "version": 3, "unit_id": "vc-a"}
    for ref in (case, item, doc, writes.CaseRef("c-1", 3, "vc-a")):
        w = writes.assign(ref, writes.role("doctor"), force=True)
        assert w == writes.WriteRequest("assign", {"owner": {"type": "role", "profession": "doctor"},
                                                   "if_version": 3, "force": True}, "c-1", "vc-a")
        assert w.if_version == 3
        assert writes.move(ref, "vc-b").body == {"to_unit_id": "vc-b", "if_version": 3}
        assert writes.send_template(ref, "high_load").body == {"template_id": "high_load"}
        assert writes.send_template(ref, "high_load").if_version is None
    assert writes.set_coordinator("vc-a", "") == writes.WriteRequest("coordinator", {"staff_id": None}, None, "vc-a")
    assert writes.set_coordinator("vc-a", "s-2").body == {"staff_id": "s-2"}


def test_the_bulk_action_writes_are_the_ones_the_ui_sent():
    """The bodies ``ui/app.py`` spelled by hand before, now from the builders: force only for a
    profession queue, no version on a template (the API body is ``template_id`` only)."""
    item = PlanItem("c-7", "vc-b", 5, "plan.will.role", None)
    got = {kind: writes.for_target(target, item).body for kind, target in (
        ("role", Target("role", "doctor", force=True)), ("role_plain", Target("role", "nurse")),
        ("person", Target("person", "s-4", "vc-b")), ("unit", Target("unit", "vc-a")),
        ("template", Target("template", "next_day")))}
    assert got == {
        "role": {"owner": {"type": "role", "profession": "doctor"}, "if_version": 5, "force": True},
        "role_plain": {"owner": {"type": "role", "profession": "nurse"}, "if_version": 5},
        "person": {"owner": {"type": "person", "staff_id": "s-4"}, "if_version": 5},
        "unit": {"to_unit_id": "vc-a", "if_version": 5},
        "template": {"template_id": "next_day"},
    }
    assert {writes.TARGET_ACTIONS[k] for k in ("role", "person")} == {"reassign"}
    with pytest.raises(ValueError):
        writes.for_target(Target("team", "x"), item)


def test_the_outbox_sends_a_row_where_the_map_says(tmp_path):
    with Store(tmp_path / "s.db") as s:
        batch = actions.enqueue(s, _case().updated_at, "Anna", "reassign", [
            writes.assign(_case("c 1"), writes.person("s-2")), writes.move(_case("c-2"), "vc-b"),
            writes.send_template(_case("c-3"), "high_load"), writes.set_coordinator("vc/a", None)])
        rows = actions.batch_rows(s, batch)
    assert [request_for(r) for r in rows] == [
        ("POST", "/cases/c%201/assign"), ("POST", "/cases/c-2/move"), ("POST", "/cases/c-3/messages"),
        ("PUT", "/units/vc%2Fa/coordinator")]


def test_the_client_sends_the_builders_requests_over_http():
    """Real loopback HTTP: each write method of the client sends exactly what the builder and
    the endpoint map say; ``send`` delivers any write request."""

    def respond(method, path, query, headers, body):
        return Reply(200, {"ok": True})

    with ScriptedApi(respond) as api, ApiClient(api.base_url, token="t") as c:
        c.assign("c-1", {"type": "role", "profession": "doctor"}, 4, force=True)
        c.move("c-1", "vc-b", 5)
        c.send_template("c-1", "high_load")
        c.set_coordinator("vc-a", "s-2")
        c.send(writes.assign(_case("c-9", 2), writes.person("s-1")), idempotency_key="k-9")
        expected = [
            writes.assign(writes.CaseRef("c-1", 4), writes.role("doctor"), force=True),
            writes.move(writes.CaseRef("c-1", 5), "vc-b"),
            writes.send_template(writes.CaseRef("c-1", 1), "high_load"),
            writes.set_coordinator("vc-a", "s-2"),
            writes.assign(_case("c-9", 2), writes.person("s-1")),
        ]
        assert [(r["method"], r["path"]) for r in api.requests] == [
            (m, "/api/v1" + p) for m, p in map(writes.request_line, expected)]
        assert [json.loads(r["body"]) for r in api.requests] == [w.body for w in expected]
        assert api.requests[-1]["headers"]["Idempotency-Key"] == "k-9"


# ------------------------------------------------------------------------------- the layers
def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names), function-local and TYPE_CHECKING included."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    package = list(rel.parts[:-1])  # a module's package; an __init__ is its own package
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            mod = ".".join([*base, *([node.module] if node.module else [])])
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return out


def _layer_imports(layer: str) -> set[str]:
    found: set[str] = set()
    for path in (PACKAGE / layer).rglob("*.py"):
        found |= _imports(path)
    return found


@pytest.mark.parametrize("layer, forbidden", [
    ("ui", ("direkt_tui.sync", "direkt_tui.sim", "direkt_tui.cli", "direkt_tui.launch", "httpx", "apscheduler")),
    ("reports", ("direkt_tui.sync", "direkt_tui.sim", "direkt_tui.ui", "direkt_tui.cli", "textual")),
])
def test_layer_imports_nothing_it_must_not(layer, forbidden):
    assert (PACKAGE / layer).is_dir()
    bad = sorted(m for m in _layer_imports(layer) if any(m == f or m.startswith(f + ".") for f in forbidden))
    assert bad == []


def test_the_read_side_lives_in_reports_and_the_root_outside_ui():
    for gone in ("shift.py", "calllist.py", "audit_cli.py", "ui/launch.py"):
        assert not (PACKAGE / gone).exists(), gone
    for there in ("reports/shift.py", "reports/calllist.py", "reports/audit.py", "launch.py", "sync/live.py",
                  "ui/ports.py", "domain/writes.py"):
        assert (PACKAGE / there).exists(), there


def test_the_ui_no_longer_spells_platform_json():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (PACKAGE / "ui").rglob("*.py"))
    for word in ('"if_version"', '"to_unit_id"', '"template_id"', '{"type": "role"', '{"type": "person"',
                 "OutboxWrite(", 'getattr(self.sync, "store"', "type: ignore[union-attr]"):
        assert word not in source, word


def test_the_app_takes_its_writer_store_from_the_port(tmp_path):
    """Any object with the port's methods will do: no ``store`` attribute is looked for."""
    from direkt_tui.ui.app import DirektApp

    class Port:
        def __init__(self, store):
            self._store = store
            self.queued = []

        def writer(self):
            return self._store

        def enqueue(self, actor, action, writes_, detail):
            self.queued.append((action, list(writes_)))
            return "b-1"

        def sync_now(self): ...
        def start(self): ...
        def shutdown(self, wait=True): ...

    with Store(tmp_path / "w.db") as s:
        port = Port(s)
        app = DirektApp(tmp_path / "w.db", sync=port)
        assert app._local_writer() is s
        assert app.writes_denied() is None
        assert DirektApp(tmp_path / "w.db", sync=port, offline=True)._local_writer() is None
