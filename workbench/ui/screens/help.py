"""Help: every key the app and the current screen offer, with the binding ids for the keymap."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from workbench.ui.compat import node_bindings
from workbench.ui.config import config_path
from workbench.ui.places import PLACES
from workbench.ui.text import Text


def binding_rows(screen: Screen[Any]) -> list[tuple[str, str, str]]:
    """(keys, what it does, binding id) for the screen's and the app's bindings."""
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    app = screen.app
    sources: list[Any] = [*screen.query("*"), screen, app]
    for node in sources:
        for b in node_bindings(node):
            name = b.id or b.action
            if name in seen or not (b.description or b.id):
                continue
            seen.add(name)
            rows.append((app.get_key_display(b), b.description or b.action, b.id or ""))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help-close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label(Text("Keys", style="bold"))
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Label(
                Text(
                    "Screens: "
                    + "  ".join(f"{p.key} {p.title}" for p in PLACES)
                    + "\nctrl+p opens the command palette: every action above, by name."
                    + f'\nRemap a key in {config_path()} under [keymap], e.g. toggle-item = "x".'
                ),
                id="help-footer",
            )

    def on_mount(self) -> None:
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self.app.screen
        table = self.query_one("#help-keys", DataTable)
        table.add_columns("Key", "Action", "Binding id")
        for key, description, binding_id in binding_rows(below):
            table.add_row(Text(key), Text(description), Text(binding_id))
        table.focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
