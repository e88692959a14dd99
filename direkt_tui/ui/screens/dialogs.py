"""Small modal dialogs: the text filter, the date filter and the unit picker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ... import i18n
from ..bindings import Translated, key
from ..literal import lit


class PromptInput(Input):
    """The prompt's input line, which takes every key in the order it was typed, even the keys
    that arrive before it is mounted and focused (a fast ``/``, Ctrl+U, ``status:väntar``,
    Enter): its own keys (Ctrl+U, Backspace, Enter …) run here, in turn with the characters,
    instead of bubbling to the app and coming back after the characters typed behind them."""

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if screen.focused is not self and self.focusable:
            screen.set_focus(self)  # at once, not on the next turn of the app's queue
        if not event.is_printable:
            for binding in self._bindings.key_to_bindings.get(event.key, ()):
                if await self.app.run_action(binding.action, self):
                    event.stop()
                    event.prevent_default()
                    return
        await super()._on_key(event)


class PromptScreen(Translated, ModalScreen[str | None]):
    """One line of input with a help text; Enter returns it (validated), Esc cancels.

    The input exists from the start: keys the app routes to this screen before anything in it
    has focus go to the input's queue (in the order they came) instead of being dropped."""

    BINDINGS = [key("escape", "cancel", "key.close")]

    def __init__(
        self, title: str, help_text: str, value: str = "", validate: Callable[[str], str | None] | None = None
    ) -> None:
        super().__init__(classes="dialog-screen")
        self._title = title
        self._help = help_text
        self._value = value
        self._validate = validate
        self._input = PromptInput(value=value, id="prompt-input")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self._title
            yield Label(self._help, classes="dialog-help")
            yield self._input
            yield Label("", id="prompt-error", classes="dialog-error")

    def _forward_event(self, event: events.Event) -> None:
        # the app routes a key to the screen while nothing here has focus (the first moments
        # after ``push_screen``): the input takes it, queued behind the keys before it
        if isinstance(event, events.Key) and self.focused is None and not event.is_forwarded:
            self._input._forward_event(event)
            return
        super()._forward_event(event)

    def on_mount(self) -> None:
        self.set_focus(self._input)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value
        if self._validate is not None:
            error = self._validate(value)
            if error:
                self.query_one("#prompt-error", Label).update(lit(error))  # it quotes what was typed
                return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class UnitPicker(Translated, ModalScreen[str | None]):
    """Choose one unit or all; returns a unit id, "" for all, None when cancelled."""

    BINDINGS = [key("escape", "cancel", "key.close")]

    def __init__(self, units: tuple[tuple[str, str], ...], current: str | None, lang: str) -> None:
        super().__init__(classes="dialog-screen")
        self._units = units
        self._current = current
        self._lang = lang

    def compose(self) -> ComposeResult:
        options = [Option(i18n.t("units.all", self._lang), id="")]
        options += [Option(lit(f"{name}  ({uid})"), id=uid) for uid, name in self._units]  # literal names
        with Vertical(classes="dialog") as box:
            box.border_title = i18n.t("units.title", self._lang)
            yield OptionList(*options, id="unit-list")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ids = [""] + [u for u, _n in self._units]
        ol.highlighted = ids.index(self._current) if self._current in ids else 0
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id or "")

    def action_cancel(self) -> None:
        self.dismiss(None)


def date_validator(today: date, lang: str) -> Callable[[str], str | None]:
    from ..model import FilterError, parse_date

    def check(text: str) -> str | None:
        try:
            parse_date(text, today)
        except FilterError:
            return i18n.t("date.bad", lang, text=text)
        return None

    return check
