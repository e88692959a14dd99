"""The sender's edges against the scripted platform: bounded concurrency, giving up, answers
that cannot be read, Retry-After without a value, the scheduler job."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from direkt_tui.domain.models import Case
from direkt_tui.store import actions
from direkt_tui.store.db import Store
from direkt_tui.sync.client import ApiClient
from direkt_tui.sync.outbox import OutboxSender, assign_write, coordinator_write, move_write, template_write
from outbox.fake_platform import FakePlatform
from outbox.support import AS_OF, TOKEN, case_doc

DOCTOR = {"type": "role", "profession": "doctor"}


@pytest.fixture
def setup(tmp_path):
    platforms = []
    stores = []

    def make(n=4, **kw):
        p = FakePlatform([f"c-{i}" for i in range(n)], **kw).start()
        platforms.append(p)
        s = Store(tmp_path / f"s{len(stores)}.db")
        stores.append(s)
        s.ingest("cases", [Case.from_api(c) for c in p.cases.values()])
        client = ApiClient(p.base_url, token=TOKEN, deadline=2.0)
        return p, s, client

    yield make
    for p in platforms:
        p.stop()
    for s in stores:
        s.close()


def test_concurrency_is_bounded(setup):
    # the first three requests meet at the platform (in flight together on any machine); the
    # delay keeps the later ones overlapping, so a fourth at once would show
    p, s, client = setup(24, delay=0.1, meet=3)
    actions.enqueue(s, AS_OF, "Anna", "reassign", [assign_write(s.case(f"c-{i}"), DOCTOR) for i in range(24)])
    sender = OutboxSender(s, client, concurrency=3, clock=lambda: AS_OF)
    r = sender.send_due()
    sender.close()
    assert r.done == 24
    assert p.max_in_flight == 3


def test_gives_up_after_max_attempts_with_the_outcome_unknown(setup):
    p, s, client = setup()
    t = [AS_OF]
    p.script.extend(["apply_then_drop", "error_500", "drop"])
    batch = actions.enqueue(s, AS_OF, "Anna", "reassign", [assign_write(s.case("c-0"), DOCTOR)])
    sender = OutboxSender(s, client, clock=lambda: t[0], max_attempts=3, rand=lambda: 1.0,
                          backoff_base=1.0, backoff_cap=1.5)
    delays = []
    for _ in range(3):
        sender.send_due()
        (row,) = actions.batch_rows(s, batch)
        if row.next_attempt_at:
            delays.append((row.next_attempt_at - t[0]).total_seconds())
        t[0] += timedelta(seconds=5)
    sender.close()
    (row,) = actions.batch_rows(s, batch)
    assert delays == [1.0, 1.5]  # exponential, capped
    assert (row.status, row.code, row.attempts) == ("failed", "undelivered", 3)
    assert "outcome unknown" in row.detail
    assert len({r.key for r in p.log}) == 1  # always the same key
    assert p.applied[row.idempotency_key] == 1  # applied by the first attempt: why it says "unknown"


def test_retry_after_pauses_everything(setup):
    p, s, client = setup(6)
    t = [AS_OF]
    p.script.append("busy_503")
    actions.enqueue(s, AS_OF, "Anna", "reassign", [assign_write(s.case(f"c-{i}"), DOCTOR) for i in range(6)])
    sender = OutboxSender(s, client, clock=lambda: t[0], concurrency=1)
    r = sender.send_due()
    assert (r.attempted, r.retrying, r.paused_until) == (1, 1, AS_OF + timedelta(seconds=2))
    assert sender.send_due().attempted == 0
    t[0] += timedelta(seconds=2)
    assert sender.send_due().done == 6
    sender.close()


def test_unreadable_success_is_retried_then_recorded(setup, monkeypatch):
    p, s, client = setup()
    batch = actions.enqueue(s, AS_OF, "Anna", "reassign", [assign_write(s.case("c-0"), DOCTOR)])
    real = client.request
    calls = []

    def flaky(*a, **kw):
        calls.append(kw["idempotency_key"])
        r = real(*a, **kw)
        if len(calls) == 1:
            return type(r)(["not", "an", "object"], r.status, r.server_time)
        if len(calls) == 2:
            return type(r)({"id": "c-0"}, r.status, r.server_time)  # not a case
        return r

    monkeypatch.setattr(client, "request", flaky)
    t = [AS_OF]
    sender = OutboxSender(s, client, clock=lambda: t[0])
    sender.send_due()
    t[0] += timedelta(minutes=1)
    sender.send_due()
    sender.close()
    (row,) = actions.batch_rows(s, batch)
    assert row.status == "done" and row.attempts == 2 and len(set(calls)) == 1
    assert "could not be read" in row.detail
    assert s.case("c-0").version == 1  # nothing readable to store: the sync brings it


def test_job_never_raises(setup, caplog):
    p, s, client = setup()
    actions.enqueue(s, AS_OF, "Anna", "reassign", [assign_write(s.case("c-0"), DOCTOR)])
    sender = OutboxSender(s, client, clock=lambda: AS_OF)
    s.close()
    with caplog.at_level(logging.ERROR, logger="direkt_tui.sync.outbox"):
        sender.job()
    assert "outbox job failed" in caplog.text
    sender.close()
    sender.job()  # stopped: nothing happens


def test_write_builders():
    c = Case.from_api(case_doc(3))
    w = assign_write(c, {"type": "person", "staff_id": "s-2", "extra": 1}, force=True)
    assert (w.kind, w.case_id, w.unit_id) == ("assign", "c-3", "vc-a")
    assert w.body == {"owner": {"type": "person", "staff_id": "s-2"}, "if_version": 1, "force": True}
    assert assign_write(case_doc(4) | {"version": 7}, DOCTOR).body == {"owner": DOCTOR, "if_version": 7}
    assert move_write(c, "vc-b").body == {"to_unit_id": "vc-b", "if_version": 1}
    assert template_write(c, "high_load").body == {"template_id": "high_load"}
    assert template_write(c, "high_load", check_version=True).body == {"template_id": "high_load", "if_version": 1}
    w = coordinator_write("vc-a", None)
    assert (w.kind, w.unit_id, w.case_id, w.body) == ("coordinator", "vc-a", None, {"staff_id": None})
    for bad in ({"type": "person"}, {"type": "role"}, {"type": "team", "id": 1}):
        with pytest.raises(ValueError):
            assign_write(c, bad)
