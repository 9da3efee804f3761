"""Fixtures for the UI tests: a real project file and the app on it (the helpers the
tests share are in ``ui_support``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_support import SAMPLE_TOML

from workbench import operations
from workbench.ui.app import WorkbenchApp


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
