"""The UI can't be steered by data: text from the project file is shown, never obeyed.

A project is filled with Textual markup (``[/]``, ``[@click=app.quit]…``,
``[link=javascript:…]``), an emoji code, and terminal escape sequences, in the
places a team types: the project's name, an item's evidence and owner, decision
titles, a threshold's reasoning, a custom metric's name, an alert's owner and a
parked question. Snapshots show every screen drawing them literally (escape
characters as ``⟨U+001B⟩``); a pilot clicks on every one of them, and the app
keeps running with the project file unchanged.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets._toast import Toast
from ui_support import settle

from workbench import operations
from workbench.ui.app import WorkbenchApp
from workbench.ui.screens.help import HelpScreen

FOLDER = Path(tempfile.gettempdir()) / "workbench-hostile-snapshots"
SIZE = (120, 36)
PINNED = "2026-11-28T10:00:00+00:00"
BY = "Maria Okafor"

# Words a click could land on if the markup around them were obeyed.
LINK_WORDS = ("QUITLINK", "GOLINK", "JSLINK", "DISMISSLINK", "BELLLINK")
NAME = "[b]Bold[/b] [@click=app.quit]QUITLINK[/] :rocket:"
EVIDENCE = "[/] [@click=app.goto('history')]GOLINK[/] [link=javascript:alert(1)]JSLINK[/link]"
OWNER = "[@click=app.quit]QUITLINK[/]"
TITLES = (  # decision 1 is the one the decisions screen opens on
    "esc \x1b[31mred\x1b[0m \x1b]0;title\x07 [/] \u202eright-to-left",
    "[link=javascript:alert(1)]JSLINK[/link] :rocket: [red on white]red[/]",
    "[@click=app.quit]QUITLINK[/] [b]bold[/b]",
)
REASONING = (
    "[@click=screen.dismiss]DISMISSLINK[/] [i]$accent[/i] [/]\n"
    ":rocket: [@click=app.bell]BELLLINK[/]"
)
METRIC_NAME = "[b]Custom[/b] [@click=app.quit]QUITLINK[/]"
ALERT_OWNER = "[@click=app.quit]QUITLINK[/] [u]ops[/u]"
QUESTION = "[@click=app.goto('export')]GOLINK[/] who signs off? [/] :thumbs_up:"


def hostile_project() -> Path:
    """A project full of markup, built into a fixed folder, every time stamp pinned."""
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    path = FOLDER / "hostile.sqlite"
    store = operations.create_project(path, name=NAME, risk="medium", by=BY, owner=OWNER)
    with store:
        first = store.load().checklist[0].id
        operations.tick(store, first, "done", BY, evidence=EVIDENCE, owner=OWNER)
        store.update("threshold", "accuracy", {"reasoning": REASONING}, BY)
        operations.add_threshold(
            store,
            BY,
            metric="custom-markup",
            name=METRIC_NAME,
            comparator=">=",
            target=4,
            unit="score",
            reasoning=REASONING,
        )
        store.update("alert", "error-rate", {"owner": ALERT_OWNER, "response": EVIDENCE}, BY)
        operations.park_question(store, QUESTION, BY, step="thresholds")
        for title in TITLES:
            operations.decide(store, BY, title=title, decision=EVIDENCE, rationale=REASONING)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE changes SET at = ?", [PINNED])
        conn.execute("UPDATE items SET updated_at = ? WHERE updated_at != ''", [PINNED])
        conn.execute("UPDATE decisions SET date = ?", [PINNED[:10]])
        conn.execute("UPDATE project SET created_at = ?", [PINNED])
    conn.close()
    return path


def app_for(path: Path) -> WorkbenchApp:
    return WorkbenchApp(
        path, editor=BY, config_file=FOLDER / "config.toml", poll_seconds=0, build_ahead=False
    )


def goto(key: str):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)

    return run_before


SCREENS = {
    "overview": "1",
    "workshop": "2",
    "checklist": "3",
    "thresholds": "4",
    "monitoring": "7",
    "decisions": "0",
}


@pytest.mark.parametrize("key", SCREENS.values(), ids=SCREENS.keys())
def test_markup_in_the_project_is_drawn_as_typed(snap_compare, key: str) -> None:
    assert snap_compare(app_for(hostile_project()), terminal_size=SIZE, run_before=goto(key))


# ------------------------------------------------------------- the pilot


def screen_lines(app: WorkbenchApp) -> list[str]:
    """The text of each row of the terminal, as drawn."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def words_on_screen(app: WorkbenchApp) -> list[tuple[str, int, int]]:
    """Every place a link word is drawn: (word, x, y)."""
    found = []
    for y, line in enumerate(screen_lines(app)):
        for word in LINK_WORDS:
            start = line.find(word)
            while start != -1:
                found.append((word, start, y))
                start = line.find(word, start + 1)
    return found


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def click_every_link_word(pilot: Pilot, app: WorkbenchApp) -> int:
    """Click on each letter of each link word drawn; returns how many places were clicked."""
    places = words_on_screen(app)
    for word, x, y in places:
        for dx in range(len(word)):
            await pilot.click(offset=(x + dx, y))
            await pilot.pause()
            assert app.is_running, f"clicking {word} at {x + dx},{y} stopped the app"
    return len(places)


@pytest.mark.parametrize("key", SCREENS.values(), ids=SCREENS.keys())
async def test_clicking_the_typed_markup_runs_nothing(key: str) -> None:
    path = hostile_project()
    before = digest(path)
    app = app_for(path)
    bells: list[str] = []
    app.bell = lambda: bells.append("bell")  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        screen = app.screen
        mode = app.current_mode
        lines = "\n".join(screen_lines(app))
        assert "QUITLINK" in lines
        # Escape sequences and bidi overrides are shown, never sent to the terminal.
        assert not any(ch in lines for ch in "\x1b\x07\u202e\u202c")
        assert "[@click=app.quit]" in lines  # drawn, not obeyed
        clicked = await click_every_link_word(pilot, app)
        assert clicked > 0
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert app.current_mode == mode  # no app.goto ran
        assert app.screen is screen  # nothing dismissed, no dialog opened
        assert bells == []  # app.bell did not run
    assert digest(path) == before


async def test_a_toast_shows_markup_as_typed() -> None:
    """A status shown while a dialog or the help screen is up becomes a toast: plain text too.

    (It happens when an edit finishes, or fails, after the help screen or a dialog opened.)
    """
    path = hostile_project()
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        status = f"Saved · undid: decision 3: {TITLES[2]}"
        app.show_status(status)
        await pilot.pause(0.2)
        toasts = list(app.screen.query(Toast))
        assert toasts
        assert status in " ".join(str(t.render()) for t in toasts)
        assert await click_every_link_word(pilot, app) > 0
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, HelpScreen)
