"""The workshop app: theme, keymap, the screens and the app-wide keys. Nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from workbench.errors import WorkbenchError
from workbench.ui import compat, config, served
from workbench.ui.commands import WorkbenchCommands
from workbench.ui.messages import EditFailed, Navigate, SnapshotLoaded
from workbench.ui.places import PLACE_BY_MODE, PLACES, mode_for
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
        build_ahead: bool = True,
    ) -> None:
        super().__init__()
        self._build_ahead = build_ahead
        self._built_ahead = False
        self._reads: set[threading.Thread] = set()
        self._loads_waiting = 0
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

    # ------------------------------------------- cycle collection when idle

    def _collect_when_idle(self) -> None:
        """Full collections of reference cycles in the pauses, not during a key press.

        Textual leaves cyclic garbage behind every restyle. Young garbage is collected
        as usual (cheap: only new objects are looked at); but with a large project in
        memory a full collection takes 50-250 ms, and Python starts one at whatever
        key press it happens to fall on. Here full collections wait until nobody has
        pressed a key or moved the mouse for a second (or, in a long burst of work
        without a pause, for at most a minute)."""
        self._gc_thresholds = gc.get_threshold()
        young, older, _ = self._gc_thresholds
        gc.set_threshold(young, older, 1_000_000)  # no automatic full collection
        self._last_input = self._last_full_collection = time.monotonic()
        self.set_interval(0.5, self._collect_if_idle)

    def _collect_if_idle(self) -> None:
        now = time.monotonic()
        idle = now - self._last_input > 1.0
        overdue = now - self._last_full_collection > 60.0
        if gc.get_count()[2] >= 10 and (idle or overdue):
            gc.collect()
            self._last_full_collection = now

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = time.monotonic()
        await super().on_event(event)

    # ------------------------------------------------- screens built ahead

    def screen_drawn(self, screen: Screen[Any]) -> None:
        """A screen has drawn the project: once the first has, build the others."""
        if self._build_ahead and not self._built_ahead and screen is self.screen:
            self._built_ahead = True
            self._build_screens_ahead()

    @work(exclusive=True, group="build-ahead")
    async def _build_screens_ahead(self) -> None:
        """Build every other area's screen in the background, one at a time.

        Building a screen (its widgets, their styles, its first layout) takes a few
        hundred milliseconds on a small machine: too long a pause after a key press
        in front of a room. Built while the team reads the overview, each screen is
        then only shown, well within 100 ms. Each is mounted in turn, and none is
        started while keys are being pressed, so as not to slow the screens asked for."""
        await asyncio.sleep(0.2)
        for place in PLACES:
            while time.monotonic() - self._last_input < 0.5:
                await asyncio.sleep(0.1)  # someone is at the keys: leave them the machine
            if compat.mode_started(self, place.mode):  # (already visited)
                continue
            await compat.build_mode(self, place.mode)  # (off screen)
            await asyncio.sleep(0.05)

    # ---------------------------------------------------------- data flow

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


def run_app(path: Path, theme: str | None = None) -> int:
    app = WorkbenchApp(path, theme=theme)
    result = app.run()
    return int(result or 0)
