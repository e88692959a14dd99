"""The simulator's world: entities, change feeds, the clock, writes and fault settings.

A ``World`` is transport-independent: the HTTP server (``server.py``) calls its methods, and
tests may call them directly. All state is guarded by ``world.lock``; every public method
takes it. A world may carry an *engine* (the generated live day, ``engine.py``) that
applies planned events lazily up to the simulated now before each request.
"""

from __future__ import annotations

import copy
import json
import random
import re
import secrets
import threading
import time as _time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from .changelog import ChangeLog, CursorGone
from .errors import ApiError
from .errors import conflict as _conflict
from .errors import valid_owner as _valid_owner
from .faults import FaultError, Faults, in_window
from .timeutil import SimClock, iso, parse_iso, zone

FEEDS = ("staff", "shifts", "cases")
OPEN_STATUSES = ("waiting", "received", "started")
DEFAULT_PAGE = 500
MAX_PAGE = 1000
IDEMPOTENCY_KEEP = 20_000
# the contract's Idempotency-Key: `format: uuid`, the hyphenated form (RFC 9562)
_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class Engine(Protocol):
    """What a world asks of the engine of a generated day (``engine.DayEngine``)."""

    def advance_to(self, world: World, t: datetime) -> None:
        """Apply the planned events due up to ``t``."""


class World:
    """State of one simulated platform.

    Construct with plain API dicts (as in a scenario file); versions are taken as given.
    """

    def __init__(
        self,
        *,
        units: list[dict],
        staff: Iterable[dict] = (),
        shifts: Iterable[dict] = (),
        cases: Iterable[dict] = (),
        templates: Iterable[dict] = (),
        coordinators: Iterable[dict] = (),
        capabilities: dict | None = None,
        clock: SimClock,
        seed: int = 0,
        log_retention: int = 10_000,
        name: str = "world",
    ):
        self.lock = threading.RLock()
        self.name = name
        self.seed = seed
        self.clock = clock
        self.instance = secrets.token_hex(4)
        self.units: dict[str, dict] = {}
        self.templates: list[dict] = [dict(t) for t in templates]
        self.capabilities: dict = dict(capabilities or {"reassign_person_held": False})
        self.capabilities.setdefault("reassign_person_held", False)
        self.store: dict[str, dict[str, dict]] = {f: {} for f in FEEDS}
        self.logs: dict[str, ChangeLog] = {f: ChangeLog(f, self.instance, log_retention) for f in FEEDS}
        self.coordinators: dict[str, dict] = {}
        self.coordinator_versions: dict[str, int] = {}
        self.coordinator_log: deque[dict] = deque(maxlen=2000)
        self._coord_seq = 0
        self._shift_times: dict[str, tuple[datetime, datetime]] = {}
        self._shifts_by_unit: dict[str, set[str]] = {}
        self._shifts_by_staff: dict[str, set[str]] = {}
        self.faults = Faults()
        self.fault_rng = random.Random(seed * 7919 + 17)
        self.hang_until = 0.0  # time.monotonic() until which requests stall
        self.request_count = 0
        self.broken_serial = 0  # responses served in a broken mode (what drifts between reads)
        self._idem: OrderedDict[str, tuple[str, int, bytes]] = OrderedDict()
        self.engine: Engine | None = None  # set by generate_world
        self.roles: dict[str, str] = {}  # generated worlds: unit id -> its role in the plan
        self.scenario: dict | None = None  # scenario worlds: the document served
        self.stopping = threading.Event()

        for u in units:
            self.units[u["id"]] = copy.deepcopy(u)
        for s in staff:
            self._insert("staff", copy.deepcopy(s))
        for sh in shifts:
            self._insert("shifts", copy.deepcopy(sh))
        for c in cases:
            self._insert("cases", copy.deepcopy(c))
        for c in coordinators:
            self._set_coordinator_raw(c["unit_id"], c.get("staff_id"), c.get("since"))

    # ================================================================ clock & engine
    def now(self) -> datetime:
        return self.clock.now()

    def sync(self) -> datetime:
        """Apply planned events up to the simulated now; returns that now."""
        with self.lock:
            now = self.clock.now()
            if self.engine is not None:
                self.engine.advance_to(self, now)
            return now

    def advance(self, seconds: float) -> datetime:
        """Move the simulated clock forward and apply the events that became due."""
        with self.lock:
            self.clock.advance(seconds)
            return self.sync()

    # ================================================================ entity plumbing
    def _insert(self, feed: str, entity: dict) -> None:
        eid = entity["id"]
        entity.setdefault("version", 1)
        self.store[feed][eid] = entity
        if feed == "shifts":
            self._index_shift(entity)
        self.logs[feed].record(eid, entity["version"], dumps(entity))

    def _update(self, feed: str, entity: dict, at: datetime) -> None:
        """Record a change of ``entity`` (already mutated in place): version + 1."""
        entity["version"] = int(entity.get("version", 0)) + 1
        entity["updated_at"] = iso(at)
        if feed == "shifts":
            self._index_shift(entity)
        self.logs[feed].record(entity["id"], entity["version"], dumps(entity))

    def _remove(self, feed: str, entity_id: str) -> None:
        ent = self.store[feed].pop(entity_id, None)
        if ent is None:
            return
        if feed == "shifts":
            self._shift_times.pop(entity_id, None)
            self._shifts_by_unit.get(ent["unit_id"], set()).discard(entity_id)
            self._shifts_by_staff.get(ent["staff_id"], set()).discard(entity_id)
        self.logs[feed].remove(entity_id)

    def _index_shift(self, sh: dict) -> None:
        self._shift_times[sh["id"]] = (parse_iso(sh["start"]), parse_iso(sh["end"]))
        self._shifts_by_unit.setdefault(sh["unit_id"], set()).add(sh["id"])
        self._shifts_by_staff.setdefault(sh["staff_id"], set()).add(sh["id"])

    def _set_coordinator_raw(self, unit_id: str, staff_id: str | None, since: str | None) -> dict:
        version = self.coordinator_versions.get(unit_id, 0) + 1
        self.coordinator_versions[unit_id] = version
        coord = {"unit_id": unit_id, "staff_id": staff_id, "since": since}
        self.coordinators[unit_id] = coord
        self._coord_seq += 1
        self.coordinator_log.append({"seq": self._coord_seq, "version": version, **coord})
        return coord

    # ================================================================ presence
    def present(self, staff_id: str, unit_id: str, t: datetime) -> bool:
        for sid in self._shifts_by_staff.get(staff_id, ()):
            sh = self.store["shifts"][sid]
            if sh["unit_id"] != unit_id or sh.get("cancelled"):
                continue
            a, b = self._shift_times[sid]
            if a <= t < b:
                return True
        return False

    def present_staff(self, unit_id: str, t: datetime, profession: str | None = None) -> list[str]:
        """Staff ids present in the unit at t (on a shift of ``profession`` if given), sorted."""
        out = set()
        for sid in self._shifts_by_unit.get(unit_id, ()):
            sh = self.store["shifts"][sid]
            if sh.get("cancelled"):
                continue
            if profession is not None and sh["profession"] != profession:
                continue
            a, b = self._shift_times[sid]
            if a <= t < b:
                out.add(sh["staff_id"])
        return sorted(out)

    def scheduled(self, unit_id: str, profession: str, t: datetime) -> bool:
        return bool(self.present_staff(unit_id, t, profession))

    def presence_end(self, staff_id: str, unit_id: str, t: datetime) -> datetime | None:
        """When the staff member's presence (across back-to-back shifts) ends, or None."""
        spans = sorted(
            self._shift_times[sid]
            for sid in self._shifts_by_staff.get(staff_id, ())
            if self.store["shifts"][sid]["unit_id"] == unit_id and not self.store["shifts"][sid].get("cancelled")
        )
        end = None
        for a, b in spans:
            if end is None:
                if a <= t < b:
                    end = b
            elif a <= end:
                end = max(end, b)
        return end

    # ================================================================ opening hours
    def opening_intervals(self, unit_id: str, d) -> list[tuple[datetime, datetime]]:
        """Opening intervals (UTC) of the unit on local date ``d`` (holidays closed)."""
        from .calendar import unit_intervals

        return unit_intervals(self.units[unit_id], d)

    def is_open(self, unit_id: str, t: datetime) -> bool:
        tz = self.units[unit_id].get("timezone") or "Europe/Stockholm"
        d = t.astimezone(zone(tz)).date()
        return any(a <= t < b for a, b in self.opening_intervals(unit_id, d))

    # ================================================================ reads
    def get_capabilities(self) -> dict:
        with self.lock:
            caps = dict(self.capabilities)
            caps["max_page_size"] = self.faults.max_page_size or MAX_PAGE
            return caps

    def list_units(self) -> list[dict]:
        with self.lock:
            return [copy.deepcopy(u) for u in self.units.values()]

    def list_templates(self) -> list[dict]:
        with self.lock:
            return [dict(t) for t in self.templates]

    def get_case(self, case_id: str) -> dict:
        with self.lock:
            c = self.store["cases"].get(case_id)
            if c is None:
                raise ApiError(404, "not_found", "Not Found", f"no case {case_id!r}")
            return copy.deepcopy(c)

    def get_case_json(self, case_id: str) -> str:
        with self.lock:
            j = self.logs["cases"].current_json(case_id)
            if j is None:
                raise ApiError(404, "not_found", "Not Found", f"no case {case_id!r}")
            return j

    def get_coordinator(self, unit_id: str) -> dict:
        with self.lock:
            if unit_id not in self.units:
                raise ApiError(404, "not_found", "Not Found", f"no unit {unit_id!r}")
            return dict(self.coordinators.get(unit_id) or {"unit_id": unit_id, "staff_id": None, "since": None})

    def entities(self, feed: str) -> dict[str, dict]:
        """A deep copy of the current entities of a feed, by id (for tests)."""
        with self.lock:
            return copy.deepcopy(self.store[feed])

    def feed_page(self, feed: str, since: str | None, limit: int | None) -> str:
        """One page of a change feed as a JSON text (chaos applied)."""
        if feed not in FEEDS:
            raise ApiError(404, "not_found", "Not Found", f"no feed {feed!r}")
        if limit is None:
            limit = DEFAULT_PAGE
        if not 1 <= limit <= MAX_PAGE:
            raise ApiError(422, "invalid_limit", "Unprocessable Content", f"limit must be between 1 and {MAX_PAGE}")
        with self.lock:
            log = self.logs[feed]
            pos = 0
            if since not in (None, ""):
                try:
                    pos = log.decode_cursor(since)
                except CursorGone as exc:
                    if "no_410" not in self.faults.broken:
                        raise ApiError(
                            410, "cursor_gone", "Gone", f"{exc}; re-read the collection from the beginning"
                        ) from None
                    pos = log.head  # broken on purpose: "nothing new" instead of 410
            f = self.faults
            eff = min(limit, f.max_page_size) if f.max_page_size else limit
            chaos = f.old_version_rate > 0 or f.repeat_rate > 0
            # chaos re-sends items, but a page never holds more than ``limit`` items (the
            # contract): leave room for a few re-sent ones, and drop the re-sends that do not fit
            entries, more = log.live_after(pos, max(1, eff - min(eff // 2, 4)) if chaos else eff)
            parts = [e.json for e in entries]
            rng = self.fault_rng
            if chaos:
                extras = 0
                room = eff - len(entries)
                mixed: list[str] = []
                if f.repeat_rate > 0 and pos > 0 and rng.random() < f.repeat_rate:
                    for e in log.live_before(pos, rng.randint(1, 3))[:room]:
                        mixed.append(e.json)
                        extras += 1
                for e in entries:
                    mixed.append(e.json)
                    if f.old_version_rate > 0 and extras < room and rng.random() < f.old_version_rate:
                        older = log.older_versions(e.id)
                        if older:
                            mixed.append(rng.choice(older).json)
                            extras += 1
                if f.old_version_rate > 0 and extras < room and rng.random() < f.old_version_rate:
                    old = log.random_superseded(rng)
                    if old is not None:
                        mixed.append(old.json)
                        extras += 1
                if f.repeat_rate > 0 and entries and extras < room and rng.random() < f.repeat_rate:
                    mixed.append(entries[rng.randrange(len(entries))].json)
                parts = mixed
            if more:
                cursor = log.encode_cursor(entries[-1].seq)
            else:
                cursor = log.encode_cursor(log.head)
            return (
                '{"items":['
                + ",".join(parts)
                + '],"next_cursor":'
                + dumps(cursor)
                + ',"has_more":'
                + ("true" if more else "false")
                + "}"
            )

    # ================================================================ writes
    def idempotent(self, key: str | None, scope: str, fn: Callable[[], tuple[int, Any]]) -> tuple[int, bytes, bool]:
        """Run a write once per Idempotency-Key.

        Returns (status, JSON body bytes, is_problem). A repeated key returns the stored
        first result; the same key on another endpoint gives 422."""
        if key is None or not key.strip():
            raise ApiError(
                422, "idempotency_key_required", "Unprocessable Content", "writes need an Idempotency-Key header"
            )
        key = key.strip()
        if not _UUID.fullmatch(key):
            raise ApiError(
                422,
                "invalid_idempotency_key",
                "Unprocessable Content",
                "Idempotency-Key must be a UUID (8-4-4-4-12 hexadecimal digits)",
            )
        with self.lock:
            hit = self._idem.get(key) if "non_idempotent" not in self.faults.broken else None
            if hit is not None:
                first_scope, status, body = hit
                if first_scope != scope:
                    raise ApiError(
                        422,
                        "idempotency_key_reused",
                        "Unprocessable Content",
                        "this Idempotency-Key was used for another request",
                    )
                return status, body, status >= 400
            try:
                status, payload = fn()
                body = dumps(payload).encode()
                problem = False
            except ApiError as exc:
                status, body, problem = exc.status, dumps(exc.problem()).encode(), True
            self._idem[key] = (scope, status, body)
            while len(self._idem) > IDEMPOTENCY_KEEP:
                self._idem.popitem(last=False)
            return status, body, problem

    def _open_case(self, case_id: str, body: Any, need_version: bool) -> tuple[dict, int | None]:
        case = self.store["cases"].get(case_id)
        if case is None:
            raise ApiError(404, "not_found", "Not Found", f"no case {case_id!r}")
        if not isinstance(body, dict):
            raise ApiError(422, "invalid_body", "Unprocessable Content", "body must be a JSON object")
        if_version = None
        if need_version:
            if_version = body.get("if_version")
            if isinstance(if_version, bool) or not isinstance(if_version, int) or if_version < 1:
                raise ApiError(422, "invalid_body", "Unprocessable Content", "if_version must be an integer >= 1")
        return case, if_version

    def assign(self, case_id: str, body: Any) -> dict:
        with self.lock:
            now = self.sync()
            case, if_version = self._open_case(case_id, body, True)
            owner = body.get("owner")
            force = body.get("force", False)
            if not isinstance(force, bool):
                raise ApiError(422, "invalid_body", "Unprocessable Content", "force must be a boolean")
            new_owner = _valid_owner(owner)
            if new_owner["type"] == "person" and new_owner["staff_id"] not in self.store["staff"]:
                raise ApiError(
                    422, "unknown_staff", "Unprocessable Content", f"no staff member {new_owner['staff_id']!r}"
                )
            if case["version"] != if_version:
                raise _conflict("version_conflict", f"case is at version {case['version']}, not {if_version}", case)
            if case["status"] == "closed":
                raise _conflict("case_closed", "the case is closed", case)
            cur = case.get("owner")
            if cur == new_owner:
                return copy.deepcopy(case)
            if cur and cur.get("type") == "person" and not self.capabilities.get("reassign_person_held", False):
                raise _conflict(
                    "held_by_person",
                    "the case is held by a person and cannot be reassigned "
                    "by someone else (§6.1); phone the patient instead",
                    case,
                )
            unit_id = case["unit_id"]
            if new_owner["type"] == "person":
                if not self.present(new_owner["staff_id"], unit_id, now):
                    raise _conflict(
                        "target_not_present", f"{new_owner['staff_id']} is not on shift in {unit_id} now", case
                    )
            elif not force and not self.scheduled(unit_id, new_owner["profession"], now):
                raise _conflict(
                    "target_not_scheduled",
                    f"nobody is scheduled as {new_owner['profession']} in {unit_id} "
                    "now; repeat with force=true to hand over anyway",
                    case,
                )
            case["owner"] = new_owner
            case["owner_since"] = iso(now)
            self._update("cases", case, now)
            return copy.deepcopy(case)

    def move(self, case_id: str, body: Any) -> dict:
        with self.lock:
            now = self.sync()
            case, if_version = self._open_case(case_id, body, True)
            to = body.get("to_unit_id")
            if not isinstance(to, str) or not to:
                raise ApiError(422, "invalid_body", "Unprocessable Content", "to_unit_id is required")
            if to not in self.units:
                raise ApiError(422, "unknown_unit", "Unprocessable Content", f"no unit {to!r}")
            if case["version"] != if_version:
                raise _conflict("version_conflict", f"case is at version {case['version']}, not {if_version}", case)
            if case["status"] == "closed":
                raise _conflict("case_closed", "the case is closed", case)
            if case["status"] != "waiting":
                raise _conflict("already_received", "only waiting (not yet received) cases can be moved (§10.2)", case)
            if not self.units[to].get("activated", False):
                raise _conflict(
                    "unit_not_activated", f"{to} does not use 1177 direkt; use its care-to-care phone (§10.3)", case
                )
            if to == case["unit_id"]:
                raise ApiError(422, "same_unit", "Unprocessable Content", "the case is already in that unit")
            case["unit_id"] = to
            if case.get("owner") is not None:
                case["owner"] = None
                case["owner_since"] = None
            self._update("cases", case, now)
            return copy.deepcopy(case)

    def send_message(self, case_id: str, body: Any) -> dict:
        with self.lock:
            now = self.sync()
            case, _ = self._open_case(case_id, body, False)
            tid = body.get("template_id")
            if not isinstance(tid, str) or not any(t["id"] == tid for t in self.templates):
                raise ApiError(422, "unknown_template", "Unprocessable Content", f"no template {tid!r}")
            if_version = body.get("if_version")  # optional here; checked when given
            if if_version is not None and if_version != case["version"]:
                raise _conflict("version_conflict", f"case is at version {case['version']}, not {if_version}", case)
            if case["status"] == "closed":
                raise _conflict("case_closed", "the case is closed", case)
            case.setdefault("notices", []).append({"template_id": tid, "sent_at": iso(now)})
            self._update("cases", case, now)
            return copy.deepcopy(case)

    def set_coordinator(self, unit_id: str, body: Any) -> dict:
        with self.lock:
            now = self.sync()
            if unit_id not in self.units:
                raise ApiError(404, "not_found", "Not Found", f"no unit {unit_id!r}")
            if not isinstance(body, dict) or "staff_id" not in body:
                raise ApiError(422, "invalid_body", "Unprocessable Content", "staff_id is required")
            sid = body["staff_id"]
            if sid is not None and not isinstance(sid, str):
                raise ApiError(422, "invalid_body", "Unprocessable Content", "staff_id must be a string or null")
            if sid is not None and not self.present(sid, unit_id, now):
                raise ApiError(409, "target_not_present", "Conflict", f"{sid} is not on shift in {unit_id} now")
            cur = self.coordinators.get(unit_id)
            if cur is not None and cur.get("staff_id") == sid:
                return dict(cur)
            return dict(self._set_coordinator_raw(unit_id, sid, iso(now)))

    # ================================================================ faults
    def set_faults(self, **changes) -> dict:
        """Change fault settings / run control actions; returns ``control_state()``."""
        try:
            clean = Faults().validated_update(changes)
        except FaultError as exc:
            raise ApiError(422, "invalid_control", "Unprocessable Content", str(exc)) from None
        with self.lock:
            self.faults.apply_stored(clean)
            if clean.get("drop_cursors"):
                for log in self.logs.values():
                    log.drop()
            if clean.get("advance_seconds"):
                self.clock.advance(clean["advance_seconds"])
            if "hang_seconds" in clean:
                self.hang_until = _time.monotonic() + clean["hang_seconds"] if clean["hang_seconds"] > 0 else 0.0
            self.sync()
            return self.control_state()

    def drop_cursors(self) -> None:
        self.set_faults(drop_cursors=True)

    def set_log_retention(self, retention: int) -> None:
        with self.lock:
            for log in self.logs.values():
                log.set_retention(retention)

    def control_state(self) -> dict:
        with self.lock:
            st = self.faults.as_dict()
            st["sim_now"] = iso(self.clock.now())
            st["speed"] = self.clock.speed
            st["hang_remaining_seconds"] = round(max(0.0, self.hang_until - _time.monotonic()), 3)
            st["advance_seconds"] = 0
            st["drop_cursors"] = False
            st["log"] = {
                f: {
                    "live": log.live_count(),
                    "entries": log.size(),
                    "head": log.head,
                    "horizon": log.horizon,
                    "retention": log.retention,
                }
                for f, log in self.logs.items()
            }
            return st

    def in_outage(self) -> bool:
        f = self.faults
        if f.outage:
            return True
        if f.outage_windows:
            local = self.clock.now().astimezone(zone("Europe/Stockholm"))
            minute = local.hour * 60 + local.minute
            return any(in_window(minute, w) for w in f.windows())
        return False

    def outage_retry_after(self) -> int:
        """Seconds (real) a client should wait during an outage (1..60)."""
        f = self.faults
        if f.outage or not f.outage_windows or self.clock.frozen:
            return 5
        local = self.clock.now().astimezone(zone("Europe/Stockholm"))
        minute = local.hour * 60 + local.minute + local.second / 60
        best = None
        for a, b in f.windows():
            if in_window(int(minute), (a, b)):
                left = (b - minute) % 1440
                best = left if best is None else min(best, left)
        if best is None:
            return 5
        return int(max(1, min(60, best * 60 / self.clock.speed)))
