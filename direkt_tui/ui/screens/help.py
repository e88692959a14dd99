"""Help (``?``): the keys, the colours and every rule with its meaning."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ... import i18n
from ...domain.ruletable import RULE_IDS
from ..bindings import Translated, key
from ..keys import help_lines, live_keys


def help_renderable(lang: str, shown: Mapping[str, str] | None = None) -> Group:
    """The help text; ``shown``: each key row's live key (``keys.live_keys``, after the keymap)."""
    T = i18n.translator(lang)
    keys = Table.grid(padding=(0, 1))
    keys.add_column()
    for line in help_lines(lang, shown if shown is not None else live_keys({})):
        keys.add_row("• " + line)
    rules = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    rules.add_column(style="bold", no_wrap=True)
    rules.add_column(ratio=1)
    rules.add_column(style="dim", no_wrap=True)
    for r in RULE_IDS:
        rules.add_row(T(f"rule.{r}"), T(f"desc.{r}"), r)
    return Group(
        Text(T("help.intro")),
        Text(""),
        Text(T("help.keys"), style="bold underline"),
        keys,
        Text(""),
        Text(T("help.colors"), style="bold underline"),
        Text(T("help.colors.text")),
        Text(""),
        Text(T("help.rules"), style="bold underline"),
        rules,
        Text(""),
        Text(T("help.deadlines"), style="bold underline"),
        Text(T("help.deadlines.text")),
    )


class HelpScreen(Translated, ModalScreen[None]):
    BINDINGS = [key("escape,q,question_mark", "close", "key.close")]

    def __init__(self, lang: str, shown: Mapping[str, str] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.lang = lang
        self.shown = shown

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog detail", id="help") as box:
            box.border_title = i18n.t("help.title", self.lang)
            yield Static(help_renderable(self.lang, self.shown))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
