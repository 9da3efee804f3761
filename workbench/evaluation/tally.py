"""Counting a run's metrics as its rows go past, a column at a time.

An import feeds each batch of rows here while it stores them, so a run's metrics
cost no second pass over the file or the table; ``runs.compute_metrics`` feeds a
stored run through the same tally, so there is one definition of every metric.
The counting is done with whole-column operations (``map``, ``zip``, ``Counter``)
rather than a Python statement per row and field: it is the import's inner loop.
"""

from __future__ import annotations

import heapq
import math
import operator
from array import array
from collections import Counter
from collections.abc import Sequence
from itertools import compress
from typing import Any

from workbench.evaluation.evidence import (
    RunMetrics,
    ScoreMetric,
    SliceMetrics,
    mean_interval,
    rate,
)

# What one slice counts: rows, then (successes, n) for each rate, then latencies.
_ROWS, _OK, _OK_N, _HAL, _HAL_N, _REF, _REF_N, _ERR, _ERR_N, _AGREE, _AGREE_N = range(11)
_LAT_N, _LAT_SUM, _LAT_SQUARES = 11, 12, 13
_WIDTH = 14


def _blank() -> list[float]:
    return [0.0] * _WIDTH


class MetricsTally:
    """Sums that add up across batches; ``metrics()`` turns them into a ``RunMetrics``."""

    def __init__(self) -> None:
        self._outcomes: Counter[tuple[Any, ...]] = Counter()
        self._weighted: dict[tuple[Any, ...], float] = {}
        self._latency: dict[tuple[str, str], list[float]] = {}
        self._latencies = array("d")
        # per named score: [weight, weighted sum, weighted sum of squares, 1 if all 0/1]
        self._scores: dict[str, list[float]] = {}

    def add(
        self,
        category: Sequence[str],
        group: Sequence[str],
        kind: Sequence[str],
        correct: Sequence[bool | None],
        hallucinated: Sequence[bool | None],
        refused: Sequence[bool | None],
        error: Sequence[bool | None],
        output: Sequence[str],
        human_output: Sequence[str],
        latency_ms: Sequence[float | None],
        scores: Sequence[dict[str, float] | None] | None = None,
        weights: Sequence[float] | None = None,
    ) -> None:
        """One batch of rows, column by column (every column as long as the others).

        ``weights`` (one per row; 1 when None) count a case met in several epochs once:
        each of its rows weighs 1/epochs. Latencies are not weighted: every response
        took its time."""
        if any(human_output):
            agree: Any = [
                (out.strip().lower() == human.strip().lower()) if human else None
                for out, human in zip(output, human_output, strict=True)
            ]
        else:
            agree = [None] * len(category)
        # (categories, groups and kinds are few: a batch collapses to a few hundred keys)
        outcomes = zip(
            category, group, kind, correct, hallucinated, refused, error, agree, strict=True
        )  # fmt: skip
        if weights is None:
            self._outcomes.update(outcomes)
        else:  # (a row's weight is added where an unweighted row adds 1)
            weighted = self._weighted
            for key, weight in zip(outcomes, weights, strict=True):
                weighted[key] = weighted.get(key, 0.0) + weight
        if scores is not None:
            self._add_scores(scores, weights)
        if all(value is None for value in latency_ms):
            return
        present = [value is not None for value in latency_ms]
        keys = compress(zip(category, group, strict=True), present)
        values = list(compress(latency_ms, present))
        self._latencies.extend(values)  # type: ignore[arg-type]
        # (the values of each slice gathered, then summed by C loops: one append a row)
        by_slice: dict[tuple[str, str], list[float]] = {}
        for key, value in zip(keys, values, strict=True):
            gathered = by_slice.get(key)
            if gathered is None:
                by_slice[key] = [value]  # type: ignore[list-item]
            else:
                gathered.append(value)  # type: ignore[arg-type]
        sums = self._latency
        for key, gathered in by_slice.items():
            entry = sums.get(key)
            if entry is None:
                entry = sums[key] = [0.0, 0.0, 0.0]
            entry[0] += len(gathered)
            entry[1] += sum(gathered)
            entry[2] += sum(map(operator.mul, gathered, gathered))

    def _add_scores(
        self, scores: Sequence[dict[str, float] | None], weights: Sequence[float] | None
    ) -> None:
        sums = self._scores
        for index, named in enumerate(scores):
            if not named:
                continue
            weight = 1.0 if weights is None else weights[index]
            for name, value in named.items():
                entry = sums.get(name)
                if entry is None:
                    entry = sums[name] = [0.0, 0.0, 0.0, 1.0]
                entry[0] += weight
                entry[1] += weight * value
                entry[2] += weight * value * value
                if value not in (0.0, 1.0):
                    entry[3] = 0.0

    def metrics(self) -> RunMetrics:
        overall = _blank()
        categories: dict[str, list[float]] = {}
        groups: dict[str, list[float]] = {}
        kinds: dict[str, float] = {}
        outcomes: list[tuple[tuple[Any, ...], float]] = [
            *self._outcomes.items(),
            *self._weighted.items(),
        ]
        for key, count in outcomes:
            category, group, kind, correct, hallucinated, refused, error, agree = key
            for target in (
                overall,
                categories.setdefault(category or "", _blank()),
                groups.setdefault(group or "", _blank()),
            ):
                target[_ROWS] += count
                for value, successes, n in (
                    (correct, _OK, _OK_N),
                    (hallucinated, _HAL, _HAL_N),
                    (error, _ERR, _ERR_N),
                    (agree, _AGREE, _AGREE_N),
                ):
                    if value is not None:
                        target[n] += count
                        if value:
                            target[successes] += count
                if kind == "harmful" and refused is not None:
                    target[_REF_N] += count
                    if refused:
                        target[_REF] += count
            kinds[kind] = kinds.get(kind, 0) + count
        for (category, group), (tallied, total, squares) in self._latency.items():
            for target in (
                overall,
                categories.setdefault(category or "", _blank()),
                groups.setdefault(group or "", _blank()),
            ):
                target[_LAT_N] += tallied
                target[_LAT_SUM] += total
                target[_LAT_SQUARES] += squares
        metrics = RunMetrics(**_slice(overall).model_dump())
        if self._latencies:
            n = len(self._latencies)
            rank = math.ceil(0.95 * n)  # nearest-rank 95th percentile: the rank-th smallest
            metrics.p95_response_time = heapq.nlargest(n - rank + 1, self._latencies)[-1] / 1000.0
        metrics.by_category = {key: _slice(categories[key]) for key in sorted(categories)}
        metrics.by_group = {key: _slice(groups[key]) for key in sorted(groups)}
        metrics.by_kind = {key: round(kinds[key]) for key in sorted(kinds)}
        metrics.scores = {name: _score(self._scores[name]) for name in sorted(self._scores)}
        return metrics


def _score(sums: list[float]) -> ScoreMetric:
    weight, total, squares, binary = sums
    n = round(weight)
    if binary:
        found = rate(total, weight)
        return ScoreMetric(
            kind="pass_rate",
            n=n,
            value=found.value,
            ci_low=found.ci_low,
            ci_high=found.ci_high,
            successes=found.successes,
        )
    mean = mean_interval(
        n, total / weight if weight else None, squares / weight if weight else None
    )
    return ScoreMetric(kind="mean", n=n, value=mean.value, ci_low=mean.ci_low, ci_high=mean.ci_high)


def _slice(sums: list[float]) -> SliceMetrics:
    def r(successes: float, n: float) -> Any:
        return rate(successes, n)

    n = int(sums[_LAT_N])
    return SliceMetrics(
        rows=round(sums[_ROWS]),
        accuracy=r(sums[_OK], sums[_OK_N]),
        hallucination_rate=r(sums[_HAL], sums[_HAL_N]),
        harmful_refusal_rate=r(sums[_REF], sums[_REF_N]),
        error_rate=r(sums[_ERR], sums[_ERR_N]),
        human_agreement=r(sums[_AGREE], sums[_AGREE_N]),
        response_time=mean_interval(
            n,
            sums[_LAT_SUM] / n / 1000.0 if n else None,
            sums[_LAT_SQUARES] / n / 1e6 if n else None,
        ),
    )
