"""DeepEval's test runs: the file ``deepeval test run`` / ``evaluate()`` keeps in
``.deepeval/.latest_test_run.json`` or writes to ``DEEPEVAL_RESULTS_FOLDER``.

Three generations of its fields are read: ``metricsMetadata`` with ``minimumScore``
(0.20.0–0.20.44, no per-metric ``success``), ``metricsMetadata`` with ``threshold`` and
``success`` (0.20.45–0.21.77), and ``metricsData`` with ``name`` (0.21.78 and later; the
case metadata key ``additionalMetadata`` became ``metadata`` in 3.9.9). 0.20's
``dict_test_cases`` is read where ``testCases`` is empty.

A case is correct when DeepEval says it passed (every metric passed). Each metric is two
named scores: its score (``KeywordMatch``) and whether it passed
(``KeywordMatch passed``), so a threshold can be set on either. The case id is the
metadata's ``id``, else the case's name; ``category``, ``group`` and ``kind`` come from
its metadata. DeepEval writes no version number and no response times.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from workbench.errors import InvalidValueError
from workbench.evaluation.rows import (
    FIELDS,
    MAX_SCORES,
    ParsedRow,
    ReadOptions,
    Scores,
    bad_row,
    batched,
    check_row,
    score_name,
    score_value,
)
from workbench.evaluation.source import Reading, Source

TOOL = "DeepEval"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _unwrap(document: Any) -> dict[str, Any]:
    document = _dict(document)
    if isinstance(document.get("testRunData"), dict):
        return document["testRunData"]
    return document


def is_test_run(document: Any) -> bool:
    run = _unwrap(document)
    return "testCases" in run and (
        "metricsScores" in run
        or "metricScores" in run
        or "dict_test_cases" in run
        or "hyperparameters" in run
        or "testPassed" in run
        or "conversationalTestCases" in run
    )


def _cases(run: Mapping[str, Any]) -> list[Any]:
    cases = run.get("testCases")
    if isinstance(cases, list) and cases:
        return cases
    legacy = run.get("dict_test_cases")
    if isinstance(legacy, dict) and legacy:
        return list(legacy.values())
    return cases if isinstance(cases, list) else []


def read_test_run(source: Source, options: ReadOptions) -> Reading:
    run = _unwrap(source.document)
    if not is_test_run(run):
        raise InvalidValueError("not a DeepEval test run (no 'testCases')")
    cases = _cases(run)
    generation = "metricsData (0.21.78 or later)"
    if any("metricsMetadata" in _dict(c) for c in cases):
        has_min = any(
            "minimumScore" in _dict(m) for c in cases for m in _dict(c).get("metricsMetadata") or []
        )
        generation = (
            "metricsMetadata with minimumScore (0.20.0–0.20.44)"
            if has_min
            else "metricsMetadata (0.20.45–0.21.77)"
        )
    hyper = _dict(run.get("hyperparameters"))
    model = str(hyper.get("model") or hyper.get("Model") or "")
    reading = Reading(
        tool=TOOL,
        format="deepeval",
        batches=iter(()),
        details={k: v for k, v in {"model": model, "fields": generation}.items() if v},
    )
    reading.system("", model or "DeepEval test run", model=model)
    reading.note(
        f"DeepEval's fields: {generation}; DeepEval writes no version number into the file"
    )
    reading.note(
        "a case is correct when DeepEval passed it (every metric passed); each metric is a "
        "named score, with 'NAME passed' beside it"
    )
    if run.get("conversationalTestCases"):
        reading.note(
            f"{len(run['conversationalTestCases'])} conversational test case(s) are not read "
            "(one result a single-turn case)"
        )

    def rows() -> Iterator[ParsedRow]:
        for index, case in enumerate(cases, 1):
            if not isinstance(case, dict):
                yield bad_row(index, "a test case must be a JSON object")
                continue
            yield _row(index, case, options)

    reading.batches = batched(rows())
    return reading


def _row(line: int, case: Mapping[str, Any], options: ReadOptions) -> ParsedRow:
    metadata = {**_dict(case.get("additionalMetadata")), **_dict(case.get("metadata"))}
    case_id = metadata.get("id") or case.get("id") or case.get("name") or f"case-{line}"
    scores: Scores = {}
    metrics: list[Any] = []
    for key in ("metricsData", "metricsMetadata"):
        if isinstance(case.get(key), list):
            metrics = case[key]
            break
    for metric in metrics[:MAX_SCORES]:
        metric = _dict(metric)
        name = score_name(metric.get("name") or metric.get("metric") or "")
        score = score_value(metric.get("score"))
        if not name or score is None:
            continue
        scores[name] = score
        passed = metric.get("success")
        if passed is None and isinstance(metric.get("minimumScore"), int | float):
            passed = score >= metric["minimumScore"]
        if isinstance(passed, bool):
            scores[f"{name} passed"] = 1.0 if passed else 0.0
    data: dict[str, Any] = {
        "id": case_id,
        "category": metadata.get("category", ""),
        "group": metadata.get("group", ""),
        "kind": metadata.get("kind", ""),
        "expected": case.get("expectedOutput") or "",
        "output": case.get("actualOutput") or "",
        "correct": case.get("success"),
    }
    for name, target in options.columns.items():
        if target in FIELDS and name in metadata:
            data[target] = metadata[name]
    return check_row(line, data, scores=scores or None)
