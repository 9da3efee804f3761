"""Edits in the order they were made, each in a worker thread, each drawn the moment
it is saved."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work

from workbench.errors import WorkbenchError
from workbench.ui.messages import EditFailed
from workbench.ui.reading import ProjectReads

if TYPE_CHECKING:
    from workbench.store import Store


class EditQueue(ProjectReads):
    """An app whose edits run one at a time, in the order they were made."""

    def __init__(self) -> None:
        super().__init__()
        self._tickets = 0
        self._serving = 0
        self._turn = threading.Condition()

    def edit(
        self,
        action: Callable[[Store, str], Any],
        describe: str | Callable[[Any], str] = "Saved",
        on_saved: Callable[[Any], None] | None = None,
    ) -> None:
        """Run one edit in a worker; the status line says what was saved or why not.

        Edits are saved in the order they were made, even though each runs in its
        own worker thread: each takes a ticket and waits for its turn.
        """
        ticket = self._tickets
        self._tickets += 1
        self._edit(ticket, action, describe, on_saved)

    @work(thread=True, group="edit")
    def _edit(
        self,
        ticket: int,
        action: Callable[[Store, str], Any],
        describe: str | Callable[[Any], str],
        on_saved: Callable[[Any], None] | None,
    ) -> None:
        with self._turn:
            while self._serving != ticket:
                self._turn.wait()
        try:
            result = self.session.edit(action)
        except WorkbenchError as error:
            self.post_message(EditFailed(str(error)))
            return
        finally:
            with self._turn:
                self._serving += 1
                self._turn.notify_all()
        summary = describe(result) if callable(describe) else describe
        self.call_from_thread(self._saved, result, summary, on_saved)

    def _saved(self, result: Any, summary: str, on_saved: Callable[[Any], None] | None) -> None:
        """An edit was committed: draw it and say so in one frame, then read the project
        again (the verdict, the bars) once that frame is out. On a large project the read
        takes a tenth of a second or more; the edit need not wait for it."""
        screen = self.screen
        show_saved = getattr(screen, "show_saved", None)
        if callable(show_saved):
            show_saved(result)
        if on_saved is not None:
            on_saved(result)
        self.show_status(f"Saved · {summary}")
        self.load(screen, after_refresh=True)

    def on_edit_failed(self, message: EditFailed) -> None:
        self.show_status(f"Not saved · {message.reason}", error=True)
        self.bell()
