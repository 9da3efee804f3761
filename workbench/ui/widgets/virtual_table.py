"""A table that draws only the rows on screen, for lists that grow with a project.

A checklist of 2,000 items or a log of 5,000 decisions loads in a few
milliseconds: ``load`` keeps the rows as a list and ``render_line`` turns just
the visible ones into text. Keys: arrows, j/k, page up/down, home/end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from workbench.ui.text import Text
from workbench.ui.widgets.tables import plain

Row = tuple[str, Sequence[Any]]


class VirtualTable(ScrollView, can_focus=True):
    """Rows keyed by record id; a column whose width is None takes the room that is left."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Down", show=False, id="list-down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="list-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list-page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list-page-up"),
        Binding("home", "jump(0)", "First", show=False, id="list-first"),
        Binding("end", "jump(-1)", "Last", show=False, id="list-last"),
    ]
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; background: $surface; }
    VirtualTable > .virtual-table--header { text-style: bold; background: $panel; }
    VirtualTable > .virtual-table--cursor { background: $primary 40%; }
    VirtualTable:focus > .virtual-table--cursor { background: $primary; color: $text; }
    VirtualTable > .virtual-table--odd { background: $boost; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--odd",
    }

    class RowHighlighted(Message):
        """The cursor moved to another row (or the rows changed under it)."""

        def __init__(self, table: VirtualTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(self, columns: Sequence[tuple[str, int | None]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._columns: list[tuple[str, int | None]] = list(columns)
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self.cursor_row = 0

    # ------------------------------------------------------------------- data

    def set_columns(self, columns: Sequence[tuple[str, int | None]]) -> None:
        if list(columns) != self._columns:
            self._columns = list(columns)
            self.refresh()

    def load(self, rows: Sequence[Row]) -> None:
        """Replace the rows; the cursor stays on its record (or its place)."""
        keep = self.current_key
        self._rows = list(rows)
        self._index = {key: i for i, (key, _) in enumerate(self._rows)}
        if keep is not None and keep in self._index:
            self.cursor_row = self._index[keep]
        else:
            self.cursor_row = min(self.cursor_row, max(len(self._rows) - 1, 0))
        self.virtual_size = Size(self._total_width(), len(self._rows) + 1)
        self.refresh()
        if self.current_key != keep:
            self.post_message(self.RowHighlighted(self, self.current_key))

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def current_key(self) -> str | None:
        if not self._rows:
            return None
        return self._rows[min(self.cursor_row, len(self._rows) - 1)][0]

    def get_row(self, key: str) -> list[Any]:
        """The cells of the row with ``key``."""
        return list(self._rows[self._index[key]][1])

    def has_key(self, key: str) -> bool:
        return key in self._index

    def update_row(self, key: str, cells: Sequence[Any]) -> None:
        """Replace one row's cells (only the visible lines are drawn again)."""
        self._rows[self._index[key]] = (key, list(cells))
        self.refresh()

    def select_key(self, key: str) -> bool:
        if key not in self._index:
            return False
        self._move_to(self._index[key])
        return True

    # ---------------------------------------------------------------- drawing

    def _widths(self) -> list[int]:
        width = max(self.scrollable_content_region.width, 20)
        fixed = sum(w for _, w in self._columns if w is not None)
        flexible = [i for i, (_, w) in enumerate(self._columns) if w is None]
        gaps = len(self._columns) + 1
        spare = max(width - fixed - gaps, 8 * len(flexible))
        share = spare // len(flexible) if flexible else 0
        return [share if w is None else w for _, w in self._columns]

    def _total_width(self) -> int:
        return sum(self._widths()) + len(self._columns) + 1

    def _line(self, cells: Sequence[Any], style: Style) -> Strip:
        text = Text(" ", no_wrap=True)
        for value, width in zip(cells, self._widths(), strict=False):
            cell = value.copy() if isinstance(value, Text) else plain(value)
            cell.truncate(width, overflow="ellipsis", pad=True)
            text.append_text(cell)
            text.append(" ")
        segments = [
            Segment(seg.text, style + seg.style if seg.style else style)
            for seg in text.render(self.app.console)
            if seg.text != "\n"
        ]
        return Strip(segments).crop_extend(0, self.size.width, style)

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("virtual-table--header")
            return self._line([Text(label) for label, _ in self._columns], base + header)
        index = int(self.scroll_y) + y - 1
        if index >= len(self._rows):
            return Strip.blank(self.size.width, base)
        style = base
        if index % 2:
            style = style + self.get_component_rich_style("virtual-table--odd")
        if index == self.cursor_row:
            style = style + self.get_component_rich_style("virtual-table--cursor")
        return self._line(self._rows[index][1], style)

    def on_resize(self) -> None:
        self.virtual_size = Size(self._total_width(), len(self._rows) + 1)

    # ----------------------------------------------------------------- moving

    def _move_to(self, index: int) -> None:
        if not self._rows:
            return
        index = max(0, min(index, len(self._rows) - 1))
        changed = index != self.cursor_row
        self.cursor_row = index
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = int(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + visible:
            self.scroll_to(y=index - visible + 1, animate=False)
        self.refresh()
        if changed:
            self.post_message(self.RowHighlighted(self, self.current_key))

    def move_cursor(self, *, row: int, scroll: bool = True) -> None:
        self._move_to(row)

    def action_move(self, step: int) -> None:
        self._move_to(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self._move_to(self.cursor_row + step * max(self.scrollable_content_region.height - 2, 1))

    def action_jump(self, where: int) -> None:
        self._move_to(len(self._rows) - 1 if where < 0 else where)

    def on_click(self, event: Any) -> None:
        y = event.y
        if y >= 1:
            self._move_to(int(self.scroll_y) + y - 1)
        self.focus()
