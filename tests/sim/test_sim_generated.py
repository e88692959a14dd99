"""The generated live day: determinism, the day's shape, coordinator situations, bounds."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta

from sim.sim_support import THURSDAY_0730, client, read_feed, start

from direkt_tui.sim import generate_world
from direkt_tui.sim.calendar import default_start
from direkt_tui.sim.names import luhn_valid
from direkt_tui.sim.timeutil import iso, local_instant, parse_iso, zone

DAY = datetime(2026, 11, 26).date()


def L(hhmm):
    return local_instant(DAY, hhmm)


def snapshot(world):
    return {f: world.entities(f) for f in ("staff", "shifts", "cases")}, dict(world.coordinators)


def test_same_seed_same_world_whatever_the_request_timing():
    a = generate_world(seed=21, start=THURSDAY_0730, speed=0)
    b = generate_world(seed=21, start=THURSDAY_0730, speed=0)
    assert snapshot(a) == snapshot(b)
    a.advance(6 * 3600)
    for _ in range(36 * 4):
        b.advance(150)  # many small steps
    assert snapshot(a) == snapshot(b)
    c = generate_world(seed=22, start=THURSDAY_0730, speed=0)
    c.advance(6 * 3600)
    assert snapshot(c) != snapshot(a)


def test_same_seed_identical_feeds_over_http():
    feeds = []
    for _ in range(2):
        w = generate_world(seed=5, start=THURSDAY_0730, speed=0)
        srv = start(w)
        try:
            with client(srv) as c:
                c.post(srv.control_url, json={"advance_seconds": 3 * 3600})
                feeds.append({f: read_feed(c, f, limit=50)[0] for f in ("staff", "shifts", "cases")})
        finally:
            srv.stop()
    assert feeds[0] == feeds[1]


def test_units_hours_and_people_look_real():
    w = generate_world(seed=3, start=THURSDAY_0730, speed=0, units=5)
    units = list(w.units.values())
    assert len(units) == 5 and all(u["region"] == "Östergötland" for u in units)
    lunch = [u for u in units if len(u["opening_hours"].get("1", [])) == 2]
    weekend = [u for u in units if "6" in u["opening_hours"]]
    assert lunch and weekend
    assert [i["open"] for i in lunch[0]["opening_hours"]["1"]] == ["08:00", "13:00"]
    assert any(not u["activated"] for u in units) and any(u["private"] for u in units)
    assert any(u["special_hours"] or u["closed_dates"] for u in units)
    assert all(u["care_to_care_phone"] for u in units)
    profs = Counter(s["professions"][0] for s in w.store["staff"].values())
    assert {"nurse", "doctor", "assistant_nurse", "physiotherapist", "psychologist",
            "medical_admin", "admin_contact"} <= set(profs)
    for s in w.store["staff"].values():
        assert s["phone"].startswith("070-000 ")
    for c in w.store["cases"].values():
        p = c["patient"]
        assert luhn_valid(p["personnummer"]), p["personnummer"]
        assert p["personnummer"][9] == "9"  # serial range 9xx
        assert p["personnummer"][:8] == p["birth_date"].replace("-", "")
        assert p["phone"].startswith("070-000 ")
    shifts = list(w.store["shifts"].values())
    assert any(s["cancelled"] for s in shifts)
    # opening hours follow local time across DST: a shift on a summer day starts at 05:30Z
    summer = generate_world(seed=3, start="2026-06-16T05:30:00Z", speed=0)
    assert summer.clock.now() == parse_iso("2026-06-16T05:30:00Z")
    firsts = sorted(s["start"] for s in summer.store["shifts"].values() if s["start"].startswith("2026-06-16"))
    assert firsts[0] == "2026-06-16T05:30:00Z"  # 07:30 CEST


def test_default_start_is_latest_working_day_0730():
    # Tuesday 2026-12-08 06:00 local -> Monday 07 07:30; Saturday -> Friday; after Christmas
    tz = zone()
    assert default_start(datetime(2026, 12, 8, 6, 0, tzinfo=tz)) == L("07:30").replace(
        day=7, month=12)
    assert iso(default_start(datetime(2026, 12, 8, 9, 0, tzinfo=tz))) == "2026-12-08T06:30:00Z"
    assert iso(default_start(datetime(2026, 12, 27, 12, 0, tzinfo=tz))) == "2026-12-23T06:30:00Z"
    assert iso(default_start(datetime(2026, 3, 30, 8, 0, tzinfo=tz))) == "2026-03-30T05:30:00Z"


def _present(world, sid, uid, t):
    return world.present(sid, uid, t)


def test_a_twelve_hour_day_has_the_situations_a_coordinator_must_catch():
    w = generate_world(seed=2, start=THURSDAY_0730, speed=0, units=5, log_retention=400)
    roles = w.roles
    by_role = {r: u for u, r in roles.items()}
    main, lunch, weekend = by_role["main"], by_role["lunch"], by_role["weekend"]
    seen = Counter()
    waiting_peak = 0
    start_cases = set(w.store["cases"])
    for step in range(12 * 6):
        now = w.advance(600)
        cases = list(w.store["cases"].values())
        open_ = [c for c in cases if c["status"] in ("waiting", "received", "started")]
        for c in open_:
            o = c["owner"] or {}
            if c["status"] in ("received", "started") and o.get("type") == "person" \
                    and not _present(w, o["staff_id"], c["unit_id"], now):
                seen["absent_owner"] += 1
            if o.get("type") == "role" and not w.scheduled(c["unit_id"], o["profession"], now):
                seen["unscheduled_profession"] += 1
            ho = c.get("handover")
            if ho and not ho["accepted_at"] and now - parse_iso(ho["requested_at"]) > timedelta(minutes=30):
                seen["unaccepted_handover"] += 1
            if c["patient"]["protected_identity"]:
                seen["protected_identity"] += 1
            if c["status"] == "waiting" and not w.is_open(c["unit_id"], parse_iso(c["created_at"])):
                seen["after_hours_arrival"] += 1
            if c["status"] == "started" and c["last_patient_message_at"] and (
                    c["last_staff_message_at"] is None
                    or c["last_patient_message_at"] > c["last_staff_message_at"]):
                if now - parse_iso(c["last_patient_message_at"]) > timedelta(hours=3):
                    seen["awaiting_reply"] += 1
        for uid in (main, lunch, weekend):
            if w.is_open(uid, now):
                coord = w.coordinators.get(uid, {}).get("staff_id")
                if coord is None or not _present(w, coord, uid, now):
                    seen[f"no_coordinator:{roles[uid]}"] += 1
        waiting_peak = max(waiting_peak, sum(1 for c in open_ if c["unit_id"] == weekend
                                             and c["status"] == "waiting"))
        log = w.logs["cases"]
        assert log.size() <= log.live_count() + 400
    cases = list(w.store["cases"].values())
    new = [c for c in cases if c["id"] not in start_cases]
    reasons = Counter(c["close_reason"] for c in cases)
    assert len(new) > 120, len(new)
    assert reasons["resolved"] > 60 and reasons["no_response"] >= 2
    assert reasons["handed_over"] >= 1 and reasons["ticket_sent"] >= 1
    assert sum(1 for c in new if c["kind"] == "admin") >= 5
    prios = Counter(c["priority"] for c in new if c["kind"] == "care")
    assert prios[1] < prios[3] and prios[2] < prios[4]
    assert sum(1 for c in cases if c["contact_attempts"]) >= 3
    assert any(n["template_id"] == "high_load" for c in cases for n in c["notices"])
    assert any(n["template_id"] == "next_day" for c in cases for n in c["notices"])
    assert any(n["template_id"] == "seek_care_again" for c in cases for n in c["notices"])
    assert any(c["reopen_until"] for c in cases)
    # morning peak: more arrivals 08–10 than 14–16 (local)
    hours = Counter(parse_iso(c["created_at"]).astimezone(zone()).hour for c in new)
    assert hours[8] + hours[9] > hours[14] + hours[15]
    assert waiting_peak >= 12, waiting_peak  # the surge
    for situation in ("absent_owner", "unscheduled_profession", "unaccepted_handover",
                      "protected_identity", "after_hours_arrival", "no_coordinator:lunch"):
        assert seen[situation] > 0, (situation, seen)
    assert seen["no_coordinator:main"] == 0, seen
    # someone on long leave holds an old case (long absence)
    leave = [c for c in cases if c["status"] == "started" and
             parse_iso(c["created_at"]) < L("00:00") - timedelta(days=3)]
    assert leave
    sid = leave[0]["owner"]["staff_id"]
    assert not any(s["staff_id"] == sid for s in w.store["shifts"].values())
    # staff log in and out; shifts end early or are cancelled
    assert any(s["version"] > 2 for s in w.store["staff"].values())
    assert any(s["version"] > 1 and not s["cancelled"] for s in w.store["shifts"].values())
    # the engine skipped nothing it could not explain: most events applied
    assert w.engine.applied > 10 * w.engine.skipped


def test_client_writes_are_respected_by_the_plan():
    w = generate_world(seed=2, start=THURSDAY_0730, speed=0)
    w.advance(2 * 3600)  # 09:30
    now = w.now()
    case = next(c for c in w.store["cases"].values() if c["status"] == "started"
                and (c["owner"] or {}).get("type") == "person")
    uid = case["unit_id"]
    # hand the case to a profession queue (capability off: write through the world directly)
    w.capabilities["reassign_person_held"] = True
    prof = "doctor"
    got = w.assign(case["id"], {"owner": {"type": "role", "profession": prof},
                                "if_version": case["version"], "force": True})
    assert got["owner"] == {"type": "role", "profession": prof}
    for _ in range(12):
        w.advance(600)
        c = w.store["cases"][case["id"]]
        o = c["owner"] or {}
        if o.get("type") == "person":
            # whoever acts on it next is on shift as the profession it was handed to
            assert any(s["staff_id"] == o["staff_id"] and s["profession"] == prof
                       for s in w.store["shifts"].values())
    # a closed case stays closed whatever the plan says
    closed = next(c for c in w.store["cases"].values() if c["status"] == "closed")
    v = closed["version"]
    w.advance(4 * 3600)
    assert w.store["cases"][closed["id"]]["version"] == v


def test_multi_day_run_stays_flat():
    w = generate_world(seed=4, start=THURSDAY_0730, speed=0, log_retention=500)
    sizes = []
    for _ in range(6):
        w.advance(24 * 3600)
        sizes.append((len(w.store["cases"]), w.logs["cases"].size(), len(w.store["shifts"])))
    assert all(s[1] <= s[0] + 500 for s in sizes)
    assert max(s[0] for s in sizes[2:]) < 3 * min(s[0] for s in sizes[2:]) + 50
    assert max(s[2] for s in sizes) < 400


def test_preloaded_10k_cases_sync_fast():
    t = time.perf_counter()
    w = generate_world(seed=1, start=THURSDAY_0730, speed=0, preload_cases=10_000)
    gen = time.perf_counter() - t
    assert gen < 10
    open_cases = [c for c in w.store["cases"].values() if c["id"].startswith("p-")]
    assert len(open_cases) == 10_000
    assert len({c["unit_id"] for c in open_cases}) >= 3
    srv = start(w)
    try:
        with client(srv) as c:
            c.get("/units")
            t = time.perf_counter()
            items, _, pages = read_feed(c, "cases", limit=1000)
            elapsed = time.perf_counter() - t
    finally:
        srv.stop()
    assert pages >= 10 and len(items) == len(w.store["cases"])
    assert elapsed < 2.0, f"full sync of 10k cases took {elapsed:.2f}s"


def test_live_clock_runs_at_speed():
    w = generate_world(seed=1, start=THURSDAY_0730, speed=600)
    t0 = w.now()
    time.sleep(0.2)
    moved = (w.now() - t0).total_seconds()
    assert 100 <= moved <= 400
