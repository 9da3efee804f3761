"""Each private part of Textual and Rich the app uses (``workbench.ui.compat``), tried
against the installed versions: an upgrade that changes one fails here, by name."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text as RichText
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Label

from workbench.ui import compat


class Keyed(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("k", "noop", "Do it", id="keyed-do")]

    def compose(self) -> ComposeResult:
        yield Label("keyed")


class Probe(App[None]):
    MODES: ClassVar = {"main": Keyed, "other": Keyed}

    def on_mount(self) -> None:
        self.switch_mode("main")


async def test_a_mode_is_built_off_screen_and_known_as_started() -> None:
    app = Probe()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert compat.mode_started(app, "main")
        assert not compat.mode_started(app, "other")
        await compat.build_mode(app, "other")
        assert compat.mode_started(app, "other")
        assert app.current_mode == "main"  # built, not shown


async def test_a_nodes_bindings_are_listed() -> None:
    app = Probe()
    async with app.run_test() as pilot:
        await pilot.pause()
        (binding,) = [b for b in compat.node_bindings(app.screen) if b.id == "keyed-do"]
        assert (binding.key, binding.description) == ("k", "Do it")


async def test_a_new_screen_takes_the_apps_stylesheet_as_it_is() -> None:
    app = Probe()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = Keyed()
        compat.adopt_stylesheet(screen)
        assert screen._css_update_count == app._css_update_count >= 0


async def test_toasts_are_read_back() -> None:
    app = Probe()
    async with app.run_test() as pilot:
        app.notify("hello there")
        await pilot.pause()
        assert compat.notifications(app) == ["hello there"]


def test_style_spans_are_copied() -> None:
    source = RichText.assemble(("bold", "bold"), " plain")
    target = RichText(source.plain)
    compat.copy_spans(source, target)
    assert target.spans == source.spans and target.spans
