"""Severities, the work-list order (domain.md §7) and the order of findings. Pure.

The work list: open cases by band (a critical finding, then a high one, then all others: medium,
low and info findings never lift a case), then priority (admin last), then — within a
priority — ongoing cases whose patient awaits a reply, then the working time waited (longest
first), then ``created_at`` and ``id``. Findings: by severity; within one, unit findings (in unit
order), then case findings in work-list order, then closed cases' by id; within a subject, the
rule table's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from .models import Case

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
NO_SEVERITY = len(SEVERITIES)  # the rank of a case without findings
OTHER_BAND = SEVERITY_RANK["medium"]  # §7: medium, low, info and none share the last band
ADMIN_PRIORITY = 6  # admin cases (no priority) sort after P5


def severity_at_least(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold]


def sort_work_list(cases: list[Case], case_rank: Mapping[str, int], waited: Mapping[str, float]) -> None:
    """Sort open ``cases`` in place into work-list order (§7), given each case's highest severity
    rank (``case_rank``; none: after ``info``) and the working minutes it has waited. Only a
    critical or a high finding lifts a case (its band); the rest share the last band."""

    def key(c: Case) -> tuple[int, int, int, float, datetime, str]:
        prio = c.priority if c.priority is not None else ADMIN_PRIORITY
        reply_first = 0 if (c.status != "waiting" and c.patient_awaits_reply) else 1
        band = min(case_rank.get(c.id, NO_SEVERITY), OTHER_BAND)
        return (band, prio, reply_first, -waited[c.id], c.created_at, c.id)

    cases.sort(key=key)


# ``work_key``'s fields, high to low: the code (band·16 + priority·2 + reply first), the working
# time waited (longest first: its complement), ``created_at`` and the case's position
_POS_BITS = 24  # up to 16,777,216 open cases
_CREATED_BITS = 58  # microseconds since 1970 (± 4,500 years), offset to be positive
_CREATED_OFFSET = 1 << 57
_WAITED_BITS = 52  # microseconds waited (up to 142 years)
_WAITED_MAX = (1 << _WAITED_BITS) - 1
_POS_MASK = (1 << _POS_BITS) - 1


def work_key(code: int, waited_minutes: float, created_ts: float, position: int) -> int:
    """One open case's work-list key as a single int, so that sorting compares ints, not tuples
    of mixed types (a fifth of an evaluation at 100,000 open cases): ``code`` = band·16 +
    priority·2 + (0: an ongoing case whose patient awaits a reply, else 1), then the working
    time waited to the microsecond (longest first), then ``created_at`` (``created_ts``, epoch
    seconds) to the microsecond (the store keeps no finer), then ``position`` — the case's index
    in the list to sort, so that :func:`work_list_order` can find it; the id, the last
    tie-breaker, is applied there."""
    w = int(waited_minutes * 60_000_000.0 + 0.5)
    if w > _WAITED_MAX:
        w = _WAITED_MAX
    c = round(created_ts * 1_000_000.0) + _CREATED_OFFSET  # exact: a float holds µs to AD 2255
    return ((((code << _WAITED_BITS) | (_WAITED_MAX - w)) << _CREATED_BITS | c) << _POS_BITS) | position


def work_list_order(cases: Sequence[Case], keys: list[int]) -> list[Case]:
    """``cases`` in work-list order, given their :func:`work_key` keys (``keys`` is sorted in place);
    cases equal in everything but the id (rare: waited and created to the microsecond) in id order."""
    if len(cases) > _POS_MASK + 1:
        raise ValueError(f"{len(cases)} open cases: the work-list key holds {_POS_MASK + 1}")
    keys.sort()
    mask = _POS_MASK
    out = [cases[k & mask] for k in keys]
    heads = [k >> _POS_BITS for k in keys]
    if len(set(heads)) == len(heads):
        return out
    i, n = 0, len(heads)
    while i < n:
        j = i + 1
        while j < n and heads[j] == heads[i]:
            j += 1
        if j - i > 1:
            out[i:j] = sorted(out[i:j], key=lambda c: c.id)
        i = j
    return out


class Ordered(Protocol):
    """What ordering needs of a finding."""

    @property
    def rule(self) -> str: ...

    @property
    def severity(self) -> str: ...

    @property
    def unit_id(self) -> str: ...


F = TypeVar("F", bound=Ordered)


def order_findings(
    unit_findings: Iterable[F],
    case_findings: Mapping[str, list[F]],
    case_ids: Sequence[str],
    unit_ids: Iterable[str],
    rule_rank: Mapping[str, int],
    presorted: bool = False,
) -> list[F]:
    """All findings in report order: by severity; within one, the unit findings in unit order,
    then the case findings in the order of ``case_ids`` (the work list, then closed cases); within
    a subject, ``rule_rank``'s. Assembled from the per-case lists rather than sorted with a key
    per finding (there are tens of thousands); ``presorted``: each case's list is already in
    ``rule_rank``'s order (the rule engine makes them so)."""
    buckets: list[list[F]] = [[] for _ in SEVERITIES]
    unit_order = {uid: i for i, uid in enumerate(unit_ids)}
    for f in sorted(unit_findings, key=lambda f: (unit_order[f.unit_id], rule_rank[f.rule])):
        buckets[SEVERITY_RANK[f.severity]].append(f)
    by_severity = {s: buckets[i].append for s, i in SEVERITY_RANK.items()}
    get = case_findings.get
    for cid in case_ids:
        fs = get(cid)
        if not fs:
            continue
        if len(fs) > 1 and not presorted:
            fs = sorted(fs, key=lambda f: rule_rank[f.rule])
        for f in fs:
            by_severity[f.severity](f)
    return [f for bucket in buckets for f in bucket]
