"""The core never imports Textual, and importing it opens no database."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = [
    "workbench.models",
    "workbench.errors",
    "workbench.store",
    "workbench.migrations",
    "workbench.backup",
    "workbench.restore",
    "workbench.catalog",
    "workbench.readiness",
    "workbench.evaluation.evidence",
    "workbench.operations",
    "workbench.files",
    "workbench.export",
    "workbench.cli",
    "workbench.reports",
    "workbench.reports.model",
    "workbench.reports.json",
    "workbench.reports.toml",
    "workbench.reports.junit",
    "workbench.reports.markdown",
    "workbench.reports.html",
    "workbench.evaluation.sizing",
    "workbench.evaluation.rows",
    "workbench.evaluation.runs",
    "workbench.progress",
    "workbench.plan_facts",
    "workbench.agenda",
    "workbench.find",
]

PROBE = """
import importlib, sqlite3, sys
opened = []
real_connect = sqlite3.connect
def spy(*args, **kwargs):
    opened.append(args)
    return real_connect(*args, **kwargs)
sqlite3.connect = spy
importlib.import_module(sys.argv[1])
ui = sorted(m for m in sys.modules if m == "textual" or m.startswith(("textual.", "workbench.ui")))
print("ui:", ",".join(ui))
print("databases opened:", len(opened))
"""


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_without_textual(module: str) -> None:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, module],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["ui: ", "databases opened: 0"]


def test_cli_runs_a_core_command_without_textual() -> None:
    code = (
        "import sys\n"
        "from workbench.cli import main\n"
        "rc = main(['schema'])\n"
        "assert rc == 0\n"
        "print('textual' in sys.modules, file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == "False"
