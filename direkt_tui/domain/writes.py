"""The platform's write requests as data (openapi.yaml: assign, move, messages, coordinator).

Pure: the one place that knows the bodies and the endpoints. The UI, the outbox and the API
client all build their writes here; ``ENDPOINTS`` maps each kind to its method and path.

- ``assign(case, owner, force=…)``: ``POST /cases/{id}/assign`` with ``owner``, ``if_version``
  and ``force`` only when set (an unscheduled profession, domain.md §9);
- ``move(case, to_unit)``: ``POST /cases/{id}/move`` with ``to_unit_id`` and ``if_version``;
- ``send_template(case, template_id)``: ``POST /cases/{id}/messages`` with ``template_id``
  (``check_version=True`` adds ``if_version``, which the simulator checks when given);
- ``set_coordinator(unit_id, staff_id)``: ``PUT /units/{id}/coordinator`` with ``staff_id``
  (``None`` hands the role back).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .actions import PlanItem, Target
from .models import Case, Owner

# kind -> (method, path template); the path's ids are percent-encoded segments
ENDPOINTS: Mapping[str, tuple[str, str]] = {
    "assign": ("POST", "/cases/{case_id}/assign"),
    "move": ("POST", "/cases/{case_id}/move"),
    "message": ("POST", "/cases/{case_id}/messages"),
    "coordinator": ("PUT", "/units/{unit_id}/coordinator"),
}
KINDS = frozenset(ENDPOINTS)

# the audit action of a bulk action by its target kind
TARGET_ACTIONS: Mapping[str, str] = {
    "role": "reassign",
    "person": "reassign",
    "unit": "move",
    "template": "send_template",
}


@dataclass(frozen=True)
class WriteRequest:
    """One write to make: ``kind`` (a key of :data:`ENDPOINTS`), its body and its subject."""

    kind: str
    body: dict
    case_id: str | None = None
    unit_id: str | None = None

    @property
    def if_version(self) -> int | None:
        """The case version the write is conditional on (None: unconditional)."""
        v = self.body.get("if_version")
        return v if isinstance(v, int) else None


@dataclass(frozen=True)
class CaseRef:
    """What a write needs of a case: its id, the version it is conditional on, its unit."""

    id: str
    version: int
    unit_id: str | None = None


CaseLike = Case | PlanItem | CaseRef | Mapping[str, Any]
OwnerLike = Owner | Mapping[str, Any]


def case_ref(case: CaseLike) -> CaseRef:
    """The :class:`CaseRef` of a domain case, a plan item, an API case dict or a ref."""
    if isinstance(case, CaseRef):
        return case
    if isinstance(case, PlanItem):
        return CaseRef(case.case_id, int(case.version), case.unit_id)
    if isinstance(case, Mapping):
        return CaseRef(str(case["id"]), int(case["version"]), case.get("unit_id"))
    return CaseRef(case.id, int(case.version), case.unit_id)


def owner_body(owner: OwnerLike) -> dict[str, str]:
    """The API form of an owner: ``{"type": "person", "staff_id": …}`` or ``{"type": "role",
    "profession": …}``; anything else (or a missing id) is a ``ValueError``."""
    d: dict[str, Any] = (
        dict(owner)
        if isinstance(owner, Mapping)
        else {"type": owner.type, "staff_id": owner.staff_id, "profession": owner.profession}
    )
    if d.get("type") == "person":
        if not d.get("staff_id"):
            raise ValueError("a person owner needs a staff_id")
        return {"type": "person", "staff_id": str(d["staff_id"])}
    if d.get("type") == "role":
        if not d.get("profession"):
            raise ValueError("a role owner needs a profession")
        return {"type": "role", "profession": str(d["profession"])}
    raise ValueError(f"an owner is a person or a role, got {d!r}")


def person(staff_id: str) -> dict[str, str]:
    return owner_body({"type": "person", "staff_id": staff_id})


def role(profession: str) -> dict[str, str]:
    return owner_body({"type": "role", "profession": profession})


# ------------------------------------------------------------------------------- builders
def assign(case: CaseLike, owner: OwnerLike, *, force: bool = False, check_owner: bool = True) -> WriteRequest:
    """Give ``case`` to ``owner``, conditional on the case's version. ``check_owner=False``
    sends the owner as given (the API client's raw form: the platform judges it)."""
    ref = case_ref(case)
    sent = dict(owner) if not check_owner and isinstance(owner, Mapping) else owner_body(owner)
    body: dict[str, Any] = {"owner": sent, "if_version": ref.version}
    if force:
        body["force"] = True
    return WriteRequest("assign", body, case_id=ref.id, unit_id=ref.unit_id)


def move(case: CaseLike, to_unit: str) -> WriteRequest:
    """Move a waiting ``case`` to another activated unit, conditional on its version."""
    if not to_unit:
        raise ValueError("to_unit_id is required")
    ref = case_ref(case)
    return WriteRequest("move", {"to_unit_id": to_unit, "if_version": ref.version}, case_id=ref.id, unit_id=ref.unit_id)


def send_template(case: CaseLike, template_id: str, *, check_version: bool = False) -> WriteRequest:
    """Send the phrase template ``template_id`` to the patient of ``case``."""
    if not template_id:
        raise ValueError("template_id is required")
    ref = case_ref(case)
    body: dict[str, Any] = {"template_id": template_id}
    if check_version:
        body["if_version"] = ref.version
    return WriteRequest("message", body, case_id=ref.id, unit_id=ref.unit_id)


def set_coordinator(unit_id: str, staff_id: str | None) -> WriteRequest:
    """Take over (``staff_id``) or hand back (``None`` or empty) the coordinator role of ``unit_id``."""
    if not unit_id:
        raise ValueError("unit_id is required")
    return WriteRequest("coordinator", {"staff_id": staff_id or None}, unit_id=unit_id)


def for_target(target: Target, item: CaseLike) -> WriteRequest:
    """The write that carries out a planned bulk action (domain/actions.py) on one case."""
    if target.kind == "role":
        return assign(item, role(target.value), force=target.force)
    if target.kind == "person":
        return assign(item, person(target.value))
    if target.kind == "unit":
        return move(item, target.value)
    if target.kind == "template":
        return send_template(item, target.value)
    raise ValueError(f"unknown target kind {target.kind!r}")


# ------------------------------------------------------------------------------- endpoints
def _segment(value: str | None, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return quote(value, safe="")


def endpoint(kind: str, case_id: str | None = None, unit_id: str | None = None) -> tuple[str, str]:
    """(method, path) of the request that delivers a write of ``kind`` (paths relative to the API base)."""
    try:
        method, template = ENDPOINTS[kind]
    except KeyError:
        raise ValueError(f"unknown write kind {kind!r}") from None
    if "{case_id}" in template:
        return method, template.format(case_id=_segment(case_id, "a case id"))
    return method, template.format(unit_id=_segment(unit_id, "a unit id"))


def request_line(write: WriteRequest) -> tuple[str, str]:
    """(method, path) of ``write``."""
    return endpoint(write.kind, write.case_id, write.unit_id)


__all__ = [
    "ENDPOINTS",
    "KINDS",
    "TARGET_ACTIONS",
    "CaseRef",
    "WriteRequest",
    "assign",
    "case_ref",
    "endpoint",
    "for_target",
    "move",
    "owner_body",
    "person",
    "request_line",
    "role",
    "send_template",
    "set_coordinator",
]


@dataclass(frozen=True)
class WriteIntent:
    """What a stored write asks for, read back from its body (the inverse of the builders
    above), so the UI never spells the platform's JSON: the template sent, the unit moved to,
    the owner set (a person's staff id or a profession's queue)."""

    template_id: str | None = None
    to_unit_id: str | None = None
    staff_id: str | None = None
    profession: str | None = None


def intent(body: Mapping[str, Any]) -> WriteIntent:
    owner = body.get("owner")
    owner = owner if isinstance(owner, Mapping) else {}

    def text(v: Any) -> str | None:
        return str(v) if v not in (None, "") else None

    return WriteIntent(
        template_id=text(body.get("template_id")),
        to_unit_id=text(body.get("to_unit_id")),
        staff_id=text(owner.get("staff_id")) if owner.get("type") == "person" else None,
        profession=text(owner.get("profession")) if owner.get("type") == "role" else None,
    )
