"""The bottom line of every screen: the keys that do something here, and what they do.

It shows what Textual's ``Footer`` shows (the active bindings marked to be shown,
then the command palette's key) in the footer colours of the theme, and a click on a
key presses it. It is one widget drawing one line of text: the ``Footer`` rebuilds a
widget per key whenever the focus moves, which was half the cost of building a
screen and a good part of every switch between screens.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
from textual import events
from textual.widget import Widget

from workbench.ui.text import Text


class KeyHints(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-hints--key", "key-hints--description"}
    DEFAULT_CSS = """
    KeyHints {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        .key-hints--key { color: $footer-key-foreground; text-style: bold; }
        .key-hints--description { color: $footer-description-foreground; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each hint

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Any) -> None:
        self.refresh()

    def hints(self) -> tuple[list[tuple[str, str, str, bool]], tuple[str, str] | None]:
        """The hints, (key to press, key as shown, description, enabled) each, and the
        command palette's key (to press, as shown) for the right-hand end."""
        shown: list[tuple[str, str, str, bool]] = []
        actions: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            display = self.app.get_key_display(binding)
            shown.append((binding.key, display, binding.description, enabled))
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if not self.app.ENABLE_COMMAND_PALETTE or palette is None:
            return shown, None
        binding = palette[1]
        return shown, (binding.key, self.app.get_key_display(binding))

    def render(self) -> Text:
        """The hints that fit, whole, in the order the bindings come (the focused
        widget's first, then the screen's, then the app's). When some do not fit, the
        line ends with the help key and "more" instead of a hint cut in half; when all
        fit, with the command palette's key if there is room for it."""
        key_style = self.get_component_rich_style("key-hints--key")
        description_style = self.get_component_rich_style("key-hints--description")
        dim = key_style + Style(dim=True), description_style + Style(dim=True)
        width = self.size.width or 10_000  # (not laid out yet: every hint, no palette)
        hints, palette = self.hints()
        pieces = [
            (key, f" {display} ", f"{description} ", enabled)
            for key, display, description, enabled in hints
        ]
        more = self._help_key() if _width(pieces) > width else None
        room = width - (cell_len(f" {more[1]} more ") if more is not None else 0)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        self._spans = []
        for key, display, description, enabled in pieces:
            if more is not None and key == more[0]:
                continue  # ("? more" at the end stands for it)
            if cell_len(text.plain) + cell_len(display + description) > room:
                break
            start = len(text)
            text.append(display, key_style if enabled else dim[0])
            text.append(description, description_style if enabled else dim[1])
            self._spans.append((start, len(text), key))
        end = more if more is not None else palette
        if end is not None and self.size.width:
            key, display = end
            label = " more " if more is not None else " palette "
            gap = width - cell_len(text.plain) - cell_len(display + label)
            if gap >= 1 or (more is not None and gap >= 0):
                text.append(" " * gap)
                start = len(text)
                text.append(display, key_style)
                text.append(label, description_style)
                self._spans.append((start, len(text), key))
        return text

    def _help_key(self) -> tuple[str, str] | None:
        """The help key (to press, as shown), which "more" at the end of the line stands for."""
        for _node, binding, _enabled, _tooltip in self.screen.active_bindings.values():
            if binding.id == "help" or binding.action in ("help", "app.help"):
                return binding.key, self.app.get_key_display(binding)
        return None

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return


def _width(pieces: list[tuple[str, str, str, bool]]) -> int:
    return sum(cell_len(display + description) for _key, display, description, _on in pieces)
