"""Reading the project for the screens, off the UI thread, and telling the user what
happened: the status line, and changes saved from elsewhere."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from textual import work
from textual.screen import Screen

from workbench.errors import WorkbenchError
from workbench.ui.build_ahead import ScreensBuiltAhead
from workbench.ui.messages import SnapshotLoaded
from workbench.ui.session import ProjectSession


class ProjectReads(ScreensBuiltAhead):
    """An app that reads its project in background threads and hands each screen a
    snapshot; it polls for changes saved by someone else."""

    session: ProjectSession

    def __init__(self) -> None:
        super().__init__()
        self._reads: set[threading.Thread] = set()
        self._loads_waiting = 0

    def load(self, screen: Screen[Any], after_refresh: bool = False) -> None:
        """Read the project in a background thread and hand the snapshot to ``screen``
        (once ``screen`` has drawn its next frame, with ``after_refresh``).

        A daemon thread, not a Textual worker: quitting must not wait for a read of a
        large project (Textual waits for its thread workers; edits are those)."""
        if after_refresh:
            self._loads_waiting += 1

            def start() -> None:
                self._loads_waiting -= 1
                self.load(screen)

            screen.call_after_refresh(start)
            return
        thread = threading.Thread(target=self._load, args=(screen,), name="read", daemon=True)
        self._reads.add(thread)
        thread.start()

    def _load(self, screen: Screen[Any]) -> None:
        try:
            snapshot = self.session.snapshot()
            if snapshot is not None:
                screen.post_message(SnapshotLoaded(snapshot))
        except WorkbenchError as error:
            self._from_thread(self._read_failed, screen, str(error))
        except BaseException as error:  # a bug: end the app with its traceback, never hang
            self._from_thread(self._read_crashed, error)
        finally:
            self._reads.discard(threading.current_thread())

    def _from_thread(self, callback: Callable[..., Any], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # (the app has already stopped)
            self.call_from_thread(callback, *args)

    def _read_failed(self, screen: Screen[Any], message: str) -> None:
        """The project cannot be read: said in the status line and where the verdict
        would be, instead of "Loading the project…" for ever."""
        self.show_status(message, error=True)
        from textual.widgets import Label

        for label in screen.query("#verdict-text").results(Label):
            label.update(f"Cannot read the project. {message}")

    def _read_crashed(self, error: BaseException) -> None:
        from rich.traceback import Traceback

        # (raised here, it would go back to the reading thread: call_from_thread
        # returns the callback's exception to its caller)
        self.panic(Traceback.from_exception(type(error), error, error.__traceback__))

    @property
    def reading(self) -> bool:
        """Whether a read started by ``load`` is still running (for tests)."""
        return bool(self._reads) or self._loads_waiting > 0

    def show_status(self, text: str, error: bool = False) -> None:
        from workbench.ui.widgets.status_line import StatusLine

        for line in self.screen.query(StatusLine):
            line.show(text, error=error)
            return
        # (a toast, when the screen has no status line: a dialog, the help screen)
        self.notify(text, severity="error" if error else "information", markup=False)

    @work(thread=True, exclusive=True, group="poll")
    def _poll_for_changes(self) -> None:
        try:
            what = self.session.changed_elsewhere()
        except Exception:
            return
        if what:
            self.call_from_thread(self._changed_elsewhere, what)

    def _changed_elsewhere(self, what: str) -> None:
        if what == "deleted":
            self.show_status(  # (one line at 80 columns)
                "The project file was deleted or moved: nothing is saved until it is restored",
                error=True,
            )
            return
        if what == "replaced":
            self.show_status("Reopened · the project file was replaced (restored from a backup?)")
        else:
            self.show_status("Updated · someone else saved a change to this project")
        self.load(self.screen)
