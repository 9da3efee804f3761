"""Export: choose formats and a folder, write the reports, say exactly where each went."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Static

from workbench.errors import WorkbenchError
from workbench.export import export_reports
from workbench.reports import FORMATS
from workbench.ui import served
from workbench.ui.screens.base import AreaScreen
from workbench.ui.session import Snapshot
from workbench.ui.text import Text

FORMAT_LABELS = {
    "md": "Markdown (.md)",
    "html": "HTML (.html): opens in any browser",
    "json": "JSON (.json)",
    "toml": "TOML (.toml): the whole project, re-importable",
}
DEFAULT_FORMATS = ("html",)
# (the formats the screen offers, in this order)
UI_FORMATS = tuple(fmt for fmt in FORMATS if fmt in FORMAT_LABELS)


class FormatBox(Checkbox):
    """A format's checkbox: up/down (and k/j) move to the format above or below, space
    ticks it. Unticked, the box is empty (readable in any theme, and with no colour)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "move(1)", "Next format", show=False, id="export-next-format"),
        Binding("up,k", "move(-1)", "Previous format", show=False, id="export-previous-format"),
    ]

    def render(self) -> Content:
        self.BUTTON_INNER = "X" if self.value else " "
        return super().render()

    def action_move(self, step: int) -> None:
        boxes = list(self.screen.query(FormatBox))
        index = boxes.index(self) + step
        if index >= len(boxes):
            self.screen.focus_next()  # past the last format: the folder
        elif index >= 0:
            boxes[index].focus()


class ExportScreen(AreaScreen):
    MODE = "export"
    HEADING = "Export"
    DEFAULT_CSS = """
    #export-form { height: auto; }
    #export-formats { height: auto; width: 1fr; }
    #export-formats Checkbox { height: auto; border: none; padding: 0 1; }
    #export-formats Checkbox > .toggle--button { color: $text; background: $foreground 20%; }
    #export-formats Checkbox.-on > .toggle--button { color: $text-success; text-style: bold; }
    #export-folder-row { height: auto; margin-top: 1; }
    #export-folder-row Label { width: auto; padding: 0 1 0 0; }
    #export-folder { width: 1fr; }
    #export-buttons { height: auto; margin-top: 1; }
    #export-buttons Button { margin-right: 2; }
    #export-progress { margin-top: 1; height: 1; display: none; }
    #export-progress.-shown { display: block; }
    #export-progress-label { height: 1; color: $text-muted; }
    #export-result { height: 1fr; margin-top: 1; border-top: solid $panel; }
    #export-result-text.-error { color: $error; text-style: bold; }
    ExportScreen.-narrow #export-buttons Button { margin-right: 1; min-width: 10; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "export", "Write files", id="export-write"),
        Binding("d", "deliver", "Download HTML", id="export-deliver"),
        Binding("o", "open_html", "Open HTML", id="export-open"),
        Binding("escape", "leave_folder", "To the formats", show=False, id="export-leave-folder"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.written: list[tuple[str, Path]] = []
        self.running = False

    def compose_main(self) -> ComposeResult:
        with Vertical(id="export-form"):
            yield Label("Formats (↑ ↓ move, space ticks one)", classes="section-title")
            with Vertical(id="export-formats"):
                for fmt in UI_FORMATS:
                    yield FormatBox(
                        FORMAT_LABELS.get(fmt, fmt), fmt in DEFAULT_FORMATS, id=f"format-{fmt}"
                    )
            with Horizontal(id="export-folder-row"):
                yield Label("Folder")
                yield Input(self.default_folder(), id="export-folder", compact=True)
            with Horizontal(id="export-buttons"):
                yield Button("Write files (w)", variant="primary", id="export-write", compact=True)
                yield Button("Download HTML (d)", id="export-deliver", compact=True)
                yield Button("Open HTML (o)", id="export-open", compact=True)
        yield ProgressBar(total=1, show_eta=False, id="export-progress")
        yield Label("", id="export-progress-label", markup=False)
        with VerticalScroll(id="export-result"):
            yield Static("Nothing exported yet.", id="export-result-text")

    def default_folder(self) -> str:
        """The project file's folder (no file access: the path is known already)."""
        return str(self.workbench.session.path.absolute().parent)

    def on_mount(self) -> None:
        # AreaScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.query_one("#format-html", Checkbox).focus()

    def show(self, snapshot: Snapshot) -> None:
        """Nothing to draw from the project: the form keeps what the facilitator chose."""

    # ------------------------------------------------------------ choices

    def formats(self) -> list[str]:
        return [fmt for fmt in UI_FORMATS if self.query_one(f"#format-{fmt}", Checkbox).value]

    def folder(self) -> Path:
        text = self.query_one("#export-folder", Input).value.strip() or self.default_folder()
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.workbench.session.path.absolute().parent / path
        return path

    def _say(self, text: Text | str, error: bool = False) -> None:
        result = self.query_one("#export-result-text", Static)
        result.set_class(error, "-error")
        result.update(Text(text) if isinstance(text, str) else text)
        if error:
            self.workbench.show_status(f"Not exported · {text}", error=True)

    # ------------------------------------------------------------ exporting

    def action_export(self) -> None:
        if self.running:
            return
        formats = self.formats()
        if not formats:
            self._say("Tick at least one format.", error=True)
            self.app.bell()
            return
        folder = self.folder()
        project_folder = self.workbench.session.path.absolute().parent
        if served.is_served() and not served.inside(project_folder, folder):
            self._say(served.outside_message(project_folder, "written"), error=True)
            self.app.bell()
            return
        self.running = True
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=len(formats), progress=0)
        bar.add_class("-shown")
        self.query_one("#export-progress-label", Label).update("Writing…")
        self._export(formats, folder)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, formats: list[str], folder: Path) -> None:
        def progress(done: int, total: int, fmt: str) -> None:
            self.app.call_from_thread(self._progress, done, total, fmt)

        try:
            written = self.workbench.session.read(
                lambda store: export_reports(store, formats, output_dir=folder, progress=progress)
            )
        except WorkbenchError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        except OSError as error:  # a folder that vanished or cannot be read
            self.app.call_from_thread(self._failed, f"{folder}: {error.strerror or error}")
            return
        self.app.call_from_thread(self._done, written)

    def _progress(self, done: int, total: int, fmt: str) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=total, progress=done)
        label = f"Writing {fmt}… ({done + 1} of {total})" if fmt else f"Wrote {total} file(s)."
        self.query_one("#export-progress-label", Label).update(label)

    def _failed(self, reason: str) -> None:
        self.running = False
        self.query_one("#export-progress-label", Label).update("Nothing was written.")
        self._say(" ".join(reason.split()), error=True)

    def _done(self, written: list[tuple[str, Path]]) -> None:
        self.running = False
        self.written = [(fmt, path.resolve()) for fmt, path in written]
        text = Text()
        text.append(f"Wrote {len(self.written)} file(s):\n", style="bold")
        for fmt, path in self.written:
            text.append(f"{fmt:>4}  ", style="bold")
            text.append(f"{path}\n")
        if self.html_path() is not None:
            text.append("\nd: download the HTML report · o: open it in the browser", style="dim")
        self._say(text)
        self.workbench.show_status("Exported · " + ", ".join(str(path) for _, path in self.written))

    def html_path(self) -> Path | None:
        return next((path for fmt, path in self.written if fmt == "html"), None)

    # ------------------------------------------------------------ sending

    def action_deliver(self) -> None:
        """Send the written HTML report to the person at the screen (terminal or browser)."""
        path = self.html_path()
        if path is None:
            self._say("Write the HTML report first (tick HTML, then w).", error=True)
            self.app.bell()
            return
        try:
            self.app.deliver_text(path, save_filename=path.name, mime_type="text/html")
        except OSError as error:
            self._say(f"{path}: cannot read it ({error.strerror})", error=True)
            return
        self.workbench.show_status(f"Sent {path.name} as a download")

    def action_open_html(self) -> None:
        path = self.html_path()
        if path is None:
            self._say("Write the HTML report first (tick HTML, then w).", error=True)
            self.app.bell()
            return
        self.app.open_url(path.as_uri())
        self.workbench.show_status(f"Opened {path.as_uri()}")

    def action_leave_folder(self) -> None:
        self.query_one("#format-html", Checkbox).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {
            "export-write": self.action_export,
            "export-deliver": self.action_deliver,
            "export-open": self.action_open_html,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()
