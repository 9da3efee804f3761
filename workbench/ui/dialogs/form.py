"""A small form in a dialog: the one way the UI asks for text.

The form checks its values with a validator (a pure core function, no file
access) before it closes: a bad value is refused inline with the reason, and
nothing is saved. Escape cancels.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, TextArea

from workbench.ui.text import Text

Values = dict[str, str]
DIALOG_TEXT_WIDTH = 62
Validator = Callable[[Values], str | None]


@dataclass
class FormField:
    name: str
    label: str
    value: str = ""
    kind: Literal["text", "multiline", "select"] = "text"
    options: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, value)
    placeholder: str = ""


class FormDialog(ModalScreen[Values | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        Binding("ctrl+s", "save", "Save", priority=True, id="form-save"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        validate: Validator | None = None,
        help_text: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.validate_values = validate
        self.help_text = help_text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(self.title_text, style="bold"), id="dialog-title")
            if self.help_text:
                yield Label(self.help_text, id="dialog-help", markup=False)
            with VerticalScroll(id="dialog-fields"):
                for f in self.fields:
                    yield Label(f.label, classes="field-label", markup=False)
                    if f.kind == "multiline":
                        area = TextArea(f.value, id=f"field-{f.name}", soft_wrap=True)
                        area.show_line_numbers = False
                        yield area
                    elif f.kind == "select":
                        yield Select(
                            [(Text(label), value) for label, value in f.options],
                            value=f.value if f.value else Select.NULL,
                            allow_blank=not f.value,
                            id=f"field-{f.name}",
                        )
                    else:
                        yield Input(f.value, placeholder=f.placeholder, id=f"field-{f.name}")
            yield Label("", id="dialog-error", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#dialog-fields").can_focus = False
        self._fit()
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Let the fields scroll so the error line and the buttons stay on a short screen."""
        # border and padding 4, title 2, error line 3, buttons 4, the help text and its margin
        fixed = 13 + (self.help_text.count("\n") + 2 if self.help_text else 0)
        room = int(self.app.size.height * 0.9) - fixed
        self.query_one("#dialog-fields").styles.max_height = max(4, min(22, room))

    def values(self) -> Values:
        result: Values = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, TextArea):
                result[f.name] = widget.text
            elif isinstance(widget, Select):
                result[f.name] = "" if widget.is_blank() else str(widget.value)
            elif isinstance(widget, Input):
                result[f.name] = widget.value
        return result

    def action_save(self) -> None:
        values = self.values()
        if self.validate_values is not None:
            problem = self.validate_values(values)
            if problem:
                error = self.query_one("#dialog-error", Label)
                error.update(Text(f"Not saved: {problem}"))
                error.add_class("-visible")
                self.app.bell()
                return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = [w for w in self.query("#dialog-fields > *") if w.can_focus]
        if event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()


def wrap_help(text: str) -> str:
    """Text for a dialog's help line, broken to the dialog's width."""
    return textwrap.fill(text, DIALOG_TEXT_WIDTH)
