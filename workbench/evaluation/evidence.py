"""Measured values as evidence: confidence intervals and threshold status.

Pure functions, no I/O. A threshold's status says how sure the team can be
that the system meets it:

* ``met_with_confidence``: the whole 95% interval is on the right side of the target;
* ``met``: only the point estimate is (or no interval can be computed);
* ``not_met``: the point estimate misses the target;
* ``unmeasured``: there is no measured value.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Literal

from workbench.models import DatasetPlan, Measurement, Model, ProjectData, Threshold

ThresholdStatus = Literal["met_with_confidence", "met", "not_met", "unmeasured"]
Z_95 = 1.959963984540054


def z_for(confidence: float) -> float:
    """The two-sided normal quantile for a confidence level (0.95 -> 1.96)."""
    if not 0.5 <= confidence < 1.0:
        raise ValueError("confidence must be at least 0.5 and below 1")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: float, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``n``."""
    if n <= 0:
        raise ValueError("a rate needs at least one case")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # With no failures (or no successes) the bound is exactly 1 (or 0), not 1 - 1e-16.
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return low, high


class Measured(Model):
    """A threshold's measured value as the reports and the verdict see it."""

    value: float | None = None
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    source: str = ""
    at: str = ""
    status: ThresholdStatus = "unmeasured"


def measure_threshold(threshold: Threshold) -> Measured:
    """Status of a threshold from its measured value, with a 95% interval where possible."""
    m = threshold.measured
    if m is None:
        return Measured()
    low = high = None
    if m.ci_low is not None and m.ci_high is not None:
        low, high = m.ci_low, m.ci_high
    elif threshold.unit == "rate" and m.n:
        low, high = wilson(round(m.value * m.n), m.n)
    status: ThresholdStatus
    if not threshold.passes(m.value):
        status = "not_met"
    elif low is not None and high is not None:
        bound = low if threshold.comparator in (">", ">=") else high
        status = "met_with_confidence" if threshold.passes(bound) else "met"
    else:
        status = "met"
    return Measured(
        value=m.value,
        n=m.n,
        ci_low=low,
        ci_high=high,
        source=m.source,
        at=m.at,
        status=status,
    )


# ------------------------------------------------------------ evaluation runs


class Rate(Model):
    """A rate with its sample size and 95% Wilson interval (None when n is 0)."""

    successes: int = 0
    n: int = 0
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


def rate(successes: int, n: int) -> Rate:
    if n <= 0:
        return Rate()
    low, high = wilson(successes, n)
    return Rate(successes=successes, n=n, value=successes / n, ci_low=low, ci_high=high)


class Mean(Model):
    """A mean (seconds) with its sample size and a normal-approximation 95% interval."""

    n: int = 0
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


def mean_interval(n: int, mean: float | None, mean_of_squares: float | None) -> Mean:
    if n <= 0 or mean is None:
        return Mean()
    if n < 2 or mean_of_squares is None:
        return Mean(n=n, value=mean)
    variance = max(mean_of_squares - mean * mean, 0.0) * n / (n - 1)
    half = Z_95 * math.sqrt(variance / n)
    return Mean(n=n, value=mean, ci_low=max(mean - half, 0.0), ci_high=mean + half)


class SliceMetrics(Model):
    """The metrics of a run, or of one category or group within it."""

    rows: int = 0
    accuracy: Rate = Rate()
    hallucination_rate: Rate = Rate()
    harmful_refusal_rate: Rate = Rate()
    error_rate: Rate = Rate()
    human_agreement: Rate = Rate()
    response_time: Mean = Mean()
    p95_response_time: float | None = None


class RunMetrics(SliceMetrics):
    by_category: dict[str, SliceMetrics] = {}
    by_group: dict[str, SliceMetrics] = {}
    by_kind: dict[str, int] = {}


class Run(Model):
    id: int
    label: str
    imported_at: str
    imported_by: str = ""
    source: str = ""
    sha256: str = ""
    format: str = ""
    rows: int = 0
    skipped: int = 0
    metrics: RunMetrics = RunMetrics()


# Which run metric measures which threshold (by the threshold's metric id).
RUN_METRICS: dict[str, str] = {
    "accuracy": "accuracy",
    "hallucination_rate": "hallucination_rate",
    "harmful_refusal_rate": "harmful_refusal_rate",
    "error_rate": "error_rate",
    "response_time": "response_time",
    "human_agreement": "human_agreement",
}

METRIC_TITLES: dict[str, str] = {
    "accuracy": "Accuracy",
    "hallucination_rate": "Hallucination rate",
    "harmful_refusal_rate": "Refusal rate (harmful)",
    "error_rate": "System error rate",
    "human_agreement": "Agreement with people",
    "response_time": "Mean response time",
}

# For each metric, whether a higher value is better (for comparing runs).
HIGHER_IS_BETTER: dict[str, bool] = {
    "accuracy": True,
    "hallucination_rate": False,
    "harmful_refusal_rate": True,
    "error_rate": False,
    "human_agreement": True,
    "response_time": False,
}


def run_value(metrics: SliceMetrics, name: str) -> Rate | Mean:
    value = getattr(metrics, name)
    assert isinstance(value, Rate | Mean)
    return value


def apply_runs(data: ProjectData, runs: list[Run]) -> ProjectData:
    """The project as the evidence shows it: thresholds measured by the latest run.

    A threshold takes its value from the latest run, unless a value entered by
    hand is newer (or the latest run does not measure it: a run without a
    ``latency_ms`` column says nothing about response time). The test set's
    actual size is the latest run's row count.
    Returns a new object; ``data`` is not changed.
    """
    if not runs:
        return data
    latest = max(runs, key=lambda r: (r.imported_at, r.id))
    thresholds = []
    for threshold in data.thresholds:
        name = RUN_METRICS.get(threshold.metric)
        chosen = None
        if name is not None:
            measured = run_value(latest.metrics, name)
            if measured.n and measured.value is not None:
                chosen = (latest, measured)
        hand = threshold.measured
        if chosen is not None and (hand is None or hand.at <= chosen[0].imported_at):
            run, measured = chosen
            value = measured.value
            assert value is not None
            if threshold.unit == "rate" and not isinstance(measured, Rate):
                thresholds.append(threshold)
                continue
            threshold = threshold.model_copy(
                update={
                    "measured": Measurement(
                        value=value,
                        n=measured.n,
                        ci_low=measured.ci_low,
                        ci_high=measured.ci_high,
                        source=f"run {run.id}: {run.label}",
                        at=run.imported_at,
                    )
                }
            )
        thresholds.append(threshold)
    dataset = data.dataset.model_copy(update={"actual_size": latest.rows})
    return data.model_copy(update={"thresholds": thresholds, "dataset": dataset})


class BiasGap(Model):
    """The largest accuracy gap between two user groups, with its 95% interval."""

    best_group: str
    worst_group: str
    best: Rate
    worst: Rate
    gap: float
    ci_low: float
    ci_high: float
    max_gap: float
    flagged: bool
    reason: str


def difference_interval(a: Rate, b: Rate) -> tuple[float, float]:
    """Newcombe's hybrid score interval for the difference a - b of two rates."""
    assert a.value is not None and b.value is not None
    assert a.ci_low is not None and a.ci_high is not None
    assert b.ci_low is not None and b.ci_high is not None
    d = a.value - b.value
    low = d - math.sqrt((a.value - a.ci_low) ** 2 + (b.ci_high - b.value) ** 2)
    high = d + math.sqrt((a.ci_high - a.value) ** 2 + (b.value - b.ci_low) ** 2)
    return low, high


def bias_gap(metrics: RunMetrics, max_gap: float) -> BiasGap | None:
    """Compare the best and the worst group's accuracy; None with fewer than two groups."""
    groups = {
        name: m.accuracy
        for name, m in metrics.by_group.items()
        if name and m.accuracy.n and m.accuracy.value is not None
    }
    if len(groups) < 2:
        return None
    best = max(groups, key=lambda g: (groups[g].value or 0.0, g))
    worst = min(groups, key=lambda g: (groups[g].value or 0.0, g))
    a, b = groups[best], groups[worst]
    assert a.value is not None and b.value is not None
    low, high = difference_interval(a, b)
    gap = a.value - b.value
    reasons = []
    if gap > max_gap:
        reasons.append(f"the gap of {gap:.1%} is above the maximum of {max_gap:.1%}")
    if low > 0:
        reasons.append("its 95% interval excludes zero, so it is unlikely to be chance")
    return BiasGap(
        best_group=best,
        worst_group=worst,
        best=a,
        worst=b,
        gap=gap,
        ci_low=low,
        ci_high=high,
        max_gap=max_gap,
        flagged=bool(reasons),
        reason="; ".join(reasons),
    )


class MetricChange(Model):
    metric: str
    title: str
    before: float | None
    after: float | None
    change: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: Literal["better", "worse", "regression", "same", "not comparable"]


def compare_runs(before: RunMetrics, after: RunMetrics) -> list[MetricChange]:
    """Each metric's change from ``before`` to ``after``, with its 95% interval.

    A change for the worse whose interval excludes zero is a ``regression``; one
    whose interval includes zero is ``worse`` (possibly chance).
    """
    changes = []
    for name, higher_better in HIGHER_IS_BETTER.items():
        a, b = run_value(after, name), run_value(before, name)
        if a.value is None or b.value is None:
            changes.append(
                MetricChange(
                    metric=name,
                    title=METRIC_TITLES[name],
                    before=b.value,
                    after=a.value,
                    change=None,
                    ci_low=None,
                    ci_high=None,
                    verdict="not comparable",
                )
            )
            continue
        delta = a.value - b.value
        low = high = None
        if isinstance(a, Rate) and isinstance(b, Rate):
            low, high = difference_interval(a, b)
        elif (
            isinstance(a, Mean)
            and isinstance(b, Mean)
            and a.ci_high is not None
            and b.ci_high is not None
        ):
            # Each mean's half-width is its upper side: the lower end is cut off at 0 seconds.
            half = math.hypot(a.ci_high - a.value, b.ci_high - b.value)
            low, high = delta - half, delta + half
        worse = delta < 0 if higher_better else delta > 0
        if delta == 0:
            verdict: Literal["better", "worse", "regression", "same", "not comparable"] = "same"
        elif not worse:
            verdict = "better"
        elif low is not None and high is not None and (high < 0 if higher_better else low > 0):
            verdict = "regression"
        else:
            verdict = "worse"
        changes.append(
            MetricChange(
                metric=name,
                title=METRIC_TITLES[name],
                before=b.value,
                after=a.value,
                change=delta,
                ci_low=low,
                ci_high=high,
                verdict=verdict,
            )
        )
    return changes


class CompositionRow(Model):
    """How many cases of one category, group or kind the latest run has, against the plan."""

    dimension: Literal["category", "group", "kind"]
    name: str
    planned: int | None
    actual: int
    share: float
    flagged: bool
    reason: str = ""


def composition(plan: DatasetPlan, metrics: RunMetrics) -> list[CompositionRow]:
    """Cases per category, group and kind; under-represented ones flagged.

    A planned category with fewer cases than planned is flagged; so is any
    category or group with less than half of an even share of the cases.
    """
    total = metrics.rows or 1
    planned = {row.category: row.planned for row in plan.composition}
    rows: list[CompositionRow] = []
    dimensions: tuple[tuple[Literal["category", "group"], dict[str, int]], ...] = (
        ("category", {k: v.rows for k, v in metrics.by_category.items()}),
        ("group", {k: v.rows for k, v in metrics.by_group.items()}),
    )
    for dimension, counts in dimensions:
        names = sorted(set(counts) | (set(planned) if dimension == "category" else set()))
        named = [n for n in names if n]
        even = 1 / len(named) if named else 1.0
        for name in names:
            actual = counts.get(name, 0)
            want = planned.get(name) if dimension == "category" else None
            share = actual / total
            reasons = []
            if want and actual < want:
                reasons.append(f"{actual} of {want} planned cases")
            if name and len(named) > 1 and share < even / 2:
                reasons.append(f"only {share:.0%} of the cases (an even share is {even:.0%})")
            rows.append(
                CompositionRow(
                    dimension=dimension,
                    name=name or "(none)",
                    planned=want,
                    actual=actual,
                    share=share,
                    flagged=bool(reasons),
                    reason="; ".join(reasons),
                )
            )
    for kind, count in sorted(metrics.by_kind.items()):
        rows.append(
            CompositionRow(
                dimension="kind",
                name=kind,
                planned=None,
                actual=count,
                share=count / total,
                flagged=False,
            )
        )
    return rows


class Evidence(Model):
    """What the runs show, as the reports and the verdict use it."""

    runs: list[Run] = []
    latest: int | None = None
    bias: BiasGap | None = None
    composition: list[CompositionRow] = []


def summarize(data: ProjectData, runs: list[Run]) -> Evidence:
    if not runs:
        return Evidence()
    latest = max(runs, key=lambda r: (r.imported_at, r.id))
    return Evidence(
        runs=runs,
        latest=latest.id,
        bias=bias_gap(latest.metrics, data.dataset.max_group_gap),
        composition=composition(data.dataset, latest.metrics),
    )
