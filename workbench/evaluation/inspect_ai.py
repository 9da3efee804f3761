"""Inspect AI's evaluation logs (the UK AI Security Institute's framework): the ``.eval``
zip archive and ``--log-format json``, read with the standard library (no inspect-ai
needed at run time).

What each part of a sample becomes:

* ``id`` and ``epoch`` name the case; every epoch is kept, and a case counts once in the
  figures, with the mean of its epochs (Inspect's default reducer; a log that reduces
  otherwise is said so).
* One scorer gives ``correct``: ``C`` is right, ``I`` and ``N`` (no answer) wrong, as
  Inspect's accuracy counts them; a partial ``P`` is neither, and is left out of accuracy
  (the scorer's mean, with P as 0.5, is kept as its named score). The first scorer is the
  default, said aloud; ``--scorer NAME`` picks another. Every other scorer is a named
  score.
* ``total_time`` is the response time, in **seconds**; a sample ``error`` is a system
  error; ``metadata`` gives category, group and kind (``--map`` reads other names);
  ``input``, ``target`` and ``output.completion`` are the texts.
* The model and the task name the run. A log that did not finish (no header, or a status
  other than success) is refused: its figures would describe part of a test set.
"""

from __future__ import annotations

import json
import re
import zipfile
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
    parse_json,
    score_name,
    score_value,
)
from workbench.evaluation.source import Reading, Source
from workbench.models import MAX_WHOLE

TOOL = "Inspect AI"
_SAMPLE_NAME = re.compile(r"^samples/(?P<id>.+)_epoch_(?P<epoch>\d+)\.json$")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def is_inspect_log(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("eval"), dict)
        and ("samples" in document or "status" in document)
    )


def is_inspect_zip(names: list[str]) -> bool:
    return "header.json" in names or "_journal/start.json" in names


def _text(value: Any) -> str:
    """A sample's input or target as text: a chat's messages give their contents."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                content = item.get("content")
                parts.append(_text(content) if not isinstance(content, str) else content)
            else:
                parts.append(_text(item))
        return "\n".join(part for part in parts if part)
    if isinstance(value, dict) and "text" in value:
        return str(value["text"])
    return json.dumps(value, ensure_ascii=False)


def _correct(value: Any) -> bool | str | None:
    """A scorer's value as right/wrong; ``"partial"`` for a value in between."""
    letters: dict[str, bool | str] = {"C": True, "I": False, "N": False, "P": "partial"}
    if isinstance(value, str) and value.strip() in letters:
        return letters[value.strip()]
    number = score_value(value)
    if number is None:
        return None
    if number in (0.0, 1.0):
        return number == 1.0
    return "partial"


def _refuse_unfinished(header: Mapping[str, Any], name: str) -> None:
    status = header.get("status")
    if status == "success":
        return
    if status is None or status == "started":
        why = "it was still running or was stopped before it ended (status: started)"
    else:
        message = _dict(header.get("error")).get("message", "")
        why = f"status: {status}" + (f", {message}" if message else "")
    raise InvalidValueError(
        f"an Inspect AI log that did not finish ({why}); its figures would cover only part of "
        f"the test set. Finish the run (inspect eval-retry {name}) and import that log"
    )


class _Samples:
    def __init__(self, reading: Reading, header: Mapping[str, Any], options: ReadOptions):
        self.reading = reading
        self.options = options
        spec = _dict(header.get("eval"))
        config = _dict(spec.get("config"))
        declared = [_dict(s).get("name") for s in spec.get("scorers") or []]
        results = [_dict(s) for s in _dict(header.get("results")).get("scores") or []]
        self.scorers = [str(s) for s in declared if s] or [
            str(s["name"]) for s in results if s.get("name")
        ]
        reducers = {str(s.get("name")): s.get("reducer") for s in results}
        default_reducer = (config.get("epochs_reducer") or ["mean"])[0]
        self.chosen = options.scorer
        if self.chosen is not None and self.scorers and self.chosen not in self.scorers:
            raise InvalidValueError(
                f"--scorer {self.chosen!r}: this log's scorers are {', '.join(self.scorers)}"
            )
        if self.chosen is None and self.scorers:
            self.chosen = self.scorers[0]
            others = [s for s in self.scorers if s != self.chosen]
            reading.note(
                f"scorer {self.chosen!r} gives 'correct'"
                + (
                    f" (the first of {len(self.scorers)}; --scorer picks another: "
                    f"{', '.join(others)})"
                    if others
                    else ""
                )
            )
        elif self.chosen is not None:
            reading.note(f"scorer {self.chosen!r} gives 'correct' (--scorer)")
        others = [s for s in self.scorers if s != self.chosen]
        if others:
            reading.note(f"the other scorers are kept as named scores: {', '.join(others)}")
        try:
            epochs = int(config.get("epochs") or 1)
        except (TypeError, ValueError, OverflowError):
            epochs = 1
        self.epochs = epochs if 1 <= epochs <= MAX_WHOLE else 1
        if self.epochs > 1:
            reducer = reducers.get(self.chosen or "") or default_reducer
            said = (
                "as the log's reducer (mean) does"
                if reducer == "mean"
                else f"where the log's reducer is {reducer!r}: its reduced figures may differ"
            )
            reading.note(
                f"{self.epochs} epochs: every epoch is kept, and a case counts once, with the "
                f"mean of its epochs, {said}"
            )
        model = str(spec.get("model", ""))
        task = str(spec.get("task_display_name") or spec.get("task", ""))
        reading.version = str(_dict(spec.get("packages")).get("inspect_ai", ""))
        log_version = header.get("version")
        if log_version not in (None, 2):
            reading.note(
                f"an Inspect log of format version {log_version} (this reader knows version 2): "
                "read as version 2; check the figures against inspect view"
            )
        reading.system("", f"{task} ({model})" if task and model else task or model, model=model)
        dataset = _dict(spec.get("dataset"))
        reading.details.update(
            {
                k: v
                for k, v in {
                    "task": task,
                    "model": model,
                    "eval_id": spec.get("eval_id", ""),
                    "run_id": spec.get("run_id", ""),
                    "created": spec.get("created", ""),
                    "dataset": dataset.get("name", ""),
                    "scorers": ", ".join(self.scorers),
                    "epochs": self.epochs if self.epochs > 1 else "",
                }.items()
                if v
            }
        )
        self.partial = 0
        self.no_score = 0
        self.errors = 0

    def row(self, line: int, sample: Mapping[str, Any]) -> ParsedRow:
        metadata = _dict(sample.get("metadata"))
        raw_id = sample.get("id")
        epoch = sample.get("epoch")
        if raw_id is None or raw_id == "":
            return bad_row(line, "a sample without an id")
        if not isinstance(epoch, int) or epoch < 1 or self.epochs == 1:
            epoch = None  # (one epoch: no repeats to tell apart)
        error = bool(sample.get("error"))
        self.errors += error
        scores: Scores = {}
        correct: Any = None
        for name, score in list(_dict(sample.get("scores")).items())[:MAX_SCORES]:
            value = _dict(score).get("value")
            if name == self.chosen:
                verdict = _correct(value)
                if verdict == "partial":
                    self.partial += 1
                    number = score_value(value)
                    if number is not None:
                        scores[score_name(name)] = number
                else:
                    correct = verdict
                continue
            if isinstance(value, dict):
                for key, part in list(value.items())[:MAX_SCORES]:
                    number = score_value(part)
                    if number is not None:
                        scores[score_name(f"{name}/{key}")] = number
                continue
            number = score_value(value)
            if number is not None:
                scores[score_name(name)] = number
        if correct is None and not error and self.chosen is not None:
            self.no_score += 1
        total_time = sample.get("total_time")
        output = _dict(sample.get("output"))
        data: dict[str, Any] = {
            "id": str(raw_id),
            "category": metadata.get("category", ""),
            "group": metadata.get("group", ""),
            "kind": metadata.get("kind", ""),
            "expected": _text(sample.get("target")),
            "output": output.get("completion") or "",
            "correct": None if error else correct,
            "latency_ms": total_time * 1000.0
            if isinstance(total_time, int | float) and not isinstance(total_time, bool)
            else total_time,
            "error": error,
        }
        for name, target in self.options.columns.items():
            if target in FIELDS and name in metadata:
                data[target] = metadata[name]
        return check_row(line, data, epoch=epoch, scores=scores or None)

    def finish(self) -> None:
        if self.partial:
            self.reading.note(
                f"{self.partial} partial answer(s) (P) of scorer {self.chosen!r} are neither "
                "right nor wrong and are left out of accuracy; its named score counts P as 0.5"
            )
        if self.no_score:
            self.reading.note(
                f"{self.no_score} sample(s) have no value of scorer {self.chosen!r}: not judged"
            )
        if self.errors:
            self.reading.note(
                f"{self.errors} sample error(s) count in the error rate, not in accuracy "
                "(as Inspect leaves them out of its scored samples)"
            )


def read_json(source: Source, options: ReadOptions) -> Reading:
    document = _dict(source.document)
    _refuse_unfinished(document, source.path.name)
    reading = Reading(tool=TOOL, format="inspect-json", batches=iter(()))
    samples = _Samples(reading, document, options)

    def rows() -> Iterator[ParsedRow]:
        for index, sample in enumerate(document.get("samples") or [], 1):
            if not isinstance(sample, dict):
                yield bad_row(index, "a sample must be a JSON object")
                continue
            yield samples.row(index, sample)
        samples.finish()

    reading.batches = batched(rows())
    return reading


def read_eval(source: Source, options: ReadOptions) -> Reading:
    """An ``.eval`` archive: the header, then each sample's entry one at a time."""
    try:
        archive = zipfile.ZipFile(source.handle)
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as error:
        raise InvalidValueError(f"a damaged zip archive ({error})") from None
    if "header.json" not in names:
        _refuse_unfinished({"status": "started"}, source.path.name)
    try:
        header = parse_json(archive.read("header.json"))
    except (ValueError, zipfile.BadZipFile, OSError) as error:
        raise InvalidValueError(f"the log's header.json is unreadable ({error})") from None
    _refuse_unfinished(_dict(header), source.path.name)
    reading = Reading(tool=TOOL, format="inspect-eval", batches=iter(()))
    samples = _Samples(reading, _dict(header), options)

    def order(name: str) -> tuple[int, str]:
        match = _SAMPLE_NAME.match(name)
        assert match is not None
        case = match["id"]
        epoch = match["epoch"]  # (as a number, but not one of a thousand digits)
        return int(epoch) if len(epoch) < 19 else 2**63, case.zfill(20) if case.isdigit() else case

    entries = sorted((n for n in names if _SAMPLE_NAME.match(n)), key=order)

    def rows() -> Iterator[ParsedRow]:
        for index, name in enumerate(entries, 1):
            try:
                sample = parse_json(archive.read(name))
            except (ValueError, zipfile.BadZipFile, OSError) as error:
                yield bad_row(index, f"{name} is unreadable ({error})")
                continue
            if not isinstance(sample, dict):
                yield bad_row(index, f"{name} is not a sample")
                continue
            yield samples.row(index, sample)
        samples.finish()
        archive.close()

    reading.batches = batched(rows())
    return reading
