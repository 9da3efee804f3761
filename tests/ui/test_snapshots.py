"""Snapshots of every screen with the sample project, at one fixed size, in a fixed state.

The sample is built into a fixed folder and every time stamp in it is pinned, so the
pictures depend on nothing but the code. Review the report before --snapshot-update.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from textual.pilot import Pilot
from ui_support import SAMPLE_TOML, settle

from workbench import operations
from workbench.evaluation.runs import import_results
from workbench.ui.app import WorkbenchApp
from workbench.ui.places import PLACES

ROOT = Path(__file__).resolve().parents[2]
FOLDER = Path(tempfile.gettempdir()) / "workbench-snapshots"
SIZE = (120, 36)
PINNED = "2026-11-28T10:00:00+00:00"  # after the sample's hand-entered measurements


def pinned_sample() -> Path:
    """The sample project with its two runs, every time stamp set to PINNED."""
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    path = FOLDER / "sample.sqlite"
    store = operations.create_project(
        path, name=None, risk=None, by="sample", from_toml=SAMPLE_TOML
    )
    with store:
        for name, label in (("results-v2.csv", "v2 prompt"), ("results-v3.csv", "v3 prompt")):
            import_results(store, ROOT / "sample_project" / name, "Dev Patel", label=label)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE changes SET at = ?", [PINNED])
        conn.execute("UPDATE runs SET imported_at = ? || id", [PINNED[:-7]])
    conn.close()
    return path


def app_for(path: Path, theme: str = "workbench-dark") -> WorkbenchApp:
    return WorkbenchApp(
        path,
        editor="Maria Okafor",
        theme=theme,
        config_file=FOLDER / "config.toml",
        poll_seconds=0,
        build_ahead=False,
    )


def goto(key: str):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("place", PLACES, ids=[p.mode for p in PLACES])
def test_every_screen(snap_compare, place) -> None:
    assert snap_compare(app_for(pinned_sample()), terminal_size=SIZE, run_before=goto(place.key))


def test_overview_in_the_projector_theme(snap_compare) -> None:
    app = app_for(pinned_sample(), theme="workbench-projector")
    assert snap_compare(app, terminal_size=SIZE, run_before=goto("1"))


def test_overview_at_80_by_24(snap_compare) -> None:
    assert snap_compare(app_for(pinned_sample()), terminal_size=(80, 24), run_before=goto("1"))


def test_help_screen(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(app_for(pinned_sample()), terminal_size=SIZE, run_before=run_before)
