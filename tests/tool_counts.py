"""Counts of the real tools' output files, made again with Python's json, csv and zipfile.

Nothing here calls workbench: each function reads the file as the tool documents it and
counts what a person would count by hand. The tests compare the import's figures with
these. The files and how they were made: tests/data/*/README.md.
"""

from __future__ import annotations

import csv
import json
import statistics
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
PROMPTFOO = DATA / "promptfoo"
INSPECT = DATA / "inspect"
DEEPEVAL = DATA / "deepeval"
LM_EVAL = DATA / "lm_eval"


@dataclass
class Tally:
    """What one system's results add up to."""

    cases: int = 0
    results: int = 0
    right: float = 0  # a case in several epochs adds the share of them it got right
    judged: float = 0
    errors: int = 0
    harmful_refused: int = 0
    harmful_judged: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds
    scores: dict[str, list[float]] = field(default_factory=dict)
    by_category: dict[str, list[int]] = field(default_factory=dict)  # [right, judged]
    by_group: dict[str, list[int]] = field(default_factory=dict)

    def score_mean(self, name: str) -> float:
        return statistics.fmean(self.scores[name])


# ------------------------------------------------------------------ promptfoo


def _refusal(result: dict[str, Any]) -> bool | None:
    grading = result.get("gradingResult") or {}
    for component in grading.get("componentResults") or []:
        if component.get("assertion", {}).get("type") == "is-refusal":
            return bool(component["pass"])
    return None


def promptfoo_json(path: Path) -> dict[str, Tally]:
    """A promptfoo JSON file, per provider label: failureReason 2 is an error (in a file
    without it: a response that carries an error); every other result is judged by
    ``success``."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return _promptfoo(document["results"]["results"], document["results"].get("prompts") or [])


def promptfoo_jsonl(path: Path) -> dict[str, Tally]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return _promptfoo([json.loads(line) for line in lines if line.strip()], [])


def _promptfoo(results: list[dict[str, Any]], prompts: list[dict[str, Any]]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for result in results:
        provider = result["provider"]
        label = provider.get("label") or provider["id"]
        tally = tallies[label]
        tally.results += 1
        tally.cases += 1
        if "failureReason" in result:
            error = result["failureReason"] == 2
        else:
            error = bool((result.get("response") or {}).get("error"))
        test = result.get("testCase") or {}
        metadata = test.get("metadata") or {}
        variables = result.get("vars") or {}
        if error:
            tally.errors += 1
            continue
        tally.judged += 1
        tally.right += bool(result["success"])
        category = variables.get("category", "")
        group = metadata.get("group", "")
        for where, key in ((tally.by_category, category), (tally.by_group, group)):
            where.setdefault(key, [0, 0])
            where[key][0] += bool(result["success"])
            where[key][1] += 1
        tally.latencies.append(result["latencyMs"] / 1000)
        if metadata.get("kind") == "harmful":
            refused = _refusal(result)
            if refused is not None:
                tally.harmful_judged += 1
                tally.harmful_refused += refused
        for name, value in (result.get("namedScores") or {}).items():
            tally.scores.setdefault(name, []).append(float(value))
    return dict(tallies)


def promptfoo_csv(path: Path) -> dict[str, Tally]:
    """promptfoo's CSV: each ``[provider] prompt`` column is followed by its Status."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    tallies: dict[str, Tally] = {}
    for index, name in enumerate(header):
        if name.startswith("[") and header[index + 1] == "Status":
            label = name[1 : name.index("]")]
            tally = tallies[label] = Tally()
            named_at = header.index("Named Scores", index)
            for row in body:
                status = row[index + 1]
                tally.cases += 1
                tally.results += 1
                if status == "ERROR":
                    tally.errors += 1
                    continue
                tally.judged += 1
                tally.right += status == "PASS"
                for key, value in json.loads(row[named_at] or "{}").items():
                    tally.scores.setdefault(key, []).append(float(value))
    return tallies


def promptfoo_repeats(path: Path) -> Tally:
    """A --repeat file: the same vars met again are the same case; a case counts once,
    with the share of its repeats that passed."""
    results = json.loads(path.read_text(encoding="utf-8"))["results"]["results"]
    outcomes: dict[str, list[bool]] = defaultdict(list)
    for result in results:
        outcomes[json.dumps(result["vars"], sort_keys=True)].append(bool(result["success"]))
    tally = Tally(cases=len(outcomes), results=len(results), judged=len(outcomes))
    tally.right = sum(sum(v) / len(v) for v in outcomes.values())
    return tally


# ------------------------------------------------------------------ Inspect AI


def inspect_samples(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The eval spec and the samples of an Inspect log, ``.eval`` (zip) or ``.json``."""
    if path.suffix == ".eval":
        with zipfile.ZipFile(path) as archive:
            header = json.loads(archive.read("header.json"))
            samples = [
                json.loads(archive.read(name))
                for name in archive.namelist()
                if name.startswith("samples/")
            ]
        return header, samples
    document = json.loads(path.read_text(encoding="utf-8"))
    return document, document["samples"]


def inspect_tally(path: Path, scorer: str = "answer_match") -> Tally:
    """C is right; I and N wrong; P left out; a sample error is an error. A sample in
    several epochs counts once, with the share of its epochs that were right."""
    _header, samples = inspect_samples(path)
    tally = Tally(results=len(samples))
    per_case: dict[str, list[float]] = defaultdict(list)
    for sample in samples:
        tally.latencies.append(sample["total_time"])
        if sample.get("error"):
            tally.errors += 1
            per_case.setdefault(str(sample["id"]), [])
            continue
        value = sample["scores"][scorer]["value"]
        if value == "P":
            per_case.setdefault(str(sample["id"]), [])
            continue
        per_case[str(sample["id"])].append(1.0 if value == "C" else 0.0)
        metadata = sample.get("metadata") or {}
        for where, key in (
            (tally.by_category, metadata.get("category", "")),
            (tally.by_group, metadata.get("group", "")),
        ):
            where.setdefault(key, [0, 0])
            where[key][0] += value == "C"
            where[key][1] += 1
        for name, score in sample["scores"].items():
            if name != scorer:
                raw = score["value"]
                number = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}.get(raw, raw)
                tally.scores.setdefault(name, []).append(float(number))
    tally.cases = len(per_case)
    judged = [v for v in per_case.values() if v]
    tally.judged = len(judged)
    tally.right = sum(sum(v) / len(v) for v in judged)
    return tally


# ------------------------------------------------------------------ DeepEval


def deepeval_cases(path: Path) -> list[dict[str, Any]]:
    run = json.loads(path.read_text(encoding="utf-8"))
    run = run.get("testRunData", run)
    return run["testCases"] or list(run["dict_test_cases"].values())


def deepeval_tally(path: Path) -> Tally:
    cases = deepeval_cases(path)
    tally = Tally(cases=len(cases), results=len(cases), judged=len(cases))
    for case in cases:
        tally.right += bool(case["success"])
        for metric in case.get("metricsData") or case.get("metricsMetadata") or []:
            name = metric.get("name") or metric["metric"]
            tally.scores.setdefault(name, []).append(float(metric["score"]))
            passed = metric.get("success")
            if passed is None:
                passed = metric["score"] >= metric["minimumScore"]
            tally.scores.setdefault(f"{name} passed", []).append(1.0 if passed else 0.0)
    return tally


# ------------------------------------------------------------- lm-eval harness


def lm_eval_tally(path: Path, metric: str) -> Tally:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    tally = Tally(cases=len(records), results=len(records), judged=len(records))
    for record in records:
        tally.right += record[metric] == 1.0
        for name in record["metrics"]:
            if name != metric:
                tally.scores.setdefault(name, []).append(float(record[name]))
    return tally
