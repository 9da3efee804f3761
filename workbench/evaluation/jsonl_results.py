"""Results as JSON Lines: one JSON object a test case, with the fields of a CSV row.

A line may also carry ``scores`` (an object of named scores: numbers or true/false),
``epoch`` (the repeat of a case) and ``latency_s`` (seconds). Keys the import does not
use are listed in its summary.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from workbench.evaluation.rows import (
    EXTRA_TARGETS,
    FIELDS,
    MAX_SCORES,
    BadRow,
    JsonProblem,
    ParsedRow,
    ReadOptions,
    Scores,
    bad_row,
    batched,
    check_row,
    parse_json,
    score_name,
    score_value,
    text_lines,
)
from workbench.evaluation.source import Reading, Source


def json_lines(handle: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """Each non-blank line's number and its JSON value, or a ``BadRow`` saying why not (not
    JSON; nested too deeply to read; a 5,000-digit number; a lone surrogate)."""
    for number, line in enumerate(text_lines(handle), 1):
        if not line.strip():
            continue
        try:
            yield number, parse_json(line)
        except JsonProblem as problem:
            yield number, BadRow(number, problem.reason)


def scores_of(value: Any) -> tuple[Scores | None, str | None]:
    """An object of named scores, or why it is not one."""
    if value is None:
        return None, None
    if not isinstance(value, dict):
        return None, "scores: must be an object of name: number"
    scores: Scores = {}
    for name, raw in list(value.items())[:MAX_SCORES]:
        number = score_value(raw)
        if number is None:
            if raw is None or raw == "":
                continue
            shown = repr(raw) if len(repr(raw)) <= 60 else f"{repr(raw)[:40]}…"
            return None, f"score {name!r}: {shown} is not a number (up to ±10^12) or true/false"
        scores[score_name(name)] = number
    return scores or None, None


def read_jsonl(
    source: Source, options: ReadOptions, lines: Iterator[tuple[int, Any]] | None = None
) -> Reading:
    reading = Reading(tool="JSON Lines", format="jsonl", batches=iter(()))
    mapping = options.columns
    ignored: dict[str, None] = {}

    def rows() -> Iterator[ParsedRow]:
        for number, raw in lines if lines is not None else json_lines(source.handle):
            if isinstance(raw, BadRow):
                yield ParsedRow(number, None, raw)
                continue
            if not isinstance(raw, dict):
                yield bad_row(number, "a line must be a JSON object")
                continue
            data: dict[str, Any] = {}
            extra: dict[str, Any] = {}
            scores_raw: Any = None
            for key, value in raw.items():
                name = mapping.get(key, key)
                if name in FIELDS:
                    data[name] = value
                elif name in EXTRA_TARGETS:
                    extra[name] = value
                elif name == "scores":
                    scores_raw = value
                elif name.startswith("score:"):
                    scores_raw = {**(scores_raw or {}), name[len("score:") :]: value}
                elif len(ignored) < 50:
                    ignored[key] = None
            scores, problem = scores_of(scores_raw)
            if problem:
                yield bad_row(number, problem)
                continue
            epoch = extra.get("epoch")
            if epoch is not None and (not isinstance(epoch, int) or epoch < 1):
                yield bad_row(number, f"epoch: {epoch!r} is not a whole number from 1")
                continue
            seconds = extra.get("latency_s")
            if seconds is not None:
                if isinstance(seconds, float) or (
                    isinstance(seconds, int) and not isinstance(seconds, bool) and seconds < 2**63
                ):
                    data["latency_ms"] = seconds * 1000.0
                else:
                    data["latency_ms"] = seconds  # checked, and worded, with the row
            yield check_row(number, data, epoch=epoch, scores=scores)
        reading.ignored[:] = list(ignored)

    reading.batches = batched(rows())
    return reading


def read_json_list(source: Source, options: ReadOptions) -> Reading:
    """A JSON document that is a list of row objects: read as JSON Lines would be, item by
    item (the item's place is its line)."""
    items = source.document if isinstance(source.document, list) else []
    reading = read_jsonl(source, options, lines=iter(enumerate(items, 1)))
    reading.format = "json-list"
    reading.tool = "JSON"
    return reading
