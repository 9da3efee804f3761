"""The workshop app: theme, keymap, the screens and the app-wide keys. Nothing else.

What it is built on, one module each: ``edit_queue`` (edits in order, drawn when
saved), ``reading`` (the project read off the UI thread, the status line, changes
from elsewhere), ``build_ahead`` (screens built while the team reads) and ``idle``
(cycle collection in the pauses)."""

from __future__ import annotations

import contextlib
import gc
import time
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from workbench.errors import WorkbenchError
from workbench.ui import config, served
from workbench.ui.commands import WorkbenchCommands
from workbench.ui.edit_queue import EditQueue
from workbench.ui.messages import EditFailed, Navigate
from workbench.ui.places import PLACE_BY_MODE, PLACES, mode_for
from workbench.ui.session import ProjectSession
from workbench.ui.themes import DARK, PROJECTOR, THEMES

STARTED = time.perf_counter()


def _goto_bindings() -> list[BindingType]:
    return [
        Binding(p.key, f"app.goto('{p.mode}')", p.title, show=False, id=f"goto-{p.mode}")
        for p in PLACES
    ]


class WorkbenchApp(EditQueue):
    CSS_PATH = "workbench.tcss"
    TITLE = "workbench"
    COMMANDS = App.COMMANDS | {WorkbenchCommands}
    MODES: ClassVar[dict[str, Any]] = {p.mode: (lambda p=p: p.load()()) for p in PLACES}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("ctrl+z", "undo", "Undo", id="undo"),
        Binding("slash,ctrl+f", "find", "Find", show=False, id="find"),
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
        build_ahead: bool = True,
    ) -> None:
        super().__init__()
        self._build_ahead = build_ahead
        self.session = ProjectSession(path, editor)
        self.config_file = config_file
        self._requested_theme = theme
        self._poll_seconds = poll_seconds
        self.startup_ms: float | None = None
        self.show_sidebar: bool | None = None  # None: shown when the terminal is wide enough
        self._theme_ready = False
        self._saved_theme = ""

    # ------------------------------------------------------------- start-up

    def on_mount(self) -> None:
        self._collect_when_idle()
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
            self._check_keymap(list(settings.keymap))
        self.switch_mode("overview")
        if self._poll_seconds:
            self.set_interval(self._poll_seconds, self._poll_for_changes)
        self.startup_ms = (time.perf_counter() - STARTED) * 1000
        self.log.info(f"started in {self.startup_ms:.0f} milliseconds")

    @work(thread=True, group="keymap")
    def _check_keymap(self, ids: list[str]) -> None:
        """Name a keymap's ids that no key has (off the UI thread: it imports every screen)."""
        from workbench.ui.keymap import unknown_ids

        unknown = unknown_ids(ids)
        if unknown:
            message = (
                f"keymap: no key has the id {unknown[0]!r}"
                + (f" (nor {len(unknown) - 1} more)" if len(unknown) > 1 else "")
                + "; press ? for the ids"
            )
            self.call_from_thread(
                self.notify, message, title="Settings", severity="warning", markup=False
            )

    def watch_theme(self, name: str) -> None:
        # (a browser participant's theme is theirs: not saved in the facilitator's settings)
        if self._theme_ready and name and name != self._saved_theme and not served.is_served():
            self._saved_theme = name
            self._remember_theme(name)

    @work(thread=True, exclusive=True, group="config")
    def _remember_theme(self, name: str) -> None:
        # a read-only home folder must not stop the workshop
        with contextlib.suppress(OSError, WorkbenchError):
            config.save_theme(name, self.config_file)

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
        """Undo the editor's own last edit; someone else's only after saying yes to it."""
        self._find_undo()

    @work(thread=True, exclusive=True, group="undo")
    def _find_undo(self) -> None:
        editor = self.session.editor
        try:
            mine, newest = self.session.read(
                lambda store: (store.last_change(editor), store.last_change())
            )
        except WorkbenchError as error:
            self.post_message(EditFailed(str(error)))
            return
        self.call_from_thread(self._undo_chosen, editor, mine, newest)

    def _undo_chosen(self, editor: str, mine: Any, newest: Any) -> None:
        if mine is not None or newest is None:  # (none at all: the edit says so)
            self.edit(lambda store, by: store.undo(by), lambda change: change.summary)
            return
        from workbench.ui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.edit(
                    lambda store, by: store.undo(by, theirs=True), lambda change: change.summary
                )

        question = (  # (a line each: the dialog's title does not wrap)
            f"Nothing of yours ({editor}) to undo.\nThe last edit is {newest.by}'s:\n"
            f"  {newest.summary}\nUndo their edit?"
        )
        self.push_screen(ConfirmDialog(question), answered)

    def action_find(self) -> None:
        """Find a record by its words, and go to it (a screen's own ``/`` comes first;
        not over a dialog, the help or the find itself)."""
        from textual.screen import ModalScreen

        from workbench.ui.dialogs.find import FindDialog

        if not isinstance(self.screen, ModalScreen):
            self.push_screen(FindDialog())

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
        if hasattr(self, "_gc_thresholds"):
            gc.set_threshold(*self._gc_thresholds)


def run_app(path: Path, theme: str | None = None, editor: str | None = None) -> int:
    app = WorkbenchApp(path, theme=theme, editor=editor)
    result = app.run()
    return int(result or 0)
