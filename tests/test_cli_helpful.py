"""The command line helps a person who mistypes: "did you mean", the README's own CI
example works, and every command that reads a project can say it as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from core_support import Runner, sha256


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["chek", "{p}"], "invalid choice: 'chek'; did you mean 'check'?"),
        (
            ["tick", "{p}", "testing.bias", "--status", "done"],
            "did you mean 'testing.bias-checked'?",
        ),
        (
            ["tick", "{p}", "testing.edge-cases", "--status", "donee"],
            "invalid choice: 'donee'; did you mean 'done'?",
        ),
        (["measure", "{p}", "acuracy", "0.9"], "did you mean 'accuracy'?"),
    ],
)
def test_a_near_miss_is_named(cli: Runner, project: Path, args: list[str], says: str) -> None:
    before = sha256(project)
    result = cli(*[a.format(p=project) for a in args])
    assert result.code == 2
    assert says in result.err and len(result.err.strip().splitlines()) == 1, result.err
    assert sha256(project) == before


def test_nothing_close_keeps_the_list_of_choices(cli: Runner, project: Path) -> None:
    result = cli("zzzz", project)
    assert result.code == 2 and "choose from 'new'" in result.err


def test_status_as_json(cli: Runner, project: Path) -> None:
    result = cli("status", project, "--json")
    assert result.code == 0, result.err
    status = json.loads(result.out)
    assert status["verdict"] == "no_go"
    assert status["checklist"] == {"closed": 0, "total": 20}
    assert status["latest_run"] is None and status["runs"] == 0
    assert status["readiness"]["verdict"] == "no_go"
    assert status["readiness"]["blockers"]


def test_export_makes_the_output_folder_the_readme_names(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "readiness-report"
    result = cli("export", project, "--format", "all", "--output-dir", f"{folder}/")
    assert result.code == 0, result.err
    assert sorted(p.suffix for p in folder.iterdir()) == [
        ".docx",
        ".html",
        ".json",
        ".md",
        ".pdf",
        ".toml",
    ]


def test_export_into_a_folder_whose_parent_is_missing_is_refused(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    result = cli("export", project, "--output-dir", tmp_path / "no" / "such")
    assert result.code == 2
    assert "its parent folder does not exist" in result.err
    assert not (tmp_path / "no").exists()


def test_new_without_a_file_name_says_so(cli: Runner, tmp_path: Path) -> None:
    result = cli("new", "", "--name", "X")
    assert result.code == 2
    assert "give the new project a file name" in result.err


def test_open_takes_by(cli: Runner, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: dict[str, object] = {}

    def fake_run_app(path: Path, theme: str | None = None, editor: str | None = None) -> int:
        opened.update(path=path, editor=editor)
        return 0

    monkeypatch.setattr("workbench.ui.app.run_app", fake_run_app)
    assert cli("open", project, "--by", "Lena").code == 0
    assert opened == {"path": project, "editor": "Lena"}
