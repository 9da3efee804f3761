"""promptfoo's output: ``promptfoo eval -o results.json`` (summary versions 2 and 3, and
the older flat list), ``-o results.jsonl`` and ``-o results.csv``.

What each part of a result becomes:

* ``success`` is ``correct`` for every result that is not a system error. Only
  ``failureReason == 2`` is an error (promptfoo writes an ordinary failed assertion's
  reason into ``error`` too, with ``failureReason == 1``); a file without
  ``failureReason`` counts a result as an error when it has no grading result or its
  response carries an error.
* Each provider and prompt pair (``promptIdx``) is a system of its own: a file that
  compares two providers gives two runs, never one of twice the size.
* A case is known by the test's description, or where it has none by a hash of its vars,
  so two runs of the same tests can be matched case by case; the same test met again
  (``--repeat``) is its next epoch.
* ``namedScores`` become named scores as they are: promptfoo's score is 1 when the
  assertion held, so a score called ``hallucinated`` is 1 when *nothing* was invented.
  None feeds a built-in field unless ``--map metric:NAME=[not] FIELD`` says so.
  The ``is-refusal`` assertion (and ``not-is-refusal``) gives ``refused``.
* ``latencyMs`` is the response time (an error's 0 is no time); ``category``, ``group``
  and ``kind`` come from the test's metadata or vars (``--map`` reads other names).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from workbench.errors import InvalidValueError
from workbench.evaluation.csv_results import open_table, records
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
    parse_json,
    score_name,
    score_value,
)
from workbench.evaluation.source import Reading, Source

TOOL = "promptfoo"
_LABELLED = re.compile(r"^\[(?P<provider>.*?)\]\s?(?P<prompt>.*)$")
_HIDDEN_METADATA = {"_promptfooFileMetadata", "errorContext"}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _canonical(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def vars_hash(variables: Mapping[str, Any]) -> str:
    """A short, stable name for a test by its vars (empty ones left out, as promptfoo's
    CSV cannot tell them from missing ones)."""
    canonical = {str(k): _canonical(v) for k, v in variables.items() if v is not None and v != ""}
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False)
    return "vars-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


class CaseNames:
    """Names each system's cases: the description (or vars hash) of the test, with the
    vars hash added where two different tests share a description; the same test met
    again is its next epoch."""

    def __init__(self) -> None:
        self._tests: dict[tuple[str, str], dict[str, str]] = {}
        self._seen: dict[tuple[str, str], int] = {}
        self.repeated = 0
        self.shared_descriptions = 0
        self.unnamed = 0

    def name(
        self, system: str, description: str, variables: Mapping[str, Any]
    ) -> tuple[str, int | None]:
        """The case's id, and its epoch: None the first time the test is met, then 2, 3, …"""
        digest = vars_hash(variables)
        if not description:
            self.unnamed += 1
        base = description or digest
        tests = self._tests.setdefault((system, base), {})
        if digest not in tests:
            if tests:
                self.shared_descriptions += 1
            tests[digest] = base if not tests else f"{base} [{digest[5:11]}]"
        case = tests[digest]
        count = self._seen.get((system, case), 0) + 1
        self._seen[(system, case)] = count
        if count > 1:
            self.repeated += 1
        return case, count if count > 1 else None

    def tell(self, reading: Reading) -> None:
        if self.unnamed:
            reading.note(
                "tests without a description are known by a hash of their vars "
                "(vars-…), so the same test matches across runs"
            )
        if self.shared_descriptions:
            reading.note(
                f"{self.shared_descriptions} test(s) share a description with another: "
                "the vars hash is added to tell them apart"
            )
        if self.repeated:
            reading.note(
                f"{self.repeated} result(s) repeat a test already met (promptfoo --repeat): "
                "each is an epoch of its case, and a case counts once, with the mean of its "
                "epochs"
            )


class _Scores:
    """What the reader does with named scores, said once in the summary."""

    def __init__(self, options: ReadOptions) -> None:
        self.options = options
        self.seen: dict[str, int] = {}
        self.refusals = 0

    def read(self, named: Any) -> Scores | None:
        scores: Scores = {}
        for name, value in list(_dict(named).items())[:MAX_SCORES]:
            number = score_value(value)
            if number is None:
                continue
            key = score_name(name)
            scores[key] = number
            self.seen[key] = self.seen.get(key, 0) + 1
        return scores or None

    def tell(self, reading: Reading) -> None:
        for name, count in self.seen.items():
            use = self.options.metrics.get(name)
            if use is not None:
                reading.note(f"named score {name!r} ({count} results) read as {use.describe()}")
                continue
            hint = ""
            lowered = name.lower()
            if lowered.startswith("halluc") or lowered in ("fabricated", "invented"):
                hint = (
                    " (promptfoo scores 1 when the assertion held, so 1 here is most likely "
                    f"no hallucination; to count it as one: --map metric:{name}='not hallucinated')"
                )
            elif lowered in ("refused", "refusal", "correct"):
                field = "refused" if lowered.startswith("refus") else "correct"
                hint = f" (to count it as {field}: --map metric:{name}={field})"
            reading.note(f"named score {name!r} ({count} results) kept as a named score{hint}")
        if self.refusals:
            reading.note(f"is-refusal assertions ({self.refusals} results) give 'refused'")


def _refused(grading: Mapping[str, Any]) -> bool | None:
    verdict = None
    for component in grading.get("componentResults") or []:
        if not isinstance(component, dict):
            continue
        kind = _dict(component.get("assertion")).get("type")
        if kind == "is-refusal":
            verdict = bool(component.get("pass"))
        elif kind == "not-is-refusal":
            verdict = not component.get("pass")
    return verdict


def _is_error(result: Mapping[str, Any], response: Mapping[str, Any]) -> bool:
    reason = result.get("failureReason")
    if reason is not None:
        return reason == 2
    if not result.get("error") and not response.get("error"):
        return False
    # (before failureReason: an assertion failure has a grading result, an error has none)
    return bool(response.get("error")) or not isinstance(result.get("gradingResult"), dict)


class _Rows:
    """Turns promptfoo's results into rows, one system per provider and prompt."""

    def __init__(self, reading: Reading, options: ReadOptions, prompts: Sequence[Any] = ()):
        self.reading = reading
        self.options = options
        self.prompts = [_dict(p) for p in prompts]
        self.names = CaseNames()
        self.scores = _Scores(options)
        self.descriptions: dict[str, str] = {}
        self.labels: dict[str, tuple[str, str]] = {}
        self.errors = 0
        self.unscored = 0

    def system_of(self, result: Mapping[str, Any]) -> str:
        provider = result.get("provider")
        provider_id = (_dict(provider).get("id") if isinstance(provider, dict) else provider) or ""
        provider_label = _dict(provider).get("label") or provider_id
        prompt = _dict(result.get("prompt"))
        index = result.get("promptIdx")
        if isinstance(index, int) and 0 <= index < len(self.prompts):
            listed = self.prompts[index]
            provider_label = provider_label or listed.get("provider") or ""
            prompt_label = listed.get("label") or listed.get("display") or listed.get("raw") or ""
        else:
            prompt_label = prompt.get("label") or prompt.get("display") or ""
        key = f"{index}" if isinstance(index, int) else f"{provider_id}\x1f{prompt_label}"
        if key not in self.labels:
            self.labels[key] = (str(provider_label or "provider"), str(prompt_label))
            self.reading.system(key, "", provider=str(provider_id), prompt=str(prompt_label))
        return key

    def row(self, line: int, result: Mapping[str, Any], system: str | None = None) -> ParsedRow:
        if system is None:
            system = self.system_of(result)
        test_case = _dict(result.get("testCase"))
        variables: dict[str, Any] = {}
        for source in (test_case.get("vars"), result.get("vars")):
            variables.update(_dict(source))
        metadata: dict[str, Any] = {}
        for source in (test_case.get("metadata"), result.get("metadata")):
            metadata.update({k: v for k, v in _dict(source).items() if k not in _HIDDEN_METADATA})
        description = str(
            metadata.get("id")
            or variables.get("id")
            or test_case.get("description")
            or result.get("description")
            or self.descriptions.get(vars_hash(variables), "")
        )
        case, epoch = self.names.name(system, description, variables)
        response = _dict(result.get("response"))
        grading = _dict(result.get("gradingResult"))
        error = _is_error(result, response)
        self.errors += error
        if not error and not isinstance(result.get("success"), bool):
            self.unscored += 1
        latency = result.get("latencyMs")
        if latency is None:
            latency = response.get("latencyMs")
        if error and not latency:
            latency = None
        output = response.get("output", result.get("output", ""))
        refused = None if error else _refused(grading)
        if refused is not None:
            self.scores.refusals += 1
        data: dict[str, Any] = {
            "id": case,
            "category": metadata.get("category") or variables.get("category") or "",
            "group": metadata.get("group") or variables.get("group") or "",
            "kind": metadata.get("kind") or variables.get("kind") or "",
            "expected": variables.get("expected", ""),
            "output": "" if output is None else output,
            "correct": None if error else result.get("success"),
            "refused": refused,
            "latency_ms": latency,
            "error": error,
            "human_output": variables.get("human_output", ""),
        }
        for name, target in self.options.columns.items():
            if target in FIELDS and (name in metadata or name in variables):
                data[target] = metadata.get(name, variables.get(name))
        named = result.get("namedScores")
        if named is None:
            named = grading.get("namedScores")
        scores = None if error else self.scores.read(named)
        return check_row(line, data, epoch=epoch, scores=scores, system=system)

    def finish(self) -> None:
        providers = {provider for provider, _ in self.labels.values()}
        prompts = {prompt for _, prompt in self.labels.values()}
        for key, (provider, prompt) in self.labels.items():
            label = provider
            if len(prompts) > 1 and prompt:
                label = f"{provider} · {prompt}" if len(providers) > 1 else prompt
            self.reading.systems[key].label = label
        self.names.tell(self.reading)
        self.scores.tell(self.reading)
        if self.unscored:
            self.reading.note(
                f"{self.unscored} result(s) without a 'success' true or false: not scored "
                "(no 'correct'); re-run them with promptfoo to score them"
            )
        if self.errors:
            self.reading.note(
                f"{self.errors} system error(s) (failureReason 2: the provider gave no answer) "
                "count in the error rate, not as wrong answers; failed assertions are wrong "
                "answers"
            )


def results_of(document: Any) -> tuple[list[Any], list[Any], str, dict[str, Any]] | None:
    """promptfoo's results in a JSON document, its prompts, its summary version, and the
    v2 table's descriptions by vars; None for a document promptfoo did not write."""
    if not isinstance(document, dict):
        return None
    summary = document.get("results")
    if isinstance(summary, dict) and isinstance(summary.get("results"), list):
        version = str(summary.get("version", ""))
        prompts = summary.get("prompts")
        table = _dict(summary.get("table"))
        head = _dict(table.get("head"))
        if not isinstance(prompts, list):
            listed = head.get("prompts")
            prompts = listed if isinstance(listed, list) else []
        descriptions: dict[str, Any] = {}
        for row in table.get("body") or []:
            row = _dict(row)
            test = _dict(row.get("test"))
            if row.get("description") and isinstance(test.get("vars"), dict):
                descriptions[vars_hash(test["vars"])] = str(row["description"])
        return summary["results"], prompts, version, descriptions
    if isinstance(summary, list) and all(isinstance(r, dict) for r in summary[:20]):
        looks = ("success", "gradingResult", "response", "provider")
        if summary and not any(key in summary[0] for key in looks):
            return None
        listed = document.get("prompts")
        return summary, listed if isinstance(listed, list) else [], "flat", {}
    return None


def read_json(source: Source, options: ReadOptions) -> Reading:
    found = results_of(source.document)
    if found is None:
        raise InvalidValueError(
            "not a promptfoo output file (expected a 'results' list, as `promptfoo eval -o "
            "results.json` writes)"
        )
    results, prompts, version, descriptions = found
    document = _dict(source.document)
    reading = Reading(
        tool=TOOL,
        format="promptfoo-json",
        batches=iter(()),
        version=str(_dict(document.get("metadata")).get("promptfooVersion", "")),
        details={
            k: v
            for k, v in {
                "eval_id": document.get("evalId", ""),
                "summary_version": version,
                "description": _dict(document.get("config")).get("description", ""),
            }.items()
            if v
        },
    )
    if version == "flat":
        reading.note("an older promptfoo file (results listed at the top level)")
    elif version == "2":
        reading.note("a promptfoo summary of version 2 (before failureReason)")
    elif version not in ("3", ""):
        reading.note(
            f"a promptfoo summary of version {version}, newer than the versions read here "
            "(2 and 3): read as version 3; check the figures against promptfoo's own view"
        )
    converter = _Rows(reading, options, prompts)
    converter.descriptions = descriptions

    def rows() -> Iterator[ParsedRow]:
        for index, result in enumerate(results, 1):
            if not isinstance(result, dict):
                yield bad_row(index, "a result must be a JSON object")
                continue
            yield converter.row(index, result)
        converter.finish()

    reading.batches = batched(rows())
    return reading


def read_jsonl(source: Source, options: ReadOptions) -> Reading:
    reading = Reading(tool=TOOL, format="promptfoo-jsonl", batches=iter(()))
    converter = _Rows(reading, options)

    def rows() -> Iterator[ParsedRow]:
        for number, result in json_lines(source.handle):
            if isinstance(result, BadRow):
                yield ParsedRow(number, None, result)
            elif not isinstance(result, dict):
                yield bad_row(number, "a line must be a JSON object")
            else:
                yield converter.row(number, result)
        converter.finish()

    reading.batches = batched(rows())
    return reading


def is_jsonl_result(first: Mapping[str, Any]) -> bool:
    """A line of ``promptfoo eval -o results.jsonl``: one result, graded, of a provider."""
    return "gradingResult" in first or (
        "success" in first and "provider" in first and ("testIdx" in first or "response" in first)
    )


def is_promptfoo_csv(header: Sequence[str]) -> bool:
    """A header of promptfoo's CSV: output columns named ``[provider] prompt``, each
    followed by its ``Status``."""
    for index, name in enumerate(header[:-1]):
        if _LABELLED.match(name) and header[index + 1] == "Status":
            return True
    return False


def read_csv(source: Source, options: ReadOptions) -> Reading:
    reader, header, _delimiter = open_table(source.handle, options.delimiter)
    reading = Reading(tool=TOOL, format="promptfoo-csv", batches=iter(()))
    groups: list[tuple[int, dict[str, int]]] = []
    for index, name in enumerate(header):
        if _LABELLED.match(name) and index + 1 < len(header) and header[index + 1] == "Status":
            groups.append((index, {}))
        elif groups and name in ("Status", "Score", "Named Scores", "Grader Reason", "Comment"):
            groups[-1][1].setdefault(name, index)
    first = groups[0][0] if groups else len(header)
    description_at = 0 if header[:1] == ["Description"] else None
    var_columns = [
        (i, name) for i, name in enumerate(header[:first]) if name and i != description_at
    ]
    converter = _Rows(reading, options)
    systems: list[tuple[str, int, dict[str, int]]] = []
    for number, (output_at, attributes) in enumerate(groups):
        match = _LABELLED.match(header[output_at])
        assert match is not None
        key = str(number)
        converter.labels[key] = (match["provider"] or "provider", match["prompt"])
        reading.system(key, "", provider=match["provider"], prompt=match["prompt"])
        systems.append((key, output_at, attributes))
    reading.note(
        "promptfoo's CSV has no response times and no test metadata (group, kind): "
        "`promptfoo eval -o results.json` keeps them"
    )

    def cell(cells: list[str], index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    def rows() -> Iterator[ParsedRow]:
        for starts, chunk, broken in records(reader):
            problems = {place: bad for place, bad in broken}
            for place, (line, cells) in enumerate(zip(starts, chunk, strict=True)):
                if place in problems:
                    yield ParsedRow(problems[place].line, None, problems[place])
                    continue
                if not any(c.strip() for c in cells):
                    continue
                variables = {name: cell(cells, i) for i, name in var_columns}
                description = cell(cells, description_at).strip()
                for key, output_at, attributes in systems:
                    status = cell(cells, attributes.get("Status")).strip().upper()
                    if status not in ("PASS", "FAIL", "ERROR"):
                        yield bad_row(
                            line,
                            f"Status of {header[output_at]!r} is {status or 'empty'!r}, not "
                            "PASS, FAIL or ERROR",
                            key,
                        )
                        continue
                    named: Any = {}
                    text = cell(cells, attributes.get("Named Scores")).strip()
                    if text:
                        try:
                            named = parse_json(text)
                        except ValueError:
                            yield bad_row(line, f"Named Scores is not JSON: {text[:40]!r}", key)
                            continue
                    result = {
                        "promptIdx": None,
                        "description": description,
                        "vars": variables,
                        "success": status == "PASS",
                        "failureReason": 2 if status == "ERROR" else (0 if status == "PASS" else 1),
                        "response": {"output": cell(cells, output_at)},
                        "namedScores": named,
                    }
                    yield converter.row(line, result, key)
        converter.finish()

    reading.batches = batched(rows())
    return reading
