"""The HTML report: one self-contained page to print or put on a projector.

The page is rendered by Jinja with autoescaping on for everything, and every
value passes through :func:`_finalize`, which also shows invisible control and
bidi characters as ``⟨U+XXXX⟩``. No script, no remote load: a Content Security
Policy in the first ``<meta>`` forbids both. The charts are inline SVG whose
geometry is computed here from numbers only; their text (labels, descriptions)
is drawn by the template, so it is escaped like everything else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from workbench.agenda import step_title
from workbench.invisible import reveal_invisible
from workbench.reports import approval_words as approval
from workbench.reports import evidence_words
from workbench.reports import wording as words
from workbench.reports.model import Report, ReportThreshold
from workbench.units import format_value

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# Written literally as the first element of <head> in report.html.j2; kept here for tests.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

# ------------------------------------------------------------------- charts


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    kind: str  # a CSS class suffix: done, na, score


@dataclass(frozen=True)
class BarRow:
    label: str
    value_text: str
    y: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one a row, with a label on the left and the value on the right."""

    label: str  # what a screen reader says: every value, in words
    rows: tuple[BarRow, ...]
    width: int = 700
    label_x: int = 184
    track_x: int = 192
    track_width: int = 360
    value_x: int = 562
    bar_height: int = 18
    row_height: int = 30
    top: int = 6

    @property
    def height(self) -> int:
        return self.top * 2 + self.row_height * len(self.rows)


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class ThresholdChart:
    """A measured value against its target on one horizontal scale."""

    label: str
    target_text: str
    target_x: float
    target_anchor: str
    pass_x: float
    pass_width: float
    ticks: tuple[Tick, ...]
    status: str  # a CSS class suffix: good, ok, bad, none
    value_x: float | None
    ci_x: float | None
    ci_width: float
    note_x: float  # where "not measured yet" goes: on the side away from the target
    note_anchor: str
    width: int = 400
    height: int = 76
    x0: int = 14
    x1: int = 386
    axis_y: int = 44


@dataclass(frozen=True)
class IntervalRow:
    label: str
    value_text: str
    y: float
    value_x: float
    ci_x: float | None
    ci_width: float


@dataclass(frozen=True)
class IntervalChart:
    """Rates with their 95% intervals on one 0–100% scale, a row each."""

    label: str
    rows: tuple[IntervalRow, ...]
    ticks: tuple[Tick, ...]
    width: int = 700
    label_x: int = 184
    x0: int = 192
    x1: int = 552
    value_x: int = 562
    row_height: int = 26
    top: int = 8

    @property
    def height(self) -> int:
        return self.top + self.row_height * len(self.rows) + 22


def interval_chart(title: str, points: Any) -> IntervalChart:
    """A chart of rates with their intervals (``points``: label, value, low, high, n)."""
    x0, x1 = IntervalChart.x0, IntervalChart.x1

    def x(value: float) -> float:
        return _r(x0 + (x1 - x0) * min(max(value, 0.0), 1.0))

    rows, described = [], []
    for i, p in enumerate(points):
        low = None if p.low is None else x(p.low)
        text = f"{p.value * 100:.1f}%"
        rows.append(
            IntervalRow(
                label=_clip(p.label),
                value_text=f"{text} (n={p.n})",
                y=IntervalChart.top + i * IntervalChart.row_height,
                value_x=x(p.value),
                ci_x=low,
                ci_width=_r(x(p.high) - low) if low is not None and p.high is not None else 0.0,
            )
        )
        interval = (
            f", 95% interval {p.low * 100:.1f}% to {p.high * 100:.1f}%"
            if p.low is not None and p.high is not None
            else ""
        )
        described.append(f"{p.label}: {text}{interval}, {p.n} cases")
    return IntervalChart(
        label=f"{title}. " + "; ".join(described) + ".",
        rows=tuple(rows),
        ticks=tuple(Tick(x(v), f"{v * 100:.0f}%") for v in (0.0, 0.25, 0.5, 0.75, 1.0)),
    )


STATUS_CLASSES: dict[str, str] = {
    "met_with_confidence": "good",
    "met": "ok",
    "not_met": "bad",
    "unmeasured": "none",
}


def _clip(text: str, limit: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _r(value: float) -> float:
    return round(value, 1)


def checklist_chart(report: Report) -> BarChart:
    """Checklist completion per section: done, then not applicable, out of all items."""
    chart = BarChart(label="", rows=())
    rows = []
    described = []
    for i, s in enumerate(report.checklist_sections):
        total = s.total or 1
        done = chart.track_width * s.done / total
        na = chart.track_width * s.not_applicable / total
        rows.append(
            BarRow(
                label=_clip(s.title),
                value_text=f"{s.done + s.not_applicable} of {s.total}",
                y=chart.top + i * chart.row_height,
                segments=(
                    Segment(chart.track_x, _r(done), "done"),
                    Segment(_r(chart.track_x + done), _r(na), "na"),
                ),
            )
        )
        described.append(
            f"{s.title}: {s.done} of {s.total} done, {s.not_applicable} not applicable"
        )
    label = "Checklist completion by section. " + ("; ".join(described) or "No items") + "."
    return BarChart(label=label, rows=tuple(rows))


def scores_chart(report: Report) -> BarChart:
    """The readiness score of each area, as a share of its checks that pass."""
    chart = BarChart(label="", rows=())
    rows = []
    described = []
    for i, s in enumerate(report.readiness.scores):
        counts = f"{s.passed} of {s.total}" if s.total else "no checks"
        rows.append(
            BarRow(
                label=_clip(s.title),
                value_text=f"{words.percent(s.score)} ({counts})",
                y=chart.top + i * chart.row_height,
                segments=(Segment(chart.track_x, _r(chart.track_width * s.score), "score"),),
            )
        )
        described.append(f"{s.title}: {words.percent(s.score)}, {counts} checks pass")
    return BarChart(label="Score per area. " + "; ".join(described) + ".", rows=tuple(rows))


def _tick_text(value: float, unit: str) -> str:
    if unit == "rate":
        return f"{value * 100:.0f}%"
    if unit == "seconds":
        return f"{value:.3g} s"
    if unit == "x baseline":
        return f"{value:.3g}×"
    return f"{value:.3g}"


def threshold_chart(threshold: ReportThreshold) -> ThresholdChart:
    """The scale runs 0–100% for rates, otherwise 0 to 1.5 times the largest value shown."""
    m = threshold.measured
    marks: tuple[float, ...]
    if threshold.unit == "rate":
        top = 1.0
        marks = (0.0, 0.25, 0.5, 0.75, 1.0)
    else:
        shown = [v for v in (threshold.target, m.value, m.ci_high) if v is not None]
        top = max([v for v in shown if math.isfinite(v)] + [0.0]) * 1.5 or 1.0
        marks = (0.0, top / 2, top)
    x0, x1 = ThresholdChart.x0, ThresholdChart.x1

    def x(value: float) -> float:
        share = value / top if math.isfinite(value) else (1.0 if value > 0 else 0.0)
        return _r(x0 + (x1 - x0) * min(max(share, 0.0), 1.0))

    target_x = x(threshold.target)
    if threshold.comparator in (">", ">="):
        pass_x, pass_width = target_x, _r(x1 - target_x)
    else:
        pass_x, pass_width = float(x0), _r(target_x - x0)
    anchor = "start" if target_x < x0 + 60 else "end" if target_x > x1 - 60 else "middle"
    has_interval = m.value is not None and m.ci_low is not None and m.ci_high is not None
    ci_x = x(m.ci_low) if has_interval and m.ci_low is not None else None
    ci_width = _r(x(m.ci_high) - ci_x) if ci_x is not None and m.ci_high is not None else 0.0
    return ThresholdChart(
        label=words.describe_threshold(threshold),
        target_text="target "
        + words.describe_target(threshold.comparator, threshold.target, threshold.unit),
        target_x=target_x,
        target_anchor=anchor,
        pass_x=pass_x,
        pass_width=pass_width,
        ticks=tuple(Tick(x(v), _tick_text(v, threshold.unit)) for v in marks),
        status=STATUS_CLASSES[m.status],
        value_x=None if m.value is None else x(m.value),
        ci_x=ci_x,
        ci_width=ci_width,
        note_x=float(x0 + 6) if target_x > (x0 + x1) / 2 else float(x1 - 6),
        note_anchor="start" if target_x > (x0 + x1) / 2 else "end",
    )


# ---------------------------------------------------------------- rendering


def _finalize(value: Any) -> Any:
    """Applied to every ``{{ … }}`` before autoescaping: reveal hidden characters."""
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        return reveal_invisible(value)
    return value


def _lines(text: str) -> list[str]:
    """The non-blank lines of a text a person typed (shown with ``<br>`` between them)."""
    return [line for line in reveal_invisible(text).split("\n") if line.strip()]


@cache
def environment() -> Environment:
    """The Jinja environment (built on first use, not at import)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["value"] = format_value
    env.filters["step_title"] = step_title
    env.filters["percent"] = words.percent
    env.filters["lines"] = _lines
    env.globals.update(
        words=words,
        status_class=STATUS_CLASSES,
        threshold_chart=threshold_chart,
        interval_chart=interval_chart,
        ev=evidence_words,
        approval=approval,
    )
    return env


def render_html(report: Report) -> str:
    """The readiness report as one self-contained HTML page."""
    template = environment().get_template("report.html.j2")
    r = report.readiness
    return template.render(
        report=report,
        verdict=r.verdict,
        verdict_title=words.verdict_title(r),
        verdict_summary=words.verdict_summary(r),
        sections=approval.sections(report),
        checklist_chart=checklist_chart(report),
        scores_chart=scores_chart(report),
        replaced_by=words.superseded_by(report.decisions),
        from_question=words.made_from_question(report.parking_lot),
        answered_questions=words.answered_questions(report.parking_lot),
        history=approval.history_rows(report.history),
    )
