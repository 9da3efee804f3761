"""Screens built ahead: once the overview is drawn, the other screens are built in the
background, so that a key press in front of the room only shows a screen.

What a user would notice if this went wrong: a screen showing old data after an edit,
the wrong theme's colours on a screen built before the theme changed, the sidebar in the
wrong state, or collections of garbage left to pile up.
"""

from __future__ import annotations

import asyncio
import gc
import time
from pathlib import Path

from textual.pilot import Pilot
from ui_support import settle

from workbench import operations
from workbench.ui import compat
from workbench.ui.app import WorkbenchApp
from workbench.ui.places import PLACES
from workbench.ui.widgets.virtual_table import VirtualTable

ITEM = "testing.dataset-documented"


async def all_built(pilot: Pilot, timeout: float = 60.0) -> None:
    app = pilot.app
    deadline = time.monotonic() + timeout
    while not all(compat.mode_started(app, p.mode) for p in PLACES):
        assert time.monotonic() < deadline, "the screens were not built in time"
        await asyncio.sleep(0.05)
    await settle(pilot)


def heading(app: WorkbenchApp) -> str:
    return str(app.screen.query_one("#heading").render())


async def test_every_screen_is_built_ahead_and_shows_the_project_at_once(
    sample_path: Path, make_app
) -> None:
    app = make_app(sample_path, build_ahead=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await all_built(pilot)
        for place in PLACES[1:]:
            await pilot.press(place.key)
            # no waiting for a read: the screen already holds the project
            assert place.mode == app.screen.MODE  # type: ignore[attr-defined]
            assert app.screen.snapshot is not None  # type: ignore[attr-defined]
            assert "Support reply assistant" in heading(app), place.mode


async def test_an_edit_reaches_a_screen_built_before_it(new_path: Path, make_app) -> None:
    app = make_app(new_path, build_ahead=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await all_built(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.screen.query_one("#items", VirtualTable)
        assert str(table.get_row(ITEM)[0]) == "[ ]"
        await pilot.press("1")
        await settle(pilot)
        # an edit saved while the checklist screen is not shown
        app.edit(lambda store, by: operations.tick(store, ITEM, "done", by), "ticked")
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert str(table.get_row(ITEM)[0]) == "[x]"


async def test_a_theme_change_reaches_screens_built_before_it(new_path: Path, make_app) -> None:
    app = make_app(new_path, build_ahead=True, theme="workbench-dark")
    async with app.run_test(size=(120, 40)) as pilot:
        await all_built(pilot)
        await pilot.press("4")
        await settle(pilot)
        dark = app.screen.styles.background
        await pilot.press("1", "f2")  # the projector theme, on the overview
        await settle(pilot)
        assert app.theme == "workbench-projector"
        projector = app.screen.styles.background
        assert projector != dark
        await pilot.press("4")  # a screen built (and shown) in the dark theme
        await settle(pilot)
        assert app.screen.styles.background == projector


async def test_the_sidebar_toggle_reaches_screens_built_before_it(new_path: Path, make_app) -> None:
    app = make_app(new_path, build_ahead=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await all_built(pilot)
        assert not app.screen.has_class("-no-sidebar")
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert app.screen.has_class("-no-sidebar")
        await pilot.press("7")
        await settle(pilot)
        assert app.screen.has_class("-no-sidebar")


async def test_full_collections_wait_for_a_pause_and_the_settings_come_back(
    new_path: Path, make_app
) -> None:
    before = gc.get_threshold()
    collected: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            collected.append(info["generation"])

    app = make_app(new_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert gc.get_threshold()[2] >= 1_000_000  # no automatic full collection
        gc.callbacks.append(seen)
        try:
            for _ in range(20):  # enough young collections for a full one to be due
                gc.collect(1)
            collected.clear()
            app._last_input = time.monotonic()  # type: ignore[attr-defined]
            app._collect_if_idle()  # type: ignore[attr-defined]
            assert 2 not in collected, "collected during a burst of key presses"
            app._last_input = time.monotonic() - 5  # type: ignore[attr-defined]
            app._collect_if_idle()  # type: ignore[attr-defined]
            assert 2 in collected, "no collection in a pause"
        finally:
            gc.callbacks.remove(seen)
    assert gc.get_threshold() == before
