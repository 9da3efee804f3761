"""A labelled bar for a share done (an area's score, a section's completion)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from workbench.ui.text import Text


class ScoreBar(Horizontal):
    DEFAULT_CSS = """
    ScoreBar { height: 1; width: 1fr; }
    ScoreBar > .score-label { width: 22; }
    ScoreBar > ProgressBar { width: 1fr; }
    ScoreBar > ProgressBar > Bar { width: 1fr; }
    ScoreBar > .score-count { width: 8; text-align: right; }
    """

    def __init__(self, label: str, done: int = 0, total: int = 0, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._label = label
        self._done = done
        self._total = total

    def compose(self) -> ComposeResult:
        yield Label(Text(self._label, no_wrap=True, overflow="ellipsis"), classes="score-label")
        yield ProgressBar(total=max(self._total, 1), show_eta=False, show_percentage=False)
        yield Label(f"{self._done}/{self._total}", classes="score-count")

    def on_mount(self) -> None:
        self.set_value(self._done, self._total)

    def set_value(self, done: int, total: int) -> None:
        self._done, self._total = done, total
        share = done / total if total else 1.0
        self.set_class(share >= 1.0, "-complete")
        self.set_class(share < 0.5, "-low")
        bars = self.query(ProgressBar)
        if not bars:
            return  # not composed yet: on_mount applies the values
        bars.first().update(total=max(total, 1), progress=done)
        self.query_one(".score-count", Label).update(f"{done}/{total}")
