"""What every area screen shares: the sidebar, a title, the status line and the footer.

A screen asks the app for a snapshot when it is shown or after an edit, and
draws it in ``show``. It never reads the project file itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Label

from workbench.ui.compat import adopt_stylesheet
from workbench.ui.messages import SnapshotLoaded
from workbench.ui.session import with_saved
from workbench.ui.text import Text
from workbench.ui.typed import workbench_app
from workbench.ui.widgets.key_hints import KeyHints
from workbench.ui.widgets.sidebar import Sidebar
from workbench.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:  # (pydantic and the dialogs wait for the first edit: a faster first frame)
    from pydantic import BaseModel

    from workbench.store import Store
    from workbench.ui.app import WorkbenchApp
    from workbench.ui.session import Snapshot


class Heading(Label):
    """The screen's heading line: its name, the project's and who is editing, shortened
    to fit its width: the separators first, then "editing as", then the project's name
    (with an ellipsis); the screen's name and the editor's stay whole."""

    def __init__(self, heading: str) -> None:
        super().__init__(heading, id="heading", markup=False)
        self.heading = heading
        self.project = ""
        self.editor = ""

    def show_project(self, project: str, editor: str) -> None:
        if (project, editor) != (self.project, self.editor):
            self.project, self.editor = project, editor
            self.refresh()

    def render(self) -> Text:
        if not self.project:
            return Text(self.heading, no_wrap=True, overflow="ellipsis")
        width = self.content_size.width or 10_000  # (not laid out yet: the whole line)
        project = Text(self.project)
        for gap, editing in (("  ·  ", "editing as "), (" · ", "editing as "), (" · ", "")):
            line = Text.assemble((self.heading, "bold"), gap, project, gap, editing, self.editor)
            if cell_len(line.plain) <= width:
                return line
        room = width - cell_len(f"{self.heading} ·  · {self.editor}")
        project.truncate(max(room, 4), overflow="ellipsis")
        line = Text.assemble((self.heading, "bold"), " · ", project, " · ", self.editor)
        line.no_wrap, line.overflow = True, "ellipsis"
        return line


class AreaScreen(Screen[None]):
    """Base class for the screens reachable from the sidebar."""

    MODE: ClassVar[str] = ""
    HEADING: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: Snapshot | None = None
        self._pending_focus: str | None = None
        adopt_stylesheet(self)

    @property
    def workbench(self) -> WorkbenchApp:
        """The app, typed (its session, edit queue and status line)."""
        return workbench_app(self)

    def compose(self) -> ComposeResult:
        self._fit_to_size(update=False)  # (before the widgets are styled: no restyle)
        with Horizontal(id="frame"):
            yield Sidebar(self.MODE)
            with Vertical(id="main"):
                yield Heading(self.HEADING)
                yield from self.compose_main()
        yield StatusLine()
        yield KeyHints()

    def compose_main(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self._fit_to_size()

    def on_resize(self) -> None:
        self._fit_to_size()

    def _fit_to_size(self, update: bool = True) -> None:
        """Narrow terminals stack the panes; below 100 columns the sidebar hides (ctrl+b).

        The screen is restyled once, and only when a class changes (each restyle walks
        every widget on the screen)."""
        width, height = self.app.size
        visible = getattr(self.app, "sidebar_visible", lambda: True)()
        wanted = {"-narrow": width < 110, "-short": height < 30, "-no-sidebar": not visible}
        changed = [name for name, on in wanted.items() if self.has_class(name) != on]
        for name in changed:
            self.set_class(wanted[name], name, update=False)
        if changed and update:
            self.update_node_styles()

    def on_screen_resume(self) -> None:
        self._fit_to_size()  # (the sidebar may have been toggled on another screen)
        self.reload()

    def reload(self) -> None:
        """Ask for the project as it is now; meanwhile draw the last one read, if any.

        The last snapshot costs no reading: a screen shown for the first time draws it
        at once instead of first appearing empty; the read that follows hands over the
        same object (nothing to redraw) unless the project has changed since."""
        cached = self.workbench.session.cached
        if self.snapshot is None and cached is None:
            # The very first read (loading the core, the file, working out the verdict)
            # waits for this screen's first frame, rather than share the processor
            # with drawing it.
            self.workbench.load(self, after_refresh=True)
            return
        if self.snapshot is None and cached is not None:
            self.post_message(SnapshotLoaded(cached))
        self.workbench.load(self)

    def on_snapshot_loaded(self, message: SnapshotLoaded) -> None:
        message.stop()
        if message.snapshot is self.snapshot:
            # Nothing changed since this screen drew it. (A record waiting to be
            # selected waits on: it is one an edit still being saved will add.)
            return
        if self.snapshot is not None and message.snapshot.serial < self.snapshot.serial:
            return  # read before the one on screen, and delivered after it: out of date
        self.snapshot = message.snapshot
        name = message.snapshot.data.project.name
        self.query_one(Heading).show_project(name, message.snapshot.editor)
        self.show(message.snapshot)
        self.workbench.screen_drawn(self)
        if self._pending_focus is not None:
            key, self._pending_focus = self._pending_focus, None
            self.select_record(key)

    def show(self, snapshot: Snapshot) -> None:
        """Draw the snapshot; called on the UI thread."""

    def focus_record(self, key: str) -> None:
        """Select a record (an item id, a metric) once the data is on screen."""
        if self.snapshot is None:
            self._pending_focus = key
        else:
            self.select_record(key)

    def select_record(self, key: str) -> None:
        """Override to move the cursor to ``key``."""

    def show_saved(self, record: Any) -> None:
        """Draw a record an edit just saved, before the project is read again. By
        default the whole screen is drawn from the snapshot with the record put in; a
        screen with thousands of rows redraws just the one."""
        if self.snapshot is not None and with_saved(self.snapshot, record):
            self.show(self.snapshot)

    def edit(self, action, describe="Saved", on_saved=None) -> None:
        self.workbench.edit(action, describe, on_saved)

    def remove_after_asking(
        self, question: str, remove: Callable[[Store, str], Any], removed: str
    ) -> None:
        """Ask ``question``; on yes, run the ``remove`` operation. ``removed`` is what the
        status line says then (undo brings it back, and it says so)."""

        from workbench.ui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.edit(remove, f"{removed} (ctrl+z brings it back)")

        self.app.push_screen(ConfirmDialog(question), answered)

    def edit_text(
        self,
        record: BaseModel,
        field: str,
        label: str,
        save: Callable[[Store, str, str], Any],
        *,
        title: str,
        describe: str | Callable[[Any], str],
        multiline: bool = False,
        help_text: str = "",
        required: str = "",
    ) -> None:
        """Ask for one text field of ``record`` and save it with ``save(store, by, text)``
        (an operation, given the record as this screen showed it).

        The dialog checks the text with the record's own model (its length limits)
        before it closes; an unchanged text saves nothing. ``required`` is the
        reason to give when the text is left empty, for a field that must not be."""
        from pydantic import ValidationError

        from workbench.errors import describe_validation_error
        from workbench.ui.dialogs.form import FormDialog, FormField, Values

        current = getattr(record, field)

        def check(values: Values) -> str | None:
            text = values[field].strip()
            if required and not text:
                return required
            try:
                type(record).model_validate({**record.model_dump(), field: text})
            except ValidationError as error:
                return describe_validation_error(error)
            return None

        def saved(values: Values | None) -> None:
            if values is None or values[field].strip() == current:
                return
            text = values[field].strip()
            self.edit(lambda store, by: save(store, by, text), describe)

        kind: Literal["text", "multiline"] = "multiline" if multiline else "text"
        self.app.push_screen(
            FormDialog(title, [FormField(field, label, current, kind)], check, help_text),
            saved,
        )
