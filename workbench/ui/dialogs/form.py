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

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, TextArea

from workbench.ui.text import Text

Values = dict[str, str]
DIALOG_TEXT_WIDTH = 62
# A validator says what is wrong, or None: a reason (shown under the field it names, when
# it names one), or (field name, reason) to put it under that field for sure.
Problem = str | tuple[str, str]
Validator = Callable[[Values], Problem | None]
SHORT_SCREEN = 30  # rows: below this the dialog is compact (a field a line and its label)


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
        # Moving between fields is done as the key arrives, before the keys after it are
        # handed on: typed fast (or pasted), "600", tab, "0" fills two fields, not one.
        Binding("tab", "next_field", show=False, priority=True, id="form-next-field"),
        Binding("shift+tab", "previous_field", show=False, priority=True, id="form-previous"),
        Binding("enter", "enter", show=False, priority=True, id="form-enter"),
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
                    yield Label("", id=f"error-{f.name}", classes="field-error", markup=False)
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
        """Let the fields scroll so the error line and the buttons stay on a short screen;
        on a short screen (80×24) the dialog is compact: one line a field, one a label."""
        short = self.app.size.height < SHORT_SCREEN
        if short != self.has_class("-short"):
            self.set_class(short, "-short")
            for widget in self.query("#dialog-fields Input, #dialog-fields Select, Button"):
                widget.compact = short  # type: ignore[attr-defined]
        help_lines = self.help_text.count("\n") + 1 if self.help_text else 0
        # short: border 2, title 1, error line 1, buttons 1, the help text; otherwise
        # border and padding 4, title 2, error line 3, buttons 4, the help and its margin
        fixed = 5 + help_lines if short else 13 + (help_lines + 1 if help_lines else 0)
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
        """Save once every field has handled the keys sent to it before ctrl+s: ctrl+s
        is acted on as it arrives, and a burst of typing (a paste) may still be queued
        in the fields, so the values are read only after each field's queue."""
        widgets = [self.query_one(f"#field-{f.name}") for f in self.fields]

        def after(index: int) -> None:
            if index == len(widgets):
                self._save_now()
            else:
                widgets[index].call_later(after, index + 1)

        after(0)

    def _save_now(self) -> None:
        if not self.is_attached or self.app.screen is not self:
            return  # (closed meanwhile)
        values = self.values()
        problem = self.validate_values(values) if self.validate_values is not None else None
        for label in self.query(".field-error").results(Label):
            label.remove_class("-visible")
        if not problem:
            self.dismiss(values)
            return
        name, reason = (
            problem if isinstance(problem, tuple) else (self._field_named(problem), problem)
        )
        error = self.query_one("#dialog-error", Label)
        error.update(Text(f"Not saved: {reason}"))
        error.add_class("-visible")
        if name is not None:
            beside = self.query_one(f"#error-{name}", Label)
            beside.update(Text(f"↑ {reason}"))
            beside.add_class("-visible")
            field = self.query_one(f"#field-{name}")
            field.focus()
            self.call_after_refresh(beside.scroll_visible, animate=False)
        self.app.bell()

    def _field_named(self, reason: str) -> str | None:
        """The one field a reason is about: the one whose value it quotes ("'abc' is
        not a number"), else the one it names by its label or name; None if unsure."""
        values = self.values()
        quoted = [
            f.name
            for f in self.fields
            if values[f.name].strip()
            and any(
                q in reason for q in (f"'{values[f.name].strip()}'", f'"{values[f.name].strip()}"')
            )
        ]
        if len(quoted) == 1:
            return quoted[0]
        text = reason.lower()
        named = []
        for f in self.fields:
            label = f.label.lower().split("(")[0].strip(" :?")
            words = {f.name.replace("_", " ").lower(), label}
            if any(w and len(w) > 2 and w in text for w in words):
                named.append(f.name)
        return named[0] if len(named) == 1 else None

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_next_field(self) -> None:
        self.focus_next()

    def action_previous_field(self) -> None:
        self.focus_previous()

    def action_enter(self) -> None:
        """Enter in a one-line field: the next field (or save, from the last one); in a
        text area, a list or on a button it does what it does there."""
        focused = self.focused
        if not isinstance(focused, Input):
            raise SkipAction()
        inputs = [w for w in self.query("#dialog-fields > *") if w.can_focus]
        if inputs and focused is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

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
