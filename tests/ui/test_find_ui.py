"""Find at 80×24: ``/`` (or ctrl+f) on any screen, type words, enter lands on the record;
the palette finds records too, and a search for "delete" finds the screen's Remove."""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, OptionList
from ui_support import SAMPLE_TOML, open_store, settle, type_text

from workbench import operations
from workbench.ui.app import WorkbenchApp
from workbench.ui.dialogs.find import FindDialog
from workbench.ui.screens.decisions import DecisionLog
from workbench.ui.widgets.tables import RecordTable
from workbench.ui.widgets.virtual_table import VirtualTable

SIZE = (80, 24)


def results(app: WorkbenchApp) -> list[str]:
    found = app.screen.query_one("#find-results", OptionList)
    return [str(found.get_option_at_index(i).prompt) for i in range(found.option_count)]


async def find(pilot, words: str) -> list[str]:  # type: ignore[no-untyped-def]
    await pilot.press("slash")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FindDialog)
    await type_text(pilot, words)
    await settle(pilot)
    return results(pilot.app)


async def palette(pilot, words: str, expect: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Open the palette, type ``words``, and the prompts it offers once ``expect`` is
    among them (or after two seconds)."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    await type_text(pilot, words)
    prompts: list[str] = []
    for _ in range(40):
        await asyncio.sleep(0.05)
        await pilot.pause()
        found = pilot.app.screen.query_one(CommandList)
        prompts = [str(found.get_option_at_index(i).prompt) for i in range(found.option_count)]
        if any(expect in p for p in prompts):
            break
    return prompts


async def test_slash_on_the_overview_finds_rollback_and_enter_lands_on_it(
    sample_path: Path, make_app
) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = await find(pilot, "rollback")
        assert shown and shown[0].startswith("Rollback rehearsed")
        assert "checklist item" in shown[0]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.MODE == "checklist"
        table = app.screen.query_one("#items", VirtualTable)
        assert table.current_key == "infrastructure.rollback-tested"
        assert app.focused is table


async def test_a_decision_found_by_a_word_of_its_rationale(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")  # the second key
        await settle(pilot)
        assert isinstance(app.screen, FindDialog)
        await type_text(pilot, "consistent tool")
        await settle(pilot)
        assert results(app)[0].startswith("Roll out by team, not by ticket")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.MODE == "decisions"
        assert app.screen.query_one("#decision-log", DecisionLog).current_key == "4"


@pytest.mark.parametrize(
    ("words", "mode", "key"),
    [
        ("week 3", "rollout", "3"),
        ("latency", "monitoring", "latency"),
        ("account access", "testset", "account access"),
        ("output shown clearly", "oversight", "review-interface-1"),
        ("duty manager", "incident", "1"),  # the escalation step itself
        ("secondary on-call", "incident", "Secondary on-call"),
        ("earlier version", "incident", "version-rollback"),
        ("who signs off the security", "decisions", "1"),  # the parked question
    ],
)
async def test_each_kind_lands_on_its_record(
    sample_path: Path, make_app, words: str, mode: str, key: str | None
) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await find(pilot, words)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == mode
        if key is not None:
            assert getattr(app.focused, "current_key", None) == key


async def test_down_moves_while_typing_and_the_screens_own_kind_comes_first(
    sample_path: Path, make_app
) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")  # Thresholds
        await settle(pilot)
        shown = await find(pilot, "accuracy")
        assert shown[0].startswith("Accuracy") and "threshold" in shown[0]
        assert isinstance(app.focused, Input)
        await pilot.press("down")
        assert isinstance(app.focused, Input)  # still typing
        await pilot.press("ctrl+n", "ctrl+p")
        await pilot.press("enter")
        await settle(pilot)
        # the second result: the checklist item named after accuracy thresholds
        assert app.screen.MODE == "checklist"
        table = app.screen.query_one("#items", VirtualTable)
        assert table.current_key == "testing.accuracy-thresholds"


async def test_nothing_found_says_so_and_escape_closes(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await find(pilot, "xyzzy") == ["No matches for 'xyzzy'"]
        await pilot.press("enter")  # nothing to go to: nothing happens
        assert isinstance(app.screen, FindDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.MODE == "overview"


async def test_the_palette_finds_remove_when_asked_to_delete(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")  # Monitoring: x removes the alert
        await settle(pilot)
        prompts = await palette(pilot, "delete", "Remove")
        assert any(p.startswith("Remove") for p in prompts), prompts


async def test_the_palette_offers_find_and_finds_records(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        prompts = await palette(pilot, "search", "Find…")
        assert any(p.startswith("Find…") for p in prompts), prompts
        await pilot.press("escape")
        await settle(pilot)
        prompts = await palette(pilot, "find accuracy", "Find: Accuracy (threshold)")
        assert any(p.startswith("Find: Accuracy (threshold)") for p in prompts), prompts
        await pilot.press("escape")
        await settle(pilot)
        prompts = await palette(pilot, "accuracy", "Find: Accuracy (threshold)")
        hit = next(i for i, p in enumerate(prompts) if p.startswith("Find: Accuracy (threshold)"))
        palette_list = app.screen.query_one(CommandList)
        palette_list.highlighted = hit
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.MODE == "thresholds"
        assert app.screen.query_one("#thresholds", RecordTable).current_key == "accuracy"


async def test_the_palette_find_command_opens_the_dialog(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        prompts = await palette(pilot, "find", "Find…")
        palette_list = app.screen.query_one(CommandList)
        palette_list.highlighted = next(i for i, p in enumerate(prompts) if p.startswith("Find…"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindDialog)


async def test_historys_slash_still_focuses_its_filter(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("H")
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert not isinstance(app.screen, FindDialog)
        assert isinstance(app.focused, Input) and app.focused.id == "history-filter"
        await pilot.press("slash")  # typed into the filter
        assert app.focused.value == "/"
        await pilot.press("ctrl+f")  # the other key finds, there too
        await settle(pilot)
        assert isinstance(app.screen, FindDialog)


async def test_no_find_over_a_dialog(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")  # the help
        await settle(pilot)
        help_screen = app.screen
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert app.screen is help_screen


async def test_slash_types_into_the_find_box(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await find(pilot, "n")
        await pilot.press("slash")
        await settle(pilot)
        assert app.screen.query_one("#find-input", Input).value == "n/"


# ------------------------------------------------------------------- the picture

FOLDER = Path(tempfile.gettempdir()) / "workbench-find-snapshot"
PINNED = "2026-11-28T10:00:00+00:00"


def pinned_sample() -> Path:
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / "sample.sqlite"
    path.unlink(missing_ok=True)
    operations.create_project(
        path, name=None, risk=None, by="sample", from_toml=SAMPLE_TOML
    ).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE changes SET at = ?", [PINNED])
    conn.close()
    return path


def test_the_find_dialog_at_80_by_24(snap_compare) -> None:
    app = WorkbenchApp(
        pinned_sample(),
        editor="Maria Okafor",
        config_file=FOLDER / "config.toml",
        poll_seconds=0,
        build_ahead=False,
    )

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await type_text(pilot, "test")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_a_title_is_shown_as_typed_never_as_markup(sample_path: Path, make_app) -> None:
    title = "[b]Quokka[/b] [@click=app.quit]x[/]"
    with open_store(sample_path) as store:
        operations.decide(
            store, "Ana", title=title, decision="[red]kept[/red]", rationale="quokka [/]"
        )
    app = make_app(sample_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = await find(pilot, "quokka")
        assert shown[0].startswith(f"{title} · decision")
        await pilot.press("escape")
        await settle(pilot)
        prompts = await palette(pilot, "quokka", "Find: ")
        assert f"Find: {title} (decision)" in "\n".join(prompts), prompts
        assert "quokka [/]" in "\n".join(prompts)  # the snippet, below it
        assert app.is_running
