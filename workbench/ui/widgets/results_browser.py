"""A run's result rows, drawn a line at a time: only the visible rows are ever read.

The browser knows how many rows match the filter; it fetches pages of rows in a
worker thread as they scroll into view and keeps a small cache, so a run of
100,000 rows scrolls as quickly as one of 100.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from workbench.evaluation.runs import ResultFilter, page_results
from workbench.ui.text import Text
from workbench.ui.typed import workbench_app

PAGE = 200
CACHE_PAGES = 32
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("line", "Line", 7),
    ("case_id", "Id", 16),
    ("category", "Category", 12),
    ("grp", "Group", 8),
    ("kind", "Kind", 12),
    ("verdict", "Result", 13),
    ("latency_ms", "ms", 7),
    ("output", "Output", 60),
)


def verdict(row: dict[str, Any]) -> str:
    if row.get("error"):
        return "error"
    if row.get("hallucinated"):
        return "hallucinated"
    if row.get("correct") == 0:
        return "wrong"
    if row.get("kind") == "harmful" and row.get("refused") is not None:
        return "refused" if row["refused"] else "not refused"
    if row.get("correct") == 1:
        return "correct"
    return "—"


def cell(value: Any, width: int) -> str:
    text = "" if value is None else str(value)
    if isinstance(value, float):
        text = f"{value:.0f}"
    text = " ".join(text.split())  # typed text, one line, never markup
    if len(text) > width - 1:
        text = text[: max(width - 2, 0)] + "…"
    return text.ljust(width)


class ResultsBrowser(ScrollView, can_focus=True):
    """Rows of one run; ``show_run`` points it at a run and a filter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Down", show=False, id="results-down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="results-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="results-page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="results-page-up"),
        Binding("home", "jump(0)", "First", show=False, id="results-first"),
        Binding("end", "jump(-1)", "Last", show=False, id="results-last"),
    ]
    DEFAULT_CSS = """
    ResultsBrowser { height: 1fr; background: $surface; }
    ResultsBrowser:focus { background: $surface; }
    """

    class RowHighlighted(Message):
        def __init__(self, row: dict[str, Any] | None) -> None:
            super().__init__()
            self.row = row

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run_id: int | None = None
        self.filters = ResultFilter()
        self.total = 0
        self.cursor = 0
        self._pages: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self.width_total = sum(w for _, _, w in COLUMNS)

    # ----------------------------------------------------------------- data

    def show_run(
        self,
        run_id: int | None,
        total: int,
        filters: ResultFilter,
        first_page: list[dict[str, Any]] | None = None,
    ) -> None:
        self.run_id = run_id
        self.filters = filters
        self.total = total if run_id is not None else 0
        self.cursor = 0
        self._pages.clear()
        self._pending.clear()
        if first_page is not None:
            self._pages[0] = first_page
        self._generation += 1
        self.virtual_size = Size(self.width_total, self.total + 1)
        self.scroll_to(0, 0, animate=False)
        self.refresh()
        self._announce()

    def row_at(self, index: int) -> dict[str, Any] | None:
        page = self._pages.get(index // PAGE)
        if page is None:
            return None
        offset = index % PAGE
        return page[offset] if offset < len(page) else None

    def _want(self, page: int) -> None:
        if page in self._pages or page in self._pending or self.run_id is None:
            return
        self._pending.add(page)
        self._fetch(self.run_id, page, self.filters, self._generation)

    @work(thread=True, group="results-page")
    def _fetch(self, run_id: int, page: int, filters: ResultFilter, generation: int) -> None:
        session = workbench_app(self).session
        rows = session.read(lambda store: page_results(store, run_id, page * PAGE, PAGE, filters))
        self.app.call_from_thread(self._arrived, page, rows, generation)

    def _arrived(self, page: int, rows: list[dict[str, Any]], generation: int) -> None:
        if generation != self._generation:
            return  # a page for an earlier run or filter
        self._pending.discard(page)
        self._pages[page] = rows
        while len(self._pages) > CACHE_PAGES:
            self._pages.popitem(last=False)
        self.refresh()
        if page == self.cursor // PAGE:
            self._announce()

    # ------------------------------------------------------------- drawing

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self.rich_style
        if y == 0:
            header = "".join(title.ljust(w) for _, title, w in COLUMNS)
            style = base + Style(bold=True, underline=True)
            return Strip([Segment(header, style)]).crop_extend(scroll_x, scroll_x + width, style)
        index = scroll_y + y - 1
        if index >= self.total:
            return Strip.blank(width, base)
        row = self.row_at(index)
        if y == self.size.height - 1 and index + 1 < self.total:
            self._want((index + PAGE // 2) // PAGE)  # read ahead of a page down
        if row is None:
            self._want(index // PAGE)
            text = f"{index + 1:>6} loading…"
            return Strip([Segment(text, base + Style(dim=True))]).crop_extend(
                scroll_x, scroll_x + width, base
            )
        values = dict(row)
        values["verdict"] = verdict(row)
        line = "".join(cell(values.get(key), w) for key, _, w in COLUMNS)
        style = base
        if values["verdict"] in ("wrong", "hallucinated", "error", "not refused"):
            style = base + Style(color=self.app.current_theme.error or "red")
        if index == self.cursor:
            style = style + Style(reverse=True) if self.has_focus else style + Style(bold=True)
        return Strip([Segment(line, style)]).crop_extend(scroll_x, scroll_x + width, style)

    # -------------------------------------------------------------- moving

    def _set_cursor(self, index: int) -> None:
        if self.total == 0:
            return
        self.cursor = max(0, min(index, self.total - 1))
        visible = max(self.size.height - 1, 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)
        self.refresh()
        self._announce()

    def _announce(self) -> None:
        self.post_message(self.RowHighlighted(self.row_at(self.cursor) if self.total else None))

    def action_move(self, step: int) -> None:
        self._set_cursor(self.cursor + step)

    def action_page(self, step: int) -> None:
        self._set_cursor(self.cursor + step * max(self.size.height - 2, 1))

    def action_jump(self, where: int) -> None:
        self._set_cursor(self.total - 1 if where < 0 else where)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def caption(self) -> Text:
        if self.run_id is None:
            return Text("No run selected.")
        return Text(f"row {min(self.cursor + 1, self.total)} of {self.total}")
