"""Help (``?``): the keys, the colours and every rule with its meaning."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ... import i18n
from ...domain.rules import RULES


def help_renderable(lang: str) -> Group:
    T = lambda k: i18n.t(k, lang)  # noqa: E731
    keys = Table.grid(padding=(0, 1))
    keys.add_column()
    for k in ("help.keys.nav", "help.keys.enter", "help.keys.filter", "help.keys.date", "help.keys.unit",
              "help.keys.sync", "help.keys.marks", "help.keys.actions", "help.keys.shift", "help.keys.palette", "help.keys.quit"):
        keys.add_row("• " + T(k))
    rules = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    rules.add_column(style="bold", no_wrap=True)
    rules.add_column(ratio=1)
    rules.add_column(style="dim", no_wrap=True)
    for r in RULES:
        rules.add_row(T(f"rule.{r}"), T(f"desc.{r}"), r)
    return Group(
        Text(T("help.intro")), Text(""),
        Text(T("help.keys"), style="bold underline"), keys, Text(""),
        Text(T("help.colors"), style="bold underline"), Text(T("help.colors.text")), Text(""),
        Text(T("help.rules"), style="bold underline"), rules,
    )


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Stäng")]

    def __init__(self, lang: str) -> None:
        super().__init__(classes="dialog-screen")
        self.lang = lang

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog detail", id="help") as box:
            box.border_title = i18n.t("help.title", self.lang)
            yield Static(help_renderable(self.lang))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
