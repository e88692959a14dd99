"""Bulk actions: choose a target, preview per case, confirm, then watch the outcomes arrive."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from ... import i18n
from ...domain.actions import PlanItem
from ...domain.models import Case
from ...domain.text import visible
from ...store.actions import OutboxRow
from ..literal import lit
from ..model import Row, tail
from ..widgets.table import VirtualTable


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one option (id, label); Esc cancels. The title and the labels name staff, units
    and templates: shown literally (never markup), controls made visible."""

    BINDINGS = [Binding("escape", "cancel", "Stäng")]

    def __init__(self, title: str, options: Sequence[tuple[str, str]], note: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self._title = title
        self._options = options
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = lit(self._title)
            if self._note:
                yield Label(lit(self._note), classes="dialog-help")
            yield OptionList(*[Option(lit(label), id=oid) for oid, label in self._options], id="choices")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


STATUS_STYLE = {
    "pending": "dim",
    "sending": "yellow",
    "done": "green",
    "conflict": "bold dark_orange",
    "failed": "bold red",
}


class PreviewScreen(ModalScreen[bool | None]):
    """What will happen to each selected case, and what is skipped and why. ``y``/Enter
    confirms; when the target is an unscheduled profession only ``f`` does (explicit override)."""

    BINDINGS = [
        Binding("y,enter", "confirm", "Genomför"),
        Binding("f", "force", "Bekräfta ändå", show=False),
        Binding("escape", "cancel", "Avbryt"),
    ]

    def __init__(
        self,
        what: str,
        items: Sequence[PlanItem],
        cases: dict[str, Case],
        target_label: str,
        hidden: int,
        lang: str,
        needs_force: bool,
        owner_text: Callable[[Case], str],
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.what = what
        self.items = list(items)
        self.cases = cases
        self.target_label = target_label
        self.hidden = hidden
        self.lang = lang
        self.needs_force = needs_force
        self.owner_text = owner_text

    def compose(self) -> ComposeResult:
        T = i18n.translator(self.lang)
        ok = sum(1 for i in self.items if i.ok)
        phone = sum(1 for i in self.items if i.phone_list)
        with Vertical(classes="dialog detail") as box:
            box.border_title = T("preview.title", what=self.what)
            yield Label(
                T("preview.summary", n=len(self.items), ok=ok, skip=len(self.items) - ok, hidden=self.hidden),
                id="preview-summary",
            )
            if phone:
                yield Label(T("preview.phone_list", n=phone), classes="dialog-error")
            cols = [
                (i18n.t("col.case", self.lang), 14),
                (i18n.t("col.prio", self.lang), 5),
                (i18n.t("col.status", self.lang), 9),
                (i18n.t("col.owner", self.lang), 18),
                ("", 0),
            ]
            table = VirtualTable(cols, id="preview-table")
            yield table
            if not ok:
                hint = T("preview.nothing")
            elif self.needs_force:
                hint = T("preview.force")
            else:
                hint = T("preview.confirm")
            yield Label(hint, id="preview-hint", classes="dialog-error" if self.needs_force else "dialog-help")
        yield Footer()

    def on_mount(self) -> None:
        rows = []
        for item in self.items:
            c = self.cases.get(item.case_id)
            if item.ok:
                outcome = Text(
                    i18n.t(item.will or "", self.lang, target=visible(self.target_label)),
                    style="bold dark_orange" if self.needs_force else "green",
                )
            else:
                outcome = Text(i18n.t(item.skip or "", self.lang), style="dim")
            rows.append(
                Row(
                    item.case_id,
                    (
                        tail(item.case_id, 14),
                        i18n.priority_label(c.priority, self.lang) if c else "–",
                        i18n.t(f"status.{c.status}", self.lang) if c else "–",
                        self.owner_text(c) if c else "–",
                        outcome,
                    ),
                )
            )
        table = self.query_one(VirtualTable)
        table.set_rows(rows)
        table.focus()

    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        event.stop()  # Enter in the list confirms, it does not open the case
        self.action_confirm()

    @property
    def _any(self) -> bool:
        return any(i.ok for i in self.items)

    def action_confirm(self) -> None:
        if self._any and not self.needs_force:
            self.dismiss(True)

    def action_force(self) -> None:
        if self._any and self.needs_force:
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(None)


class OutcomeScreen(ModalScreen[None]):
    """The outcome per case as it arrives from the platform (polls the outbox)."""

    BINDINGS = [Binding("escape,q", "close", "Stäng")]

    def __init__(
        self,
        batches: Sequence[str] | None,
        load: Callable[[Sequence[str] | None], list[OutboxRow]],
        lang: str,
        title: str | None = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.batches = batches
        self.load = load
        self.lang = lang
        self.title_text = title or i18n.t("outcome.title", lang)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog detail") as box:
            box.border_title = self.title_text
            yield Label("", id="outcome-summary")
            cols = [
                (i18n.t("col.case", self.lang), 14),
                (i18n.t("col.action", self.lang), 11),
                (i18n.t("col.status", self.lang), 32),
                ("", 0),
            ]
            yield VirtualTable(cols, id="outcome-table")
            yield Label(i18n.t("outcome.close", self.lang), classes="dialog-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VirtualTable).focus()
        self.refresh_rows()
        self.set_interval(0.3, self.refresh_rows)

    def refresh_rows(self) -> None:
        rows = self.load(self.batches)
        counts = {"done": 0, "conflict": 0, "failed": 0, "waiting": 0}
        out = []
        for r in rows:
            key = r.status if r.status in counts else "waiting"
            counts[key] += 1
            status = Text(i18n.t(f"outcome.{r.status}", self.lang), style=STATUS_STYLE.get(r.status, ""))
            if r.code and r.status in ("conflict", "failed"):
                status.append(f" ({r.code})", style="dim")
            out.append(
                Row(
                    str(r.id),
                    (
                        tail(r.case_id or r.unit_id or "–", 14),
                        i18n.t(f"outcome.kind.{r.kind}", self.lang),
                        status,
                        self._detail(r),
                    ),
                )
            )
        self.query_one(VirtualTable).set_rows(out)
        self.query_one("#outcome-summary", Label).update(i18n.t("outcome.summary", self.lang, **counts))

    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        event.stop()

    def _detail(self, r: OutboxRow) -> str:
        res: Any = r.result
        if r.status == "conflict" and isinstance(res, dict):
            owner = res.get("owner") or {}
            who = owner.get("staff_id") or owner.get("profession") or "–"
            return i18n.t(
                "outcome.now",
                self.lang,
                status=i18n.t(f"status.{res.get('status', 'closed')}", self.lang),
                owner=who,
                version=res.get("version", "?"),
            )
        if r.status in ("failed", "pending", "sending") and r.detail:
            return r.detail
        return ""

    def action_close(self) -> None:
        self.dismiss(None)
