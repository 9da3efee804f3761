"""A DataTable that takes j/k, keeps its cursor across reloads, and never reads markup."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from workbench.ui.text import Text


def plain(value: Any, style: str = "") -> Text:
    """Text a person typed, shown exactly as typed (never as markup), on one line."""
    text = "" if value is None else str(value)
    return Text(" ".join(text.split()), style=style, no_wrap=True, overflow="ellipsis")


class RecordTable(DataTable[Any]):
    """Rows keyed by record id; ``load`` replaces the rows and keeps the cursor on its record."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="table-down"),
        Binding("k", "cursor_up", "Up", show=False, id="table-up"),
    ]

    def __init__(self, columns: Sequence[tuple[str, int | None]], **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._columns = columns

    def on_mount(self) -> None:
        for label, width in self._columns:
            self.add_column(label, width=width, key=label)

    @property
    def current_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:
            return None
        return None if row_key.value is None else str(row_key.value)

    def load(self, rows: Iterable[tuple[str, Sequence[Any]]]) -> None:
        keep = self.current_key
        keep_row = self.cursor_row
        self.clear()
        for column in self.columns.values():
            if column.auto_width:
                column.content_width = len(column.label)  # let auto-width columns shrink
        for key, cells in rows:
            self.add_row(*[c if isinstance(c, Text) else plain(c) for c in cells], key=key)
        if keep is not None and not self.select_key(keep) and self.row_count:
            self.move_cursor(row=min(keep_row, self.row_count - 1))

    def select_key(self, key: str) -> bool:
        try:
            index = self.get_row_index(key)
        except Exception:
            return False
        self.move_cursor(row=index, scroll=True)
        return True


class FittedTable(RecordTable):
    """A RecordTable whose screen redraws it when its width changes, so cells are cut to fit.

    (Nothing scrolls sideways on a projector.) ``use_columns`` swaps the columns for a
    narrower set when the table is narrow.
    """

    def __init__(self, columns: Sequence[tuple[str, int | None]], **kwargs: Any) -> None:
        super().__init__(columns, **kwargs)
        self._shown_columns = tuple(columns)
        self._fitted_width = -1
        self._restore: str | None = None

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fitted_width:
            self._fitted_width = event.size.width
            redraw = getattr(self.screen, "redraw", None)
            if callable(redraw):
                self.call_after_refresh(redraw)

    def use_columns(self, columns: Sequence[tuple[str, int | None]]) -> None:
        if tuple(columns) == self._shown_columns:
            return
        self._restore = self.current_key
        self.clear(columns=True)
        self._shown_columns = tuple(columns)
        for label, width in columns:
            self.add_column(label, width=width, key=label)

    def load(self, rows: Iterable[tuple[str, Sequence[Any]]]) -> None:
        super().load(rows)
        if self._restore is not None:
            self.select_key(self._restore)
            self._restore = None


def room(table: RecordTable, fixed: int, columns: int) -> int:
    """The width left for a table's one flexible column, so it never scrolls sideways."""
    width = table.scrollable_content_region.width
    if width <= 0:
        return 200
    return max(10, width - fixed - 2 * columns - 1)


def fit(value: Text | str, width: int) -> Text:
    """Text cut to ``width`` cells with an ellipsis (typed text stays plain)."""
    text = plain(value) if isinstance(value, str) else value.copy()
    text.truncate(width, overflow="ellipsis")
    return text
