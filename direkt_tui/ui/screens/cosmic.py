"""§11 of the guideline: today's cases closed without an answer, or handed over to another
person or unit, each to be documented in Cosmic. Opened from the Skiftslut checklist's item;
``x`` (or space) marks a case as documented there (stored and audited), again takes it back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from ... import i18n
from ...domain.text import visible
from ..bindings import Translated, key
from ..messages import OpenCase
from ..model import Row, short_name
from ..widgets.table import VirtualTable

if TYPE_CHECKING:
    from ...store.shiftlog import CosmicCase


class CosmicScreen(Translated, ModalScreen[None]):
    """The cases to document in Cosmic, with who marked each as documented and when."""

    BINDINGS = [
        key("escape,q", "close", "key.close"),
        key("x,space", "mark_documented", "bind.cosmic_documented"),
    ]

    def __init__(
        self,
        lang: str,
        cases: Callable[[], Sequence[CosmicCase]],
        toggle: Callable[[CosmicCase], bool],
        unit_names: dict[str, str],
        tz: str = "Europe/Stockholm",
    ) -> None:
        """``cases()``: today's cases (``store.shiftlog.cosmic_cases``); ``toggle(case)``: mark
        or unmark it, saying whether it was stored."""
        super().__init__(classes="dialog-screen")
        self.lang = lang
        self._cases = cases
        self._toggle = toggle
        self._units = unit_names
        self._tz = ZoneInfo(tz)
        self.items: list[CosmicCase] = []

    def compose(self) -> ComposeResult:
        T = i18n.translator(self.lang)
        with Vertical(classes="dialog detail") as box:
            box.border_title = T("cosmic.title")
            yield Label(T("cosmic.help"), classes="dialog-help")
            yield Label("", id="cosmic-summary")
            yield VirtualTable(
                [
                    ("✓", 1),
                    (T("col.case"), 16),
                    (T("col.unit"), 12),
                    (T("cosmic.col.why"), 28),
                    (T("cosmic.col.at"), 5),
                    (T("cosmic.col.documented"), 0),
                ],
                empty_text=T("cosmic.empty"),
                id="cosmic-table",
            )
            yield Label(T("cosmic.keys"), classes="dialog-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VirtualTable).focus()
        self.reload()

    def _hm(self, t: datetime) -> str:
        return t.astimezone(self._tz).strftime("%H:%M")

    def reload(self) -> None:
        T = i18n.translator(self.lang)
        self.items = list(self._cases())
        rows = []
        for c in self.items:
            mark = Text("✓", style="green") if c.documented else Text(" ")
            done = (
                Text(
                    T("cosmic.documented", at=self._hm(c.documented_at), who=visible(c.documented_by or "–")),
                    style="green",
                )
                if c.documented_at is not None
                else Text(T("cosmic.not_documented"), style="bold yellow")
            )
            rows.append(
                Row(
                    c.case_id,
                    (
                        mark,
                        visible(c.case_id),
                        short_name(visible(self._units.get(c.unit_id, c.unit_id))),
                        T(f"cosmic.why.{c.why}"),
                        self._hm(c.at),
                        done,
                    ),
                )
            )
        self.query_one(VirtualTable).set_rows(rows)
        left = sum(1 for c in self.items if not c.documented)
        self.query_one("#cosmic-summary", Label).update(
            T("cosmic.summary", n=len(self.items), left=left) if self.items else ""
        )

    def action_mark_documented(self) -> None:
        cid = self.query_one(VirtualTable).cursor_key
        item = next((c for c in self.items if c.case_id == cid), None)
        if item is None:
            return
        if self._toggle(item):
            self.reload()
            self.query_one(VirtualTable).action_cursor_down()

    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        event.stop()
        self.post_message(OpenCase(event.key))

    def action_close(self) -> None:
        self.dismiss(None)
