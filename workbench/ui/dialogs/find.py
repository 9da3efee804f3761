"""Find anything by its words: type, the matches update below, enter goes to the one
highlighted (``/`` or ctrl+f on any screen).

The search runs over the project the screen below already holds (``workbench.find``:
the records read once when the dialog opens, then a pass over their words at each
key press); nothing is read from the file. The arrows, ctrl+n and ctrl+p move in the
list while the cursor stays in the box, so typing never stops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from workbench.ui.dialogs.form import SHORT_SCREEN
from workbench.ui.messages import Navigate
from workbench.ui.places import WHERE_TO_MODE
from workbench.ui.text import Text

if TYPE_CHECKING:
    from workbench.find import Found, Index
    from workbench.models import ProjectData

LIMIT = 50
# The navigation prefix of each screen's records (``checklist:…`` on the Checklist): the
# current screen's records are listed first.
PREFIX_OF_MODE = {mode: prefix for prefix, mode in WHERE_TO_MODE.items()}


class FindInput(Input):
    """The search box. It keeps ctrl+p (the palette's key elsewhere) to move up the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,ctrl+p", "screen.move(-1)", "Previous", show=False, id="find-previous"),
        Binding("down,ctrl+n", "screen.move(1)", "Next", show=False, id="find-next"),
    ]

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # (a key a widget consumes is taken out of the app's bindings, priority ones too)
        return key == "ctrl+p" or super().check_consume_key(key, character)


class FindDialog(ModalScreen[None]):
    DEFAULT_CSS = """
    FindDialog #find-dialog {
        width: 96; max-width: 96%; height: auto; max-height: 90%;
        padding: 0 1; border: thick $primary; background: $surface;
    }
    FindDialog #find-title { text-style: bold; }
    FindDialog #find-input { margin-bottom: 0; }
    FindDialog #find-count { color: $text-muted; }
    FindDialog #find-results { height: auto; max-height: 30; border: none; padding: 0; }
    FindDialog #find-keys { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="find-close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._index: Index | None = None
        self._prefer = ""
        self._found: list[Found] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="find-dialog"):
            yield Label("Find: words from a title, an owner, evidence, a note…", id="find-title")
            yield FindInput(placeholder="rollback, accuracy, week 3…", id="find-input")
            yield Label("", id="find-count", markup=False)
            results = OptionList(id="find-results")
            results.can_focus = False  # (the cursor stays in the box: typing never stops)
            yield results
            yield Label(
                "↑↓ or ctrl+n/ctrl+p choose · enter go there · esc close",
                id="find-keys",
                markup=False,
            )

    def on_mount(self) -> None:
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        snapshot = getattr(below, "snapshot", None)
        if snapshot is None:
            snapshot = getattr(getattr(self.app, "session", None), "cached", None)
        self._prefer = PREFIX_OF_MODE.get(getattr(below, "MODE", ""), "")
        self._fit()
        self.query_one(FindInput).focus()
        data: ProjectData | None = getattr(snapshot, "data", None)
        if data is not None:
            self._read(data)

    @work(thread=True, exclusive=True, group="find-index")
    def _read(self, data: ProjectData) -> None:
        """Read the project's records once (a tenth of a second for 7,000 of them)."""
        from workbench.find import Index

        index = Index(data)
        self.app.call_from_thread(self._indexed, index)

    def _indexed(self, index: Index) -> None:
        self._index = index
        self._search(self.query_one(FindInput).value)

    def on_resize(self, event: events.Resize) -> None:
        self._fit()
        self._show()

    def _fit(self) -> None:
        """As many results as the screen has room for (two lines each); on a short
        screen (80×24) the box is one line, not three."""
        short = self.app.size.height < SHORT_SCREEN
        self.query_one(FindInput).compact = short
        # the border 2, the title, the box, the count line, the keys line
        room = int(self.app.size.height * 0.9) - (6 if short else 8)
        self.query_one("#find-results").styles.max_height = max(4, room)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._search(event.value)

    @work(thread=True, exclusive=True, group="find")
    def _search(self, query: str) -> None:
        """Search in a thread: the first letter of a query can match every record of a
        large project (some 20 ms for 7,000), and typing must not wait for it."""
        if self._index is None:
            return
        found = self._index.find(query, LIMIT, self._prefer)
        self.app.call_from_thread(self._found_for, query, found)

    def _found_for(self, query: str, found: list[Found]) -> None:
        if query != self.query_one(FindInput).value:
            return  # typed on meanwhile: the search for what is typed now follows
        self._found = found
        self._show()

    def _show(self) -> None:
        query = self.query_one(FindInput).value
        results = self.query_one("#find-results", OptionList)
        count = self.query_one("#find-count", Label)
        results.clear_options()
        if not query.strip():
            count.update("")
            return
        if not self._found:
            count.update("")
            results.add_option(Option(Text(f"No matches for {query.strip()!r}"), disabled=True))
            return
        width = max(20, results.scrollable_content_region.width - 1)
        results.add_options([Option(_prompt(found, width)) for found in self._found])
        results.highlighted = 0
        many = len(self._found)
        count.update(
            f"the first {many}: more words narrow them"
            if many >= LIMIT
            else f"{many} match" + ("" if many == 1 else "es")
        )

    def action_move(self, step: int) -> None:
        results = self.query_one("#find-results", OptionList)
        if not self._found:
            return
        current = results.highlighted or 0
        results.highlighted = max(0, min(len(self._found) - 1, current + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._go(self.query_one("#find-results", OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._go(event.option_index)

    def _go(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self._found):
            return
        where = self._found[index].where
        self.dismiss()
        self.app.post_message(Navigate(where))

    def action_close(self) -> None:
        self.dismiss()


def _prompt(found: Found, width: int) -> Text:
    """Two lines: the title and what it is; below, the words around the match."""
    kind = f" · {found.kind}"
    title = _cut(found.title, max(10, width - len(kind)))
    text = Text.assemble((title, "bold"), (kind, "italic dim"))
    if found.snippet:
        text.append("\n")
        text.append(_cut(f"  {found.snippet}", width), "dim")
    return text


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
