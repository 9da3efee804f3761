"""The Evidence section of the reports, as rows of plain text that Markdown and HTML both
lay out: every run and where it came from, the latest run's figures with their intervals
(overall, per category, per group, named scores), the bias check, and the comparison with
the run before, with the cases that flipped."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.evaluation.evidence import (
    METRIC_TITLES,
    Evidence,
    Mean,
    Rate,
    Run,
    RunMetrics,
    ScoreMetric,
    SliceMetrics,
    bias_words,
    change_words,
)
from workbench.units import format_value

RUN_HEADERS = ("Run", "Label", "Tool", "System", "Cases", "Source", "sha256")
FIGURE_HEADERS = ("Metric", "Value", "95% interval", "Cases")
SLICE_HEADERS = ("Cases", "Accuracy", "Hallucination rate", "System error rate")
CHANGE_HEADERS = ("Metric", "Before", "After", "Change (95% interval)", "Verdict")


@dataclass(frozen=True)
class Point:
    """One figure for a chart: a rate with its interval."""

    label: str
    value: float
    low: float | None
    high: float | None
    n: int


def _interval(low: float | None, high: float | None, unit: str) -> str:
    if low is None or high is None:
        return ""
    return f"{format_value(low, unit, 1)} to {format_value(high, unit, 1)}"


def run_rows(evidence: Evidence) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for run in evidence.runs:
        mark = " (latest)" if run.id == evidence.latest else ""
        cases = str(run.case_count)
        if run.epochs > 1:
            cases += f" ({run.rows} results, {run.epochs} epochs)"
        rows.append(
            (
                f"{run.id}{mark}",
                run.label,
                f"{run.tool} {run.tool_version}".strip() or run.format,
                run.system,
                cases,
                run.source,
                run.sha256,
            )
        )
    return rows


def latest(evidence: Evidence) -> Run | None:
    return next((r for r in evidence.runs if r.id == evidence.latest), None)


def _figure(title: str, value: Rate | Mean, unit: str) -> tuple[str, ...]:
    return (
        title,
        format_value(value.value, unit, 1),
        _interval(value.ci_low, value.ci_high, unit),
        str(value.n),
    )


def figure_rows(metrics: RunMetrics) -> list[tuple[str, ...]]:
    """The latest run's figures overall: each metric it measures, with its interval."""
    rows = []
    for name, title in METRIC_TITLES.items():
        value: Rate | Mean = getattr(metrics, name)
        if value.n:
            rows.append(_figure(title, value, "seconds" if name == "response_time" else "rate"))
    if metrics.p95_response_time is not None:
        rows.append(("95th percentile response time", f"{metrics.p95_response_time:.2f} s", "", ""))
    return rows


def score_rows(metrics: RunMetrics) -> list[tuple[str, ...]]:
    rows = []
    for name, score in metrics.scores.items():
        unit = "rate" if score.kind == "pass_rate" else "score"
        kind = "pass rate" if score.kind == "pass_rate" else "mean"
        rows.append((f"{name} ({kind})", *_score_cells(score, unit)))
    return rows


def _score_cells(score: ScoreMetric, unit: str) -> tuple[str, ...]:
    value = format_value(score.value, unit, 1) if unit == "rate" else f"{score.value:.3g}"
    interval = (
        _interval(score.ci_low, score.ci_high, unit)
        if unit == "rate"
        else (
            f"{score.ci_low:.3g} to {score.ci_high:.3g}"
            if score.ci_low is not None and score.ci_high is not None
            else ""
        )
    )
    return value, interval, str(score.n)


def _rate_text(rate: Rate) -> str:
    if not rate.n:
        return ""
    return f"{format_value(rate.value, 'rate', 1)} ({_interval(rate.ci_low, rate.ci_high, 'rate')})"


def slice_rows(slices: dict[str, SliceMetrics]) -> list[tuple[str, ...]]:
    return [
        (
            name or "(none)",
            str(m.rows),
            _rate_text(m.accuracy),
            _rate_text(m.hallucination_rate),
            _rate_text(m.error_rate),
        )
        for name, m in slices.items()
    ]


def accuracy_points(slices: dict[str, SliceMetrics]) -> list[Point]:
    return [
        Point(
            name or "(none)", m.accuracy.value, m.accuracy.ci_low, m.accuracy.ci_high, m.accuracy.n
        )
        for name, m in slices.items()
        if m.accuracy.n and m.accuracy.value is not None
    ]


def bias_lines(evidence: Evidence) -> tuple[str, str] | None:
    return None if evidence.bias is None else bias_words(evidence.bias)


def change_rows(evidence: Evidence) -> list[tuple[str, ...]]:
    if evidence.comparison is None:
        return []
    rows: list[tuple[str, ...]] = []
    for change in evidence.comparison.changes:
        if change.verdict == "not comparable":
            continue
        unit = "seconds" if change.metric == "response_time" else "rate"
        scale, suffix = (100, " pts") if unit == "rate" else (1, " s")
        delta = ""
        if change.change is not None:
            delta = f"{change.change * scale:+.1f}{suffix}"
            if change.ci_low is not None and change.ci_high is not None:
                delta += f" ({change.ci_low * scale:+.1f} to {change.ci_high * scale:+.1f})"
        rows.append(
            (
                change.title,
                format_value(change.before, unit, 1),
                format_value(change.after, unit, 1),
                delta,
                change_words(change),
            )
        )
    return rows


def comparison_title(evidence: Evidence) -> str:
    c = evidence.comparison
    if c is None:
        return ""
    return f"Run {c.before} ({c.before_label}) → run {c.after} ({c.after_label})"


def import_notes(run: Run) -> list[str]:
    """What the import did with each part of the file, as it said when it ran."""
    notes = [str(note) for note in run.details.get("notes", [])]
    ignored = run.details.get("ignored")
    if ignored:
        notes.append("ignored columns: " + ", ".join(map(str, ignored)))
    return notes
