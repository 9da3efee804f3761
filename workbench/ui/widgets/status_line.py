"""The line above the footer that says what was saved, or why not."""

from __future__ import annotations

from textual.widgets import Static

from workbench.ui import served
from workbench.ui.text import Text


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    StatusLine.-error { background: $error; color: $text; text-style: bold; }
    StatusLine.-saved { color: $success; }
    """

    def __init__(self) -> None:
        first = served.READ_ONLY_MESSAGE if served.is_read_only() else "Every edit is saved at once"
        super().__init__(f"{first} · ? keys · ctrl+p commands", markup=False)

    def show(self, text: str, error: bool = False) -> None:
        self.set_class(error, "-error")
        self.set_class(not error, "-saved")
        self.update(Text(text, no_wrap=True, overflow="ellipsis"))
