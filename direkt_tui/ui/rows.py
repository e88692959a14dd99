"""The rows of the board's tables, without Textual: a row is a key, a severity and its cells;
a case row paints its cells on first use (a table renders only the rows on screen)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text

from ..domain.models import Case
from ..domain.rules import Finding


class Row:
    """One table row, keyed. Its cells are built on first use: a table renders only the rows
    on screen, so 10,000 cases cost 30 rows' worth of Rich text, not 10,000."""

    __slots__ = ("key", "severity", "_cells", "_factory")

    def __init__(
        self,
        key: str,
        cells: tuple[Text | str, ...] | None = None,
        severity: str | None = None,
        factory: Callable[[], tuple[Text | str, ...]] | None = None,
    ) -> None:
        self.key = key
        self.severity = severity
        self._cells = cells
        self._factory = factory

    @property
    def cells(self) -> tuple[Text | str, ...]:
        if self._cells is None:
            assert self._factory is not None
            self._cells = self._factory()
            self._factory = None
        return self._cells

    def __repr__(self) -> str:
        return f"Row({self.key!r}, severity={self.severity!r})"


# what paints a case row's cells: (case, its findings, the panel's rules or None, owner text, severity)
Painter = Callable[[Case, list[Finding], Sequence[str] | None, str, str | None], tuple[Text | str, ...]]


class CaseRow(Row):
    """A case's row in a case panel, painted by ``painter`` on first use. What the painter takes
    is kept on the row itself: one object per row, not a row, a ``functools.partial`` and its
    arguments' tuple — at 100,000 open cases a board holds ~175,000 rows, built and freed with it."""

    __slots__ = ("painter", "case", "findings", "only", "owner")

    def __init__(
        self,
        key: str,
        severity: str | None,
        painter: Painter,
        case: Case,
        findings: list[Finding],
        only: Sequence[str] | None,
        owner: str,
    ) -> None:
        self.key = key
        self.severity = severity
        self._cells = None
        self._factory = None
        self.painter = painter
        self.case = case
        self.findings = findings
        self.only = only
        self.owner = owner

    @property
    def cells(self) -> tuple[Text | str, ...]:
        if self._cells is None:
            self._cells = self.painter(self.case, self.findings, self.only, self.owner, self.severity)
        return self._cells
