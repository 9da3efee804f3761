"""Help: the keys of the screen underneath first, then the app-wide keys, the screens and
their keys, and last the few generic keys of text fields and tables; each key as the
user's keymap maps it, with the binding id a keymap remaps it by."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.columns import Columns
from rich.table import Table
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from workbench.errors import WorkbenchError
from workbench.ui import config
from workbench.ui.places import PLACES
from workbench.ui.text import Text
from workbench.ui.typed import workbench_app
from workbench.ui.widgets.section import Section

# Textual's own keys in text fields, tables and lists: the ones worth knowing, by hand
# (its widgets declare some thirty, most of them obvious or rarely wanted).
GENERIC_KEYS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("tab", "shift+tab"), "Next / previous field, table or list"),
    (("up", "down"), "Move in a table, a list or a text"),
    (("pageup", "pagedown"), "A page up / down"),
    (("home", "end"), "First / last row (start / end of a text)"),
    (("enter",), "Select the row; press the button"),
    (("ctrl+w", "ctrl+u"), "Delete a word / all before the cursor"),
    (("ctrl+c", "ctrl+v"), "Copy the selected text / paste"),
)


@dataclass(frozen=True)
class KeyRow:
    keys: str  # as shown, as the keymap maps them: "space", "↑ k"
    description: str
    binding_id: str


def declared_bindings(node: DOMNode) -> list[Binding]:
    """The bindings the workbench's own classes declare for ``node`` (not Textual's:
    those of its widgets are the generic keys), the subclass's first."""
    found: list[Binding] = []
    for cls in type(node).__mro__:
        if cls.__module__.startswith("workbench."):
            found.extend(Binding.make_bindings(vars(cls).get("BINDINGS", ())))
    return found


def key_rows(app: Any, bindings: Iterable[Binding], keymap: dict[str, str]) -> list[KeyRow]:
    """One row per binding id (its keys together), in the order declared; a key the
    keymap remaps is shown as remapped."""
    keys: dict[str, list[str]] = {}
    described: dict[str, str] = {}
    ids: set[str] = set()
    for binding in bindings:
        if not binding.description:
            continue
        binding_id = binding.id or ""
        name = binding_id or binding.action
        if binding_id:
            ids.add(binding_id)
        if name in described:  # another key for the same thing
            if binding_id not in keymap and binding.key not in keys[name]:
                keys[name].append(binding.key)
            continue
        described[name] = binding.description
        remapped = keymap.get(binding_id, "")
        keys[name] = [key.strip() for key in remapped.split(",") if key.strip()] or [binding.key]
    return [
        KeyRow(shown_keys(app, keys[name]), described[name], name if name in ids else "")
        for name in described
    ]


def shown_keys(app: Any, keys: Iterable[str]) -> str:
    return " ".join(app.get_key_display(Binding(key, "")) for key in keys)


def own_rows(screen: Screen[Any], keymap: dict[str, str]) -> list[tuple[str, list[KeyRow]]]:
    """The keys of ``screen`` and its widgets: the screen's own first, then each
    section's under its title, then those of its tables and lists (under a title of
    their own when there are sections: they work in every one)."""
    own = declared_bindings(screen)
    sections: list[tuple[str, list[Binding]]] = []
    widgets: list[Binding] = []
    for node in screen.query("*"):
        declared = declared_bindings(node)
        if not declared:
            continue
        if isinstance(node, Section):
            sections.append((section_title(node), declared))
        else:
            widgets.extend(declared)
    if sections:
        groups = [("", own), *sections, ("In every table", widgets)]
    else:
        groups = [("", own + widgets)]
    seen: set[str] = set()
    found: list[tuple[str, list[KeyRow]]] = []
    for title, bindings in groups:
        rows = [row for row in key_rows(screen.app, bindings, keymap) if row.binding_id not in seen]
        seen.update(row.binding_id for row in rows)
        if rows:
            found.append((title, rows))
    return found


def section_title(section: Section) -> str:
    titles = section.query(".section-title")
    return str(titles.first().render()) if titles else type(section).__name__


def app_rows(screen: Screen[Any], keymap: dict[str, str]) -> list[KeyRow]:
    """The app-wide keys (but the screens', listed apart), and the command palette's."""
    app = screen.app
    bindings = [b for b in declared_bindings(app) if not (b.id or "").startswith("goto-")]
    rows = key_rows(app, bindings, keymap)
    if app.ENABLE_COMMAND_PALETTE:
        key = shown_keys(app, [app.COMMAND_PALETTE_BINDING])
        rows.append(KeyRow(key, "Command palette: every action, by name", ""))
    return rows


def key_table(rows: Iterable[KeyRow], widths: tuple[int, int]) -> Table:
    """A table of keys; every table of the help has the same columns (``widths``: the
    keys' and the ids'), so they read as one. One with no ids gives their room to the
    descriptions."""
    rows = list(rows)
    with_ids = any(row.binding_id for row in rows)
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column(no_wrap=True, style="bold", width=widths[0])
    table.add_column(ratio=1)
    if with_ids:
        table.add_column(no_wrap=True, style="dim", width=widths[1])
    for row in rows:
        cells = [Text(row.keys), Text(row.description)]
        table.add_row(*cells, *([Text(row.binding_id)] if with_ids else []))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help-close"),
    ]
    DEFAULT_CSS = """
    HelpScreen #help-keys > Static { width: 1fr; height: auto; }
    HelpScreen .help-heading { text-style: bold; color: $primary; margin-top: 1; }
    HelpScreen .help-heading.-first { margin-top: 0; }
    HelpScreen .help-subheading { text-style: bold; }
    HelpScreen .help-note { color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield VerticalScroll(id="help-keys")
            yield Label(Text("↑ ↓ pgup pgdn: scroll · escape, ? or q: close"), id="help-footer")

    def on_mount(self) -> None:
        self.on_resize()
        self.query_one("#help-keys").focus()
        self._read_keymap()

    def on_resize(self) -> None:
        self.set_class(self.app.size.height < 30, "-short")  # (as the area screens do)

    @work(thread=True, exclusive=True, group="help")
    def _read_keymap(self) -> None:
        """The user's keymap, as the app read it when it started (a broken settings file
        was ignored then, and is here)."""
        keymap: dict[str, str] = {}
        with contextlib.suppress(WorkbenchError, OSError):
            keymap = config.load_config(workbench_app(self).config_file).keymap
        self.app.call_from_thread(self._fill, keymap)

    def _fill(self, keymap: dict[str, str]) -> None:
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self
        name = getattr(below, "HEADING", "")
        own = own_rows(below, keymap) if below is not self else []
        everywhere = app_rows(below, keymap)
        generic = [
            KeyRow(shown_keys(self.app, keys), description, "")
            for keys, description in GENERIC_KEYS
        ]
        rows = [*(row for _title, group in own for row in group), *everywhere, *generic]
        widths = (
            max(cell_len(row.keys) for row in rows),
            max(cell_len(row.binding_id) for row in rows),
        )
        parts = [
            Static(
                Text(f"On the {name} screen" if name else "Here"),
                classes="help-heading -first",
            )
        ]
        for title, group in own:
            if title:
                parts.append(Static(Text(title), classes="help-subheading"))
            parts.append(Static(key_table(group, widths)))
        parts += [
            Static(Text("Everywhere"), classes="help-heading"),
            Static(key_table(everywhere, widths)),
            Static(Text("Screens: press the key to go there"), classes="help-heading"),
            Static(self._screens(keymap)),
            Static(Text("In text fields and tables"), classes="help-heading"),
            Static(key_table(generic, widths)),
            Static(self._remapping(), classes="help-note"),
        ]
        self.query_one("#help-keys", VerticalScroll).mount_all(parts)

    def _screens(self, keymap: dict[str, str]) -> Columns:
        entries = []
        for place in PLACES:
            keys = keymap.get(f"goto-{place.mode}", place.key).split(",")
            entries.append(Text.assemble((shown_keys(self.app, keys), "bold"), " ", place.title))
        return Columns(entries, padding=(0, 3))

    def _remapping(self) -> Text:
        path = workbench_app(self).config_file or config.config_path()
        ids = " ".join(f"goto-{place.mode}" for place in PLACES)
        return Text(
            f"\nTo remap a key, give its id a key in {path} under [keymap], "
            f'e.g. toggle-item = "x" (several: "x,t"). The screens\' ids: {ids}.'
        )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
