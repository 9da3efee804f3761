"""lm-evaluation-harness samples: the ``samples_TASK_DATE.jsonl`` file that
``lm_eval … --log_samples`` writes, one document a line.

``doc_id`` (or the document's own ``id``) names the case; each metric of the record
(``acc``, ``exact_match``, …, named in its ``metrics`` list) is a named score, and the
first one gives ``correct`` (1 is right; ``--scorer NAME`` picks another). ``target`` is
the expected answer and the filtered response the output; ``category``, ``group`` and
``kind`` come from the document (``--map`` reads other names). Each filter (``filter``)
is a system of its own. The samples file names neither the model nor lm_eval's version:
those are in the results file beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from workbench.errors import InvalidValueError
from workbench.evaluation.jsonl_results import json_lines
from workbench.evaluation.rows import (
    FIELDS,
    MAX_SCORES,
    BadRow,
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

TOOL = "lm-evaluation-harness"
_SAMPLES_NAME = re.compile(r"^samples_(?P<task>.+?)_\d{4}-\d{2}-\d{2}T[\d\-.]+$")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def is_sample(first: Mapping[str, Any]) -> bool:
    return "doc_id" in first and ("filtered_resps" in first or "resps" in first)


def is_results_summary(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("results"), dict)
        and ("lm_eval_version" in document or "n-shot" in document or "versions" in document)
    )


def _output(value: Any) -> str:
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0]
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def read_samples(source: Source, options: ReadOptions) -> Reading:
    match = _SAMPLES_NAME.match(source.path.stem)
    task = match["task"] if match else source.path.stem
    reading = Reading(tool=TOOL, format="lm-eval-samples", batches=iter(()), details={"task": task})
    state: dict[str, Any] = {"metric": options.scorer, "metrics": None}
    reading.note(
        "lm-evaluation-harness's samples file names neither the model nor lm_eval's version "
        "(they are in the results_….json beside it)"
    )

    def rows() -> Iterator[ParsedRow]:
        for number, record in json_lines(source.handle):
            if isinstance(record, BadRow):
                yield ParsedRow(number, None, record)
                continue
            if not isinstance(record, dict) or "doc_id" not in record:
                yield bad_row(number, "not an lm-evaluation-harness sample (no doc_id)")
                continue
            names = [str(m) for m in record.get("metrics") or [] if m in record]
            if state["metrics"] is None:
                state["metrics"] = names
                if state["metric"] is None and names:
                    state["metric"] = names[0]
                elif state["metric"] is not None and state["metric"] not in names:
                    raise InvalidValueError(
                        f"--scorer {state['metric']!r}: this file's metrics are "
                        f"{', '.join(names) or 'none'}"
                    )
            chosen = state["metric"]
            doc = _dict(record.get("doc"))
            scores: Scores = {}
            correct: bool | None = None
            for name in names[:MAX_SCORES]:
                value = score_value(record.get(name))
                if value is None:
                    continue
                if name == chosen and value in (0.0, 1.0):
                    correct = value == 1.0
                else:
                    scores[score_name(name)] = value
            filter_name = str(record.get("filter") or "none")
            system = "" if filter_name == "none" else filter_name
            if system not in reading.systems:
                label = task if not system else f"{task} · {filter_name}"
                reading.system(system, label, filter=filter_name)
            data: dict[str, Any] = {
                "id": doc.get("id") or f"doc-{record['doc_id']}",
                "category": doc.get("category", ""),
                "group": doc.get("group", ""),
                "kind": doc.get("kind", ""),
                "expected": record.get("target", ""),
                "output": _output(record.get("filtered_resps")),
                "correct": correct,
            }
            for name, target in options.columns.items():
                if target in FIELDS and name in doc:
                    data[target] = doc[name]
            yield check_row(number, data, scores=scores or None, system=system)
        metrics = state["metrics"] or []
        if state["metric"]:
            others = [m for m in metrics if m != state["metric"]]
            reading.note(
                f"metric {state['metric']!r} gives 'correct'"
                + (f"; the others are named scores: {', '.join(others)}" if others else "")
                + (" (--scorer picks another)" if others and options.scorer is None else "")
            )

    reading.batches = batched(rows())
    return reading
