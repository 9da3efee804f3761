"""The PDF report, read the way a person reads it: through poppler's pdftotext, pdfinfo
and pdftoppm (the programs behind most Linux PDF viewers)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from core_support import SAMPLE_TOML, Runner, memory_store
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph, Table

from workbench import operations
from workbench.export import export_reports
from workbench.models import EscalationStep
from workbench.reports import build_report
from workbench.reports import pdf as pdf_report
from workbench.reports.approval_words import (
    digest_words,
    fixed_words,
    point_text,
    signoff_status,
    signoff_summary,
)
from workbench.reports.model import Report
from workbench.reports.pdf import DECISIONS_SHOWN, MARGIN, render_pdf
from workbench.reports.wording import SECTIONS, verdict_title
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
    assert "Action items" in first
    assert flat(readiness["open_points"][0]["reason"]) in first
    # each threshold on one line: name, target, measured with its interval, outcome, run
    lines = pages(pdf)[0].splitlines()
    accuracy = next(line for line in lines if line.lstrip().startswith("Accuracy"))
    assert re.search(r"> 90%\s+9\d(\.\d+)?% \(n = \d+; 95% CI", accuracy)
    assert re.search(r"Met|Not met|Met with confidence", accuracy)
    assert "run 1" in accuracy
    # the sign-off is recorded now: no empty hand-signature block
    assert "Signed for the steering committee" not in first
    assert "Sign-off" in first and "product owner: not signed" in first


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


# ------------------------------------------------------ sign-offs and action items

SAMPLE_DIR = SAMPLE_TOML.parent
LATER = "2099-01-31"  # not due yet
PAST = "2020-01-31"  # overdue
HOSTILE_NAME = "<b>x</b> [/] \x1b[31m &amp;"
HOSTILE_NOTE = "<font size=80>big</font> [bold]x[/bold] &lt; <para>"
LONG_NAME = "Maximiliana" * 18  # one 198-character word: no space to break at


def sample_store(tmp_path: Path, results: str | None = "results-v3.csv") -> Store:
    """The sample project on disk, with ``results`` imported through the operation."""
    store = operations.create_project(
        tmp_path / "sample.sqlite", name=None, risk=None, by="maria", from_toml=SAMPLE_TOML
    )
    if results is not None:
        label = results.removeprefix("results-").removesuffix(".csv")
        operations.import_evidence(store, SAMPLE_DIR / results, "dev", label=label)
    return store


def exported(store: Store) -> Report:
    """The report as `workbench export` builds it (the sequence of export._export)."""
    data, evidence, result = operations.project_state(store, compare=True)
    return build_report(
        data,
        store.template(),
        store.history(limit=250),
        generated_at=GENERATED,
        evidence=evidence,
        record=result.governance,
    )


def page_one(pdf: Path) -> str:
    return run("pdftotext", "-layout", "-f", "1", "-l", "1", pdf, "-")


def test_the_summary_page_shows_blockers_action_items_and_sign_offs(tmp_path: Path) -> None:
    store = sample_store(tmp_path)
    operations.sign_off(store, "product owner", "Dana Ruiz", note="approved in the workshop")
    before = exported(store).readiness
    blocker, point = before.blockers[0], before.open_points[0]
    operations.assign(store, blocker.key, "maria", owner="Dev Patel", due=LATER)
    operations.assign(store, point.key, "maria", owner="Lena Schultz", due=PAST)
    report = exported(store)
    g = report.governance
    assert g.signoffs and g.missing_roles  # the product owner's is stale by now; no lead
    pdf = write(tmp_path, report)
    first = flat(page_one(pdf))
    assert f"Verdict: {verdict_title(report.readiness)}" in first
    assert report.readiness.blockers
    for b in report.readiness.blockers:
        assert flat(point_text(b)) in first
    assert "Action items" in first
    assigned = [p for p in report.readiness.open_points if p.key == point.key]
    assert assigned and assigned[0].overdue
    assert flat(point_text(assigned[0])) in first  # owner, due date, OVERDUE
    assert "owner Dev Patel" in first and "due 2099-01-31" in first  # (the blocker's)
    assert "owner Lena Schultz" in first and "due 2020-01-31" in first and "OVERDUE" in first
    assert flat(signoff_summary(g)) in first
    for s in g.signoffs:
        assert f"{s.by} ({s.role})" in first
        assert signoff_status(s) in first
    for role in g.missing_roles:
        assert f"{role}: not signed" in first
    assert "engineering lead: not signed" in first
    assert flat(fixed_words(g)) in first
    assert "Signed for the steering committee" not in first
    assert "page 1 of" in first  # the summary is one page (it shrinks to fit)
    run("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", pdf, tmp_path / "summary")
    (picture,) = tmp_path.glob("summary-*.png")
    assert picture.stat().st_size > 1000


def test_a_sign_off_then_one_edit_is_stale_and_stands_out(tmp_path: Path) -> None:
    store = sample_store(tmp_path)
    operations.sign_off(store, "product owner", "Dana Ruiz")
    current = exported(store).governance.signoffs[0]
    assert not current.stale
    operations.tick(store, "testing.edge-cases", "done", "maria", evidence="48 of 50")
    report = exported(store)
    (signoff,) = report.governance.signoffs
    assert signoff.stale and signoff.changes_after == 1
    texts = pages(write(tmp_path, report))
    first, body = flat(texts[0]), flat(" ".join(texts[2:]))
    for text in (first, body):
        assert "STALE" in text and "1 change(s) since" in text
    assert "Sign-off" in texts[1]  # in the contents
    assert flat(digest_words(report.governance)) in body
    # the stale row is set apart by more than its colour: bold, and the word STALE
    width = A4[0] - 2 * MARGIN
    table = next(f for f in pdf_report._signoffs(report, width) if isinstance(f, Table))
    assert row_look(table, 1) == {(pdf_report.fonts().bold, pdf_report.ALERT.hexval())}
    ok = pdf_report._signoffs(
        report.model_copy(
            update={
                "governance": report.governance.model_copy(
                    update={"signoffs": [current], "missing_roles": []}
                )
            }
        ),
        width,
    )
    plain = next(f for f in ok if isinstance(f, Table))
    assert row_look(plain, 1) == {(pdf_report.fonts().regular, pdf_report.INK.hexval())}


def row_look(table: Table, row: int) -> set[tuple[str, str]]:
    """The (font, colour) pairs a table row's cells are drawn in: a plain string cell in
    the table's style, a wrapping one in its paragraph's."""
    looks = set()
    for value, style in zip(table._cellvalues[row], table._cellStyles[row], strict=True):
        if isinstance(value, Paragraph):
            looks.add((value.style.fontName, value.style.textColor.hexval()))
        else:
            looks.add((style.fontname, style.color.hexval()))
    return looks


def test_a_target_loosened_after_the_import_is_listed_with_the_run_seen(tmp_path: Path) -> None:
    store = sample_store(tmp_path, "results-v2.csv")  # hallucination 8.5%: misses < 5%
    operations.set_target(store, "maria", "hallucination_rate", "<", 0.10, seen=None)
    report = exported(store)
    (change,) = report.governance.thresholds.changes
    assert change.loosened_after_miss and change.run_seen.startswith("run 1")
    texts = pages(write(tmp_path, report))
    body = flat(" ".join(texts[2:]))
    assert re.search(r"When\s+Who\s+Threshold\s+Change\s+Run seen", "\n".join(texts))
    assert "LOOSENED" in body and "run 1: v2" in body  # (cells wrap side by side)
    assert flat(fixed_words(report.governance)) in body
    loosened = next(p for p in report.readiness.open_points if "loosened" in p.reason)
    assert flat(loosened.reason) in body  # under Open points
    assert "1 of them loosened after a run missed the target" in flat(texts[0])


def test_an_overdue_action_says_overdue_on_the_summary_and_under_open_points(
    tmp_path: Path,
) -> None:
    store = sample_store(tmp_path)
    point = exported(store).readiness.open_points[-1]  # (the last: the summary lifts it)
    operations.assign(store, point.key, "maria", owner="Lena Schultz", due=PAST)
    report = exported(store)
    assigned = next(p for p in report.readiness.open_points if p.key == point.key)
    assert assigned.overdue
    expected = point_text(assigned)
    assert "OVERDUE" in expected and "Lena Schultz" in expected and PAST in expected
    texts = pages(write(tmp_path, report))
    assert flat(expected) in flat(texts[0])
    assert flat(expected) in flat(" ".join(texts[2:]))


def test_history_is_one_readable_line_a_change_without_bookkeeping(tmp_path: Path) -> None:
    store = sample_store(tmp_path)
    operations.tick(store, "testing.edge-cases", "done", "maria", evidence="48 of 50")
    operations.tick(store, "testing.bias-checked", "done", "maria", evidence="gap 2%")
    texts = pages(write(tmp_path, exported(store)))
    start = next(n for n, t in enumerate(texts) if re.search(r"^History$", t, re.M) and n > 1)
    history = "\n".join(texts[start:])
    assert re.search(r"^\s*When\s+Who\s+What changed\s*$", history, re.M)
    assert "Old" not in history.split("What changed")[0].splitlines()[-1]
    for word in ("updated_at", "updated_by", "updated at", "updated by"):
        assert word not in history
    assert "48 of 50" in flat(history)


def test_hostile_sign_off_text_stays_literal(tmp_path: Path) -> None:
    store = sample_store(tmp_path)
    operations.sign_off(store, "product owner", HOSTILE_NAME, note=HOSTILE_NOTE)
    operations.sign_off(store, "engineering lead", LONG_NAME, note="x" * 3000)
    report = exported(store)
    pdf = write(tmp_path, report)
    texts = pages(pdf)  # (poppler reports no error)
    first, everything = flat(texts[0]), flat(" ".join(texts))
    shown = "<b>x</b> [/] ⟨U+001B⟩[31m &amp;" if pdf_font_covers("⟨") else "<b>x</b> [/] <U+001B>"
    assert shown in first and shown in everything
    assert "\x1b" not in everything
    assert HOSTILE_NOTE in everything
    raw = flat(run("pdftotext", pdf, "-"))  # (cells one after the other, not side by side)
    assert raw.count(f"{shown} (product owner)") == 1  # the summary's line
    assert raw.count(HOSTILE_NOTE) >= 2  # the summary and the Sign-off table
    # the long name wraps (no space to break at), but is all there, on page 1 too
    assert LONG_NAME in "".join(texts[0].split())
    assert "Signed by" in everything
    run("pdftoppm", "-png", "-r", "40", pdf, tmp_path / "page")
    assert len(list(tmp_path.glob("page-*.png"))) == len(texts)


def pdf_font_covers(char: str) -> bool:
    return pdf_report.fonts().covers(char)


# ------------------------------------------------------------------ large projects


@pytest.mark.slow
def test_a_large_project_exports_as_a_whole_pdf_with_its_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """The benchmark's large project (2,000 items, 5,000 decisions, 20,000 history
    entries; fewer result rows, which the PDF never reads) with sign-offs and a target
    changed after the evidence, exported the way `workbench export` does it. (Its speed
    target, under 3 s, is measured by `make bench`, not here.)"""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "large_project.py")])  # its cache
    import large_project  # type: ignore[import-not-found]

    path = large_project.build(tmp_path / "large.sqlite", runs=2, rows=1000)
    store = Store.open(path)
    request.addfinalizer(store.close)
    operations.fix_thresholds(store, "bench")
    operations.set_target(store, "bench", "accuracy", ">", 0.85, seen=None)
    for role in ("product owner", "security", "risk and compliance"):
        operations.sign_off(store, role, f"Signer for {role}")
    operations.tick(store, store.load().checklist[0].id, "done", "bench", evidence="late")
    out = tmp_path / "large.pdf"
    export_reports(store, ["pdf"], output=out)
    first = flat(page_one(out))
    assert "Verdict: NO-GO" in first and "STALE" in first and "1 change(s) since" in first
