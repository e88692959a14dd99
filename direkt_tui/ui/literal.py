"""Platform text in widgets (issue 10 §2): always a Rich ``Text`` — never a markup string, so
``[red]`` or ``[link=…]`` in a reason or a name is shown as written — with its control
characters and bidi overrides made visible by ``domain.text.visible``.

Rich and Textual read a ``str`` given to ``Static``, ``Label``, ``update``, an option prompt, a
``Table`` cell or a border title as markup; a ``Text`` is taken literally. Widgets that show
platform text build it with :func:`lit`; the virtualised table passes every cell through
:func:`cell` as a last line of defence.
"""

from __future__ import annotations

from rich.text import Text

from ..domain.text import is_visible, visible


def lit(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """``value`` as literal text (no markup), controls made visible; ``None`` → ``""``."""
    return Text(visible(value, multiline=multiline), style=style, end="")


def cell(value: Text | object) -> Text:
    """A table cell as a fresh ``Text`` the caller may change: a ``str`` (or any value) literal,
    a ``Text`` copied — rebuilt with visible controls (its styles kept for the whole cell) if
    something unsafe slipped into it."""
    if isinstance(value, Text):
        if is_visible(value.plain):
            return value.copy()
        return Text(visible(value.plain), style=value.style, end="")
    return lit(value)


__all__ = ["lit", "cell"]
