"""A virtualised, keyed table (Textual's Line API): only the visible rows are rendered, so
10,000 cases cost no more to show than 30. Replacing the rows keeps the cursor on the same
key and the scroll position where it was, without flicker."""

from __future__ import annotations

from typing import Sequence

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..model import Row


class VirtualTable(ScrollView, can_focus=True):
    """Rows of cells under a sticky header line; one row has the cursor."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Upp", show=False),
        Binding("down,j", "cursor_down", "Ned", show=False),
        Binding("pageup", "page_up_rows", show=False),
        Binding("pagedown", "page_down_rows", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
        Binding("enter", "activate", "Detaljer", show=False),
    ]
    COMPONENT_CLASSES = {"table--header", "table--cursor", "table--cursor-blur", "table--empty"}
    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    VirtualTable > .table--header { text-style: bold; color: $text-muted; }
    VirtualTable > .table--cursor { background: $accent 40%; }
    VirtualTable > .table--cursor-blur { background: $accent 15%; }
    VirtualTable > .table--empty { color: $text-muted; text-style: italic; }
    """

    cursor = reactive(0, always_update=True, repaint=False)

    class Activated(Message):
        """Enter (or a click on the cursor row) on a row."""

        def __init__(self, table: "VirtualTable", key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> "VirtualTable":
            return self.table

    class CursorMoved(Message):
        def __init__(self, table: "VirtualTable", key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> "VirtualTable":
            return self.table

    def __init__(self, columns: Sequence[tuple[str, int]] = (), empty_text: str = "", **kw) -> None:
        super().__init__(**kw)
        self._columns: list[tuple[str, int]] = list(columns)
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self.empty_text = empty_text

    # -- data -------------------------------------------------------------------------------------
    @property
    def rows(self) -> list[Row]:
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor].key
        return None

    def set_columns(self, columns: Sequence[tuple[str, int]]) -> None:
        if list(columns) != self._columns:
            self._columns = list(columns)
            self.refresh()

    def set_rows(self, rows: list[Row]) -> None:
        """Replace the rows; the cursor stays on its key (or its position if the key left)."""
        old_key = self.cursor_key
        old_cursor = self.cursor
        self._rows = rows
        self._index = {r.key: i for i, r in enumerate(rows)}
        if old_key is not None and old_key in self._index:
            new = self._index[old_key]
        else:
            new = min(old_cursor, max(0, len(rows) - 1))
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self.set_reactive(VirtualTable.cursor, new)
        if new != old_cursor:
            # keep the cursor row where it was on screen
            self.scroll_to(y=max(0, self.scroll_y + (new - old_cursor)), animate=False, immediate=True)
        self.refresh()
        if self.cursor_key != old_key:
            self.post_message(self.CursorMoved(self, self.cursor_key))

    def move_to_key(self, key: str) -> bool:
        i = self._index.get(key)
        if i is None:
            return False
        self.cursor = i
        return True

    # -- cursor -----------------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        n = len(self._rows)
        if n == 0:
            return
        clamped = max(0, min(new, n - 1))
        if clamped != new:
            self.set_reactive(VirtualTable.cursor, clamped)
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.cursor_key))

    def _body_height(self) -> int:
        return max(1, self.size.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        h = self._body_height()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + h:
            self.scroll_to(y=self.cursor - h + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor = max(0, self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.cursor = min(max(0, len(self._rows) - 1), self.cursor + 1)

    def action_page_up_rows(self) -> None:
        self.cursor = max(0, self.cursor - self._body_height())

    def action_page_down_rows(self) -> None:
        self.cursor = min(max(0, len(self._rows) - 1), self.cursor + self._body_height())

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(0, len(self._rows) - 1)

    def action_activate(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Activated(self, key))

    def on_click(self, event: Click) -> None:
        y = event.y - 1 + int(self.scroll_y)
        if event.y >= 1 and 0 <= y < len(self._rows):
            if y == self.cursor and event.chain >= 2:
                self.action_activate()
            self.cursor = y

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- rendering --------------------------------------------------------------------------------
    def _widths(self, total: int) -> list[int]:
        fixed = sum(w for _l, w in self._columns if w) + max(0, len(self._columns) - 1)
        return [w if w else max(4, total - fixed) for _l, w in self._columns]

    def _line(self, cells: Sequence[Text | str], widths: list[int], style: Style | str = "") -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        for i, (cell, width) in enumerate(zip(cells, widths)):
            if i:
                line.append(" ")
            t = cell.copy() if isinstance(cell, Text) else Text(str(cell))
            t.truncate(width, overflow="ellipsis", pad=True)
            line.append_text(t)
        if style:
            line.stylize(style)
        return line

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        widths = self._widths(width)
        if y == 0:
            header = self._line([label for label, _w in self._columns], widths,
                                self.get_component_rich_style("table--header"))
            return Strip(header.render(self.app.console), header.cell_len).crop_extend(0, width, base)
        index = int(self.scroll_y) + y - 1
        if not self._rows:
            if y == 1 and self.empty_text:
                t = Text(self.empty_text, style=self.get_component_rich_style("table--empty"))
                return Strip(t.render(self.app.console), t.cell_len).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        text = self._line(row.cells, widths)
        if index == self.cursor:
            cls = "table--cursor" if self.has_focus else "table--cursor-blur"
            # the background only: severity colours stay readable on the cursor row
            cursor_bg = Style(bgcolor=self.get_component_rich_style(cls).bgcolor)
            text.pad_right(max(0, width - text.cell_len))
            text.stylize(cursor_bg)
        return Strip(text.render(self.app.console), text.cell_len).crop_extend(0, width, base)
