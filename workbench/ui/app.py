"""The workshop app: theme, keymap, the screens and the app-wide keys. Nothing else."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from workbench.errors import WorkbenchError
from workbench.ui import config
from workbench.ui.commands import WorkbenchCommands
from workbench.ui.messages import EditFailed, Navigate, Saved, SnapshotLoaded
from workbench.ui.screens import PLACE_BY_MODE, PLACES, mode_for
from workbench.ui.session import ProjectSession
from workbench.ui.themes import DARK, PROJECTOR, THEMES

if TYPE_CHECKING:
    from workbench.store import Store

STARTED = time.perf_counter()


def _goto_bindings() -> list[BindingType]:
    return [
        Binding(p.key, f"app.goto('{p.mode}')", p.title, show=False, id=f"goto-{p.mode}")
        for p in PLACES
    ]


class WorkbenchApp(App[int]):
    CSS_PATH = "workbench.tcss"
    TITLE = "workbench"
    COMMANDS = App.COMMANDS | {WorkbenchCommands}
    MODES: ClassVar[dict[str, Any]] = {p.mode: (lambda p=p: p.load()()) for p in PLACES}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("ctrl+z", "undo", "Undo", id="undo"),
        Binding("f2", "toggle_projector", "Projector", show=False, id="toggle-projector"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", show=False, id="toggle-sidebar"),
        *_goto_bindings(),
    ]

    def __init__(
        self,
        path: Path,
        *,
        theme: str | None = None,
        editor: str | None = None,
        config_file: Path | None = None,
        poll_seconds: float = 2.0,
    ) -> None:
        super().__init__()
        self.session = ProjectSession(path, editor)
        self.config_file = config_file
        self._requested_theme = theme
        self._poll_seconds = poll_seconds
        self.startup_ms: float | None = None
        self.show_sidebar: bool | None = None  # None: shown when the terminal is wide enough
        self._theme_ready = False
        self._tickets = 0
        self._serving = 0
        self._turn = threading.Condition()
        self._saved_theme = ""

    # ------------------------------------------------------------- start-up

    def on_mount(self) -> None:
        for theme in THEMES:
            self.register_theme(theme)
        try:
            settings = config.load_config(self.config_file)
        except WorkbenchError as error:
            settings = config.UiConfig()
            self.notify(str(error), title="Settings ignored", severity="warning", markup=False)
        name = self._requested_theme or settings.theme or DARK
        if name not in self.available_themes:
            self.notify(f"Unknown theme {name!r}; using {DARK}", severity="warning", markup=False)
            name = DARK
        self._saved_theme = settings.theme
        self.theme = name
        self._theme_ready = True
        if settings.keymap:
            self.set_keymap(settings.keymap)
        self.switch_mode("overview")
        if self._poll_seconds:
            self.set_interval(self._poll_seconds, self._poll_for_changes)
        self.startup_ms = (time.perf_counter() - STARTED) * 1000
        self.log.info(f"started in {self.startup_ms:.0f} milliseconds")

    def watch_theme(self, name: str) -> None:
        if self._theme_ready and name and name != self._saved_theme:
            self._saved_theme = name
            self._remember_theme(name)

    @work(thread=True, exclusive=True, group="config")
    def _remember_theme(self, name: str) -> None:
        # a read-only home folder must not stop the workshop
        with contextlib.suppress(OSError, WorkbenchError):
            config.save_theme(name, self.config_file)

    # ---------------------------------------------------------- data flow

    def load(self, screen: Screen[Any]) -> None:
        """Read the project in a worker and hand the snapshot to ``screen``."""
        self._load(screen)

    @work(thread=True, group="load")
    def _load(self, screen: Screen[Any]) -> None:
        try:
            snapshot = self.session.snapshot()
        except WorkbenchError as error:
            self.call_from_thread(self.show_status, str(error), True)
            return
        screen.post_message(SnapshotLoaded(snapshot))

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
        if on_saved is not None:
            self.call_from_thread(on_saved, result)
        self.post_message(Saved(summary))

    def on_saved(self, message: Saved) -> None:
        self.show_status(f"Saved · {message.summary}")
        self.load(self.screen)

    def on_edit_failed(self, message: EditFailed) -> None:
        self.show_status(f"Not saved · {message.reason}", error=True)
        self.bell()

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
            changed = self.session.changed_elsewhere()
        except Exception:
            return
        if changed:
            self.call_from_thread(self._changed_elsewhere)

    def _changed_elsewhere(self) -> None:
        self.show_status("Updated · someone else saved a change to this project")
        self.load(self.screen)

    # ------------------------------------------------------------ actions

    def action_goto(self, mode: str, key: str = "") -> None:
        if mode not in PLACE_BY_MODE:
            return
        if self.current_mode != mode:
            self.switch_mode(mode)
        if key:
            self.call_later(self._focus_record, key)

    def _focus_record(self, key: str) -> None:
        focus = getattr(self.screen, "focus_record", None)
        if callable(focus):
            focus(key)

    def on_navigate(self, message: Navigate) -> None:
        mode, key = mode_for(message.where)
        self.action_goto(mode, key)

    def action_undo(self) -> None:
        self.edit(lambda store, by: store.undo(by), lambda change: change.summary)

    def action_help(self) -> None:
        from workbench.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_projector(self) -> None:
        self.theme = DARK if self.theme == PROJECTOR else PROJECTOR

    def sidebar_visible(self) -> bool:
        if self.show_sidebar is None:
            return self.size.width >= 100
        return self.show_sidebar

    def action_toggle_sidebar(self) -> None:
        self.show_sidebar = not self.sidebar_visible()
        for screen in self.screen_stack:
            screen.set_class(not self.show_sidebar, "-no-sidebar")

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Projector theme",
            "Switch between the dark theme and the high-contrast light one",
            self.action_toggle_projector,
        )
        yield SystemCommand("Undo", "Undo the last saved edit", self.action_undo)
        yield SystemCommand("Help", "List every key", self.action_help)

    def on_unmount(self) -> None:
        self.session.close()


def run_app(path: Path, theme: str | None = None) -> int:
    app = WorkbenchApp(path, theme=theme)
    result = app.run()
    return int(result or 0)
