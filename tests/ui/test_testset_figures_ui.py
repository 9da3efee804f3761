"""The Test set screen's three figures at 80×24: planned and built (a person's, edited in
the sizes dialog, even after a run) and in the latest run (measured, with the run's name);
typing fast in the sizes dialog lands each key in the field it was typed into."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from rich.console import Console
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static
from ui_support import open_store, settle

from workbench import operations
from workbench.evaluation.runs import import_results
from workbench.ui.app import WorkbenchApp
from workbench.ui.screens import testset


def results(folder: Path, name: str, cases: int) -> Path:
    path = folder / f"{name}.csv"
    lines = ["id,correct"] + [f"case-{i},{'true' if i % 10 else 'false'}" for i in range(cases)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def built_with_a_smoke_run(path: Path, folder: Path) -> Path:
    """1,200 cases planned, 1,000 built, then a 30-case run labelled "smoke"."""
    with open_store(path) as store:
        operations.edit_test_set(
            store, "Ana", seen=store.get("dataset"), planned_size=1200, actual_size=1000
        )
        import_results(store, results(folder, "smoke", 30), "Dev", label="smoke")
    return path


async def open_testset(pilot: Pilot) -> testset.TestSetScreen:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, testset.TestSetScreen)
    return screen


def text_of(screen: testset.TestSetScreen, selector: str) -> str:
    widget = screen.query_one(selector, Static)
    console = Console(width=widget.size.width or 80, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def status_line(app: WorkbenchApp) -> str:
    return str(app.screen.query_one("StatusLine").render())


def field(app: WorkbenchApp, name: str) -> str:
    return app.screen.query_one(f"#field-{name}", Input).value


async def test_the_screen_shows_the_three_labelled_figures(
    new_path: Path, tmp_path: Path, make_app
) -> None:
    app = make_app(built_with_a_smoke_run(new_path, tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_testset(pilot)
        lines = [" ".join(line.split()) for line in text_of(screen, "#sizes").splitlines()]
        rows = {line.split(" ")[0]: line for line in lines}

        def row(label: str) -> str:
            return next(line for line in lines if line.startswith(label + " "))

        assert row("Minimum").endswith("200 minimum at medium risk")
        assert row("Planned").endswith("1,200 meets the minimum")
        assert row("Built").endswith("1,000 meets the minimum")
        assert row("In the latest run").endswith("30 run 1: smoke")
        assert "Actual" not in rows
        note = " ".join(text_of(screen, "#sizes").split())
        assert (
            "The latest run 'smoke' covered 30 of the 1,000 cases built: "
            "run the whole set before measuring." in note
        )
        assert "None" not in note


async def test_editing_the_cases_built_after_a_run(
    new_path: Path, tmp_path: Path, make_app
) -> None:
    app = make_app(built_with_a_smoke_run(new_path, tmp_path), editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_testset(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert (field(app, "planned_size"), field(app, "actual_size")) == ("1200", "1000")
        await pilot.press("tab", "ctrl+a", "ctrl+k", *"1,100", "ctrl+s")
        await settle(pilot)
        assert not status_line(app).startswith("Not saved")
        assert "Built" in text_of(screen, "#sizes") and "1,100" in text_of(screen, "#sizes")
        assert "covered 30 of the 1,100 cases built" in " ".join(text_of(screen, "#sizes").split())
    with open_store(new_path) as store:
        plan = store.load().dataset
        assert (plan.planned_size, plan.actual_size) == (1200, 1100)
        last = store.history(limit=1)[0]
        assert (last.by, last.field, last.old, last.new) == ("Dana", "actual_size", 1000, 1100)


async def test_fast_typing_lands_in_the_field_it_was_typed_into(new_path: Path, make_app) -> None:
    app = make_app(new_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_testset(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("6", "0", "0", "tab", "0")  # one call: no pause between the keys
        assert (field(app, "planned_size"), field(app, "actual_size")) == ("600", "0")
        await pilot.press("tab", "4", "0", "tab", "2", "5", "ctrl+s")
        await settle(pilot)
    with open_store(new_path) as store:
        plan = store.load().dataset
        assert (plan.planned_size, plan.actual_size, plan.edge_cases, plan.adversarial_cases) == (
            600,
            0,
            40,
            25,
        )


async def burst(pilot: Pilot, *keys: str) -> None:
    """Keys as a terminal delivers a paste or a fast typist: all at once, none handled
    before the next arrives (``pilot.press`` waits for the app between keys)."""
    chars = {"tab": "\t", "ctrl+s": "\x13"}
    for key in keys:
        pilot.app.post_message(events.Key(key, chars.get(key, key)))
    await pilot.pause(0.2)
    await settle(pilot)


async def test_keys_typed_in_one_burst_land_in_their_fields(new_path: Path, make_app) -> None:
    # (with tab handled by the focused field, the "0" after it reached the planned field
    # before the focus moved: "planned 6000")
    app = make_app(new_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_testset(pilot)
        await pilot.press("s")
        await settle(pilot)
        await burst(pilot, "6", "0", "0", "tab", "0", "tab", "4", "0")
        assert [field(app, name) for name in ("planned_size", "actual_size", "edge_cases")] == [
            "600",
            "0",
            "40",
        ]


async def test_a_burst_ending_in_ctrl_s_saves_what_was_typed(new_path: Path, make_app) -> None:
    app = make_app(new_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_testset(pilot)
        await pilot.press("s")
        await settle(pilot)
        await burst(pilot, "6", "0", "0", "tab", "5", "0", "0", "ctrl+s")
    with open_store(new_path) as store:
        plan = store.load().dataset
        assert (plan.planned_size, plan.actual_size) == (600, 500)


# ------------------------------------------------------------ snapshot at 80×24

FOLDER = Path(tempfile.gettempdir()) / "workbench-testset-figures-snapshots"


def snapshot_app() -> WorkbenchApp:
    """A fixed project: 1,200 cases planned, 1,000 built, a 30-case run labelled smoke."""
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    path = FOLDER / "loans.sqlite"
    operations.create_project(path, name="Loans", risk="medium", by="sample").close()
    built_with_a_smoke_run(path, FOLDER)
    return WorkbenchApp(
        path,
        editor="Maria Okafor",
        theme="workbench-dark",
        config_file=FOLDER / "config.toml",
        poll_seconds=0,
        build_ahead=False,
    )


def test_the_sizes_dialog_at_80_by_24(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_testset(pilot)
        await pilot.press("s")
        await settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=run_before)
