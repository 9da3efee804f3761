"""Fixtures for the core tests: projects on disk and in memory, and an in-process CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from core_support import TEMPLATE_PATH, Result, Runner, memory_store

from workbench import operations
from workbench.cli import main
from workbench.store import Store


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Run ``workbench ARGS`` in-process; returns the exit code, stdout and stderr.

    The login name is fixed to ``tester`` so the ``--by`` default is predictable.
    """
    monkeypatch.setenv("WORKBENCH_USER", "tester")
    monkeypatch.delenv("WORKBENCH_DEBUG", raising=False)

    def run(*args: object) -> Result:
        capsys.readouterr()  # drop anything printed before
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def store() -> Iterator[Store]:
    """A fresh medium-risk project in memory, started from the shipped template."""
    s = memory_store()
    yield s
    s.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh medium-risk project file on disk, made the way `workbench new` makes it."""
    path = tmp_path / "demo.sqlite"
    operations.create_project(path, name="Demo", risk="medium", by="creator").close()
    return path


@pytest.fixture(scope="session")
def template_text() -> str:
    """The shipped template's text, as a project stores it."""
    return TEMPLATE_PATH.read_text(encoding="utf-8")
