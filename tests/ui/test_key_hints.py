"""The key bar at the bottom of every screen: the keys that act here, and a click presses one."""

from __future__ import annotations

from pathlib import Path

from ui_support import open_store, settle

from workbench.ui.screens.help import HelpScreen
from workbench.ui.widgets.key_hints import KeyHints


def bar_text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(KeyHints).render())


async def test_the_bar_shows_the_keys_of_the_screen_and_the_palette(
    new_path: Path, make_app
) -> None:
    app = make_app(new_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        overview = bar_text(app)
        assert "^q Quit" in overview and "? Help" in overview and "^z Undo" in overview
        assert overview.rstrip().endswith("^p palette")
        await pilot.press("3")
        await settle(pilot)
        checklist = bar_text(app)
        assert "space Done/open" in checklist and "n Not applicable" in checklist
        assert "Done/open" not in overview


async def test_clicking_a_key_presses_it(new_path: Path, make_app) -> None:
    app = make_app(new_path, editor="Dana")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        text = bar_text(app)
        await pilot.click(KeyHints, offset=(text.index("Done/open"), 0))
        await settle(pilot)
        await pilot.click(KeyHints, offset=(text.index("Help"), 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
    with open_store(new_path) as store:  # the click on space ticked the current item
        item = store.get("item", "testing.dataset-documented")
        assert (item.status, item.updated_by) == ("done", "Dana")


async def test_a_click_between_keys_presses_nothing(new_path: Path, make_app) -> None:
    app = make_app(new_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        text = bar_text(app)
        gap = text.index("^p") - 2  # the spaces before the palette key
        await pilot.click(KeyHints, offset=(gap, 0))
        await settle(pilot)
        assert app.screen.MODE == "overview"  # type: ignore[attr-defined]
        assert app.is_running
