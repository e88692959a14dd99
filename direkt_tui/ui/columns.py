"""The panels' columns: (label, width) per panel kind, and which go first when the terminal is
narrow (split from ``ui.model``, which re-exports them)."""

from __future__ import annotations

from collections.abc import Sequence

from .. import i18n
from .lookahead import COUNTDOWN_WIDTH

CASE_ID_WIDTH = 9  # the case column before any board (compose)


def columns(
    kind: str, lang: str, multi_unit: bool, case_width: int = CASE_ID_WIDTH, unit_width: int = 16
) -> list[tuple[str, int]]:
    """(label, width) of each panel's columns; width 0 = take the rest. ``kind`` is ``cases``
    (the work list), ``side`` (the three narrower case panels) or ``load``; ``case_width`` is
    the case column's (:func:`case_id_width`), ``unit_width`` the load panel's unit names'."""
    T = i18n.translator(lang)
    if kind == "load":
        return [
            (T("col.unit"), unit_width),
            (T("col.level"), 10),
            ("P1", 3),
            ("P2", 3),
            ("P3", 3),
            ("P4", 3),
            ("P5", 3),
            ("adm", 4),
            (T("col.queued"), 4),
            (T("col.in_progress"), 6),
            (T("col.at_risk"), 4),
            (T("col.clinicians_later"), 22),
            (T("col.ratio"), 5),
            (T("col.trend"), 0),
        ]
    if kind == "side":
        return [
            (T("col.sev"), 1),
            (T("col.prio"), 5),
            (T("col.case"), case_width),
            (T("col.owner"), 14),
            (T("col.waited"), 7),
            (T("col.left"), COUNTDOWN_WIDTH),
            (T("col.findings"), 0),
        ]
    cols = [
        (T("col.sev"), 1),
        (T("col.prio"), 5),
        (T("col.status"), 8),
        (T("col.case"), case_width),
        (T("col.owner"), 15),
        (T("col.waited"), 7),
        (T("col.left"), COUNTDOWN_WIDTH),
    ]
    if multi_unit:
        cols.append((T("col.unit"), 11))
    cols.append((T("col.findings"), 0))
    return cols


# the width policy (issue 12, item 18): the columns a narrow panel hides, first hidden first;
# a column not named here (severity, priority, case, the deadline, findings) is never hidden,
# and the panel names what it hid (its bottom border)
HIDE_ORDER = {
    "cases": ("col.status", "col.unit", "col.waited", "col.owner"),
    "side": ("col.waited", "col.owner"),
    "load": ("col.trend", "adm", "P5", "col.in_progress", "col.queued", "P4", "P3"),
}


def optional_columns(
    kind: str, multi_unit: bool, lang: str = "sv", cols: Sequence[tuple[str, int]] | None = None
) -> tuple[int, ...]:
    """The indexes of the columns a narrow table hides, in the order it hides them (by label,
    so a column added to :func:`columns` keeps its place in the policy)."""
    labels = [label for label, _w in (cols if cols is not None else columns(kind, lang, multi_unit))]
    out = []
    for name in HIDE_ORDER.get(kind, ()):
        label = i18n.t(name, lang) if name.startswith("col.") else name
        if label in labels:
            out.append(labels.index(label))
    return tuple(out)
