"""Change feeds: paging, cursors, 410, compaction, chaos (repeats, old versions, small pages)."""

from __future__ import annotations

import uuid

import httpx
from sim.sim_support import highest, read_feed


def _counts(items):
    out = {}
    for it in items:
        out[it["id"]] = out.get(it["id"], 0) + 1
    return out


def test_small_pages_deliver_every_entity_once_at_its_highest_version(gen_server, openapi):
    world, srv, c = gen_server(seed=3)
    world.advance(3 * 3600)
    for feed in ("staff", "shifts", "cases"):
        items, cursor, pages = read_feed(c, feed, limit=13, openapi=openapi)
        current = world.entities(feed)
        assert pages >= len(current) // 13
        assert set(_counts(items).values()) == {1}, "an entity was delivered twice without chaos"
        assert {i["id"]: i for i in items} == current
        # the final cursor is the one to poll with: nothing new, has_more false
        r = c.get(f"/{feed}", params={"since": cursor})
        body = openapi.check(r, f"/{feed}")
        assert body["items"] == [] and body["has_more"] is False and body["next_cursor"]


def test_polling_returns_only_changes_after_the_cursor_oldest_first(gen_server):
    world, srv, c = gen_server(seed=3)
    _, cursor, _ = read_feed(c, "cases", limit=1000)
    before = world.entities("cases")
    world.advance(1800)
    after = world.entities("cases")
    changed = {cid for cid, x in after.items() if before.get(cid) != x}
    assert changed, "half an hour of a weekday morning changes cases"
    items, cursor2, _ = read_feed(c, "cases", limit=5, since=cursor)
    assert {i["id"] for i in items} == changed
    stamps = [i["updated_at"] for i in items]
    assert stamps == sorted(stamps), "oldest change first"
    assert read_feed(c, "cases", since=cursor2)[0] == []


def test_limit_bounds_and_default(scenario_server, openapi):
    world, srv, c = scenario_server()
    for bad in ("0", "1001", "-3", "ten"):
        r = c.get("/cases", params={"limit": bad})
        assert r.status_code == 422, bad
        assert r.json()["code"] == "invalid_limit"
    body = c.get("/cases").json()  # default 500 covers the scenario
    assert body["has_more"] is False and len(body["items"]) == len(world.store["cases"])
    body = c.get("/cases", params={"limit": 1000}).json()
    assert len(body["items"]) == len(world.store["cases"])


def test_default_limit_is_500(gen_server):
    world, srv, c = gen_server(seed=5, preload_cases=1200)
    body = c.get("/cases").json()
    assert len(body["items"]) == 500 and body["has_more"] is True


def test_drop_cursors_gives_410_and_resync_works(gen_server, openapi):
    world, srv, c = gen_server(seed=4)
    first = c.get("/cases", params={"limit": 10}).json()
    _, end_cursor, _ = read_feed(c, "staff")
    world.set_faults(drop_cursors=True)
    for feed, cur in (("cases", first["next_cursor"]), ("staff", end_cursor)):
        r = c.get(f"/{feed}", params={"since": cur})
        assert r.status_code == 410
        assert openapi.check(r, f"/{feed}")["code"] == "cursor_gone"
    items, _, _ = read_feed(c, "cases", limit=50)  # a full resync from the beginning
    assert {i["id"]: i for i in items} == world.entities("cases")


def test_drop_cursors_through_control_endpoint(scenario_server):
    world, srv, c = scenario_server()
    cur = c.get("/cases", params={"limit": 2}).json()["next_cursor"]
    r = httpx.post(srv.control_url, json={"drop_cursors": True},
                   headers={"Authorization": "Bearer test-token"})
    assert r.status_code == 200 and r.json()["drop_cursors"] is False
    assert c.get("/cases", params={"since": cur}).status_code == 410


def test_foreign_and_malformed_cursors_are_gone(scenario_server):
    world, srv, c = scenario_server()
    cases_cursor = c.get("/cases", params={"limit": 2}).json()["next_cursor"]
    assert c.get("/staff", params={"since": cases_cursor}).status_code == 410
    assert c.get("/cases", params={"since": "Zm9vOmJhcg"}).status_code == 410
    other_world, other_srv, other_c = scenario_server()
    assert other_c.get("/cases", params={"since": cases_cursor}).status_code == 410


def test_compaction_keeps_the_log_bounded_and_old_cursors_get_410(gen_server):
    world, srv, c = gen_server(seed=8, log_retention=200)
    _, old_cursor, _ = read_feed(c, "cases", limit=1000)
    log = world.logs["cases"]
    for _ in range(6 * 6):  # six hours in ten-minute steps
        world.advance(600)
        assert log.size() <= log.live_count() + 200
        assert log.index_size() <= 2 * log.live_count() + 1024 + 1
    assert log.head > 200 and log.horizon > 0
    r = c.get("/cases", params={"since": old_cursor})
    assert r.status_code == 410
    # a fresh resync is not disturbed by the horizon
    items, cursor, _ = read_feed(c, "cases", limit=37)
    assert {i["id"]: i for i in items} == world.entities("cases")
    assert c.get("/cases", params={"since": cursor}).status_code == 200


def test_chaos_repeats_and_old_versions_keep_highest_version_current(gen_server):
    world, srv, c = gen_server(seed=9)
    world.advance(5 * 3600)  # many versions per case
    world.set_faults(repeat_rate=0.6, old_version_rate=0.5, max_page_size=9)
    assert c.get("/capabilities").json()["max_page_size"] == 9
    for feed in ("cases", "staff", "shifts"):
        items, _, pages = read_feed(c, feed, limit=500)
        counts = _counts(items)
        best = highest(items)
        assert best == world.entities(feed), feed
        if feed == "cases":
            assert max(counts.values()) > 1, "chaos should repeat items"
            versions = {}
            regress = 0
            for it in items:
                if it["version"] < versions.get(it["id"], 0):
                    regress += 1
                versions[it["id"]] = max(versions.get(it["id"], 0), it["version"])
            assert regress > 0, "an older version should arrive after a newer one"


def test_max_page_size_caps_pages(scenario_server):
    world, srv, c = scenario_server()
    world.set_faults(max_page_size=3)
    body = c.get("/cases", params={"limit": 100}).json()
    assert len(body["items"]) == 3 and body["has_more"] is True
    items, _, pages = read_feed(c, "cases", limit=100)
    assert pages >= len(world.store["cases"]) / 3
    assert len(items) == len(world.store["cases"])


def test_writes_appear_in_the_feed_with_version_plus_one(scenario_server):
    world, srv, c = scenario_server()
    _, cursor, _ = read_feed(c, "cases")
    waiting = next(x for x in world.store["cases"].values() if x["status"] == "waiting")
    r = c.post(f"/cases/{waiting['id']}/messages", json={"template_id": "next_day"},
               headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201
    items, _, _ = read_feed(c, "cases", since=cursor)
    assert [i["id"] for i in items] == [waiting["id"]]
    assert items[0]["version"] == waiting["version"] and items[0] == r.json()
