"""The simulator's errors: RFC 9457 problem details with a ``code``, and the checks that raise them."""

from __future__ import annotations

import copy
from typing import Any

from .tables import PROFESSIONS


class ApiError(Exception):
    """An error answered as RFC 9457 problem details with a ``code``."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        extra: dict | None = None,
        headers: dict | None = None,
    ):
        super().__init__(f"{status} {code}: {detail or title}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers or {}

    def problem(self) -> dict:
        body = {
            "type": f"https://direkt.example/problems/{self.code.replace('_', '-')}",
            "title": self.title,
            "status": self.status,
            "code": self.code,
        }
        if self.detail:
            body["detail"] = self.detail
        body.update(self.extra)
        return body


def conflict(code: str, detail: str, case: dict | None = None) -> ApiError:
    extra = {"current": copy.deepcopy(case)} if case is not None else None
    return ApiError(409, code, "Conflict", detail, extra)


def valid_owner(owner: Any) -> dict:
    bad = ApiError(
        422,
        "invalid_owner",
        "Unprocessable Content",
        'owner must be {"type":"person","staff_id":…} or {"type":"role","profession":…}',
    )
    if not isinstance(owner, dict):
        raise bad
    if owner.get("type") == "person":
        sid = owner.get("staff_id")
        if not isinstance(sid, str) or not sid:
            raise bad
        return {"type": "person", "staff_id": sid}
    if owner.get("type") == "role":
        prof = owner.get("profession")
        if prof not in PROFESSIONS:
            raise bad
        return {"type": "role", "profession": prof}
    raise bad
