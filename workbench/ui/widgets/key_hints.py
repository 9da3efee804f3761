"""The bottom line of every screen: the keys that do something here, and what they do.

It shows what Textual's ``Footer`` shows (the active bindings marked to be shown,
then the command palette's key) in the footer colours of the theme, and a click on a
key presses it. It is one widget drawing one line of text: the ``Footer`` rebuilds a
widget per key whenever the focus moves, which was half the cost of building a
screen and a good part of every switch between screens.
"""

from __future__ import annotations

from typing import Any, ClassVar

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
        key_style = self.get_component_rich_style("key-hints--key")
        description_style = self.get_component_rich_style("key-hints--description")
        dim = Style(dim=True)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        self._spans = []
        hints, palette = self.hints()
        for key, display, description, enabled in hints:
            start = len(text)
            text.append(f" {display} ", key_style if enabled else key_style + dim)
            text.append(
                f"{description} ", description_style if enabled else description_style + dim
            )
            self._spans.append((start, len(text), key))
        if palette is not None:
            key, display = palette
            label = f"{display} palette "
            gap = self.size.width - len(text) - len(label)
            if gap >= 1:
                text.append(" " * gap)
                start = len(text)
                text.append(display, key_style)
                text.append(" palette ", description_style)
                self._spans.append((start, len(text), key))
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
