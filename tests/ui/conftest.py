"""Fixtures for the UI tests: a real project file, the app on it, and a way to wait for workers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot

from workbench import operations
from workbench.store import Store
from workbench.ui.app import WorkbenchApp

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TOML = ROOT / "sample_project" / "support-assistant.toml"


@pytest.fixture
def sample_path(tmp_path: Path) -> Path:
    """The sample project, built from its TOML into a fresh file."""
    path = tmp_path / "sample.sqlite"
    operations.create_project(
        path, name=None, risk=None, by="sample", from_toml=SAMPLE_TOML
    ).close()
    return path


@pytest.fixture
def new_path(tmp_path: Path) -> Path:
    """A brand-new medium-risk project, nothing filled in."""
    path = tmp_path / "new.sqlite"
    operations.create_project(path, name="New project", risk="medium", by="creator").close()
    return path


@pytest.fixture
def make_app(tmp_path: Path):
    """An app on ``path`` with its settings in tmp_path, no polling and a fixed editor.

    Screens are built when first visited (``build_ahead=False``) unless a test asks:
    building them all in the background would make every ``settle`` wait for it.
    test_build_ahead.py covers the app as a user starts it."""

    def make(path: Path, editor: str = "facilitator", **kwargs) -> WorkbenchApp:
        kwargs.setdefault("build_ahead", False)
        kwargs.setdefault("poll_seconds", 0)
        return WorkbenchApp(path, editor=editor, config_file=tmp_path / "config.toml", **kwargs)

    return make


async def settle(pilot: Pilot) -> None:
    """Wait until every worker (loads and edits) has finished and the screen has redrawn."""
    for _ in range(3):
        while pilot.app.reading:  # reads run in daemon threads, not workers
            await asyncio.sleep(0.005)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def open_store(path: Path) -> Store:
    return Store.open(path)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` key by key into the focused widget."""
    names = {" ": "space", "\n": "enter", ".": "full_stop", ",": "comma", ":": "colon"}
    await pilot.press(*[names.get(ch, ch) for ch in text])
