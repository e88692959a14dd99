"""Key bindings whose footer text follows the app's language.

A screen or widget writes its ``BINDINGS`` with :func:`key`, whose description is a catalogue
key (``key("escape,q", "close", "key.close")``), and takes :class:`Translated` as its first
base: when it is composed, its own copy of the bindings gets the descriptions in its language
(``self.lang``, else the app's), so ``--lang en`` shows English footers everywhere. The class's
bindings are never changed (two apps in one process may speak different languages).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.command import CommandPalette
from textual.dom import DOMNode

from .. import i18n

# Textual's own binding descriptions (the app's Ctrl+P "palette") → catalogue keys
TEXTUAL_LABELS = {"palette": "bind.palette"}


def key(keys: str, action: str, label: str = "", **kwargs: Any) -> Binding:
    """A binding whose description is the catalogue key ``label`` (translated per instance)."""
    return Binding(keys, action, label, **kwargs)


def node_lang(node: DOMNode) -> str:
    """The language a node speaks: its own ``lang``, else its app's, else Swedish."""
    lang = getattr(node, "lang", None)
    if not lang:
        try:
            lang = getattr(node.app, "lang", None)
        except Exception:  # not attached to an app (yet)
            lang = None
    return lang if lang in i18n.LANGS else "sv"


def translate_bindings(node: DOMNode, lang: str) -> None:
    """Give ``node`` its own bindings with every catalogue-key description in ``lang``
    (other descriptions are kept as they are)."""

    def one(b: Binding) -> Binding:
        label = TEXTUAL_LABELS.get(b.description, b.description)
        if label in i18n.CATALOGUE:
            return dataclasses.replace(b, description=i18n.t(label, lang), tooltip="")
        return b

    translated = {k: [one(b) for b in bs] for k, bs in node._bindings.key_to_bindings.items()}
    node._bindings = BindingsMap.from_keys(translated)


class Translated:
    """Mixin (first base) for a screen or widget whose ``BINDINGS`` use :func:`key`."""

    def on_compose(self) -> None:  # before the children (the footer) are composed
        assert isinstance(self, DOMNode)
        translate_bindings(self, node_lang(self))
        self.refresh_bindings()


def open_command_palette(app: App[object], lang: str) -> None:
    """``App.action_command_palette`` with the search field's placeholder in ``lang`` (Textual's
    is English): ``def action_command_palette(self): open_command_palette(self, self.lang)``."""
    if app.use_command_palette and not CommandPalette.is_open(app):
        app.push_screen(CommandPalette(placeholder=i18n.t("palette.placeholder", lang), id="--command-palette"))
