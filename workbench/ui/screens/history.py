"""History: who changed what and when, newest first, filterable, read a page at a time."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static

from workbench.errors import WorkbenchError
from workbench.models import HistoryEntry, WorkshopSession
from workbench.ui.screens.base import AreaScreen
from workbench.ui.session import Snapshot
from workbench.ui.text import Text
from workbench.ui.widgets.tables import RecordTable, plain

PAGE = 200
SHORT = 40
EVERYONE = "(everyone)"
ALL_TIME = "(all time)"


def since_options(sessions: list[WorkshopSession], today: dt.date) -> list[tuple[str, str]]:
    """The "since" choices: each session's start and end (newest first), today, a week."""
    options: list[tuple[str, str]] = []
    for session in reversed(sessions):  # (short: the list is narrow at 80 columns)
        if session.ended_at:
            options.append((f"Since #{session.id} ended", session.ended_at))
        options.append((f"Since #{session.id} began", session.started_at))
    start = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    options.append(("Today", start.isoformat()))
    options.append(("Last 7 days", (start - dt.timedelta(days=6)).isoformat()))
    return options


def short(value: Any, limit: int = SHORT) -> str:
    """A value from the history on one short line: a record by its title, text cut to fit."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        for name in ("title", "text", "name", "signal", "role", "contact", "category"):
            if value.get(name):
                value = value[name]
                break
        else:
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    elif isinstance(value, list):
        value = ", ".join(str(v) for v in value) or "(none)"
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_change(entry: HistoryEntry, limit: int = SHORT) -> str:
    """``old → new``, or what happened to a whole record."""
    if entry.field == "*":
        if entry.entity == "project" and entry.old is None:
            return f"created: {short(entry.new, limit)}"
        if entry.old is None and entry.new is not None:
            return f"added: {short(entry.new, limit)}"
        if entry.new is None and entry.old is not None:
            return f"removed: {short(entry.old, limit)}"
    return f"{short(entry.old, limit)} → {short(entry.new, limit)}"


def describe_what(entry: HistoryEntry) -> str:
    where = " ".join(part for part in (entry.entity, entry.key) if part)
    return where if entry.field == "*" else f"{where} · {entry.field}"


def when(at: str) -> str:
    """``2026-11-24T11:10:00+00:00`` as ``2026-11-24 11:10`` (the time is UTC)."""
    return at[:16].replace("T", " ")


def lines(first: str, second: str) -> Text:
    """Two lines in one cell, each cut to the column's width, never read as markup."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" ".join(first.split()), style="bold")
    text.append("\n" + " ".join(second.split()))
    return text


class HistoryTable(RecordTable):
    """The history list; reaching the end of it asks the screen for the next page."""

    def on_resize(self, event: events.Resize) -> None:
        screen = self.screen
        if isinstance(screen, HistoryScreen):
            screen.call_after_refresh(screen.fit_columns)

    def action_scroll_end(self) -> None:
        super().action_scroll_end()
        screen = self.screen
        if isinstance(screen, HistoryScreen):
            screen.load_more()


class HistoryScreen(AreaScreen):
    MODE = "history"
    HEADING = "History"
    DEFAULT_CSS = """
    #history-filters { height: 3; }
    #history-filter { width: 1fr; }
    #history-person { width: 28; }
    #history-since { width: 30; }
    #history-table { height: 1fr; }
    #history-count { height: 1; color: $text-muted; }
    #history-detail { height: auto; max-height: 6; padding: 0 1; border-top: solid $panel; }
    HistoryScreen.-narrow #history-person { width: 18; }
    HistoryScreen.-narrow #history-since { width: 20; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", id="history-filter"),
        Binding("p", "by_person", "Only this person", id="history-person"),
        Binding("s", "since", "Since…", id="history-since"),
        Binding("m", "more", "More", id="history-more"),
        Binding("c", "clear", "Clear filter", id="history-clear"),
        Binding("escape", "focus_table", "To the list", show=False, id="history-to-list"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[HistoryEntry] = []
        self.text = ""
        self.person = ""
        self.since = ""  # an ISO time: only changes from then on
        self._since_options: list[tuple[str, str]] = []
        self.has_more = False
        self._busy = False
        self._generation = 0
        self._people: set[str] = set()
        self._widths: tuple[int, ...] | None = None
        self._serial_seen = -1

    def compose_main(self) -> ComposeResult:
        with Horizontal(id="history-filters"):
            yield Input(placeholder="Filter: person, record, field or value", id="history-filter")
            yield Select([], prompt=EVERYONE, id="history-person", type_to_search=False)
            yield Select([], prompt=ALL_TIME, id="history-since", type_to_search=False)
        yield HistoryTable([("When", 16)], id="history-table")
        yield Label("", id="history-count", markup=False)
        yield Static("", id="history-detail")

    def on_mount(self) -> None:
        # AreaScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        table = self.query_one(HistoryTable)
        table.focus()
        self.watch(table, "scroll_y", self._scrolled, init=False)

    def _scrolled(self, scroll_y: float) -> None:
        """Scrolling to the end of the list reads the next page."""
        table = self.query_one(HistoryTable)
        if table.max_scroll_y and scroll_y >= table.max_scroll_y:
            self.call_after_refresh(self.load_more)

    def fit_columns(self) -> None:
        """Share the table's width between the columns; a narrow table gets two-line rows."""
        table = self.query_one(HistoryTable)
        available = max(table.size.width - 2 * 4 - 2, 30)
        if available < 72:
            widths: tuple[int, ...] = (16, available - 16 + 2)
            labels: tuple[str, ...] = ("When · who", "What: old → new")
        else:
            what = (available - 30) * 2 // 5
            widths = (16, 14, what, available - 30 - what)
            labels = ("When (UTC)", "Who", "What", "Change")
        if widths == self._widths:
            return
        self._widths = widths
        table.clear(columns=True)
        for label, width in zip(labels, widths, strict=True):
            table.add_column(label, width=width, key=label)
        for entry in self.entries:
            self._add_row(table, entry)

    def _add_row(self, table: HistoryTable, entry: HistoryEntry) -> None:
        assert self._widths is not None
        if len(self._widths) == 2:
            limit = max(self._widths[1] // 2 - 2, 12)
            table.add_row(
                lines(when(entry.at), entry.by),
                lines(describe_what(entry), describe_change(entry, limit)),
                key=str(entry.id),
                height=2,
            )
            return
        table.add_row(
            plain(when(entry.at)),
            plain(entry.by),
            plain(describe_what(entry)),
            plain(describe_change(entry, limit=max(self._widths[3] // 2 - 2, 12))),
            key=str(entry.id),
        )

    # ------------------------------------------------------------ loading

    def show(self, snapshot: Snapshot) -> None:
        people = {snapshot.editor, snapshot.data.workshop.editor, *snapshot.data.workshop.attendees}
        self._add_people(people)
        self._set_since_options(
            since_options(snapshot.data.sessions, dt.datetime.now(dt.UTC).date())
        )
        if snapshot.serial != self._serial_seen:
            # A new read means a change (here or elsewhere; a restored file can even hold
            # as many entries as before): read again as deep as the list went.
            self._serial_seen = snapshot.serial
            self.refresh_history(keep=True)

    def refresh_history(self, keep: bool = False) -> None:
        """Read the list again from the newest entry, with the current filters.

        ``keep`` reads as many entries as are shown (new ones come in at the top);
        otherwise only the first page is read and older pages are dropped.
        """
        self._generation += 1
        self._busy = True
        count = max(PAGE, len(self.entries)) if keep else PAGE
        self._fetch(self._generation, 0, count, self.text, self.person, self.since)

    def load_more(self) -> None:
        if self.has_more and not self._busy:
            self._busy = True
            self._fetch(
                self._generation, len(self.entries), PAGE, self.text, self.person, self.since
            )

    @work(thread=True, group="history")
    def _fetch(
        self, generation: int, offset: int, count: int, text: str, person: str, since: str
    ) -> None:
        try:
            entries = self.workbench.session.history(
                limit=count + 1,
                offset=offset,
                text=text or None,
                by=person or None,
                since=since or None,
            )
        except WorkbenchError as error:
            self.app.call_from_thread(self._failed, generation, str(error))
            return
        self.app.call_from_thread(self._add_page, generation, offset, count, entries)

    def _failed(self, generation: int, reason: str) -> None:
        if generation == self._generation:
            self._busy = False
            self.workbench.show_status(f"Cannot read the history · {reason}", error=True)

    def _add_page(
        self, generation: int, offset: int, count: int, entries: list[HistoryEntry]
    ) -> None:
        if generation != self._generation:
            return  # the filter changed meanwhile: a newer read is on its way
        self._busy = False
        self.has_more = len(entries) > count
        page = entries[:count]
        table = self.query_one(HistoryTable)
        keep = table.current_key
        # On the newest entry, the cursor follows the newest: new changes come into view.
        following = table.cursor_row == 0
        if offset == 0:
            self.entries = []
            table.clear()
        self.entries.extend(page)
        if self._widths is None:
            self.fit_columns()  # adds the rows
        else:
            for entry in page:
                self._add_row(table, entry)
        if offset == 0 and keep is not None and not following:
            table.select_key(keep)  # if that entry is filtered out now, stay at the top
        self._add_people({e.by for e in page})
        self._show_count()
        self._show_detail()

    def _add_people(self, names: set[str]) -> None:
        new = {n for n in names if n} - self._people
        if not new:
            return
        self._people |= new
        select = self.query_one("#history-person", Select)
        current = select.value
        with self.prevent(Select.Changed):
            select.set_options([(Text(n), n) for n in sorted(self._people, key=str.lower)])
            if isinstance(current, str) and current in self._people:
                select.value = current

    def _show_count(self) -> None:
        shown = len(self.entries)
        filtered = bool(self.text or self.person or self.since)
        if not shown:
            text = "No changes match." if filtered else "No changes yet."
        else:
            total = "" if filtered or not self.snapshot else f" of {self.snapshot.history_count}"
            text = f"{shown}{total} changes, newest first"
            if self.has_more:
                text += " · m: more"
        self.query_one("#history-count", Label).update(text)

    def _entry(self) -> HistoryEntry | None:
        table = self.query_one(HistoryTable)
        key = table.current_key
        if key is None:
            return None
        row = table.cursor_row
        if 0 <= row < len(self.entries) and str(self.entries[row].id) == key:
            return self.entries[row]
        return next((e for e in self.entries if str(e.id) == key), None)

    def _show_detail(self) -> None:
        entry = self._entry()
        detail = self.query_one("#history-detail", Static)
        if entry is None:
            detail.update("")
            return
        text = Text()
        text.append(f"{when(entry.at)} · {entry.by} · change {entry.change}: ", style="dim")
        text.append(describe_what(entry), style="bold")
        text.append("\n" + describe_change(entry, limit=400))
        detail.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        if event.cursor_row >= len(self.entries) - 1:
            self.load_more()

    # ------------------------------------------------------------ filters

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "history-filter":
            event.stop()
            self.text = event.value.strip()
            self.refresh_history()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_focus_table()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "history-person":
            event.stop()
            self.person = event.value if isinstance(event.value, str) else ""
            self.refresh_history()
        elif event.select.id == "history-since":
            event.stop()
            self.since = event.value if isinstance(event.value, str) else ""
            self.refresh_history()

    def _set_since_options(self, options: list[tuple[str, str]]) -> None:
        if options == self._since_options:
            return
        self._since_options = options
        select = self.query_one("#history-since", Select)
        current = select.value
        with self.prevent(Select.Changed):
            select.set_options([(Text(label), value) for label, value in options])
            if isinstance(current, str) and current in {v for _, v in options}:
                select.value = current

    def action_since(self) -> None:
        """Open the "since" list: a session, today or the last week."""
        select = self.query_one("#history-since", Select)
        select.focus()
        select.expanded = True

    def action_focus_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(HistoryTable).focus()

    def action_more(self) -> None:
        if not self.has_more:
            self.workbench.show_status("That is the whole history.")
        self.load_more()

    def action_by_person(self) -> None:
        select = self.query_one("#history-person", Select)
        if self.person:
            select.clear()
            return
        entry = self._entry()
        if entry is not None and entry.by:
            self._add_people({entry.by})
            select.value = entry.by

    def action_clear(self) -> None:
        self.query_one("#history-filter", Input).value = ""
        self.query_one("#history-person", Select).clear()
        self.query_one("#history-since", Select).clear()
