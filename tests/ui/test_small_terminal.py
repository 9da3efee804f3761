"""80×24 is a first-class size: the help, every key bar, the heading and the Export form
fit it and work with the keys alone (and read as well at 160×45)."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Checkbox, Static
from ui_support import SAMPLE_TOML, settle

from workbench import operations
from workbench.ui.app import WorkbenchApp
from workbench.ui.places import PLACES
from workbench.ui.screens.help import HelpScreen
from workbench.ui.widgets.key_hints import KeyHints

SMALL = (80, 24)
LARGE = (160, 45)
PROJECT = "Loan pre-screening assistant"
EDITOR = "Maria Okafor"


@pytest.fixture
def loan_path(tmp_path: Path) -> Path:
    path = tmp_path / "loan.sqlite"
    operations.create_project(path, name=PROJECT, risk="high", by="creator").close()
    return path


def lines_of(widget: Widget) -> list[str]:
    """Every line ``widget`` draws at its size, scrolled into view or not."""
    width, height = widget.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


def help_lines(app: WorkbenchApp) -> list[str]:
    assert isinstance(app.screen, HelpScreen)
    body = app.screen.query_one("#help-keys")
    return [line.rstrip() for part in body.query(Static) for line in lines_of(part)]


def bar_text(app: WorkbenchApp) -> str:
    return str(app.screen.query_one(KeyHints).render())


def heading_text(app: WorkbenchApp) -> str:
    return str(app.screen.query_one("#heading").render())


async def open_help_on_the_checklist(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    await pilot.press("question_mark")
    await settle(pilot)


# ------------------------------------------------------------------ help


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x45"])
async def test_help_shows_the_screens_own_keys_first_then_the_app_then_every_screen(
    loan_path: Path, make_app, size: tuple[int, int]
) -> None:
    app = make_app(loan_path, editor=EDITOR)
    async with app.run_test(size=size) as pilot:
        await open_help_on_the_checklist(pilot)
        lines = help_lines(app)
        text = "\n".join(lines)
        width = app.screen.query_one("#help-keys").size.width
        assert max(cell_len(line) for line in lines) <= width
        # the Checklist's own keys, with their ids, before anything else
        own = [text.index(word) for word in ("Done/open", "Not applicable", "toggle-item")]
        everywhere = [text.index(word) for word in ("Quit", "Undo", "Projector", "Sidebar")]
        assert max(own) < min(everywhere)
        # every screen, whole on one line (wrapped, never cut)
        screens = text.index("Screens")
        for place in PLACES:
            entry = f"{place.key} {place.title}"
            assert any(entry in line for line in lines), entry
            assert text.index(entry, screens) > max(everywhere)
        # the generic keys last, under their own heading, and only a few of them
        generic = text.index("In text fields and tables")
        assert generic > screens
        assert "Scroll Left" not in text and "Page Right" not in text
        assert text.index("tab", generic) > generic
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_help_scrolls_and_q_or_question_mark_closes_it(loan_path: Path, make_app) -> None:
    app = make_app(loan_path)
    async with app.run_test(size=SMALL) as pilot:
        await open_help_on_the_checklist(pilot)
        body = app.screen.query_one("#help-keys")
        assert body.max_scroll_y > 0  # more than fits at 80×24
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_help_shows_the_keys_as_the_users_keymap_maps_them(
    loan_path: Path, make_app, tmp_path: Path
) -> None:
    (tmp_path / "config.toml").write_text(
        '[keymap]\ntoggle-item = "x"\ngoto-export = "ctrl+e"\n', encoding="utf-8"
    )
    app = make_app(loan_path)
    async with app.run_test(size=SMALL) as pilot:
        await open_help_on_the_checklist(pilot)
        lines = help_lines(app)
        row = next(line for line in lines if "toggle-item" in line)
        assert row.split()[0] == "x" and "space" not in row
        assert any("^e Export" in line for line in lines)


# ------------------------------------------------------------------ key bars


def assert_whole_hints(app: WorkbenchApp, width: int) -> str:
    """The bar fits ``width`` and every hint on it is whole; returns its text."""
    bar = app.screen.query_one(KeyHints)
    text = bar_text(app)
    assert cell_len(text) <= width
    hints, _palette = bar.hints()
    pieces = [f"{display} {description}" for _key, display, description, _on in hints]
    shown = [piece for piece in pieces if f" {piece} " in text + " "]
    tail = text.rstrip()
    ends = [*shown, "more", "palette"]
    assert any(tail.endswith(end) for end in ends), tail
    # nothing on the bar but whole hints (and "? more" or the palette's key at the end)
    rest = text
    for piece in shown:
        rest = rest.replace(f" {piece} ", " ", 1)
    leftovers = set(rest.split()) - {"?", "more", "^p", "palette"}
    assert leftovers == set(), (text, leftovers)
    if len(shown) < len(pieces):
        assert tail.endswith("? more"), tail
    return text


async def test_every_screens_key_bar_fits_80_columns_with_no_hint_cut(
    loan_path: Path, make_app
) -> None:
    app = make_app(loan_path)
    overflowing = []
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for place in PLACES:
            await pilot.press(place.key)
            await settle(pilot)
            text = assert_whole_hints(app, SMALL[0])
            if text.rstrip().endswith("? more"):
                overflowing.append(place.mode)
    assert "checklist" in overflowing  # (five keys of its own, then the app's)


async def test_a_wide_key_bar_shows_every_hint_and_the_palette(loan_path: Path, make_app) -> None:
    app = make_app(loan_path)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        text = assert_whole_hints(app, LARGE[0])
        assert "^q Quit" in text and "? Help" in text and text.rstrip().endswith("^p palette")
        assert "more" not in text


async def test_more_on_the_key_bar_opens_the_help(loan_path: Path, make_app) -> None:
    app = make_app(loan_path)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        text = bar_text(app)
        await pilot.click(KeyHints, offset=(text.rindex("more"), 0))
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


# ------------------------------------------------------------------ heading


async def test_the_heading_fits_80_columns_and_names_the_project(loan_path: Path, make_app) -> None:
    app = make_app(loan_path, editor=EDITOR)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for place in PLACES:
            await pilot.press(place.key)
            await settle(pilot)
            heading = app.screen.query_one("#heading")
            text = heading_text(app)
            assert cell_len(text) <= heading.content_size.width, text
            assert PROJECT in text and EDITOR in text, text
        await pilot.press("ctrl+b")  # the sidebar takes 16 of the 80 columns
        await settle(pilot)
        heading = app.screen.query_one("#heading")
        text = heading_text(app)
        assert cell_len(text) <= heading.content_size.width, text
        assert text.startswith("Export") and text.endswith(EDITOR)
        assert PROJECT[:8] in text


async def test_a_long_project_name_is_the_part_shortened(tmp_path: Path, make_app) -> None:
    path = tmp_path / "long.sqlite"
    name = "Customer-facing loan pre-screening assistant for the retail branch network"
    operations.create_project(path, name=name, risk="high", by="creator").close()
    app = make_app(path, editor=EDITOR)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("4")
        await settle(pilot)
        text = heading_text(app)
        assert cell_len(text) <= app.screen.query_one("#heading").content_size.width
        assert text.startswith("Quality thresholds · Customer-facing")
        assert "…" in text and text.endswith(EDITOR)
    app = make_app(path, editor=EDITOR)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        assert heading_text(app) == f"Overview  ·  {name}  ·  editing as {EDITOR}"


async def test_the_sidebar_names_every_screen_whole_at_80_columns(
    loan_path: Path, make_app
) -> None:
    app = make_app(loan_path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+b")
        await settle(pilot)
        lines = [line.rstrip() for line in lines_of(app.screen.query_one("#sidebar"))]
        for place in PLACES:
            assert f"{place.key} {place.title}" in lines


# ------------------------------------------------------------------ export


async def test_export_arrows_and_j_k_move_between_formats_and_space_ticks(
    loan_path: Path, make_app
) -> None:
    app = make_app(loan_path)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("X")
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "format-html"
        await pilot.press("up")
        assert app.focused.id == "format-md"
        await pilot.press("up")  # the first stays the first
        assert app.focused.id == "format-md"
        await pilot.press("down")
        assert app.focused.id == "format-html"
        await pilot.press("j")
        assert app.focused.id == "format-json"
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.query_one("#format-json", Checkbox).value is True
        await pilot.press("k")
        assert app.focused.id == "format-html"
        await pilot.press("down", "down", "down")  # past the last format: the folder
        assert app.focused.id == "export-folder"
        assert app.screen.formats() == ["html", "json"]  # type: ignore[attr-defined]


# ------------------------------------------------------------------ pictures

FOLDER = Path(tempfile.gettempdir()) / "workbench-snapshots-small"
PINNED = "2026-11-28T10:00:00+00:00"


def pinned_sample() -> Path:
    """The sample project in a fixed folder (its path is on the Export screen), every
    time stamp pinned."""
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    path = FOLDER / "sample.sqlite"
    operations.create_project(
        path, name=None, risk=None, by="sample", from_toml=SAMPLE_TOML
    ).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE changes SET at = ?", [PINNED])
    conn.close()
    return path


def snapshot_app(theme: str = "workbench-dark") -> WorkbenchApp:
    return WorkbenchApp(
        pinned_sample(),
        editor=EDITOR,
        theme=theme,
        config_file=FOLDER / "config.toml",
        poll_seconds=0,
        build_ahead=False,
    )


def test_help_at_80_by_24(snap_compare) -> None:
    assert snap_compare(snapshot_app(), terminal_size=SMALL, run_before=open_help_on_the_checklist)


async def show_export(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("X")
    await settle(pilot)
    await pilot.press("up")  # the cursor on an unticked box: both kinds in the picture
    await pilot.pause()


def test_export_at_80_by_24(snap_compare) -> None:
    assert snap_compare(snapshot_app(), terminal_size=SMALL, run_before=show_export)


def test_export_at_80_by_24_in_the_projector_theme(snap_compare) -> None:
    app = snapshot_app(theme="workbench-projector")
    assert snap_compare(app, terminal_size=SMALL, run_before=show_export)
