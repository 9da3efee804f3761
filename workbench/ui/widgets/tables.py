"""A DataTable that takes j/k, keeps its cursor across reloads, and never reads markup."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable


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
