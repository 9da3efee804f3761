"""The PDF report, read the way a person reads it: through poppler's pdftotext, pdfinfo
and pdftoppm (the programs behind most Linux PDF viewers)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from core_support import SAMPLE_TOML, Runner, memory_store

from workbench import operations
from workbench.models import EscalationStep
from workbench.reports import build_report
from workbench.reports.model import Report
from workbench.reports.pdf import DECISIONS_SHOWN, render_pdf
from workbench.reports.wording import SECTIONS
from workbench.store import Store


@pytest.fixture(autouse=True)
def poppler() -> None:
    """Skips where poppler-utils is missing (`make pdf-tools` installs it); fails under CI."""
    if shutil.which("pdftotext") and shutil.which("pdftoppm"):
        return
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail("CI is set and poppler-utils is not installed: run `make pdf-tools`", False)
    pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed: run `make pdf-tools`")


RESULTS = SAMPLE_TOML.parent / "results-v3.csv"
GENERATED = "2026-05-03T10:00:00+00:00"
BY = "dana"
# What Paragraph markup would act on, and characters a font or a viewer could choke on.
MARKUP = "<b>x</b> &amp; [/]"
FONT_TAG = "<font size=80>big"
HOSTILE_TITLE = f"{MARKUP} {FONT_TAG}</font> <para> 😀 \u202egnp.exe\u202c nul\x00 bell\x07"


def run(*args: str | Path) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=True, timeout=60
    )
    assert "Error" not in done.stderr, done.stderr  # poppler complains about broken files
    return done.stdout


def pages(pdf: Path) -> list[str]:
    """Each page's text, laid out as on paper."""
    return run("pdftotext", "-layout", pdf, "-").split("\f")[:-1]


def flat(text: str) -> str:
    """Text with its line breaks and layout spaces folded (a wrapped line reads on)."""
    return " ".join(text.split())


def report_of(store: Store) -> Report:
    return build_report(store.load(), store.template(), store.history(), generated_at=GENERATED)


def write(tmp_path: Path, report: Report, paper: str = "a4", name: str = "report.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(render_pdf(report, paper=paper))
    return path


@pytest.fixture
def sample(cli: Runner, tmp_path: Path) -> tuple[Path, dict[str, object]]:
    """The sample project with a run imported, exported as PDF and JSON by the CLI."""
    project = tmp_path / "sample.sqlite"
    assert cli("new", project, "--from", SAMPLE_TOML, "--by", "maria").code == 0
    assert cli("import-results", project, RESULTS, "--by", "dev").code == 0
    pdf, js = tmp_path / "sample.pdf", tmp_path / "sample.json"
    assert cli("export", project, "--format", "pdf", "-o", pdf).code == 0
    assert cli("export", project, "--format", "json", "-o", js).code == 0
    return pdf, json.loads(js.read_text(encoding="utf-8"))


def test_page_one_holds_the_verdict_every_blocker_and_each_threshold(
    sample: tuple[Path, dict[str, object]],
) -> None:
    pdf, report = sample
    readiness = report["readiness"]
    assert isinstance(readiness, dict)
    first = flat(pages(pdf)[0])
    assert "Readiness report: Support reply assistant" in first
    assert "Verdict: NO-GO" in first
    assert readiness["blockers"]
    for blocker in readiness["blockers"]:
        assert flat(blocker["reason"]) in first
    assert "Open points" in first
    assert flat(readiness["open_points"][0]["reason"]) in first
    # each threshold on one line: name, target, measured with its interval, outcome
    lines = pages(pdf)[0].splitlines()
    accuracy = next(line for line in lines if line.lstrip().startswith("Accuracy"))
    assert re.search(r"> 90%\s+9\d(\.\d+)?% \(n = \d+; 95% CI", accuracy)
    assert re.search(r"Met|Not met|Met with confidence", accuracy)
    assert "Signed for the steering committee" in first


def test_later_pages_carry_the_running_header_and_page_n_of_m(
    sample: tuple[Path, dict[str, object]],
) -> None:
    pdf, _ = sample
    texts = pages(pdf)
    total = len(texts)
    assert total >= 3
    for number, text in enumerate(texts, 1):
        assert f"page {number} of {total}" in text
        if number > 1:
            header = text.strip().splitlines()[0]
            assert "Support reply assistant" in header
            assert "readiness report" in header
            assert re.search(r"generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", header)
    assert "readiness report ·" not in texts[0]  # page 1 has the title instead


def test_contents_then_the_sections_in_the_markdown_order(
    sample: tuple[Path, dict[str, object]],
) -> None:
    pdf, _ = sample
    texts = pages(pdf)
    contents = texts[1]
    assert "Contents" in contents
    titles = [title for _, title in SECTIONS]
    found = [contents.find(f"\n{title} ") for title in titles]
    assert all(at > 0 for at in found), dict(zip(titles, found, strict=True))
    assert found == sorted(found)
    # each section starts on the page the contents gives
    for title in titles:
        listed = re.search(rf"^{re.escape(title)}[ .]+\s*\.?(\d+)$", contents, re.M)
        assert listed, title
        page = int(listed.group(1))
        assert re.search(rf"^{re.escape(title)}$", texts[page - 1], re.M), (title, page)
    body = flat(" ".join(texts[2:]))
    assert "Accuracy with its 95% interval" in body  # the evidence chart's caption
    assert "The latest" in body and "newest first" in body  # the history


def test_a_long_table_repeats_its_header_on_every_page(tmp_path: Path) -> None:
    store = memory_store(name="Escalation heavy")
    for step in range(1, 301):
        contact = f"Contact number {step} with a long title that wraps in its cell " * 2
        store.insert("escalation", EscalationStep(step=step, contact=contact, when="always"), BY)
    with_header = [
        text
        for text in pages(write(tmp_path, report_of(store)))
        if re.search(r"^\s*Step\s+Contact\s+When\s*$", text, re.M)
    ]
    assert len(with_header) >= 3
    assert sum("Contact number 300 " in flat(t) for t in with_header) == 1


def test_typed_markup_and_odd_characters_stay_text(tmp_path: Path) -> None:
    store = memory_store(name="Hostile & <b>bold</b>")
    operations.decide(store, BY, title=HOSTILE_TITLE, decision=HOSTILE_TITLE, rationale="r")
    operations.tick(store, "testing.edge-cases", "done", BY, evidence=MARKUP)
    operations.tick(store, "testing.bias-checked", "done", BY, evidence=FONT_TAG)
    pdf = write(tmp_path, report_of(store))
    texts = pages(pdf)
    body = flat(" ".join(texts))
    assert "Readiness report: Hostile & <b>bold</b>" in flat(texts[0])
    heading = "Decision 1: <b>x</b> &amp; [/] <font size=80>big</font> <para> ?"
    assert heading in body  # the emoji the font cannot draw is a '?', never a crash
    assert "U+202E" in body and "U+0000" in body and "U+0007" in body  # shown, not acted on
    assert "\x00" not in body and "\x07" not in body and "\u202e" not in body
    assert MARKUP in body and FONT_TAG in body  # the checklist's evidence cells
    assert "Hostile & <b>bold</b>" in texts[1].splitlines()[0]  # the running header


@pytest.mark.parametrize(("paper", "size"), [("a4", "595.276 x 841.89"), ("letter", "612 x 792")])
def test_paper_size(tmp_path: Path, paper: str, size: str) -> None:
    pdf = write(tmp_path, report_of(memory_store()), paper=paper)
    info = run("pdfinfo", pdf)
    assert re.search(rf"Page size:\s+{re.escape(size)} pts", info)


def test_letter_from_the_command_line(cli: Runner, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    assert cli("export", project, "--format", "pdf", "--paper", "letter", "-o", out).code == 0
    assert "612 x 792" in run("pdfinfo", out)


def test_an_unknown_paper_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown paper 'a5'"):
        render_pdf(report_of(memory_store()), paper="a5")


def test_the_same_report_gives_the_same_bytes() -> None:
    report = report_of(memory_store())
    assert render_pdf(report) == render_pdf(report)


def test_every_page_renders_as_a_picture(
    sample: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    pdf, _ = sample
    run("pdftoppm", "-png", "-r", "50", pdf, tmp_path / "page")
    pictures = sorted(tmp_path.glob("page-*.png"))
    assert len(pictures) == len(pages(pdf))
    assert all(p.stat().st_size > 1000 for p in pictures)


def test_a_long_decision_log_is_capped_and_says_so(tmp_path: Path) -> None:
    store = memory_store()
    for n in range(1, DECISIONS_SHOWN + 51):
        operations.decide(store, BY, title=f"Choice {n}", decision="d", rationale="r")
    body = flat(" ".join(pages(write(tmp_path, report_of(store)))))
    total = DECISIONS_SHOWN + 50
    assert f"The latest {DECISIONS_SHOWN} of {total} decisions" in body
    assert f"Decision {total}: Choice {total}" in body
    assert "Decision 50: Choice 50 " not in body and "Decision 51: Choice 51" in body
