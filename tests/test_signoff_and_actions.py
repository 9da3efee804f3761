"""Sign-off, thresholds fixed before the evidence, action items and `--since`, used the
way a team uses them: through the command line, read back from every report format."""

from __future__ import annotations

import html
import io
import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import docx
import pytest
from core_support import SAMPLE_TOML, Runner

from workbench import operations
from workbench.store import Store

RESULTS_V2 = SAMPLE_TOML.parent / "results-v2.csv"  # hallucination 8.5%: misses < 5%
RESULTS_V3 = SAMPLE_TOML.parent / "results-v3.csv"
TEXT_FORMATS = ("md", "html", "json", "toml")


@pytest.fixture
def sample(tmp_path: Path, cli: Runner) -> Path:
    """The sample project (medium risk: product owner and engineering lead sign)."""
    path = tmp_path / "support.sqlite"
    assert cli("new", path, "--from", SAMPLE_TOML, "--by", "sam").code == 0
    return path


def imported(cli: Runner, project: Path, results: Path = RESULTS_V2, label: str = "v2") -> None:
    result = cli("import-results", project, results, "--label", label, "--by", "dev")
    assert result.code == 0, result.err


def exported(cli: Runner, project: Path, folder: Path, *extra: object) -> dict[str, str]:
    """Every format's text as a reader gets it (PDF through pdftotext, Word read back)."""
    folder.mkdir(exist_ok=True)
    result = cli("export", project, "--format", "all", "--output-dir", folder, *extra)
    assert result.code == 0, result.err
    texts = {f: (folder / f"support-readiness.{f}").read_text("utf-8") for f in TEXT_FORMATS}
    texts["html"] = html.unescape(texts["html"])  # (what the browser shows)
    texts["md"] = texts["md"].replace("\\", "")  # (what the rendered Markdown shows)
    word = docx.Document(io.BytesIO((folder / "support-readiness.docx").read_bytes()))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    texts["docx"] = "\n".join([p.text for p in word.paragraphs] + cells)
    if shutil.which("pdftotext"):
        texts["pdf"] = subprocess.run(
            ["pdftotext", "-layout", str(folder / "support-readiness.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return texts


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces folded (a PDF wraps lines)."""
    return " ".join(text.split())


# ------------------------------------------------------------------ sign-off


def test_a_signoff_then_one_edit_is_stale_in_every_format(
    cli: Runner, sample: Path, tmp_path: Path
) -> None:
    imported(cli, sample)
    signed = cli("signoff", sample, "--role", "product owner", "--by", "Dana Ruiz")
    assert signed.code == 0, signed.err
    assert "Signed off: Dana Ruiz as product owner" in signed.out
    assert "Still to sign: engineering lead" in signed.out
    before = exported(cli, sample, tmp_path / "before")
    for fmt, text in before.items():
        assert "Dana Ruiz" in text, fmt
        assert "STALE" not in text, fmt
    assert cli("tick", sample, "documentation.runbooks", "--status", "done",
               "--evidence", "wiki/runbooks").code == 0  # fmt: skip
    after = exported(cli, sample, tmp_path / "after")
    for fmt in ("md", "html", "pdf", "docx"):
        if fmt in after:
            assert "STALE: 1 change(s) since it was signed" in flat(after[fmt]), fmt
    record = json.loads(after["json"])["governance"]
    assert record["signoffs"][0]["stale"] is True
    assert record["signoffs"][0]["changes_after"] == 1
    assert record["missing_roles"] == ["product owner", "engineering lead"]
    toml = tomllib.loads(after["toml"])  # (the project's content: what was signed)
    assert toml["signoffs"][0]["digest"] == record["signoffs"][0]["digest"]


def test_the_digest_ignores_history_sessions_and_signoffs_and_undo_restores_it(
    cli: Runner, sample: Path
) -> None:
    assert cli("signoff", sample, "--role", "product owner", "--by", "Dana").code == 0
    assert cli("session", sample, "start", "--by", "sam").code in (0, 2)
    assert cli("signoff", sample, "--role", "engineering lead", "--by", "Lee").code == 0
    with Store.open(sample) as store:
        record = operations.project_state(store)[2].governance
    assert [s.stale for s in record.signoffs] == [False, False]
    assert record.signoffs[0].digest == record.signoffs[1].digest == record.digest
    assert cli("tick", sample, "documentation.runbooks", "--status", "na",
               "--reason", "no runbooks: the vendor runs it").code == 0  # fmt: skip
    with Store.open(sample) as store:
        assert all(s.stale for s in operations.project_state(store)[2].governance.signoffs)
    assert cli("undo", sample).code == 0  # the content is as signed again
    with Store.open(sample) as store:
        assert not any(s.stale for s in operations.project_state(store)[2].governance.signoffs)


def test_a_missing_signoff_is_an_open_point_and_check_can_require_it(
    cli: Runner, sample: Path
) -> None:
    with Store.open(sample) as store:
        points = operations.project_state(store)[2].open_points
    assert any("no sign-off by the product owner yet" in p.reason for p in points)
    refused = cli("check", sample, "--allow-conditional", "--require-signoff")
    assert refused.code == 1
    assert "sign-off missing: product owner" in refused.out
    assert "sign-off missing: engineering lead" in refused.out
    cli("signoff", sample, "--role", "product owner", "--by", "Dana")
    cli("signoff", sample, "--role", "Engineering Lead", "--by", "Lee")  # (any case)
    as_json = json.loads(cli("check", sample, "--json", "--require-signoff").out)
    assert as_json["missing_signoffs"] == []
    assert [s["by"] for s in as_json["signoffs"]] == ["Dana", "Lee"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--role", "  ", "--by", "Dana"], "a sign-off needs a role"),
        (["--role", "security", "--by", " "], "needs the name of who signs"),
        (["--role", "x" * 201, "--by", "Dana"], "role"),
        (["--by", "Dana"], "--role"),
    ],
)
def test_a_bad_signoff_is_one_line_and_saves_nothing(
    cli: Runner, sample: Path, args: list[str], expected: str
) -> None:
    result = cli("signoff", sample, *args)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1 and expected in result.err
    with Store.open(sample) as store:
        assert store.records("signoff") == []


def test_hostile_signoff_text_stays_text(cli: Runner, sample: Path, tmp_path: Path) -> None:
    name = "<script>alert(1)</script> [/] **Dana**"
    note = "only if `rm -rf` & <b>bold</b>\nsecond line"
    assert cli("signoff", sample, "--role", "product owner", "--by", name,
               "--note", note).code == 0  # fmt: skip
    texts = exported(cli, sample, tmp_path / "out")
    page = (tmp_path / "out" / "support-readiness.html").read_text("utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert name in texts["html"]
    markdown = (tmp_path / "out" / "support-readiness.md").read_text("utf-8")
    assert "\\<script\\>" in markdown and "\\*\\*Dana\\*\\*" in markdown
    assert name in texts["docx"]
    if "pdf" in texts:
        assert "<script>alert(1)</script>" in texts["pdf"]


# ------------------------------------------------------------------ thresholds fixed


def test_the_first_import_fixes_the_thresholds_and_a_later_change_is_listed(
    cli: Runner, sample: Path, tmp_path: Path
) -> None:
    imported(cli, sample)
    texts = exported(cli, sample, tmp_path / "fixed")
    for fmt in ("md", "html", "pdf", "docx"):
        if fmt in texts:
            assert "Thresholds fixed before the evidence, on" in flat(texts[fmt]), fmt
    loosened = cli("target", sample, "hallucination_rate", "<", "10%", "--by", "lena")
    assert loosened.code == 0, loosened.err
    assert "Saved: Hallucination rate target < 10%." in loosened.out
    texts = exported(cli, sample, tmp_path / "changed")
    for fmt in ("md", "html", "pdf", "docx"):
        if fmt in texts:
            text = flat(texts[fmt])
            assert "changed 1 time(s) since" in text, fmt
            assert "< 5% → < 10%" in text or "< 5% -> < 10%" in text, fmt
            assert "run 1: v2" in text, fmt
            assert "was loosened from < 5% to < 10% after run 1: v2 missed it" in text, fmt
    change = json.loads(texts["json"])["governance"]["thresholds"]["changes"][0]
    assert change["by"] == "lena" and change["run_seen"] == "run 1: v2"
    assert change["loosened_after_miss"] is True


def test_a_loosened_target_stops_being_an_open_point_when_restored_or_explained(
    cli: Runner, sample: Path
) -> None:
    imported(cli, sample)
    cli("target", sample, "hallucination_rate", "<", "10%")

    def loosened_points() -> list[str]:
        with Store.open(sample) as store:
            points = operations.project_state(store)[2].open_points
        return [p.reason for p in points if "was loosened" in p.reason]

    assert len(loosened_points()) == 1
    cli("target", sample, "hallucination_rate", "<", "5%")
    assert loosened_points() == []
    cli("target", sample, "hallucination_rate", "<", "8%")
    assert len(loosened_points()) == 1
    decided = cli("decide", sample, "--title", "Hallucination target 8% for the pilot",
                  "--decision", "8% while agents read every draft",
                  "--rationale", "the pilot agents catch invented policies",
                  "--link", "threshold:hallucination_rate")  # fmt: skip
    assert decided.code == 0, decided.err
    assert loosened_points() == []


def test_a_tightened_target_is_listed_but_no_open_point(cli: Runner, sample: Path) -> None:
    imported(cli, sample)
    cli("target", sample, "accuracy", ">", "95%")
    with Store.open(sample) as store:
        _data, _evidence, result = operations.project_state(store)
    changes = result.governance.thresholds.changes
    assert [(c.old, c.new, c.loosened_after_miss) for c in changes] == [("> 90%", "> 95%", False)]
    assert not any("was loosened" in p.reason for p in result.open_points)


def test_fix_thresholds_by_hand_before_any_run(cli: Runner, sample: Path) -> None:
    fixed = cli("fix-thresholds", sample, "--note", "agreed in the workshop of 4 Dec")
    assert fixed.code == 0, fixed.err
    assert "Fixed 5 threshold(s)" in fixed.out
    imported(cli, sample)  # (the first import does not fix them again)
    with Store.open(sample) as store:
        fixes = store.records("fixing")
        record = operations.project_state(store)[2].governance.thresholds
    assert len(fixes) == 1 and fixes[0].how == "agreed in the workshop of 4 Dec"
    assert record.fixed and record.changes == []


# ------------------------------------------------------------------ action items


def test_an_open_point_gets_an_owner_and_a_due_date_and_overdue_fails_ci(
    cli: Runner, sample: Path, tmp_path: Path
) -> None:
    listing = cli("actions", sample)
    assert listing.code == 0
    first = next(line for line in listing.out.splitlines() if line.lstrip().startswith("1."))
    assigned = cli("assign", sample, "1", "--owner", "Dev Patel", "--due", "2020-01-31")
    assert assigned.code == 0, assigned.err
    assert "Saved: Dev Patel, due 2020-01-31" in assigned.out
    listing = cli("actions", sample)
    assert "Dev Patel, due 2020-01-31 (OVERDUE)" in listing.out
    assert cli("check", sample, "--allow-conditional").code == 1  # (blockers, anyway)
    overdue = cli("check", sample, "--fail-on-overdue")
    assert "overdue since 2020-01-31" in overdue.out and overdue.code == 1
    texts = exported(cli, sample, tmp_path / "out")
    reason = first.split("] ", 1)[1]
    for fmt in ("md", "html", "pdf", "docx"):
        if fmt in texts:
            assert "owner Dev Patel, due 2020-01-31, OVERDUE" in flat(texts[fmt]), fmt
    points = json.loads(texts["json"])["readiness"]
    point = (points["blockers"] + points["open_points"])[0]
    assert point["owner"] == "Dev Patel" and point["overdue"] is True
    assert reason.startswith(point["reason"][:30])


def test_an_action_item_is_kept_by_key_and_can_be_cleared(cli: Runner, sample: Path) -> None:
    key = json.loads(cli("actions", sample, "--json").out)[-1]["key"]
    assert cli("assign", sample, key, "--owner", "Lena", "--due", "2999-12-31").code == 0
    entry = json.loads(cli("actions", sample, "--json").out)[-1]
    assert (entry["owner"], entry["due"], entry["overdue"]) == ("Lena", "2999-12-31", False)
    assert (
        cli("check", sample, "--fail-on-overdue", "--allow-conditional").out.count("overdue") == 0
    )
    assert cli("assign", sample, key, "--clear").code == 0
    assert json.loads(cli("actions", sample, "--json").out)[-1]["owner"] == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["999", "--owner", "x"], "no open point 999"),
        (["1", "--due", "31/12/2026"], "a due date looks like 2026-12-31"),
        (["1"], "say what to set"),
        (["no such point", "--owner", "x"], "no open point 'no such point'"),
    ],
)
def test_a_bad_assignment_is_one_line(
    cli: Runner, sample: Path, args: list[str], expected: str
) -> None:
    result = cli("assign", sample, *args)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1 and expected in result.err
    with Store.open(sample) as store:
        assert store.records("action") == []


# ------------------------------------------------------------------ since


def test_export_since_an_earlier_report_lists_what_changed(
    cli: Runner, sample: Path, tmp_path: Path
) -> None:
    imported(cli, sample)
    old = tmp_path / "old.json"
    assert cli("export", sample, "--format", "json", "-o", old).code == 0
    cli("signoff", sample, "--role", "product owner", "--by", "Dana")
    imported(cli, sample, RESULTS_V3, "v3")
    texts = exported(cli, sample, tmp_path / "new", "--since", old)
    for fmt in ("md", "html", "pdf", "docx"):
        if fmt in texts:
            text = flat(texts[fmt])
            assert "Changes since the last report" in text, fmt
            assert "New evaluation run: run 2 'v3' (240 cases)" in text, fmt
            assert "Sign-off added: Dana (product owner)" in text, fmt
    since = json.loads(texts["json"])["since"]
    assert [g["title"] for g in since["groups"]][:1] == ["Verdict"] or since["groups"]
    diff = cli("diff", old, tmp_path / "new" / "support-readiness.json")
    assert diff.code == 0 and "New evaluation run: run 2 'v3' (240 cases)" in diff.out


def test_export_since_a_file_that_is_not_a_report_writes_nothing(
    cli: Runner, sample: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    out = tmp_path / "out"
    result = cli("export", sample, "--output-dir", out, "--since", bad)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert not out.exists()
