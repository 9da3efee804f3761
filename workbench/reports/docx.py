"""The Word report: for a steering committee to read, edit further and sign.

It opens on a one-page summary (the verdict, every blocker, the action items, the
sign-offs recorded and still missing, and the evidence behind each threshold on one
line), then a page break, then the sections of the Markdown report in the same order
with the same content, as real Word structure:
built-in "Heading 1/2/3" styles (so the navigation pane and a table of contents field
work), tables whose header row repeats on every page, and "List Bullet" / "List Number"
lists. The header names the project; the footer says "Page N of M" with PAGE and
NUMPAGES fields.

Every string a person typed goes through :func:`_clean` (running text) or :func:`_line`
(table cells, headings, one-line labels): invisible and control characters are shown as
``⟨U+XXXX⟩`` as in the other formats (XML 1.0 cannot hold most of them), and everything
else, ``<b>``, ``]]>``, ``&amp;``, ``{{ x }}``, emoji or right-to-left script, stays as
typed: python-docx writes it as text, never as markup.

Its words come from ``reports.wording``, ``reports.evidence_words`` and
``reports.approval_words``, shared with the Markdown and HTML reports, so every format
says the same things. A stale sign-off (or a required one missing) says so in words,
and its row or line is set in bold.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from workbench.agenda import step_title
from workbench.governance import Governance, SignoffState
from workbench.invisible import reveal_invisible
from workbench.readiness import Blocker
from workbench.reports import approval_words as approval
from workbench.reports import evidence_words as ev
from workbench.reports.model import Report
from workbench.reports.wording import (
    DECISION_STATUS_WORDS,
    ITEM_STATUS_WORDS,
    MEASURE_STATUS_WORDS,
    NONE,
    OVERSIGHT_KIND_TITLES,
    SECTION_TITLES,
    SESSION_COLUMNS,
    STAGE_STATUS_WORDS,
    THRESHOLD_STATUS_WORDS,
    answered_questions,
    area_title,
    decision_heading,
    describe_alert_condition,
    describe_measured,
    describe_minutes,
    describe_target,
    made_from_question,
    percent,
    plural,
    question_outcome,
    readable_time,
    rollback_tested,
    session_row,
    stage_traffic,
    superseded_by,
    test_set_figures,
    verdict_summary,
    verdict_title,
)
from workbench.units import format_value

# Characters XML 1.0 cannot hold that ``reveal_invisible`` leaves alone (U+FFFE, U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The summary page lists every blocker, and this many open points (all are in their section).
SUMMARY_OPEN_POINTS = approval.SUMMARY_POINTS
SUMMARY_NOTE_CHARS = 160  # of a sign-off's note on the summary (its section has it all)
# Zip entries get this fixed time, so the same report gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

Doc = Any  # python-docx's Document object (its package types are partial)
Paragraph = Any


def _shown(match: re.Match[str]) -> str:
    return f"⟨U+{ord(match.group()):04X}⟩"


def _clean(text: str) -> str:
    """Text a person typed, as running text: invisible characters shown, lines trimmed,
    blank lines dropped (each line break stays a line break)."""
    text = _NOT_XML.sub(_shown, reveal_invisible(text))
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _line(text: str) -> str:
    """Text a person typed, on one line: a table cell, a heading or a label."""
    return " ".join(_NOT_XML.sub(_shown, reveal_invisible(text)).split())


# ------------------------------------------------------------------ building blocks


# python-docx's element machinery costs more per element than a report of thousands of
# decisions can afford (its add_paragraph also scans the body on every call, and moving
# parsed elements between lxml documents reconciles every node), so the body is written
# as WordprocessingML text and put into word/document.xml as the package is written.
# Only ``_xml_text`` puts text in it, escaped there.
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TABLE_WIDTH = 8640  # twentieths of a point: the text width of the page
_PRESERVED = '<w:t xml:space="preserve">'


def _xml_text(text: str) -> str:
    """``text`` as the inside of a run: ``<w:t>`` pieces with ``<w:tab/>`` and
    ``<w:br/>`` between; anything XML 1.0 cannot hold is shown as ``⟨U+XXXX⟩``."""
    text = _NOT_XML.sub(_shown, text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\n" not in text and "\t" not in text:
        return f"{_PRESERVED}{text}</w:t>" if text else ""
    parts = []
    for n, line in enumerate(text.split("\n")):
        if n:
            parts.append("<w:br/>")
        for m, piece in enumerate(line.split("\t")):
            if m:
                parts.append("<w:tab/>")
            if piece:
                parts.append(f"{_PRESERVED}{piece}</w:t>")
    return "".join(parts)


def _run(text: str, bold: bool = False, italic: bool = False, size: int = 0) -> str:
    """A run of ``text`` (``size`` in half-points; 0 for the style's)."""
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    if size:
        props += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{_xml_text(text)}</w:r>"


class _Writer:
    """Adds headings, paragraphs, lists and tables to one document's body."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self._parts: list[str] = []
        self._style_ids: dict[str, str] = {}
        self._abstract_num: int | None = None

    def body_xml(self) -> bytes:
        """What was written, as the body's content (before its section settings)."""
        return "".join(self._parts).encode("utf-8")

    def _style_id(self, style: str) -> str:
        if style not in self._style_ids:
            self._style_ids[style] = self.doc.styles[style].style_id
        return self._style_ids[style]

    def _add(self, runs: str, style: str | None = None, props: str = "") -> None:
        """A paragraph of ``runs`` (XML), in ``style``, with more paragraph ``props``."""
        if style is not None:
            props = f'<w:pStyle w:val="{self._style_id(style)}"/>' + props
        self._parts.append(f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{runs}</w:p>")

    def heading(self, text: str, level: int) -> None:
        self._add(_run(_line(text)), "Title" if level == 0 else f"Heading {level}")

    def section(self, anchor: str) -> None:
        self.heading(SECTION_TITLES[anchor], 1)

    def paragraph(self, text: str, style: str | None = None) -> None:
        self._add(_run(_clean(text)), style)

    def note(self, text: str) -> None:
        """A line of ours ("None recorded.", "No playbook written.")."""
        self._add(_run(text))

    def italic(self, text: str) -> None:
        self._add(_run(text, italic=True))

    def bold_lead(self, lead: str, text: str, style: str | None = None, size: int = 0) -> None:
        """A paragraph that opens with ``lead`` in bold (already clean) then ``text``."""
        runs = _run(lead, bold=True, size=size) + (_run(text, size=size) if text else "")
        self._add(runs, style)

    def label(self, text: str) -> None:
        """A bold line that introduces what follows on the summary page."""
        self._add(_run(text, bold=True), props="<w:keepNext/>")

    def page_break(self) -> None:
        self._add('<w:r><w:br w:type="page"/></w:r>')

    def field(self, label: str, text: str) -> None:
        """A ``• Label: text`` list item (``label`` is ours, ``text`` was typed)."""
        self.bold_lead(f"{label}: ", _clean(text) or NONE, "List Bullet")

    def bullet(self, text: str) -> None:
        self.paragraph(text or NONE, "List Bullet")

    def numbered(self, steps: Sequence[str]) -> None:
        """A numbered list that starts again at 1 (Word numbers every "List Number"
        paragraph in one sequence unless a list has its own numbering instance)."""
        num_id = self._new_numbering()
        props = ""
        if num_id is not None:
            props = f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'
        for step in steps:
            self._add(_run(_line(step) or NONE), "List Number", props)

    def _new_numbering(self) -> int | None:
        try:
            style: Any = self.doc.styles["List Number"]
            style_num_id = style.element.pPr.numPr.numId.val
            numbering = self.doc.part.numbering_part.element
        except (AttributeError, KeyError, NotImplementedError):
            return None
        if self._abstract_num is None:
            self._abstract_num = numbering.num_having_numId(style_num_id).abstractNumId.val
        num = numbering.add_num(self._abstract_num)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return int(num.numId)

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[str]],
        empty: str = "None recorded.",
        bold: Sequence[bool] = (),
    ) -> None:
        """A table with a bold header row that repeats on every page; cells are cleaned
        here, so callers pass plain text. A row whose ``bold`` flag is set is in bold."""
        body = [[_line(c) or NONE for c in row] for row in rows]
        flags = [*bold]
        if not body:
            self.note(empty)
            return
        columns = len(headers)
        grid = f'<w:gridCol w:w="{_TABLE_WIDTH // columns}"/>' * columns
        parts = [
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{self._style_id("Table Grid")}"/>'
            '<w:tblW w:type="auto" w:w="0"/><w:tblLook w:val="04A0"/></w:tblPr>'
            f'<w:tblGrid>{grid}</w:tblGrid><w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>',
            *(f"<w:tc><w:p>{_run(_line(h), bold=True)}</w:p></w:tc>" for h in headers),
            "</w:tr>",
        ]
        for n, row in enumerate(body):
            cells = [*row[:columns], *([""] * (columns - len(row)))]
            strong = n < len(flags) and flags[n]
            parts.append(
                "<w:tr>"
                + "".join(f"<w:tc><w:p>{_run(c, bold=strong)}</w:p></w:tc>" for c in cells)
                + "</w:tr>"
            )
        parts.append("</w:tbl>")
        self._parts.append("".join(parts))
        self._add("")  # Word joins two tables with nothing between them


def _field_code(paragraph: Paragraph, code: str, shown: str) -> None:
    """A complex field (``PAGE``, ``NUMPAGES``) in ``paragraph``, showing ``shown`` until
    Word updates it."""

    def run_with(*children: Any) -> None:
        run = OxmlElement("w:r")
        for child in children:
            run.append(child)
        paragraph._p.append(run)

    def fld_char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    text = OxmlElement("w:t")
    text.text = shown
    run_with(fld_char("begin"))
    run_with(instr)
    run_with(fld_char("separate"))
    run_with(text)
    run_with(fld_char("end"))


def _page_furniture(doc: Doc, report: Report) -> None:
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = _line(report.project.name) or NONE
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    _field_code(footer, "PAGE", "1")
    footer.add_run(" of ")
    _field_code(footer, "NUMPAGES", "1")


def _properties(doc: Doc, report: Report) -> None:
    props = doc.core_properties
    props.title = f"{_line(report.project.name)} readiness report"[:255]
    props.subject = "Readiness report"
    props.author = _line(report.project.owner)[:255]
    props.last_modified_by = ""
    props.comments = f"Generated by the workbench from the {_line(report.guide.title)} checklist"
    props.revision = 1
    try:
        created = dt.datetime.fromisoformat(report.generated_at)
    except ValueError:
        return
    if created.tzinfo is not None:
        created = created.astimezone(dt.UTC).replace(tzinfo=None)
    props.created = created
    props.modified = created


# ------------------------------------------------------------------ the summary page


def _points(w: _Writer, points: Sequence[Blocker]) -> None:
    """Each point with its action item (owner, due date, OVERDUE)."""
    if not points:
        w.note("None.")
    for b in points:
        w.bold_lead(f"{_line(area_title(b.area))}: ", _line(approval.point_text(b)), "List Bullet")


def _not_signed(record: Governance, role: str) -> str:
    """``security: not signed``; for a role whose only sign-offs are stale, ``not signed
    for the content as it is now`` (its stale sign-off is listed above it)."""
    return f"{role}: not signed" + (" for the content as it is now" if record.latest(role) else "")


def _brief_note(signoff: SignoffState) -> SignoffState:
    """The sign-off with its note cut to a line or two, for the summary page."""
    if len(signoff.note) <= SUMMARY_NOTE_CHARS:
        return signoff
    note = signoff.note[: SUMMARY_NOTE_CHARS - 1] + "…"
    return signoff.model_copy(update={"note": note})


def _summary(w: _Writer, report: Report) -> None:
    p = report.project
    r = report.readiness
    g = report.governance
    w.heading(f"Readiness report: {p.name}", 0)
    w.bold_lead(f"Verdict: {verdict_title(r)}. ", _line(verdict_summary(r)), size=28)
    if p.system:
        w.field("System", p.system)
    if p.use:
        w.field("Use", p.use)
    w.field("Risk level", p.risk)
    w.field("Owner", p.owner)
    w.field("Checklist template", report.guide.title)
    w.field("Generated", readable_time(report.generated_at))
    blockers, points, more = approval.summary_points(report)
    w.label(SECTION_TITLES["blockers"])
    _points(w, blockers)
    w.label("Action items")
    _points(w, points)
    if more:
        w.italic(f"And {more:,} more under {SECTION_TITLES['open-points']}.")
    w.label(SECTION_TITLES["signoffs"])
    w.paragraph(_line(approval.signoff_summary(g)))
    for s in g.signoffs:
        line = _line(approval.signoff_line(_brief_note(s)))
        if s.stale:
            w.bold_lead(line, "", "List Bullet")
        else:
            w.bullet(line)
    for role in g.missing_roles:
        w.bold_lead(_line(_not_signed(g, role)), "", "List Bullet")
    w.label("Evidence behind each threshold")
    if not report.thresholds:
        w.note("No thresholds defined.")
    for t in report.thresholds:
        w.bold_lead(f"{_line(t.name)}: ", _line(approval.evidence_line(t)), "List Bullet")
    w.italic(_line(approval.fixed_words(g)))
    w.page_break()


# ------------------------------------------------------------------ the sections


def _blockers(w: _Writer, report: Report) -> None:
    w.section("blockers")
    _points(w, report.readiness.blockers)
    w.section("open-points")
    _points(w, report.readiness.open_points)


def _signoffs(w: _Writer, report: Report) -> None:
    g = report.governance
    w.section("signoffs")
    w.paragraph(_line(approval.signoff_summary(g)))
    rows = approval.signoff_rows(g)
    if rows:
        # a stale sign-off, and a required one nobody has made, in bold (the words say so)
        bold = [s.stale for s in g.signoffs] + [True] * (len(rows) - len(g.signoffs))
        w.table(approval.SIGNOFF_COLUMNS, rows, bold=bold)
    w.paragraph(_line(approval.digest_words(g)))
    if report.since is not None:  # what changed since an earlier report (export --since)
        w.heading(approval.SINCE_TITLE, 1)
        w.paragraph(_line(approval.since_words(report)))
        for group in report.since.groups:
            w.heading(group.title, 2)
            for line in group.lines:
                w.bullet(_line(line))


def _scores(w: _Writer, report: Report) -> None:
    w.section("scores")
    rows = [
        (s.title, percent(s.score), f"{s.passed} of {s.total}" if s.total else "no checks")
        for s in report.readiness.scores
    ]
    w.table(("Area", "Score", "Checks passed"), rows)


def _checklist(w: _Writer, report: Report) -> None:
    w.section("checklist")
    by_section: dict[str, list[Any]] = {}
    for item in report.checklist:
        by_section.setdefault(item.section, []).append(item)
    for section in report.checklist_sections:
        counts = f"{section.done} of {section.total} done"
        if section.not_applicable:
            counts += f", {section.not_applicable} not applicable"
        w.heading(f"{section.title} ({counts})", 2)
        rows = [
            (
                i.title,
                ITEM_STATUS_WORDS.get(i.status, i.status),
                i.owner,
                i.evidence,
                i.reason if i.status == "na" else "",
            )
            for i in by_section.get(section.id, [])
        ]
        w.table(("Item", "Status", "Owner", "Evidence", "Not applicable because"), rows)


def _thresholds(w: _Writer, report: Report) -> None:
    w.section("thresholds")
    rows = [
        (
            t.name,
            describe_target(t.comparator, t.target, t.unit),
            describe_measured(t.measured, t.unit),
            THRESHOLD_STATUS_WORDS[t.measured.status],
            t.reasoning,
        )
        for t in report.thresholds
    ]
    w.table(
        ("Metric", "Target", "Measured", "Status", "Reasoning"),
        rows,
        empty="No thresholds defined.",
    )
    g = report.governance
    w.paragraph(_line(approval.fixed_words(g)))
    changes = approval.threshold_change_rows(g)
    if changes:
        w.table(
            approval.THRESHOLD_CHANGE_COLUMNS,
            changes,
            bold=[c.loosened_after_miss for c in g.thresholds.changes],
        )


def _evidence(w: _Writer, report: Report) -> None:
    evidence = report.evidence
    w.section("evidence")
    run = ev.latest(evidence)
    if run is None:
        w.note("No evaluation runs imported yet.")
        return
    w.heading("Runs", 2)
    w.table(ev.RUN_HEADERS, ev.run_rows(evidence))
    m = run.metrics
    w.heading(f"Latest run: {run.label}", 2)
    w.table(ev.FIGURE_HEADERS, ev.figure_rows(m), empty="It measures no built-in metric.")
    if m.scores:
        w.heading("Named scores", 3)
        w.table(ev.FIGURE_HEADERS, ev.score_rows(m))
    for title, slices in (("By category", m.by_category), ("By group", m.by_group)):
        if len(slices) > 1 or (slices and "" not in slices):
            w.heading(title, 3)
            w.table((title.split()[-1].capitalize(), *ev.SLICE_HEADERS), ev.slice_rows(slices))
    notes = ev.import_notes(run)
    if notes:
        w.heading("What the import did", 3)
        for note in notes:
            w.bullet(note)
    bias = ev.bias_lines(evidence)
    w.heading("Bias check", 2)
    if bias is None:
        w.note("Fewer than two user groups: no gap to measure.")
    else:
        w.bold_lead(f"{_line(bias[0])}. ", f"{_line(bias[1])}.")
    if evidence.comparison is not None:
        w.heading("Compared with the run before", 2)
        w.paragraph(_line(ev.comparison_title(evidence)))
        w.table(ev.CHANGE_HEADERS, ev.change_rows(evidence))
        for line in evidence.comparison.cases.lines():
            if line.strip():
                w.paragraph(line.strip())


def _dataset(w: _Writer, report: Report) -> None:
    ds = report.dataset
    w.section("test-set")
    w.field("Risk level", f"{ds.risk} (minimum {ds.minimum} test cases)")
    for label, value in test_set_figures(ds):
        w.field(label, value)
    w.field("Edge cases", str(ds.edge_cases))
    w.field("Adversarial cases", str(ds.adversarial_cases))
    if ds.notes:
        w.field("Notes", ds.notes)
    if ds.composition:
        w.heading("Composition", 2)
        rows = [(c.category, str(c.planned), str(c.actual)) for c in ds.composition]
        w.table(("Category", "Planned", "Actual"), rows)


def _rollout(w: _Writer, report: Report) -> None:
    ro = report.rollout
    w.section("rollout")
    w.heading("Chosen deployment patterns", 2)
    chosen = [p for p in ro.patterns if p.chosen]
    if not chosen:
        w.note("No deployment pattern chosen yet.")
    for p in chosen:
        lead = _line(p.title) + (": " if p.notes else "")
        w.bold_lead(lead, _clean(p.notes), "List Bullet")
    w.heading("Stages", 2)
    if ro.stages:
        rows = [
            (f"Week {s.week}", stage_traffic(s.traffic), s.criterion, STAGE_STATUS_WORDS[s.status])
            for s in ro.stages
        ]
        w.table(("Week", "Traffic", "Criterion to go on", "Status"), rows)
    else:
        w.note("No rollout stages planned.")
    st = ro.settings
    w.heading("Settings", 2)
    w.field("Shadow mode", plural(st.shadow_weeks, "week"))
    w.field("Shadow comparison", st.shadow_comparison)
    w.field("Human-in-the-loop approval target", format_value(st.hitl_approval_target, "rate"))
    w.field("Human-in-the-loop notes", st.hitl_notes)
    w.field("Feature flag tool", st.flag_tool)


def _monitoring(w: _Writer, report: Report) -> None:
    mon = report.monitoring
    w.section("monitoring")
    w.heading("Alerts", 2)
    if mon.alerts:
        rows = [
            (
                a.signal,
                describe_alert_condition(a.comparator, a.value, a.unit, a.window_minutes),
                a.condition,
                a.response,
                a.owner,
                "Yes" if a.enabled else "No",
            )
            for a in mon.alerts
        ]
        w.table(("Signal", "Fires when", "Note", "Response", "Owner", "On"), rows)
    else:
        w.note("No alerts configured.")
    log = mon.logging
    w.heading("Logging", 2)
    w.field("Always log", ", ".join(log.always))
    w.field("Optionally log", ", ".join(log.optionally))
    w.field("Never log", ", ".join(log.never))
    w.field("Retention", plural(log.retention_days, "day") if log.retention_days else "not set")
    if log.retention_note:
        w.field("Retention note", log.retention_note)


def _incident_response(w: _Writer, report: Report) -> None:
    ir = report.incident_response
    w.section("incident-response")
    w.heading("Severity levels", 2)
    w.table(
        ("Severity", "Definition", "Respond within", "Example"),
        [
            (s.title, s.definition, describe_minutes(s.response_minutes), s.example)
            for s in ir.severity_levels
        ],
        empty="No severity levels defined.",
    )
    w.heading("Playbook", 2)
    for phase in ir.playbook:
        w.heading(f"{phase.title} ({phase.window})" if phase.window else phase.title, 3)
        if phase.steps:
            w.numbered(phase.steps)
        else:
            w.note("No steps written.")
    if not ir.playbook:
        w.note("No playbook written.")
    w.heading("Rollback options", 2)
    w.table(
        ("Option", "Description", "Speed", "Best for", "Last tested: by whom, what"),
        [
            (r.title, r.description, r.speed, r.best_for, rollback_tested(r))
            for r in ir.rollback_options
        ],
        empty="No rollback options listed.",
    )
    w.heading("On call", 2)
    w.table(
        ("Role", "Person"),
        [(o.role, o.person or "nobody assigned") for o in ir.on_call],
        empty="No on-call roles listed.",
    )
    w.heading("Escalation", 2)
    w.table(
        ("Step", "Contact", "When"),
        [(str(e.step), e.contact, e.when) for e in ir.escalation],
        empty="No escalation path defined.",
    )


def _oversight(w: _Writer, report: Report) -> None:
    w.section("oversight")
    measures = report.oversight.measures
    if not measures:
        w.note("No oversight measures listed.")
        return
    rows = [
        (
            OVERSIGHT_KIND_TITLES.get(m.kind, m.kind),
            m.text,
            MEASURE_STATUS_WORDS.get(m.status, m.status),
            m.notes,
        )
        for m in measures
    ]
    w.table(("Kind", "Measure", "Status", "Notes"), rows)


def _decisions(w: _Writer, report: Report) -> None:
    w.section("decisions")
    if not report.decisions:
        w.note("No decisions recorded.")
        return
    replaced_by = superseded_by(report.decisions)
    from_question = made_from_question(report.parking_lot)
    for d in report.decisions:
        w.heading(decision_heading(d, replaced_by), 2)
        if d.status == "superseded":
            w.italic("Superseded: kept for the record, no longer in force.")
        w.field("Status", DECISION_STATUS_WORDS.get(d.status, d.status))
        w.field("Date", d.date)
        w.field("Owner", d.owner)
        if d.supersedes is not None:
            w.field("Supersedes", f"decision {d.supersedes}")
        if d.id in from_question:
            w.field("From the parking lot", f"question {from_question[d.id]}")
        for label, text in (
            ("Context", d.context),
            ("Decision", d.decision),
            ("Rationale", d.rationale),
            ("Alternatives considered", d.alternatives),
            ("Consequences", d.consequences),
        ):
            if text:
                w.field(label, text)
        if d.links:
            w.field("Links", ", ".join(d.links))


def _parking_lot(w: _Writer, report: Report) -> None:
    w.section("parking-lot")
    open_questions = [q for q in report.parking_lot if not q.resolved]
    answered = answered_questions(report.parking_lot)
    resolved = len(report.parking_lot) - len(open_questions) - len(answered)
    if not open_questions:
        w.note("No open questions.")
    for q in open_questions:
        who = ", ".join(
            part
            for part in (
                f"raised by {q.raised_by}" if q.raised_by else "",
                f"at step {step_title(q.step)}" if q.step else "",
            )
            if part
        )
        text = _clean(q.text) + (f" ({_line(who)})" if who else "")
        w.bold_lead(f"Q{q.id}: ", text, "List Bullet")
    if answered:
        w.note("Answered:")
    for q in answered:
        w.bold_lead(
            f"Q{q.id}: ", f"{_clean(q.text)} ({_clean(question_outcome(q))})", "List Bullet"
        )
    if resolved:
        w.note(f"{plural(resolved, 'resolved question')} not shown.")


def _workshop(w: _Writer, report: Report) -> None:
    ws = report.workshop
    w.section("workshop")
    w.heading("Attendees", 2)
    if not ws.attendees:
        w.note("No attendees recorded.")
    for a in ws.attendees:
        w.bullet(_line(a))
    if ws.step:
        w.field("Workshop step reached", step_title(ws.step))
    w.heading("Sessions held", 2)
    if not report.sessions:
        w.note("No workshop sessions recorded.")
        return
    w.table(SESSION_COLUMNS, [session_row(s) for s in report.sessions])


def _history(w: _Writer, report: Report) -> None:
    rows = approval.history_rows(report.history)
    w.section("history")
    if not rows:
        w.note("No changes recorded.")
        return
    w.note(f"The latest {plural(len(rows), 'change')}, newest first.")
    w.table(approval.HISTORY_COLUMNS, rows)


_PARTS = (
    _blockers,
    _signoffs,
    _scores,
    _checklist,
    _thresholds,
    _evidence,
    _dataset,
    _rollout,
    _monitoring,
    _incident_response,
    _oversight,
    _decisions,
    _parking_lot,
    _workshop,
    _history,
)


def _package(data: bytes, body: bytes) -> bytes:
    """The package python-docx wrote, with ``body`` put into word/document.xml before
    the body's section settings, and every zip entry dated ``_ZIP_TIME``: the same
    report, the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                end = content.rfind(b"<w:sectPr")
                if end < 0:  # no section settings: the body ends the document
                    end = content.rindex(b"</w:body>")
                content = content[:end] + body + content[end:]
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()


def _drop_thumbnail(doc: Doc) -> None:
    """python-docx's template carries its own thumbnail picture: not this report's."""
    rels = doc.part.package.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del rels[r_id]


def render_docx(report: Report) -> bytes:
    """The readiness report as a Word document (.docx), as bytes."""
    doc = Document()
    _properties(doc, report)
    _page_furniture(doc, report)
    _drop_thumbnail(doc)
    w = _Writer(doc)
    _summary(w, report)
    for part in _PARTS:
        part(w, report)
    w.italic(
        f"Generated by the workbench on {_line(readable_time(report.generated_at))} "
        f"from the {_line(report.guide.title)} checklist."
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return _package(buffer.getvalue(), w.body_xml())
