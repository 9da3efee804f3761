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
from typing import Any, Literal

from workbench.evaluation.rows import metric_slug
from workbench.models import MAX_SOURCE, DatasetPlan, Measurement, Model, ProjectData, Threshold

ThresholdStatus = Literal["met_with_confidence", "met", "not_met", "unmeasured"]
Z_95 = 1.959963984540054


def z_for(confidence: float) -> float:
    """The two-sided normal quantile for a confidence level (0.95 -> 1.96)."""
    if not 0.5 <= confidence < 1.0:
        raise ValueError("confidence must be at least 0.5 and below 1")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: float, n: float, z: float = Z_95) -> tuple[float, float]:
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
    """A rate with its sample size and 95% Wilson interval (None when n is 0).

    ``successes`` is a whole number unless cases ran in several epochs: each then counts
    once, with the share of its epochs that succeeded."""

    successes: float = 0
    n: int = 0
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


def rate(successes: float, n: float) -> Rate:
    """The rate of ``successes`` in ``n`` cases (a weighted count may be fractional: it is
    rounded to 9 places, so that 0.5 + 0.5 is 1)."""
    successes, n = round(successes, 9), round(n, 9)
    if n <= 0:
        return Rate()
    low, high = wilson(successes, n)
    whole = float(successes).is_integer()
    return Rate(
        successes=int(successes) if whole else successes,
        n=round(n),
        value=successes / n,
        ci_low=low,
        ci_high=high,
    )


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


class ScoreMetric(Model):
    """A named score of a run: a pass rate (every value 0 or 1) with its Wilson interval,
    or a mean with a normal-approximation interval."""

    kind: Literal["pass_rate", "mean"]
    n: int = 0
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    successes: float | None = None


class RunMetrics(SliceMetrics):
    by_category: dict[str, SliceMetrics] = {}
    by_group: dict[str, SliceMetrics] = {}
    by_kind: dict[str, int] = {}
    scores: dict[str, ScoreMetric] = {}


# The longest label a person may give a run (checked on import, by the CLI and the UI).
# A run is read whatever its label's length (an older version let 600 characters through).
MAX_RUN_LABEL = 200


class Run(Model):
    """One system's results from one file. ``rows`` is how many results are stored,
    ``cases`` how many test cases they are (a case run in several epochs is one case)."""

    id: int
    label: str
    imported_at: str
    imported_by: str = ""
    source: str = ""
    sha256: str = ""
    format: str = ""
    tool: str = ""
    tool_version: str = ""
    system: str = ""
    rows: int = 0
    cases: int = 0
    epochs: int = 1
    skipped: int = 0
    batch: int | None = None
    details: dict[str, Any] = {}
    metrics: RunMetrics = RunMetrics()

    @property
    def case_count(self) -> int:
        return self.cases or self.rows


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


def threshold_measure(
    metrics: RunMetrics, threshold: Threshold
) -> Rate | Mean | ScoreMetric | None:
    """What a run measures of a threshold: a built-in metric by the threshold's id, or a
    named score whose name is the id (``Answer Relevancy`` measures ``answer_relevancy``);
    None when the run says nothing about it (or a rate threshold meets a number beyond 0–1).
    """
    name = RUN_METRICS.get(threshold.metric)
    measured: Rate | Mean | ScoreMetric | None = None
    if name is not None:
        measured = run_value(metrics, name)
        if threshold.unit == "rate" and not isinstance(measured, Rate):
            return None
    else:
        measured = next(
            (m for key, m in metrics.scores.items() if metric_slug(key) == threshold.metric),
            None,
        )
        if (
            measured is not None
            and threshold.unit == "rate"
            and measured.value is not None
            and not 0.0 <= measured.value <= 1.0
        ):
            return None
    if measured is None or not measured.n or measured.value is None:
        return None
    return measured


def _source_of(run: Run) -> str:
    """Where a threshold's value comes from: "run N: LABEL", cut to what a measurement's
    source holds (a label of several systems, or of an older version, may be longer)."""
    source = f"run {run.id}: {run.label}"
    return source if len(source) <= MAX_SOURCE else source[: MAX_SOURCE - 1] + "…"


def apply_runs(data: ProjectData, runs: list[Run]) -> ProjectData:
    """The project as the evidence shows it: thresholds measured by the latest run.

    A threshold takes its value from the latest run, unless a value entered by
    hand is newer (or the latest run does not measure it: a run without a
    ``latency_ms`` column says nothing about response time). A threshold of a custom
    metric is measured by the named score of that name. The test set's sizes stay the
    file's: the cases built are a person's figure, and a run (a 30-case smoke run, say)
    measures its own cases, not the set (``latest_run`` gives its count).
    Returns a new object; ``data`` is not changed.
    """
    if not runs:
        return data
    return data.model_copy(update={"thresholds": measured_by_runs(data.thresholds, runs)})


def measured_by_runs(thresholds: list[Threshold], runs: list[Run]) -> list[Threshold]:
    """The thresholds as the latest run measures them (see ``apply_runs``): what a
    command that only reports the thresholds needs, without the rest of the project."""
    if not runs:
        return list(thresholds)
    latest = max(runs, key=lambda r: (r.imported_at, r.id))
    measured_thresholds = []
    for threshold in thresholds:
        measured = threshold_measure(latest.metrics, threshold)
        hand = threshold.measured
        if measured is not None and (hand is None or hand.at <= latest.imported_at):
            assert measured.value is not None
            threshold = threshold.model_copy(
                update={
                    "measured": Measurement(
                        value=measured.value,
                        n=measured.n,
                        ci_low=measured.ci_low,
                        ci_high=measured.ci_high,
                        source=_source_of(latest),
                        at=latest.imported_at,
                    )
                }
            )
        measured_thresholds.append(threshold)
    return measured_thresholds


# The test set's three figures, named the same on the screen and in every report:
# the plan and the cases built are a person's figures, the latest run's is measured.
PLANNED_WORDS = "Planned"
BUILT_WORDS = "Built"
IN_RUN_WORDS = "In the latest run"
NO_RUN_WORDS = "no run imported yet"


def latest_run(evidence: Evidence) -> Run | None:
    """The run the evidence takes its figures from (None before the first import)."""
    return next((run for run in evidence.runs if run.id == evidence.latest), None)


def run_name(run: Run) -> str:
    """A run as the test set's figures name it: "run 2: smoke"."""
    return f"run {run.id}: {run.label}" if run.label else f"run {run.id}"


BiasOutcome = Literal["within", "over", "not_settled"]


class BiasGap(Model):
    """The largest accuracy gap between two user groups, with its 95% interval.

    Like a threshold, it has three outcomes: ``within`` the maximum with confidence (the
    whole interval is below it), ``over`` it (the whole interval is above it), and
    ``not_settled`` when the interval reaches both sides: the groups are too small to
    tell, and ``settle_cases`` says how many cases a group would need (None when the gap
    sits so close to the maximum that no size would tell)."""

    best_group: str
    worst_group: str
    best: Rate
    worst: Rate
    gap: float
    ci_low: float
    ci_high: float
    max_gap: float
    outcome: BiasOutcome = "not_settled"
    settle_cases: int | None = None
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


MAX_SETTLE_CASES = 1_000_000


def cases_to_settle(best: float, worst: float, max_gap: float, start: int) -> int | None:
    """The fewest cases per group at which a gap between rates ``best`` and ``worst``
    would have its 95% interval wholly on one side of ``max_gap`` (None past a million)."""

    def settled(n: int) -> bool:
        low, high = difference_interval(rate(best * n, n), rate(worst * n, n))
        return high < max_gap or low > max_gap

    if abs((best - worst) - max_gap) < 1e-12 or not settled(MAX_SETTLE_CASES):
        return None
    low, high = max(start, 1), max(start, 1)
    while not settled(high):
        low, high = high, high * 2
    while low < high:
        middle = (low + high) // 2
        if settled(middle):
            high = middle
        else:
            low = middle + 1
    return high


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
    outcome: BiasOutcome
    settle = None
    if high < max_gap:
        outcome = "within"
        reason = (
            f"the gap of {gap:.1%} is below the maximum of {max_gap:.1%} with 95% confidence "
            f"(interval {low:.1%} to {high:.1%})"
        )
    elif low > max_gap:
        outcome = "over"
        reason = (
            f"the gap of {gap:.1%} is above the maximum of {max_gap:.1%} with 95% confidence "
            f"(interval {low:.1%} to {high:.1%})"
        )
    else:
        outcome = "not_settled"
        settle = cases_to_settle(a.value, b.value, max_gap, max(a.n, b.n))
        reason = (
            f"not settled: the gap of {gap:.1%} has a 95% interval from {low:.1%} to "
            f"{high:.1%}, on both sides of the maximum of {max_gap:.1%}; "
            + (
                f"about {settle} cases in each group would settle it"
                if settle is not None
                else "the gap is too close to the maximum for any test set to settle it"
            )
        )
    return BiasGap(
        best_group=best,
        worst_group=worst,
        best=a,
        worst=b,
        gap=gap,
        ci_low=low,
        ci_high=high,
        max_gap=max_gap,
        outcome=outcome,
        settle_cases=settle,
        flagged=outcome == "over",
        reason=reason,
    )


def bias_words(bias: BiasGap) -> tuple[str, str]:
    """The bias check as a headline and its detail, for every place that shows it."""
    outcome = {
        "within": "within the maximum",
        "over": "OVER THE MAXIMUM",
        "not_settled": "NOT SETTLED",
    }[bias.outcome]
    return (
        f"Largest accuracy gap between groups: {bias.best_group} vs {bias.worst_group}, "
        f"{bias.gap:.1%} (95% {bias.ci_low:.1%} to {bias.ci_high:.1%}), {outcome}",
        bias.reason,
    )


class MetricChange(Model):
    metric: str
    title: str
    before: float | None
    after: float | None
    change: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: Literal["improvement", "better", "worse", "regression", "same", "not comparable"]


def change_words(change: MetricChange) -> str:
    """A change as people read it, with the metric's own sense of better: "regression:
    higher, beyond chance" for an error rate that rose, "better: lower, could be
    chance" for a response time that fell within its interval's reach of zero."""
    if change.verdict in ("same", "not comparable") or change.change is None:
        return change.verdict
    direction = "higher" if change.change > 0 else "lower"
    certainty = (
        "beyond chance" if change.verdict in ("improvement", "regression") else "could be chance"
    )
    return f"{change.verdict}: {direction}, {certainty}"


def compare_runs(before: RunMetrics, after: RunMetrics) -> list[MetricChange]:
    """Each metric's change from ``before`` to ``after``, with its 95% interval.

    A change for the worse whose interval excludes zero is a ``regression``; one
    whose interval includes zero is ``worse`` (possibly chance). For the better, the
    same: an ``improvement`` beyond chance, or ``better`` within it.
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
        beyond_chance = low is not None and high is not None and (low > 0 or high < 0)
        verdict: Literal["improvement", "better", "worse", "regression", "same", "not comparable"]
        if delta == 0:
            verdict = "same"
        elif not worse:
            verdict = "improvement" if beyond_chance else "better"
        else:
            verdict = "regression" if beyond_chance else "worse"
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


class CaseFlips(Model):
    """The cases two runs share, matched by case id (and epoch), and those whose verdict
    changed: passed in the first and failed in the second, and back."""

    matched: int
    only_before: int
    only_after: int
    broke: list[str]
    fixed: list[str]
    broke_count: int
    fixed_count: int

    def lines(self) -> list[str]:
        """The flipped cases, as lines for a person."""
        if not self.matched:
            return ["Cases: none in common (the runs share no case id), so none can be matched"]
        apart = [
            f"{self.only_before} only in the first run" if self.only_before else "",
            f"{self.only_after} only in the second" if self.only_after else "",
        ]
        aside = ", ".join(part for part in apart if part)
        lines = [f"Cases matched by id: {self.matched}" + (f" ({aside})" if aside else "")]
        for count, names, what in (
            (self.broke_count, self.broke, "passed → failed"),
            (self.fixed_count, self.fixed, "failed → passed"),
        ):
            if count:
                shown = ", ".join(names[:10]) + (f", … ({count - 10} more)" if count > 10 else "")
                lines.append(f"  {count} {what}: {shown}")
        if not self.broke_count and not self.fixed_count:
            lines.append("  no case changed its verdict")
        return lines


class RunComparison(Model):
    """The latest run against the one before it: each metric's change, and the cases that
    flipped."""

    before: int
    before_label: str
    after: int
    after_label: str
    changes: list[MetricChange]
    cases: CaseFlips


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
    """What the runs show, as the reports and the verdict use it (``comparison`` only where
    a report asks for it: matching cases reads the stored rows)."""

    runs: list[Run] = []
    latest: int | None = None
    bias: BiasGap | None = None
    composition: list[CompositionRow] = []
    comparison: RunComparison | None = None


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
