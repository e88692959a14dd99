"""The work list's int key (``work_key``) sorts as the tuple it replaced — (code, longest waited,
created_at, id) — including cases equal in everything but their id, which come in id order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from direkt_tui.domain.ordering import work_key, work_list_order

T0 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def _items(seed: int, n: int = 3000):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        code = rng.randrange(0, 100)
        # few distinct values, so that ties on code, waited and created all happen
        waited = rng.choice([0.0, 1.5, 12.25, 59.999999, 60.0, rng.uniform(0, 5000)])
        created = T0 - timedelta(minutes=rng.choice([0, 1, 2, 600]), microseconds=rng.choice([0, 1, 999_999]))
        out.append(SimpleNamespace(id=f"c-{rng.randrange(10**6):06d}-{i}", code=code, waited=waited, created=created))
    rng.shuffle(out)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_int_key_sorts_as_the_tuple(seed):
    items = _items(seed)
    expected = sorted(items, key=lambda c: (c.code, -c.waited, c.created, c.id))
    keys = [work_key(c.code, c.waited, c.created.timestamp(), i) for i, c in enumerate(items)]
    got = work_list_order(items, keys)
    assert [c.id for c in got] == [c.id for c in expected]


def test_ties_but_for_the_id_come_in_id_order():
    same = [SimpleNamespace(id=i, code=3, waited=10.0, created=T0) for i in ("c-9", "c-1", "c-5")]
    other = SimpleNamespace(id="c-0", code=3, waited=10.000001, created=T0)  # waited longer by 0.06 ms
    items = [*same, other]
    keys = [work_key(c.code, c.waited, c.created.timestamp(), i) for i, c in enumerate(items)]
    assert [c.id for c in work_list_order(items, keys)] == ["c-0", "c-1", "c-5", "c-9"]


def test_earlier_created_and_microseconds_order():
    a = SimpleNamespace(id="b", code=0, waited=0.0, created=T0 + timedelta(microseconds=1))
    b = SimpleNamespace(id="a", code=0, waited=0.0, created=T0)
    c = SimpleNamespace(id="c", code=1, waited=1e9, created=T0 - timedelta(days=400 * 365))  # long ago, huge wait
    items = [c, a, b]
    keys = [work_key(x.code, x.waited, x.created.timestamp(), i) for i, x in enumerate(items)]
    assert [x.id for x in work_list_order(items, keys)] == ["a", "b", "c"]
