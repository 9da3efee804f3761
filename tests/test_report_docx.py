"""The Word report: what a reader sees in Word, that its structure is real Word structure
(headings, tables with repeating header rows, bulleted lists, page fields), and that typed
text stays text."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from core_support import SAMPLE_TOML, Runner, fill_everything, memory_store

from workbench import operations
from workbench.invisible import reveal_invisible
from workbench.models import EscalationStep
from workbench.reports import build_report
from workbench.reports.docx import SUMMARY_OPEN_POINTS, render_docx
from workbench.reports.evidence_words import RUN_HEADERS
from workbench.reports.model import Report
from workbench.reports.wording import (
    HISTORY_LIMIT,
    SECTIONS,
    THRESHOLD_STATUS_WORDS,
    area_title,
    describe_measured,
    describe_target,
    verdict_title,
)
from workbench.store import Store

BY = "dana"
GENERATED = "2026-05-03T10:00:00+00:00"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Text that means something to HTML, XML, templates, Rich or Markdown, and text that is
# hard to typeset: it must all reach Word as typed.
HOSTILE_PARTS = (
    "<b>x</b>",
    "]]>",
    "&amp;",
    "{{ x }}",
    "{% if %}",
    "[/]",
    "**bold**",
    "<w:t>injected</w:t>",
    "emoji 🚀👩🏽‍💻",
    "مرحبا بالعالم",
    "שלום",
)
HOSTILE = " ".join(HOSTILE_PARTS)
# Characters XML 1.0 forbids (and ones it allows but that hide text): shown, not kept.
CONTROLS = "bell\x07 nul\x00 esc\x1b del\x7f vt\x0b ff\x0c nonchar\uffff bidi\u202e"


def report_of(store: Store) -> Report:
    return build_report(store.load(), store.template(), store.history(), generated_at=GENERATED)


def read(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def texts(document: Any) -> list[str]:
    """Every paragraph's text, body and table cells, in order."""
    out = [p.text for p in document.paragraphs]
    for table in document.tables:
        out += [cell.text for row in table.rows for cell in row.cells]
    return out


@pytest.fixture
def sample(cli: Runner, tmp_path: Path) -> bytes:
    """The Word report of the sample project, with two evaluation runs imported, as
    `workbench export` writes it."""
    path = tmp_path / "sample.sqlite"
    assert cli("new", path, "--from", SAMPLE_TOML, "--by", "maria").code == 0
    for results in ("results-v2.csv", "results-v3.csv"):
        assert cli("import-results", path, SAMPLE_TOML.parent / results, "--by", "maria").code == 0
    out = tmp_path / "report.docx"
    assert cli("export", path, "--format", "docx", "-o", out).code == 0
    return out.read_bytes()


@pytest.fixture
def filled() -> Report:
    store = memory_store(name="Support assistant")
    operations.tick(store, "testing.edge-cases", "done", BY, evidence="Suite run: 48/50")
    operations.measure(store, "accuracy", 0.93, BY, n=400, source="eval run 7")
    operations.decide(store, BY, title="Shadow for two weeks", decision="2 weeks", rationale="r")
    operations.park_question(store, "Who signs off the bias waiver?", BY, step="testing")
    store.update("workshop", None, {"attendees": ["Dana", "Sam"]}, BY)
    return report_of(store)


def hostile(store: Store, text: str) -> None:
    """``text`` wherever a person types: name, evidence, decisions, questions, and more."""
    store.update("project", None, {"name": text, "system": text}, BY)
    operations.tick(store, "testing.edge-cases", "done", BY, evidence=text, owner=text)
    store.update("threshold", "accuracy", {"reasoning": text}, BY)
    operations.measure(store, "accuracy", 0.5, BY, n=10, source=text)
    operations.decide(store, BY, title=text, decision=text, rationale=text)
    operations.park_question(store, text, BY)
    store.update("workshop", None, {"attendees": [text]}, BY)
    store.insert("escalation", EscalationStep(step=1, contact=text, when=text), BY)


# ------------------------------------------------------------------ the file


def test_the_file_is_a_word_package(filled: Report) -> None:
    data = render_docx(filled)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        names = package.namelist()
        assert "word/document.xml" in names
        assert "[Content_Types].xml" in names
        assert not any("thumbnail" in name for name in names)  # not python-docx's picture
    read(data)


def test_the_same_report_gives_the_same_bytes(filled: Report) -> None:
    assert render_docx(filled) == render_docx(filled)


def test_core_properties_name_the_report(filled: Report) -> None:
    props = read(render_docx(filled)).core_properties
    assert props.title == "Support assistant readiness report"
    assert props.created is not None
    assert props.created.isoformat().startswith("2026-05-03T10:00:00")


def test_an_unreadable_generated_time_leaves_the_created_date_alone(filled: Report) -> None:
    report = filled.model_copy(update={"generated_at": "sometime"})
    document = read(render_docx(report))
    assert document.core_properties.title == "Support assistant readiness report"
    assert any("Generated: sometime" in p.text for p in document.paragraphs)


# ------------------------------------------------------------------ the summary page


def summary_page(document: Any) -> list[Any]:
    """The paragraphs before the first page break."""
    page: list[Any] = []
    for paragraph in document.paragraphs:
        if paragraph._p.findall(f".//{W}br[@{W}type='page']"):
            return page
        page.append(paragraph)
    raise AssertionError("no page break after the summary")


def test_the_summary_page_holds_the_verdict_and_every_blocker(sample: bytes) -> None:
    document = read(sample)
    page = [p.text for p in summary_page(document)]
    assert page[0] == "Readiness report: Support reply assistant"
    assert page[1].startswith("Verdict: NO-GO. 2 blockers must be resolved")
    assert "Risk level: medium" in page
    assert any(line.startswith("System: Drafts replies") for line in page)
    blockers = page[page.index("Blockers") + 1 : page.index("Open points")]
    assert blockers == [
        "Quality thresholds: Hallucination rate measured 6.36%, which misses the target < 5%",
        "Quality thresholds: Error rate has no written reasoning, so the threshold is not defined",
    ]
    # no section heading before the page break: the navigation pane starts at Blockers
    assert not [p for p in summary_page(document) if p.style.name.startswith("Heading")]


def test_the_summary_matches_the_verdict_of_the_model(filled: Report) -> None:
    document = read(render_docx(filled))
    page = [p.text for p in summary_page(document)]
    r = filled.readiness
    assert page[1].startswith(f"Verdict: {verdict_title(r)}.")
    blockers = page[page.index("Blockers") + 1 : page.index("Open points")]
    assert blockers == [f"{area_title(b.area)}: {b.reason}" for b in r.blockers]
    assert r.blockers


def test_the_summary_shows_the_evidence_behind_each_threshold(filled: Report) -> None:
    page = [p.text for p in summary_page(read(render_docx(filled)))]
    evidence = page[page.index("Evidence behind each threshold") + 1 :]
    assert len([line for line in evidence if line]) == len(filled.thresholds)
    accuracy = next(t for t in filled.thresholds if t.metric == "accuracy")
    line = next(line for line in evidence if line.startswith(f"{accuracy.name}:"))
    assert describe_target(accuracy.comparator, accuracy.target, accuracy.unit) in line
    assert describe_measured(accuracy.measured, accuracy.unit) in line
    assert "95% CI" in line
    assert THRESHOLD_STATUS_WORDS[accuracy.measured.status] in line
    assert "eval run 7" in line


def test_the_summary_caps_a_long_list_of_open_points(filled: Report) -> None:
    points = filled.readiness.open_points
    assert len(points) > SUMMARY_OPEN_POINTS
    page = [p.text for p in summary_page(read(render_docx(filled)))]
    shown = page[page.index("Open points") + 1 : page.index("Evidence behind each threshold")]
    assert shown[:-1] == [f"{area_title(b.area)}: {b.reason}" for b in points][:SUMMARY_OPEN_POINTS]
    assert shown[-1] == f"And {len(points) - SUMMARY_OPEN_POINTS} more: see Open points below."


# ------------------------------------------------------------------ structure


def test_the_sections_are_heading_1_in_the_markdown_order(sample: bytes) -> None:
    document = read(sample)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [title for _, title in SECTIONS]
    sub = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert sub[0].startswith("Testing (")
    assert "Runs" in sub
    assert "Bias check" in sub


def test_tables_have_header_rows_that_repeat_on_each_page(sample: bytes) -> None:
    document = read(sample)
    assert len(document.tables) > 5
    firsts = []
    for table in document.tables:
        first = table.rows[0]
        flag = first._tr.find(f"{W}trPr/{W}tblHeader")
        assert flag is not None
        assert flag.get(f"{W}val") in (None, "true", "1")
        assert all(r.bold for cell in first.cells for p in cell.paragraphs for r in p.runs)
        assert table.rows[1]._tr.find(f"{W}trPr/{W}tblHeader") is None
        firsts.append(tuple(cell.text for cell in first.cells))
    assert ("Area", "Score", "Checks passed") in firsts
    assert ("Item", "Status", "Owner", "Evidence", "Not applicable because") in firsts
    assert ("Metric", "Target", "Measured", "Status", "Reasoning") in firsts
    assert RUN_HEADERS in firsts
    assert ("When", "Who", "What", "Old", "New") in firsts


def test_table_rows_are_the_models_rows(filled: Report) -> None:
    document = read(render_docx(filled))
    checklist = [
        t for t in document.tables if t.rows[0].cells[0].text == "Item"
    ]  # one table per checklist section
    rows = [row for table in checklist for row in list(table.rows)[1:]]
    assert len(rows) == len(filled.checklist)
    edge = next(r for r in rows if r.cells[3].text == "Suite run: 48/50")
    assert edge.cells[1].text == "Done"
    assert edge.cells[2].text == "—"


def test_lists_are_word_bullets(filled: Report) -> None:
    document = read(render_docx(filled))
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "Risk level: medium" in bullets
    assert "Dana" in bullets and "Sam" in bullets  # the attendees
    assert any(b.startswith("Q1: Who signs off the bias waiver?") for b in bullets)
    assert "Rationale: r" in bullets


def test_playbook_steps_are_numbered_lists_that_restart(sample: bytes) -> None:
    document = read(sample)
    steps = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert steps
    num_ids = {p._p.pPr.numPr.numId.val for p in steps}
    phases = [p for p in document.paragraphs if p.style.name == "Heading 3"]
    assert len(num_ids) > 1 and len(num_ids) <= len(phases)


def test_history_shows_at_most_what_the_markdown_shows() -> None:
    store = memory_store()
    for n in range(HISTORY_LIMIT + 20):
        store.update("workshop", None, {"attendees": [f"person {n}"]}, BY)
    document = read(render_docx(report_of(store)))
    history = next(t for t in document.tables if t.rows[0].cells[0].text == "When")
    assert len(history.rows) == HISTORY_LIMIT + 1
    assert f"The latest {HISTORY_LIMIT} changes, newest first." in texts(document)


def test_header_names_the_project_and_footer_counts_pages(filled: Report) -> None:
    section = read(render_docx(filled)).sections[0]
    assert section.header.paragraphs[0].text == "Support assistant"
    footer = section.footer.paragraphs[0]
    codes = [t.text.strip() for t in footer._p.iter(f"{W}instrText")]
    assert codes == ["PAGE", "NUMPAGES"]
    kinds = [f.get(f"{W}fldCharType") for f in footer._p.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"] * 2
    assert footer.text == "Page 1 of 1"  # until Word updates the fields


# ------------------------------------------------------------------ typed text


def test_hostile_text_stays_text() -> None:
    store = memory_store()
    hostile(store, HOSTILE)
    document = read(render_docx(report_of(store)))
    seen = texts(document)
    assert seen.count(f"Readiness report: {HOSTILE}") == 1
    assert f"Decision 1: {HOSTILE}" in seen
    assert f"Rationale: {HOSTILE}" in seen
    assert HOSTILE in seen  # an attendee, an escalation contact, a table cell
    assert seen.count(HOSTILE) >= 3
    assert document.sections[0].header.paragraphs[0].text == HOSTILE
    assert document.core_properties.title == f"{HOSTILE} readiness report"
    # and nothing the text holds became structure: no bold run, no extra table
    xml = zipfile.ZipFile(io.BytesIO(render_docx(report_of(store)))).read("word/document.xml")
    assert b"<w:t>injected</w:t>" not in xml


@pytest.mark.parametrize("part", HOSTILE_PARTS)
def test_each_hostile_part_round_trips_exactly(part: str) -> None:
    store = memory_store()
    operations.decide(store, BY, title=part, decision=part, rationale=part)
    document = read(render_docx(report_of(store)))
    assert f"Decision 1: {part}" in [p.text for p in document.paragraphs]
    assert f"Decision: {part}" in [p.text for p in document.paragraphs]


def test_control_characters_never_crash_the_export() -> None:
    store = memory_store()
    hostile(store, CONTROLS)
    document = read(render_docx(report_of(store)))
    shown = reveal_invisible(CONTROLS).replace("\uffff", "⟨U+FFFF⟩")
    assert f"Decision 1: {shown}" in [p.text for p in document.paragraphs]
    for text in texts(document):
        assert not any(ord(c) < 32 and c not in "\t\n" for c in text)
        assert "\uffff" not in text and "\u202e" not in text
    assert "⟨U+0007⟩" in shown and "⟨U+0000⟩" in shown


def test_line_breaks_in_long_text_stay_line_breaks() -> None:
    store = memory_store()
    operations.decide(store, BY, title="t", decision="first line\n\n  second line", rationale="r")
    paragraphs = [p.text for p in read(render_docx(report_of(store))).paragraphs]
    assert "Decision: first line\nsecond line" in paragraphs


def test_a_completed_project_says_go() -> None:
    store = memory_store()
    fill_everything(store)
    document = read(render_docx(report_of(store)))
    assert document.paragraphs[1].text == "Verdict: GO. Every readiness check passes."
    page = [p.text for p in summary_page(document)]
    assert page[page.index("Blockers") + 1] == "None."


def test_export_writes_a_word_file(cli: Runner, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.docx"
    assert cli("export", project, "--format", "docx", "-o", out).code == 0
    assert read(out.read_bytes()).paragraphs[0].text == "Readiness report: Demo"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_it(sample: bytes, tmp_path: Path) -> None:
    source = tmp_path / "report.docx"
    source.write_bytes(sample)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
