"""The PDF report: for the steering committee that reads and signs it.

Page 1 is a one-page summary (the project, the verdict in large type, every blocker, the
action items, the sign-offs recorded and still missing, and the evidence behind each
threshold); then a contents list, and the same sections, in the same order and with the
same words, as the Markdown report. Every later page has a running header, and every page
a "page N of M" footer. A stale sign-off (or a required one missing) and a target
loosened after a miss are set in bold in the no-go colour, beside the words that say so.

Typed text stays text. ReportLab's ``Paragraph`` parses a mini-markup (``<b>``,
``<font>``, ``&amp;``...), so every string goes through :func:`_markup` (escaped, with
invisible characters shown as ``⟨U+XXXX⟩`` as in the other formats) before it reaches a
``Paragraph``; table cells short enough for one line, the header, the footer and chart
labels are drawn as plain strings, which ReportLab never parses.

The words come from ``reports.wording``, ``reports.evidence_words`` and
``reports.approval_words``, shared with the Markdown and HTML reports. Long parts are
capped (the History as in the Markdown; very long checklist sections and decision logs
with a note of what is left out) so that a year's project still renders in well under a
second or two.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

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

PAPER_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}

# What page 1 and the long parts show at most (the rest is counted, never silently dropped).
SUMMARY_OPEN_POINTS = approval.SUMMARY_POINTS
SUMMARY_NOTE_CHARS = 160  # of a sign-off's note
OPEN_POINTS_SHOWN = 100  # in the Open points section
CHECKLIST_ROWS = 60  # per checklist section; open items are shown first
DECISIONS_SHOWN = 100  # the newest ones, in full
CHART_ROWS = 25
CELL_CHARS = 1200  # a table row must fit on one page

MARGIN = 18 * mm
HEADER_GAP = 8 * mm
BODY_SIZE = 9
CELL_SIZE = 8
CELL_PAD = 3

VERDICT_COLOURS = {
    "go": colors.HexColor("#1b7a3a"),
    "conditional": colors.HexColor("#9a5b00"),
    "no_go": colors.HexColor("#b3261e"),
}
INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#57606a")
RULE = colors.HexColor("#c9ced4")
SHADE = colors.HexColor("#eef1f4")
BAR = colors.HexColor("#3b6ea8")
ALERT = VERDICT_COLOURS["no_go"]  # (with bold and words that say so: never colour alone)

# ------------------------------------------------------------------- fonts

# DejaVu Sans covers Latin, Greek, Cyrillic, Hebrew, Arabic and many symbols. It comes
# from the operating system (a Debian/Ubuntu package, often present on Linux and in CI),
# never from pip, so it may be missing: then the report falls back to the built-in
# Helvetica, which only draws the Windows-1252 (Latin-1) characters. Either way every
# character the font cannot draw is replaced (see ``_SUBSTITUTES``, else '?'), so the
# PDF never shows an empty box or a wrong glyph, and rendering never fails on it.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/truetype"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path.home() / "Library" / "Fonts",
    Path("C:/Windows/Fonts"),
)
_SUBSTITUTES = {"⟨": "<", "⟩": ">", "→": "->", "–": "-", "—": "-", "…": "...", "·": "-"}


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    covers: Callable[[str], bool]


def _windows_1252() -> frozenset[str]:
    chars = set()
    for byte in range(0x20, 0x100):
        try:
            chars.add(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            continue
    return frozenset(chars)


@functools.cache
def fonts() -> Fonts:
    """DejaVu Sans when the machine has it, else Helvetica (registered once a process)."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if not (regular.is_file() and bold.is_file()):
            continue
        try:
            faces = TTFont("WorkbenchSans", str(regular)), TTFont("WorkbenchSans-Bold", str(bold))
        except Exception:  # an unreadable or broken font file: try the next, or Helvetica
            continue
        for face in faces:
            pdfmetrics.registerFont(face)
        pdfmetrics.registerFontFamily(
            "WorkbenchSans",
            normal="WorkbenchSans",
            bold="WorkbenchSans-Bold",
            italic="WorkbenchSans",
            boldItalic="WorkbenchSans-Bold",
        )
        # (only the Basic Multilingual Plane: ReportLab's subsetting draws a character
        # beyond it, such as an emoji, as a different one, so those become '?')
        glyphs = frozenset(
            chr(code)
            for code in faces[0].face.charToGlyph.keys() & faces[1].face.charToGlyph.keys()
            if code <= 0xFFFF
        )
        return Fonts("WorkbenchSans", "WorkbenchSans-Bold", glyphs.__contains__)
    return Fonts("Helvetica", "Helvetica-Bold", _windows_1252().__contains__)


# ----------------------------------------------------------------- text


def _plain(text: str) -> str:
    """Text a person typed, as characters the font draws: invisible characters shown as
    ``⟨U+XXXX⟩`` (as the other formats show them), tabs as spaces, and characters the
    font lacks (most emoji, some scripts) replaced."""
    covers = fonts().covers
    text = reveal_invisible(text).replace("\t", " ")
    return "".join(
        c if c == "\n" or covers(c) else _SUBSTITUTES.get(c, "?") if covers("<") else "?"
        for c in text
    )


def _line(text: str) -> str:
    """Plain text on one line (a cell, a heading, a label)."""
    return " ".join(_plain(text).split())


def _markup(text: str) -> str:
    """Text a person typed, safe inside a ``Paragraph``: it shows exactly as typed; its
    lines are kept (blank ones dropped)."""
    lines = (escape(line.strip()) for line in _plain(text).split("\n"))
    return "<br/>".join(line for line in lines if line)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    verdict: ParagraphStyle
    verdict_note: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    bullet: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    cell_mark: ParagraphStyle
    mark: ParagraphStyle
    toc: ParagraphStyle


@functools.cache
def styles() -> Styles:
    f = fonts()

    def style(name: str, size: float, bold: bool = False, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=f.bold if bold else f.regular,
            fontSize=size,
            leading=extra.pop("leading", size * 1.25),
            textColor=extra.pop("textColor", INK),
            **extra,
        )

    return Styles(
        title=style("title", 17, True, spaceAfter=4),
        verdict=style("verdict", 30, True, textColor=colors.white, leading=34),
        verdict_note=style("verdict-note", 10.5, textColor=colors.white),
        h1=style("h1", 15, True, spaceBefore=6, spaceAfter=6),
        h2=style("h2", 11.5, True, spaceBefore=8, spaceAfter=4),
        h3=style("h3", 10, True, spaceBefore=6, spaceAfter=3),
        body=style("body", BODY_SIZE, spaceAfter=3),
        bullet=style("bullet", BODY_SIZE, spaceAfter=2, leftIndent=10, bulletIndent=0),
        small=style("small", 7.5, textColor=MUTED, spaceAfter=3),
        cell=style("cell", CELL_SIZE),
        cell_head=style("cell-head", CELL_SIZE, True),
        cell_mark=style("cell-mark", CELL_SIZE, True, textColor=ALERT),
        mark=style(
            "mark", BODY_SIZE, True, spaceAfter=2, leftIndent=10, bulletIndent=0, textColor=ALERT
        ),
        toc=style("toc", 10.5, leftIndent=0, firstLineIndent=0, spaceBefore=3),
    )


def _para(text: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of our words and typed text (``text`` is plain: it is escaped here)."""
    return Paragraph(_markup(text), style or styles().body)


def _field(label: str, text: str) -> Paragraph:
    """``Label: text``, the label in bold (``label`` is ours, ``text`` is escaped)."""
    return Paragraph(f"<b>{escape(label)}:</b> {_markup(text) or NONE}", styles().body)


def _bullet(label: str, text: str, marked: bool = False) -> Paragraph:
    """A bulleted line; ``marked`` sets it in bold in the no-go colour (its words say why)."""
    head = f"<b>{escape(_line(label))}:</b> " if label else ""
    return Paragraph(
        head + _markup(text),
        styles().mark if marked else styles().bullet,
        bulletText="•" if fonts().covers("•") else "-",
    )


def _note(text: str) -> Paragraph:
    return _para(text, styles().small)


# --------------------------------------------------------------- headings


class _Heading(Paragraph):
    """A heading that never ends a page: with less than ``room`` left below it, it moves
    to the next page (ReportLab's ``keepWithNext`` would also move every table taller
    than the space left). A section's heading (``key``) is also a contents entry, a PDF
    bookmark and an outline entry."""

    def __init__(self, text: str, style: ParagraphStyle, room: float, key: str | None = None):
        super().__init__(escape(_clip(_line(text), 400)), style)
        self.room = room
        if key is not None:
            self.toc_text = _line(text)
            self.toc_key = key

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        width, height = super().wrap(aW, aH)
        too_low = aH < height + self.room and height < 60 * mm  # (a page always has room)
        return (width, aH + 1) if too_low else (width, height)

    def split(self, aW: float, aH: float) -> list[Flowable]:
        return []  # a heading moves whole


class _Mark(Flowable):
    """A zero-size contents entry for something drawn inside a frame that the document
    cannot see into (page 1's summary is one shrink-to-fit block)."""

    def __init__(self, text: str, key: str) -> None:
        super().__init__()
        self.toc_text = text
        self.toc_key = key
        self.width = self.height = 0

    def draw(self) -> None:
        pass


def _section(anchor: str) -> list[Flowable]:
    return [_Heading(SECTION_TITLES[anchor], styles().h1, 40 * mm, key=anchor)]


def _subheading(text: str) -> Paragraph:
    return _Heading(text, styles().h2, 25 * mm)


def _minor(text: str) -> Paragraph:
    return _Heading(text, styles().h3, 18 * mm)


# ------------------------------------------------------------------ tables


def _cell(text: str, width: float, head: bool = False, marked: bool = False) -> str | Paragraph:
    """One cell: a plain string when it fits on one line (fast, and never parsed), else
    a wrapping paragraph of the escaped text (bold for a header or a ``marked`` row)."""
    f = fonts()
    plain = _clip(_line(text), CELL_CHARS) or NONE
    font = f.bold if head or marked else f.regular
    if pdfmetrics.stringWidth(plain, font, CELL_SIZE) <= width - 2 * CELL_PAD - 1:
        return plain
    st = styles()
    return Paragraph(escape(plain), st.cell_head if head else st.cell_mark if marked else st.cell)


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    widths: Sequence[float],
    frame_width: float,
    empty: str = "None recorded.",
    marked: Sequence[bool] = (),
) -> list[Flowable]:
    """A table whose header repeats on every page it runs onto; ``widths`` are shares.
    A row whose ``marked`` flag is set is drawn in bold in the no-go colour."""
    total = sum(widths)
    cols = [frame_width * w / total for w in widths]
    flags = [*marked]
    body = [
        [_cell(c, w, marked=n < len(flags) and flags[n]) for c, w in zip(row, cols, strict=True)]
        for n, row in enumerate(rows)
    ]
    if not body:
        return [_para(empty)]
    f = fonts()
    highlight = [
        command
        for n, flag in enumerate(flags[: len(body)], 1)
        if flag
        for command in (
            ("FONT", (0, n), (-1, n), f.bold, CELL_SIZE, CELL_SIZE * 1.25),
            ("TEXTCOLOR", (0, n), (-1, n), ALERT),
        )
    ]
    table = Table(
        [[_cell(h, w, head=True) for h, w in zip(headers, cols, strict=True)], *body],
        colWidths=cols,
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), f.regular, CELL_SIZE, CELL_SIZE * 1.25),
                ("FONT", (0, 0), (-1, 0), f.bold, CELL_SIZE, CELL_SIZE * 1.25),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                *highlight,
            ]
        )
    )
    return [table, Spacer(1, 4)]


# ------------------------------------------------------------------ charts


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # 0..1
    low: float | None
    high: float | None
    text: str


def _bar_chart(bars: Sequence[Bar], width: float, target: float | None = None) -> Drawing:
    """Horizontal bars on a 0–100% scale, with interval whiskers and an optional target
    line; labels are drawn as plain strings (never parsed)."""
    f = fonts()
    row, top, axis = 15.0, 4.0, 14.0
    label_w, text_w = width * 0.28, width * 0.24
    x0 = label_w + 6
    track = width - x0 - text_w
    height = top + row * len(bars) + axis
    d = Drawing(width, height)

    def x(share: float) -> float:
        return x0 + track * min(max(share, 0.0), 1.0)

    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        d.add(Line(x(tick), axis, x(tick), height - top, strokeColor=RULE, strokeWidth=0.4))
        d.add(String(x(tick), 3, percent(tick), fontName=f.regular, fontSize=6.5,
                     fillColor=MUTED, textAnchor="middle"))  # fmt: skip
    for i, bar in enumerate(bars):
        y = height - top - row * (i + 1)
        label = _clip(_line(bar.label), 34)
        while label and pdfmetrics.stringWidth(label, f.regular, 7.5) > label_w:
            label = label[:-2] + "…"
        d.add(String(label_w, y + 4.5, label, fontName=f.regular, fontSize=7.5,
                     fillColor=INK, textAnchor="end"))  # fmt: skip
        d.add(Rect(x0, y + 3, x(bar.value) - x0, 9, fillColor=BAR, strokeColor=None))
        if bar.low is not None and bar.high is not None:
            mid = y + 7.5
            d.add(Line(x(bar.low), mid, x(bar.high), mid, strokeColor=INK, strokeWidth=0.8))
            for end in (bar.low, bar.high):
                d.add(Line(x(end), mid - 3, x(end), mid + 3, strokeColor=INK, strokeWidth=0.8))
        d.add(String(x0 + track + 6, y + 4.5, _line(bar.text), fontName=f.regular,
                     fontSize=7.5, fillColor=INK))  # fmt: skip
    if target is not None:
        d.add(Line(x(target), axis, x(target), height - top, strokeColor=VERDICT_COLOURS["no_go"],
                   strokeWidth=1.2, strokeDashArray=[3, 2]))  # fmt: skip
    return d


def _accuracy_chart(points: Sequence[ev.Point], width: float, target: float | None) -> list[Any]:
    bars = [
        Bar(p.label, p.value, p.low, p.high, f"{format_value(p.value, 'rate', 1)} (n = {p.n})")
        for p in points[:CHART_ROWS]
    ]
    if not bars:
        return []
    chart: list[Any] = [_bar_chart(bars, width, target), Spacer(1, 3)]
    caption = "Accuracy with its 95% interval (whiskers)"
    if target is not None:
        caption += f"; dashed line: the accuracy target, {format_value(target, 'rate')}"
    if len(points) > CHART_ROWS:
        caption += f"; the first {CHART_ROWS} of {len(points)} shown (the table has all)"
    return [KeepTogether([*chart, _note(caption + ".")])]


# ----------------------------------------------------------------- page 1


def _threshold_lines(report: Report) -> list[tuple[str, str, str, str]]:
    return [
        (
            t.name,
            describe_target(t.comparator, t.target, t.unit),
            describe_measured(t.measured, t.unit),
            THRESHOLD_STATUS_WORDS[t.measured.status],
        )
        for t in report.thresholds
    ]


def _reason_list(points: Sequence[Blocker], limit: int | None = None) -> list[Flowable]:
    """Each point with its action item (owner, due date); an overdue one stands out."""
    if not points:
        return [_para("None.")]
    shown = points if limit is None else points[:limit]
    out: list[Flowable] = [
        _bullet(area_title(b.area), approval.point_text(b), marked=b.overdue) for b in shown
    ]
    if len(points) > len(shown):
        out.append(
            _note(
                f"The first {len(shown)} of {len(points):,}; the Markdown and HTML reports "
                "list every one."
            )
        )
    return out


def _not_signed(record: Governance, role: str) -> str:
    """``security: not signed``; for a role whose only sign-offs are stale, ``not signed
    for the content as it is now`` (its stale sign-off is listed above it)."""
    return f"{role}: not signed" + (" for the content as it is now" if record.latest(role) else "")


def _brief_note(signoff: SignoffState) -> SignoffState:
    """The sign-off with its note cut to a line or two (the Sign-off section has it all)."""
    if len(signoff.note) <= SUMMARY_NOTE_CHARS:
        return signoff
    return signoff.model_copy(update={"note": _clip(signoff.note, SUMMARY_NOTE_CHARS)})


def _signoff_lines(record: Governance) -> list[Flowable]:
    """The summary's sign-offs: one line each (a stale one stands out), then each
    required role nobody has signed for the content as it is."""
    return [
        _para(approval.signoff_summary(record)),
        *(
            _bullet("", approval.signoff_line(_brief_note(s)), marked=s.stale)
            for s in record.signoffs
        ),
        *(_bullet("", _not_signed(record, role), marked=True) for role in record.missing_roles),
    ]


def _summary(report: Report, width: float, height: float) -> list[Flowable]:
    p = report.project
    r = report.readiness
    g = report.governance
    st = styles()
    verdict = Table(
        [
            [Paragraph(f"Verdict: {escape(verdict_title(r))}", st.verdict)],
            [Paragraph(_markup(verdict_summary(r)), st.verdict_note)],
        ],
        colWidths=[width],
    )
    verdict.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), VERDICT_COLOURS.get(r.verdict, INK)),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, 0), 9),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 9),
            ]
        )
    )
    facts = [("Risk level", p.risk), ("Owner", p.owner)]
    if p.system:
        facts.insert(0, ("System", p.system))
    if p.use:
        facts.insert(1, ("Use", p.use))
    facts += [
        ("Checklist template", report.guide.title),
        ("Generated", readable_time(report.generated_at)),
    ]
    blockers, points, more = approval.summary_points(report)
    content: list[Flowable] = [
        Paragraph(f"Readiness report: {escape(_line(p.name))}", st.title),
        *(_field(label, _clip(value, 600)) for label, value in facts),
        Spacer(1, 6),
        verdict,
        Paragraph(escape(SECTION_TITLES["blockers"]), st.h2),
        *_reason_list(blockers),
        Paragraph("Action items", st.h2),
        *_reason_list(points),
        *([_note(f"And {more:,} more under {SECTION_TITLES['open-points']}.")] if more else []),
        Paragraph(escape(SECTION_TITLES["signoffs"]), st.h2),
        *_signoff_lines(g),
        Paragraph("Evidence behind each threshold", st.h2),
        *_table(
            ("Metric", "Target", "Measured (95% interval)", "Outcome", "From"),
            [
                (*line, t.measured.source)
                for line, t in zip(_threshold_lines(report), report.thresholds, strict=True)
            ],
            (2.6, 1.2, 4, 1.5, 1.6),
            width,
            empty="No thresholds defined.",
        ),
        _note(approval.fixed_words(g)),
    ]
    # One page, always: a summary too long for the page is shrunk to fit, not split.
    return [_Mark("Summary", "summary"), KeepInFrame(width, height, content, mode="shrink"),
            PageBreak()]  # fmt: skip


# ---------------------------------------------------------------- sections


def _blockers(report: Report, width: float) -> list[Flowable]:
    r = report.readiness
    return [
        *_section("blockers"),
        *_reason_list(r.blockers),
        *_section("open-points"),
        *_reason_list(r.open_points, OPEN_POINTS_SHOWN),
    ]


def _signoffs(report: Report, width: float) -> list[Flowable]:
    g = report.governance
    rows = approval.signoff_rows(g)
    # a stale sign-off, and a required one nobody has made, stand out (their words say so)
    marked = [s.stale for s in g.signoffs] + [True] * (len(rows) - len(g.signoffs))
    out = [*_section("signoffs"), _para(approval.signoff_summary(g))]
    if rows:
        out += _table(
            approval.SIGNOFF_COLUMNS, rows, (1.2, 2.6, 1.8, 2.0, 2.2), width, marked=marked
        )
    return [*out, _para(approval.digest_words(g)), *_since(report)]


def _since(report: Report) -> list[Flowable]:
    """What changed since an earlier report (``export --since``), topic by topic."""
    if report.since is None:
        return []
    out: list[Flowable] = [
        _Heading(approval.SINCE_TITLE, styles().h1, 40 * mm, key="since"),
        _para(approval.since_words(report)),
    ]
    for group in report.since.groups:
        out.append(_subheading(group.title))
        out += [_bullet("", line) for line in group.lines]
    return out


def _scores(report: Report, width: float) -> list[Flowable]:
    scores = report.readiness.scores
    rows = [
        (s.title, percent(s.score), f"{s.passed} of {s.total}" if s.total else "no checks")
        for s in scores
    ]
    out = [*_section("scores"), *_table(("Area", "Score", "Checks passed"), rows, (3, 1, 2), width)]
    bars = [Bar(s.title, s.score, None, None, percent(s.score)) for s in scores]
    return [*out, _bar_chart(bars, width)] if bars else out


def _checklist(report: Report, width: float) -> list[Flowable]:
    out = _section("checklist")
    for section in report.checklist_sections:
        counts = f"{section.done} of {section.total} done"
        if section.not_applicable:
            counts += f", {section.not_applicable} not applicable"
        out.append(_subheading(f"{section.title} ({counts})"))
        items = [i for i in report.checklist if i.section == section.id]
        shown = items
        if len(items) > CHECKLIST_ROWS:
            open_first = [i for i in items if i.status == "open"][:CHECKLIST_ROWS]
            rest = [i for i in items if i.status != "open"][: CHECKLIST_ROWS - len(open_first)]
            keep = {id(i) for i in (*open_first, *rest)}
            shown = [i for i in items if id(i) in keep]
        rows = [
            (
                i.title,
                ITEM_STATUS_WORDS.get(i.status, i.status),
                i.owner,
                i.evidence,
                i.reason if i.status == "na" else "",
            )
            for i in shown
        ]
        out += _table(
            ("Item", "Status", "Owner", "Evidence", "Not applicable because"),
            rows,
            (3.2, 1.1, 1.3, 3, 2),
            width,
        )
        if len(shown) < len(items):
            hidden = [i for i in items if id(i) not in {id(s) for s in shown}]
            still_open = sum(i.status == "open" for i in hidden)
            out.append(
                _note(
                    f"{plural(len(shown), 'item')} of {len(items):,} shown, open ones first; "
                    f"{len(hidden):,} more not shown ({still_open:,} of them open). "
                    "The Markdown and HTML reports list every item."
                )
            )
    return out


def _thresholds(report: Report, width: float) -> list[Flowable]:
    out = _section("thresholds")
    rows = [
        (*line, t.reasoning)
        for line, t in zip(_threshold_lines(report), report.thresholds, strict=True)
    ]
    out += _table(
        ("Metric", "Target", "Measured", "Status", "Reasoning"),
        rows,
        (2, 1, 2.6, 1.3, 3),
        width,
        empty="No thresholds defined.",
    )
    g = report.governance
    out.append(_para(approval.fixed_words(g)))
    changes = approval.threshold_change_rows(g)
    if changes:
        out += _table(
            approval.THRESHOLD_CHANGE_COLUMNS,
            changes,
            (2.1, 1.2, 1.8, 3.2, 1.8),
            width,
            marked=[c.loosened_after_miss for c in g.thresholds.changes],
        )
    return out


def _accuracy_target(report: Report) -> float | None:
    return next((t.target for t in report.thresholds if t.metric == "accuracy"), None)


def _evidence(report: Report, width: float) -> list[Flowable]:
    evidence = report.evidence
    out = _section("evidence")
    run = ev.latest(evidence)
    if run is None:
        return [*out, _para("No evaluation runs imported yet.")]
    out += [
        _subheading("Runs"),
        *_table(ev.RUN_HEADERS, ev.run_rows(evidence), (1, 1.4, 1.3, 1.3, 1, 2, 2.4), width),
    ]
    m = run.metrics
    out += [
        _subheading(f"Latest run: {run.label}"),
        *_table(
            ev.FIGURE_HEADERS,
            ev.figure_rows(m),
            (3, 1.2, 2, 1),
            width,
            empty="It measures no built-in metric.",
        ),
    ]
    if m.scores:
        out += [
            _minor("Named scores"),
            *_table(ev.FIGURE_HEADERS, ev.score_rows(m), (3, 1.2, 2, 1), width),
        ]
    for title, slices in (("By category", m.by_category), ("By group", m.by_group)):
        if len(slices) > 1 or (slices and "" not in slices):
            headers = (title.split()[-1].capitalize(), *ev.SLICE_HEADERS)
            out += [
                _minor(title),
                *_table(headers, ev.slice_rows(slices), (2, 1, 2, 2, 2), width),
                *_accuracy_chart(ev.accuracy_points(slices), width, _accuracy_target(report)),
            ]
    notes = ev.import_notes(run)
    if notes:
        out += [_minor("What the import did"), *(_bullet("", n) for n in notes)]
    bias = ev.bias_lines(evidence)
    out.append(_subheading("Bias check"))
    if bias is None:
        out.append(_para("Fewer than two user groups: no gap to measure."))
    else:
        out.append(Paragraph(f"<b>{_markup(bias[0])}.</b> {_markup(bias[1])}.", styles().body))
    if evidence.comparison is not None:
        out += [
            _subheading("Compared with the run before"),
            _para(ev.comparison_title(evidence)),
            *_table(ev.CHANGE_HEADERS, ev.change_rows(evidence), (2.4, 1, 1, 2.4, 2.4), width),
            *(_para(line.strip()) for line in evidence.comparison.cases.lines() if line.strip()),
        ]
    return out


def _dataset(report: Report, width: float) -> list[Flowable]:
    ds = report.dataset
    out = [
        *_section("test-set"),
        _field("Risk level", f"{ds.risk} (minimum {ds.minimum} test cases)"),
        *(_field(label, value) for label, value in test_set_figures(ds)),
        _field("Edge cases", str(ds.edge_cases)),
        _field("Adversarial cases", str(ds.adversarial_cases)),
    ]
    if ds.notes:
        out.append(_field("Notes", ds.notes))
    if ds.composition:
        rows = [(c.category, str(c.planned), str(c.actual)) for c in ds.composition]
        out += [
            _subheading("Composition"),
            *_table(("Category", "Planned", "Actual"), rows, (3, 1, 1), width * 0.7),
        ]
    return out


def _rollout(report: Report, width: float) -> list[Flowable]:
    ro = report.rollout
    out = [*_section("rollout"), _subheading("Chosen deployment patterns")]
    chosen = [p for p in ro.patterns if p.chosen]
    if not chosen:
        out.append(_para("No deployment pattern chosen yet."))
    out += [_bullet(p.title, p.notes) if p.notes else _bullet("", p.title) for p in chosen]
    out.append(_subheading("Stages"))
    rows = [
        (f"Week {s.week}", stage_traffic(s.traffic), s.criterion, STAGE_STATUS_WORDS[s.status])
        for s in ro.stages
    ]
    out += _table(
        ("Week", "Traffic", "Criterion to go on", "Status"),
        rows,
        (1, 1, 5, 1.2),
        width,
        empty="No rollout stages planned.",
    )
    st = ro.settings
    return [
        *out,
        _subheading("Settings"),
        _field("Shadow mode", plural(st.shadow_weeks, "week")),
        _field("Shadow comparison", st.shadow_comparison),
        _field("Human-in-the-loop approval target", format_value(st.hitl_approval_target, "rate")),
        _field("Human-in-the-loop notes", st.hitl_notes),
        _field("Feature flag tool", st.flag_tool),
    ]


def _monitoring(report: Report, width: float) -> list[Flowable]:
    mon = report.monitoring
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
    log = mon.logging
    out = [
        *_section("monitoring"),
        _subheading("Alerts"),
        *_table(
            ("Signal", "Fires when", "Note", "Response", "Owner", "On"),
            rows,
            (1.6, 2, 1.8, 2.4, 1.2, 0.6),
            width,
            empty="No alerts configured.",
        ),
        _subheading("Logging"),
        _field("Always log", ", ".join(log.always)),
        _field("Optionally log", ", ".join(log.optionally)),
        _field("Never log", ", ".join(log.never)),
        _field("Retention", plural(log.retention_days, "day") if log.retention_days else "not set"),
    ]
    if log.retention_note:
        out.append(_field("Retention note", log.retention_note))
    return out


def _incident_response(report: Report, width: float) -> list[Flowable]:
    ir = report.incident_response
    out = [
        *_section("incident-response"),
        _subheading("Severity levels"),
        *_table(
            ("Severity", "Definition", "Respond within", "Example"),
            [
                (s.title, s.definition, describe_minutes(s.response_minutes), s.example)
                for s in ir.severity_levels
            ],
            (1.2, 3, 1.2, 3),
            width,
            empty="No severity levels defined.",
        ),
        _subheading("Playbook"),
    ]
    for phase in ir.playbook:
        out.append(_minor(f"{phase.title} ({phase.window})" if phase.window else phase.title))
        out += [_bullet(str(n), step) for n, step in enumerate(phase.steps, 1)] or [
            _para("No steps written.")
        ]
    if not ir.playbook:
        out.append(_para("No playbook written."))
    out += [
        _subheading("Rollback options"),
        *_table(
            ("Option", "Description", "Speed", "Best for", "Last tested: by whom, what"),
            [
                (r.title, r.description, r.speed, r.best_for, rollback_tested(r))
                for r in ir.rollback_options
            ],
            (1.4, 3, 1, 2, 2.4),
            width,
            empty="No rollback options listed.",
        ),
        _subheading("On call"),
        *_table(
            ("Role", "Person"),
            [(o.role, o.person or "nobody assigned") for o in ir.on_call],
            (1, 1),
            width * 0.7,
            empty="No on-call roles listed.",
        ),
        _subheading("Escalation"),
        *_table(
            ("Step", "Contact", "When"),
            [(str(e.step), e.contact, e.when) for e in ir.escalation],
            (0.6, 3, 4),
            width,
            empty="No escalation path defined.",
        ),
    ]
    return out


def _oversight(report: Report, width: float) -> list[Flowable]:
    measures = report.oversight.measures
    rows = [
        (
            OVERSIGHT_KIND_TITLES.get(m.kind, m.kind),
            m.text,
            MEASURE_STATUS_WORDS.get(m.status, m.status),
            m.notes,
        )
        for m in measures
    ]
    return _section("oversight") + _table(
        ("Kind", "Measure", "Status", "Notes"),
        rows,
        (1.4, 4, 1, 2.6),
        width,
        empty="No oversight measures listed.",
    )


def _decisions(report: Report, width: float) -> list[Flowable]:
    out = _section("decisions")
    decisions = report.decisions
    if not decisions:
        return [*out, _para("No decisions recorded.")]
    replaced_by = superseded_by(decisions)
    from_question = made_from_question(report.parking_lot)
    shown = decisions[-DECISIONS_SHOWN:]
    if len(shown) < len(decisions):
        out.append(
            _note(
                f"The latest {len(shown)} of {len(decisions):,} decisions; the "
                f"{len(decisions) - len(shown):,} earlier ones are in the Markdown and HTML "
                "reports."
            )
        )
    for d in shown:
        out.append(_subheading(decision_heading(d, replaced_by)))
        if d.status == "superseded":
            out.append(
                Paragraph(
                    "<i>Superseded: kept for the record, no longer in force.</i>", styles().body
                )
            )
        facts = [
            ("Status", DECISION_STATUS_WORDS.get(d.status, d.status)),
            ("Date", d.date),
            ("Owner", d.owner),
        ]
        if d.supersedes is not None:
            facts.append(("Supersedes", f"decision {d.supersedes}"))
        if d.id in from_question:
            facts.append(("From the parking lot", f"question {from_question[d.id]}"))
        out.append(
            Paragraph(
                " · ".join(f"<b>{label}:</b> {_markup(text) or NONE}" for label, text in facts)
                if fonts().covers("·")
                else "; ".join(f"<b>{label}:</b> {_markup(text) or NONE}" for label, text in facts),
                styles().body,
            )
        )
        for label, text in (
            ("Context", d.context),
            ("Decision", d.decision),
            ("Rationale", d.rationale),
            ("Alternatives considered", d.alternatives),
            ("Consequences", d.consequences),
        ):
            if text:
                out.append(_field(label, text))
        if d.links:
            out.append(_field("Links", ", ".join(d.links)))
    return out


def _parking_lot(report: Report, width: float) -> list[Flowable]:
    out = _section("parking-lot")
    open_questions = [q for q in report.parking_lot if not q.resolved]
    answered = answered_questions(report.parking_lot)
    resolved = len(report.parking_lot) - len(open_questions) - len(answered)
    if not open_questions:
        out.append(_para("No open questions."))
    for q in open_questions:
        who = ", ".join(
            part
            for part in (
                f"raised by {q.raised_by}" if q.raised_by else "",
                f"at step {step_title(q.step)}" if q.step else "",
            )
            if part
        )
        out.append(_bullet(f"Q{q.id}", q.text + (f" ({who})" if who else "")))
    if answered:
        out.append(_para("Answered:"))
    out += [_bullet(f"Q{q.id}", f"{q.text} ({question_outcome(q)})") for q in answered]
    if resolved:
        out.append(_para(f"{plural(resolved, 'resolved question')} not shown."))
    return out


def _workshop(report: Report, width: float) -> list[Flowable]:
    ws = report.workshop
    out = [*_section("workshop"), _subheading("Attendees")]
    out += [_bullet("", a) for a in ws.attendees] or [_para("No attendees recorded.")]
    if ws.step:
        out.append(_field("Workshop step reached", step_title(ws.step)))
    out.append(_subheading("Sessions held"))
    if not report.sessions:
        return [*out, _para("No workshop sessions recorded.")]
    return out + _table(
        SESSION_COLUMNS, [session_row(s) for s in report.sessions], (0.4, 2.4, 1.4, 2.4, 3), width
    )


def _history(report: Report, width: float) -> list[Flowable]:
    rows = approval.history_rows(report.history)
    out = _section("history")
    if not rows:
        return [*out, _para("No changes recorded.")]
    out.append(_para(f"The latest {plural(len(rows), 'change')}, newest first."))
    return out + _table(approval.HISTORY_COLUMNS, rows, (2.1, 1.4, 6.5), width)


SECTIONS: tuple[Callable[[Report, float], list[Flowable]], ...] = (
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

# ------------------------------------------------------------- the document


class _NumberedCanvas(Canvas):
    """Holds every page until the end, so each footer can say "page N of M"."""

    def __init__(self, *args: Any, font: str = "Helvetica", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer_font = font
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            width = self._pagesize[0]
            self.setFont(self._footer_font, 8)
            self.setFillColor(MUTED)
            self.drawCentredString(width / 2, MARGIN / 2, f"page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


class _Document(BaseDocTemplate):
    def afterFlowable(self, flowable: Flowable) -> None:
        key = getattr(flowable, "toc_key", None)
        if key is None:
            return
        text = flowable.toc_text
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=0, closed=True)
        self.notify("TOCEntry", (0, escape(text), self.page, key))


def _header(project: str, generated: str) -> Callable[[Canvas, BaseDocTemplate], None]:
    right = f"readiness report · generated {generated}"
    if not fonts().covers("·"):
        right = f"readiness report - generated {generated}"

    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        f = fonts()
        width, height = doc.pagesize
        y = height - MARGIN + HEADER_GAP / 2
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setFont(f.regular, 8)
        canvas.drawRightString(width - MARGIN, y, right)
        room = width - 2 * MARGIN - pdfmetrics.stringWidth(right, f.regular, 8) - 12
        name = project
        while name and pdfmetrics.stringWidth(name, f.bold, 8) > room:
            name = name[:-2] + "…"
        canvas.setFont(f.bold, 8)
        canvas.drawString(MARGIN, y, name)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y - 4, width - MARGIN, y - 4)
        canvas.restoreState()

    return draw


def render_pdf(report: Report, paper: str = "a4") -> bytes:
    """The readiness report as a PDF on A4 or Letter paper (the same report, the same
    bytes: the document is written with ReportLab's ``invariant`` switch)."""
    if paper not in PAPER_SIZES:
        raise ValueError(f"unknown paper {paper!r}; choose one of {', '.join(PAPER_SIZES)}")
    import io

    f = fonts()
    pagesize = PAPER_SIZES[paper]
    buffer = io.BytesIO()
    name = _line(report.project.name) or "Untitled project"
    generated = readable_time(report.generated_at)
    doc = _Document(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Readiness report: {name}",
        author="workbench",
        subject="readiness report",
        creator="workbench",
        invariant=1,
    )
    frame_width = pagesize[0] - 2 * MARGIN
    pads = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    first_height = pagesize[1] - 2 * MARGIN
    first = Frame(MARGIN, MARGIN, frame_width, first_height, id="first", **pads)
    later = Frame(MARGIN, MARGIN, frame_width, first_height - HEADER_GAP, id="later", **pads)
    doc.addPageTemplates(
        [
            PageTemplate("first", [first]),
            PageTemplate("later", [later], onPage=_header(name, generated)),
        ]
    )
    toc = TableOfContents(levelStyles=[styles().toc], dotsMinLevel=0)
    story: list[Flowable] = [NextPageTemplate("later")]
    story += _summary(report, frame_width, first_height - 1)
    story += [Paragraph("Contents", styles().h1), toc, PageBreak()]
    for part in SECTIONS:
        story += part(report, frame_width)
    story += [
        Spacer(1, 10),
        _note(
            f"Generated by the workbench on {generated} from the {report.guide.title} checklist."
        ),
    ]
    doc.multiBuild(story, canvasmaker=functools.partial(_NumberedCanvas, font=f.regular))
    return buffer.getvalue()
