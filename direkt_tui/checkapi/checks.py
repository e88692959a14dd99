"""The checks. Each one is a promise of the contract, tested over HTTP and reported as pass,
fail, warn (legal but worth knowing) or skip (could not be tried), with why.

Read-only by default. What the contract allows is never a failure: an item sent again, an
older version after a newer one, small pages, a clock skew. What it forbids is: content that
changes under the same (id, version), an unknown cursor answered with anything but 410, items
that do not validate (missing fields, instants without an offset), errors that are not problem
details, a write repeated with the same Idempotency-Key that is applied again."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from .schema import Contract, is_instant

FEEDS: dict[str, str] = {"staff": "StaffPage", "shifts": "ShiftPage", "cases": "CasePage"}
ITEM: dict[str, str] = {"staff": "Staff", "shifts": "Shift", "cases": "Case"}
PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"
MAX_SKEW_SECONDS = 300  # X-Server-Time further from our clock than this: a warning
RETRIES = 3  # a 429/503 is waited out this many times
MAX_RETRY_AFTER = 30  # seconds; a longer Retry-After is reported, not waited for
MAX_PAGES = 20_000  # per feed read: a bound against a server that never ends a feed


@dataclass(frozen=True)
class Check:
    id: str
    status: str
    why: str


@dataclass
class CheckRun:
    api: str
    contract_version: str
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(c.status == FAIL for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for c in self.checks:
            counts[c.status] = counts.get(c.status, 0) + 1
        return {
            "schema": "direkt-tui/check-api/1",
            "api": self.api,
            "contract_version": self.contract_version,
            "passed": self.passed,
            "counts": counts,
            "checks": [asdict(c) for c in self.checks],
        }


class _Abort(Exception):
    """The server cannot be talked to at all: the remaining checks cannot run."""


def _canon(item: Any) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class Checker:
    def __init__(
        self,
        client: httpx.Client,
        contract: Contract,
        *,
        limit: int = 7,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.c = client
        self.contract = contract
        self.limit = limit
        self.clock = clock
        self.out: list[Check] = []
        self.throttled: list[tuple[str, int, str | None]] = []  # (request, status, Retry-After)
        self.server_times: list[float] = []  # each X-Server-Time's skew from our clock, in seconds
        self.bad_server_times: list[str] = []
        self.sleep: Callable[[float], None] = time.sleep
        self.cases: dict[str, dict] = {}
        self.unit_ids: set[str] = set()
        self.caps: dict[str, Any] = {}

    # -- plumbing ------------------------------------------------------------------------------
    def add(self, cid: str, status: str, why: str) -> None:
        self.out.append(Check(cid, status, why))

    def get(self, path: str, *, auth: bool = True, **params: Any) -> httpx.Response:
        return self._send("GET", path, auth=auth, params={k: v for k, v in params.items() if v is not None})

    def _send(self, method: str, path: str, *, auth: bool = True, **kw: Any) -> httpx.Response:
        """One request; a 429/503 is waited out as its Retry-After says (the contract: the client
        must honour it), a few times, at most :data:`MAX_RETRY_AFTER` seconds each."""
        headers = dict(kw.pop("headers", None) or {})
        r: httpx.Response | None = None
        for attempt in range(RETRIES + 1):
            try:
                request = self.c.build_request(method, path.lstrip("/"), headers=headers, **kw)
                if not auth:
                    request.headers.pop("Authorization", None)
                r = self.c.send(request)
            except httpx.HTTPError as exc:
                raise _Abort(f"{method} {path}: {type(exc).__name__}: {exc}") from None
            st = r.headers.get("X-Server-Time")
            if st is not None:
                self.note_server_time(st)
            if r.status_code not in (429, 503):
                return r
            after = r.headers.get("Retry-After")
            self.throttled.append((f"{method} {path}", r.status_code, after))
            wait = int(after) if after is not None and after.strip().isdigit() else 1
            if attempt == RETRIES or wait > MAX_RETRY_AFTER:
                return r
            self.sleep(wait)
        assert r is not None
        return r

    def note_server_time(self, value: str) -> None:
        """An ``X-Server-Time`` as it arrives: its skew from our clock now (not at the end)."""
        if not is_instant(value):
            self.bad_server_times.append(value)
            return
        skew = (datetime.fromisoformat(value.replace("Z", "+00:00")) - self.clock()).total_seconds()
        self.server_times.append(skew)

    def _json(self, r: httpx.Response, what: str) -> Any:
        try:
            return r.json()
        except ValueError:
            raise _CheckFailed(f"{what}: HTTP {r.status_code}, the body is not JSON") from None

    def problem(self, r: httpx.Response, what: str, status: int | tuple[int, ...]) -> str | None:
        """None when ``r`` is a problem-details answer with ``status``; else why not."""
        want = (status,) if isinstance(status, int) else status
        if r.status_code not in want:
            return f"{what}: HTTP {r.status_code}, expected {' or '.join(map(str, want))}"
        ctype = r.headers.get("Content-Type", "").split(";")[0].strip()
        if ctype != "application/problem+json":
            return f"{what}: Content-Type {ctype or '(none)'}, expected application/problem+json (RFC 9457)"
        try:
            doc = r.json()
        except ValueError:
            return f"{what}: the problem body is not JSON"
        errs = self.contract.errors("Problem", doc)
        if errs:
            return f"{what}: not a problem document: {errs[0]}"
        if doc.get("status") != r.status_code:
            return f"{what}: problem status {doc.get('status')!r} differs from HTTP {r.status_code}"
        return None

    def run_one(self, cid: str, fn: Callable[[], tuple[str, str] | None]) -> None:
        try:
            res = fn()
        except _CheckFailed as exc:
            self.add(cid, FAIL, str(exc))
            return
        if res is not None:
            self.add(cid, res[0], res[1])

    # -- read-only checks --------------------------------------------------------------------
    def health(self) -> tuple[str, str]:
        r = self.get("/health", auth=False)
        if r.status_code != 200:
            return FAIL, f"GET /health without a token: HTTP {r.status_code}, expected 200"
        doc = self._json(r, "GET /health")
        if not isinstance(doc, dict) or doc.get("status") not in ("ok", "degraded"):
            return FAIL, "GET /health: status must be 'ok' or 'degraded'"
        if not is_instant(doc.get("server_time")):
            return FAIL, "GET /health: server_time is missing or not an RFC 3339 instant with an offset"
        return PASS, f"status {doc['status']}"

    def auth(self) -> tuple[str, str]:
        r = self.get("/capabilities", auth=False)
        why = self.problem(r, "GET /capabilities without a token", 401)
        if why:
            return FAIL, why
        r = self._send("GET", "/capabilities", headers={"Authorization": "Bearer wrong-" + uuid.uuid4().hex})
        why = self.problem(r, "GET /capabilities with a wrong token", 401)
        return (FAIL, why) if why else (PASS, "401 problem details without a token and with a wrong one")

    def simple(self, path: str, component: str | None, item: str | None) -> tuple[str, str]:
        r = self.get(path)
        if r.status_code != 200:
            return FAIL, f"GET {path}: HTTP {r.status_code}, expected 200"
        doc = self._json(r, f"GET {path}")
        if component:
            errs = self.contract.errors(component, doc)
            if errs:
                return FAIL, f"GET {path}: {errs[0]}"
            if path == "/capabilities":
                self.caps = doc
            return PASS, "valid"
        if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
            return FAIL, f"GET {path}: expected an object with an 'items' array"
        if path == "/units":
            self.unit_ids = {u["id"] for u in doc["items"] if isinstance(u, dict) and isinstance(u.get("id"), str)}
        bad = [(i, e) for i, it in enumerate(doc["items"]) for e in self.contract.errors(item or "", it, 1)]
        if bad:
            i, e = bad[0]
            return FAIL, f"GET {path}: item {i}: {e} ({len(bad)} invalid of {len(doc['items'])})"
        return PASS, f"{len(doc['items'])} valid"

    def read_feed(self, feed: str, limit: int) -> Iterator[tuple[dict, list[str]]]:
        """Every page of ``feed`` from the beginning: (page, validation errors)."""
        cursor: str | None = None
        cursors: set[str] = set()
        for _page in range(MAX_PAGES):
            r = self.get(f"/{feed}", since=cursor, limit=limit)
            if r.status_code != 200:
                raise _CheckFailed(f"GET /{feed}?since=…&limit={limit}: HTTP {r.status_code}, expected 200")
            page = self._json(r, f"GET /{feed}")
            errs = self.contract.errors(FEEDS[feed], page)
            yield page, errs
            if errs or not isinstance(page, dict):
                return
            items = page.get("items") or []
            if len(items) > limit:
                raise _CheckFailed(f"GET /{feed}: a page of {len(items)} items for limit={limit}")
            if not page["has_more"]:
                return
            if page["next_cursor"] in cursors or page["next_cursor"] == cursor:
                raise _CheckFailed(f"GET /{feed}: has_more true but a next_cursor already given (the feed loops)")
            cursors.add(page["next_cursor"])
            cursor = page["next_cursor"]
        raise _CheckFailed(f"GET /{feed}: still has_more after {MAX_PAGES} pages of {limit}")

    def feed(self, feed: str) -> None:
        try:
            self._feed(feed)
        except _CheckFailed as exc:
            self.add(f"{feed}.cursor", FAIL, str(exc))

    def _feed(self, feed: str) -> None:
        first: dict[tuple[str, int], str] = {}
        last_cursor: str | None = None
        pages = 0
        schema_errors: list[str] = []
        drift: list[str] = []

        def note(item: Any, into: dict[tuple[str, int], str], other: dict[tuple[str, int], str] | None) -> None:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("id"), str)
                or type(item.get("version")) is not int
            ):
                return
            key = (item["id"], item["version"])
            text = _canon(item)
            for known in (into, other or {}):
                if key in known and known[key] != text and len(drift) < 3:
                    drift.append(f"{item['id']} v{item['version']}")
            into.setdefault(key, text)

        ended = True
        try:
            for page, errs in self.read_feed(feed, self.limit):
                pages += 1
                if errs:
                    schema_errors.extend(errs)
                    ended = False
                    break
                for i, item in enumerate(page["items"]):
                    e = self.contract.errors(ITEM[feed], item, 1)
                    if e and len(schema_errors) < 3:
                        schema_errors.append(f"page {pages} item {i}: {e[0]}")
                    note(item, first, None)
                    if feed == "cases" and isinstance(item, dict) and isinstance(item.get("id"), str):
                        prev = self.cases.get(item["id"])
                        if prev is None or (item.get("version") or 0) >= (prev.get("version") or 0):
                            self.cases[item["id"]] = item
                last_cursor = page["next_cursor"]
        except _CheckFailed as exc:
            self.add(f"{feed}.paging", FAIL, str(exc))
            return
        ids = {k[0] for k in first}
        if ended:
            why = f"{pages} pages of at most {self.limit}, {len(ids)} ids, ended with has_more false"
            self.add(f"{feed}.paging", PASS, why)
        else:
            self.add(f"{feed}.paging", SKIP, f"stopped at page {pages}: it does not validate (see {feed}.schema)")
        if schema_errors:
            self.add(f"{feed}.schema", FAIL, "; ".join(schema_errors[:3]))
        else:
            self.add(f"{feed}.schema", PASS, f"{len(first)} (id, version) items valid against {ITEM[feed]}")
        # a second full read with another page size: the same (id, version) is the same content
        second: dict[tuple[str, int], str] = {}
        try:
            top = self.caps.get("max_page_size")
            top = top if isinstance(top, int) and top > 0 else 1000
            for page, errs in self.read_feed(feed, min(1000, top, max(50, self.limit * 7))):
                if errs:
                    break
                for item in page["items"]:
                    note(item, second, first)
        except _CheckFailed as exc:
            self.add(f"{feed}.stable", FAIL, f"the second read: {exc}")
        else:
            missing = ids - {k[0] for k in second}
            if drift:
                self.add(f"{feed}.stable", FAIL, "content changed without a new version: " + ", ".join(drift))
            elif missing:
                self.add(f"{feed}.stable", FAIL, f"{len(missing)} ids of the first read missing from the second")
            else:
                self.add(f"{feed}.stable", PASS, "two full reads agree on every (id, version)")
        # the last cursor resumes: nothing older than we hold, and a valid page
        if last_cursor is not None:
            r = self.get(f"/{feed}", since=last_cursor, limit=self.limit)
            if r.status_code != 200:
                self.add(f"{feed}.cursor", FAIL, f"resuming from the last next_cursor: HTTP {r.status_code}")
            else:
                page = self._json(r, f"GET /{feed}?since=<last>")
                errs = self.contract.errors(FEEDS[feed], page) or ([] if isinstance(page, dict) else ["not an object"])
                self.add(
                    f"{feed}.cursor",
                    FAIL if errs else PASS,
                    errs[0] if errs else f"the last cursor resumes ({len(page['items'])} newer items)",
                )
        bogus = "direkt-check-unknown-" + uuid.uuid4().hex
        gone = self.problem(self.get(f"/{feed}", since=bogus), f"GET /{feed} with an unknown cursor", 410)
        self.add(f"{feed}.unknown_cursor", FAIL if gone else PASS, gone or "410 problem details: the client re-reads")

    def errors(self) -> tuple[str, str]:
        missing = "direkt-check-no-such-case-" + uuid.uuid4().hex[:8]
        why = self.problem(self.get(f"/cases/{missing}"), "GET /cases/<unknown id>", 404)
        if why:
            return FAIL, why
        why = self.problem(self.get("/cases", limit=0), "GET /cases?limit=0", (400, 422))
        return (FAIL, why) if why else (PASS, "404 and 422 as problem details with a code")

    def server_time(self) -> tuple[str, str]:
        if self.bad_server_times:
            return FAIL, f"X-Server-Time not an RFC 3339 instant with an offset: {self.bad_server_times[0][:40]!r}"
        if not self.server_times:
            return SKIP, "no response carried X-Server-Time (optional; the client then uses its own clock)"
        skew = max(self.server_times, key=abs)
        if abs(skew) > MAX_SKEW_SECONDS:
            return WARN, f"X-Server-Time is {skew:+.0f} s from this machine's clock (a frozen test server, or skew)"
        return PASS, f"{len(self.server_times)} responses, skew {skew:+.0f} s"

    def retry_after(self) -> tuple[str, str]:
        if not self.throttled:
            return SKIP, "no 429 or 503 was answered during the checks"
        bad = [t for t in self.throttled if t[2] is not None and not t[2].strip().isdigit()]
        if bad:
            req, status, after = bad[0]
            return FAIL, f"{req}: HTTP {status} with Retry-After {after!r}, not a number of seconds"
        missing = [t for t in self.throttled if t[2] is None]
        if missing:
            req, status, _ = missing[0]
            return WARN, f"{req}: HTTP {status} without Retry-After (allowed; the client then backs off by itself)"
        return PASS, f"{len(self.throttled)} 429/503 answers, each with Retry-After, waited out"

    # -- writes (a test unit only) -----------------------------------------------------------
    def _open_case(self, unit: str, owner: Callable[[Any], bool]) -> dict | None:
        for c in sorted(self.cases.values(), key=lambda c: str(c.get("id"))):
            if c.get("unit_id") == unit and c.get("status") != "closed" and owner(c.get("owner")):
                return c
        return None

    def _current(self, case_id: str) -> dict:
        r = self.get(f"/cases/{case_id}")
        if r.status_code != 200:
            raise _CheckFailed(f"GET /cases/{case_id}: HTTP {r.status_code}")
        doc = self._json(r, f"GET /cases/{case_id}")
        errs = self.contract.errors("Case", doc, 1)
        if errs:
            raise _CheckFailed(f"GET /cases/{case_id}: {errs[0]}")
        return doc

    def _assign(self, case_id: str, owner: dict, if_version: int, key: str, force: bool = False) -> httpx.Response:
        body: dict[str, Any] = {"owner": owner, "if_version": if_version}
        if force:
            body["force"] = True
        return self._send("POST", f"/cases/{case_id}/assign", json=body, headers={"Idempotency-Key": key})

    def writes(self, unit: str, units: set[str]) -> None:
        if unit not in units:
            known = ", ".join(sorted(units)) or "none"
            self.add("write.unit", FAIL, f"--unit {unit!r} is not a unit the adapter serves ({known}): no write tried")
            return
        not_person = lambda o: not (isinstance(o, dict) and o.get("type") == "person")  # noqa: E731
        case = self._open_case(unit, not_person)
        if case is None:
            for cid in ("write.idempotent", "write.if_version"):
                self.add(cid, SKIP, f"no open case of unit {unit!r} that is not held by a person")
        else:
            self.run_one("write.idempotent", lambda: self._idempotent(case["id"]))
            self.run_one("write.if_version", lambda: self._if_version(case["id"]))
        if self.caps.get("reassign_person_held", True):
            self.add("write.held_by_person", SKIP, "the capabilities allow reassigning a person-held case")
            return
        held = self._open_case(unit, lambda o: isinstance(o, dict) and o.get("type") == "person")
        if held is None:
            self.add("write.held_by_person", SKIP, f"no open case of unit {unit!r} held by a person")
            return
        self.run_one("write.held_by_person", lambda: self._held(held["id"]))

    def _idempotent(self, case_id: str) -> tuple[str, str]:
        cur = self._current(case_id)
        held = cur.get("owner")
        now: dict[str, Any] = held if isinstance(held, dict) else {}
        owner = {"type": "role", "profession": "doctor" if now.get("profession") == "nurse" else "nurse"}
        key = str(uuid.uuid4())
        first = self._assign(case_id, owner, cur["version"], key, force=True)
        if first.status_code == 409 and _code(first) in ("case_closed", "target_not_scheduled"):
            return SKIP, f"the test case {case_id} cannot be assigned now ({_code(first)}); try another test unit"
        if first.status_code != 200:
            return FAIL, f"POST /cases/{case_id}/assign: HTTP {first.status_code}, expected 200"
        body = self._json(first, "assign")
        if not isinstance(body, dict):
            return FAIL, "assign: the answer is not a case object"
        if body.get("version") != cur["version"] + 1:
            return FAIL, f"assign: version {body.get('version')!r}, expected {cur['version'] + 1}"
        again = self._assign(case_id, owner, cur["version"], key, force=True)
        if again.status_code != first.status_code or _canon(self._json(again, "replay")) != _canon(body):
            return (
                FAIL,
                f"the same Idempotency-Key again: HTTP {again.status_code}, not the first result (applied twice?)",
            )
        after = self._current(case_id)
        if after["version"] != cur["version"] + 1:
            return FAIL, f"after the replay the case is at version {after['version']}, expected {cur['version'] + 1}"
        return PASS, "a repeated key returned the first result and changed nothing"

    def _if_version(self, case_id: str) -> tuple[str, str]:
        cur = self._current(case_id)
        wrong = cur["version"] + 1  # not the case's version, and valid (at least 1) whatever it is
        r = self._assign(case_id, {"type": "role", "profession": "nurse"}, wrong, str(uuid.uuid4()), force=True)
        why = self.problem(r, f"assign with a wrong if_version ({wrong})", 409)
        if why:
            return FAIL, why
        doc = r.json()
        if doc.get("code") != "version_conflict":
            return FAIL, f"stale if_version: code {doc.get('code')!r}, expected 'version_conflict'"
        errs = self.contract.errors("Case", doc.get("current"), 1)
        if errs:
            return FAIL, f"the conflict's current case: {errs[0]}"
        return PASS, "409 version_conflict with the current case"

    def _held(self, case_id: str) -> tuple[str, str]:
        cur = self._current(case_id)
        r = self._assign(case_id, {"type": "role", "profession": "nurse"}, cur["version"], str(uuid.uuid4()))
        why = self.problem(r, "reassigning a person-held case", (409, 422))
        if why:
            return FAIL, why
        code = r.json().get("code")
        if code != "held_by_person":
            return FAIL, f"reassigning a person-held case: code {code!r}, expected 'held_by_person'"
        return PASS, "refused with held_by_person, as the capabilities say"


class _CheckFailed(Exception):
    pass


def _code(r: httpx.Response) -> str | None:
    try:
        doc = r.json()
    except ValueError:
        return None
    return doc.get("code") if isinstance(doc, dict) else None


def run_checks(
    client: httpx.Client,
    api: str,
    *,
    contract: Contract | None = None,
    writes_unit: str | None = None,
    limit: int = 7,
    clock: Callable[[], datetime] | None = None,
    progress: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> CheckRun:
    """Run every check against the API ``client`` talks to (its base URL ends in ``/api/v1``)."""
    contract = contract or Contract()
    ck = Checker(client, contract, limit=limit, clock=clock or (lambda: datetime.now(UTC)))
    if sleep is not None:
        ck.sleep = sleep
    run = CheckRun(api, contract.version, ck.out)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("health", lambda: ck.run_one("health", ck.health)),
        ("auth", lambda: ck.run_one("auth", ck.auth)),
        ("capabilities", lambda: ck.run_one("capabilities", lambda: ck.simple("/capabilities", "Capabilities", None))),
        ("units", lambda: ck.run_one("units", lambda: ck.simple("/units", None, "Unit"))),
        ("templates", lambda: ck.run_one("templates", lambda: ck.simple("/templates", None, "Template"))),
        *[(f, (lambda f=f: ck.feed(f))) for f in FEEDS],
        ("errors", lambda: ck.run_one("errors", ck.errors)),
    ]
    if writes_unit:
        steps.append(("writes", lambda: ck.writes(writes_unit, ck.unit_ids)))
    try:
        for name, step in steps:
            if progress:
                progress(name)
            step()
    except _Abort as exc:
        ck.add("reachable", FAIL, str(exc))
        return run
    ck.run_one("server_time", ck.server_time)
    ck.run_one("retry_after", ck.retry_after)
    return run
