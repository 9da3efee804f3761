"""Reading evaluation results files: CSV, JSONL and promptfoo's JSON output.

Rows are read one at a time (a 100,000-row file never sits in memory), each
checked by ``ResultRow``; a bad row becomes a ``BadRow`` with its line number
and the reason. Nothing here writes: ``runs.import_results`` stores what this
module reads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator

from workbench.errors import InvalidValueError, describe_validation_error
from workbench.models import Model

Kind = Literal["normal", "edge", "adversarial", "harmful"]
KINDS: tuple[Kind, ...] = ("normal", "edge", "adversarial", "harmful")
FIELDS: tuple[str, ...] = (
    "id",
    "category",
    "group",
    "kind",
    "expected",
    "output",
    "correct",
    "hallucinated",
    "refused",
    "latency_ms",
    "error",
    "human_output",
)
BOOL_FIELDS = ("correct", "hallucinated", "refused", "error")
_TRUE = {"true", "t", "yes", "y", "1", "pass", "passed"}
_FALSE = {"false", "f", "no", "n", "0", "fail", "failed"}

Format = Literal["csv", "jsonl", "promptfoo"]


class ResultRow(Model):
    """One test case's result. Every field but ``id`` may be missing."""

    id: Annotated[str, Field(min_length=1, max_length=500)]
    category: Annotated[str, Field(max_length=200)] = ""
    group: Annotated[str, Field(max_length=200)] = ""
    kind: Kind = "normal"
    expected: str = ""
    output: str = ""
    correct: bool | None = None
    hallucinated: bool | None = None
    refused: bool | None = None
    latency_ms: Annotated[float, Field(ge=0)] | None = None
    error: bool | None = None
    human_output: str = ""

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        if value is None or value == "":
            return "normal"
        return str(value).strip().lower()

    @field_validator(*BOOL_FIELDS, mode="before")
    @classmethod
    def _boolean(cls, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower()
        if text == "":
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{value!r} is not true/false (use true, false, 1, 0, yes or no)")

    @field_validator("id", "category", "group", "expected", "output", "human_output", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return value

    @field_validator("latency_ms", mode="before")
    @classmethod
    def _latency(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() == "":
            return None
        return value


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass(frozen=True)
class ParsedRow:
    """One row read from a file: its values in ``FIELDS`` order, or why it is bad."""

    line: int
    values: tuple[Any, ...] | None
    bad: BadRow | None = None

    @property
    def row(self) -> ResultRow | None:
        if self.values is None:
            return None
        return ResultRow.model_construct(**dict(zip(FIELDS, self.values, strict=True)))

    @property
    def case_id(self) -> str:
        assert self.values is not None
        return str(self.values[0])


def parse_mapping(entries: list[str]) -> dict[str, str]:
    """``--map COLUMN=FIELD`` options as {column: field}; fields must be known."""
    mapping: dict[str, str] = {}
    for entry in entries:
        column, sep, target = entry.partition("=")
        column, target = column.strip(), target.strip()
        if not sep or not column or not target:
            raise InvalidValueError(f"--map {entry!r}: write COLUMN=FIELD, e.g. --map case=id")
        if target not in FIELDS:
            raise InvalidValueError(
                f"--map {entry!r}: {target!r} is not a results field ({', '.join(FIELDS)})"
            )
        mapping[column] = target
    return mapping


def detect_format(path: Path, head: bytes) -> Format:
    """Guess the format from the name and the first bytes."""
    suffix = path.suffix.lower()
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv" or suffix == ".tsv":
        return "csv"
    if stripped.startswith(b"{"):
        first_line = stripped.split(b"\n", 1)[0].strip()
        try:
            json.loads(first_line)
            whole_line_object = True
        except ValueError:
            whole_line_object = False
        if whole_line_object and b'"results"' not in first_line[:2000]:
            return "jsonl"
        return "promptfoo"
    return "csv"


_BOOLS: dict[str, bool | None] = {
    **dict.fromkeys(_TRUE, True),
    **dict.fromkeys(_FALSE, False),
    "": None,
}
_MISSING = object()


def _fast_row(data: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The row's values, checked without pydantic's per-field machinery when every value is
    plain text that is obviously valid (the common case, and ten times faster); None sends
    the row through ``ResultRow`` validation, which also words the error."""
    get = data.get
    case_id = get("id")
    if not isinstance(case_id, str):
        return None
    case_id = case_id.strip()
    if not case_id or len(case_id) > 500:
        return None
    category = get("category", "")
    group = get("group", "")
    kind = get("kind", "")
    if not (isinstance(category, str) and isinstance(group, str) and isinstance(kind, str)):
        return None
    category, group = category.strip(), group.strip()
    if len(category) > 200 or len(group) > 200:
        return None
    kind = kind.strip().lower() or "normal"
    if kind not in KINDS:
        return None
    flags: list[bool | None] = []
    for name in BOOL_FIELDS:
        value = get(name)
        if value is None:
            flags.append(None)
            continue
        if not isinstance(value, str):
            return None
        flag = _BOOLS.get(value.strip().lower(), _MISSING)
        if flag is _MISSING:
            return None
        flags.append(flag)  # type: ignore[arg-type]
    latency: float | None = None
    raw_latency = get("latency_ms")
    if raw_latency is not None:
        if not isinstance(raw_latency, str):
            return None
        if raw_latency.strip():
            try:
                latency = float(raw_latency)
            except ValueError:
                return None
            if not math.isfinite(latency) or latency < 0:
                return None
    texts = []
    for name in ("expected", "output", "human_output"):
        value = get(name, "")
        if not isinstance(value, str):
            return None
        texts.append(value.strip())
    correct, hallucinated, refused, error = flags
    expected, output, human_output = texts
    return (
        case_id, category, group, kind, expected, output,
        correct, hallucinated, refused, latency, error, human_output,
    )  # fmt: skip


def _values(row: ResultRow) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in FIELDS)


def _validate(line: int, raw: Mapping[str, Any], mapping: Mapping[str, str]) -> ParsedRow:
    data: dict[str, Any] = {}
    for key, value in raw.items():
        if key is None:
            continue  # extra CSV cells beyond the header
        name = mapping.get(key, key)
        if name in FIELDS:
            data[name] = value
    return _check(line, data)


def _check(line: int, data: Mapping[str, Any]) -> ParsedRow:
    fast = _fast_row(data)
    if fast is not None:
        return ParsedRow(line, fast)
    try:
        return ParsedRow(line, _values(ResultRow.model_validate(data)))
    except ValidationError as error:
        reason = describe_validation_error(error)
        if "id: Field required" in reason or "id: String should have at least" in reason:
            reason = "missing id"
        return ParsedRow(line, None, BadRow(line, reason))


def _text_lines(handle: IO[bytes]) -> io.TextIOWrapper:
    return io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")


def read_csv(handle: IO[bytes], mapping: Mapping[str, str]) -> Iterator[ParsedRow]:
    text = _text_lines(handle)
    sample = text.read(4096)
    text.seek(0)
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    # strict: a stray quote is a bad row, not a field that silently runs on
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    header: list[str] = []
    try:
        while not any(cell.strip() for cell in header):
            header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as error:
        raise InvalidValueError(
            f"the header (line {reader.line_num}) is unparseable: {error}"
        ) from None
    names = {mapping.get(h, h) for h in header if h}
    columns = [
        (i, mapping.get(h, h)) for i, h in enumerate(header) if h and mapping.get(h, h) in FIELDS
    ]
    if "id" not in names:
        shown = ", ".join(h for h in header[:8] if h) or "none"
        raise InvalidValueError(
            f"the header has no 'id' column (columns: {shown}); map one with --map COLUMN=id"
        )
    while True:
        line = reader.line_num + 1  # where the record starts (it may span several lines)
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            reason = f"unparseable: {error}"
            if reader.line_num > line:
                reason += f" (a quote opened here runs on to line {reader.line_num})"
            yield ParsedRow(line, None, BadRow(line, reason))
            continue
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        extra = cells[len(header) :]
        if any(cell.strip() for cell in extra):
            separator = "tab" if delimiter == "\t" else "comma"
            reason = (
                f"unparseable: {len(cells)} cells where the header has {len(header)} "
                f"(an unquoted {separator}?)"
            )
            yield ParsedRow(line, None, BadRow(line, reason))
            continue
        yield _check(line, {name: cells[i] for i, name in columns if i < len(cells)})


def read_jsonl(handle: IO[bytes], mapping: Mapping[str, str]) -> Iterator[ParsedRow]:
    for number, line in enumerate(_text_lines(handle), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            yield ParsedRow(number, None, BadRow(number, f"not valid JSON ({error.msg})"))
            continue
        if not isinstance(raw, dict):
            yield ParsedRow(number, None, BadRow(number, "a line must be a JSON object"))
            continue
        yield _validate(number, raw, mapping)


def _promptfoo_results(document: Any) -> list[Any]:
    if isinstance(document, dict):
        results = document.get("results")
        if isinstance(results, dict):
            results = results.get("results")
        if isinstance(results, list):
            return results
    raise InvalidValueError(
        "not a promptfoo output file (expected a 'results' list, as `promptfoo eval -o "
        "results.json` writes)"
    )


def _score_as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value >= 0.5
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def promptfoo_row(index: int, result: Mapping[str, Any]) -> dict[str, Any]:
    """One promptfoo result as a results row.

    ``success`` is the case's verdict (correct); ``latencyMs`` the latency; a
    result with ``error`` (or failureReason 2) is a system error; named scores
    called like our fields (correct, hallucinated, refused) become true when
    they are at least 0.5; ``vars``/``metadata`` may carry category, group, kind.
    """
    test_case = _dict(result.get("testCase"))
    variables: dict[str, Any] = {}
    for source in (test_case.get("vars"), result.get("vars")):
        if isinstance(source, dict):
            variables.update(source)
    metadata: dict[str, Any] = {}
    for source in (test_case.get("metadata"), result.get("metadata")):
        if isinstance(source, dict):
            metadata.update(source)
    response = _dict(result.get("response"))
    named = _dict(result.get("namedScores"))
    case_id = (
        result.get("id")
        or test_case.get("id")
        or metadata.get("id")
        or variables.get("id")
        or f"test-{result.get('testIdx', index)}-prompt-{result.get('promptIdx', 0)}"
    )
    error_text = result.get("error")
    is_error = bool(error_text) or result.get("failureReason") == 2
    row: dict[str, Any] = {
        "id": case_id,
        "category": metadata.get("category") or variables.get("category") or "",
        "group": metadata.get("group") or variables.get("group") or "",
        "kind": metadata.get("kind") or variables.get("kind") or "",
        "expected": variables.get("expected", ""),
        "output": response.get("output", "") if response else result.get("output", ""),
        "correct": None if is_error else result.get("success"),
        "latency_ms": result.get("latencyMs"),
        "error": is_error,
        "human_output": variables.get("human_output", ""),
    }
    for name in ("correct", "hallucinated", "refused"):
        if name in named:
            row[name] = _score_as_bool(named[name])
    return row


def read_promptfoo(handle: IO[bytes], mapping: Mapping[str, str]) -> Iterator[ParsedRow]:
    try:
        document = json.load(_text_lines(handle))
    except json.JSONDecodeError as error:
        raise InvalidValueError(f"not valid JSON (line {error.lineno}: {error.msg})") from None
    for index, result in enumerate(_promptfoo_results(document), 1):
        if not isinstance(result, dict):
            yield ParsedRow(index, None, BadRow(index, "a result must be a JSON object"))
            continue
        yield _validate(index, promptfoo_row(index, result), mapping)


READERS = {"csv": read_csv, "jsonl": read_jsonl, "promptfoo": read_promptfoo}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def first_non_utf8(path: Path) -> tuple[int, int, int] | None:
    """Where a file first stops being UTF-8: (line, byte offset in the file, the byte)."""
    offset = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                return number, offset + error.start, line[error.start]
            offset += len(line)
    return None
