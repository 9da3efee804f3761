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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, islice, repeat
from operator import attrgetter
from pathlib import Path
from typing import IO, Annotated, Any, Literal, NamedTuple

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

# The longest id and category/group a row may have (checked by ResultRow, and by the
# fast paths that decide without it).
MAX_ID = 500
MAX_LABEL = 200


class ResultRow(Model):
    """One test case's result. Every field but ``id`` may be missing."""

    id: Annotated[str, Field(min_length=1, max_length=MAX_ID)]
    category: Annotated[str, Field(max_length=MAX_LABEL)] = ""
    group: Annotated[str, Field(max_length=MAX_LABEL)] = ""
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
        if value is None:
            return "normal"
        return str(value).strip().lower() or "normal"

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


class ParsedRow(NamedTuple):
    """One row read from a file: its values in ``FIELDS`` order, or why it is bad.

    (A named tuple: a 100,000-row import makes 100,000 of them.)"""

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
    if not case_id or len(case_id) > MAX_ID:
        return None
    category = get("category", "")
    group = get("group", "")
    kind = get("kind", "")
    if not (isinstance(category, str) and isinstance(group, str) and isinstance(kind, str)):
        return None
    category, group = category.strip(), group.strip()
    if len(category) > MAX_LABEL or len(group) > MAX_LABEL:
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


# The spellings a CSV file almost always uses, looked up as they are (no strip, no lower):
# the column-wise converter takes only these, anything else goes row by row.
_EXACT_BOOLS: dict[str, bool | None] = {
    **{v: b for k, b in _BOOLS.items() for v in (k, k.upper(), k.capitalize())},
}
_EXACT_KINDS: dict[str, str] = {
    "": "normal",
    **{v: k for k in KINDS for v in (k, k.upper(), k.capitalize())},
}


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


BATCH_ROWS = 5000


@dataclass
class Batch:
    """Consecutive rows of a file: the good ones column by column, and the bad ones.

    ``columns`` holds one sequence per field, in ``FIELDS`` order, each as long as
    ``lines`` (the good rows' line numbers); ``bad`` is in line order."""

    lines: list[int]
    columns: list[Sequence[Any]]
    bad: list[BadRow]

    @classmethod
    def of(cls, parsed: list[ParsedRow]) -> Batch:
        good = [p for p in parsed if p.values is not None]
        columns: list[Sequence[Any]] = [
            list(c) for c in zip(*(p.values for p in good if p.values), strict=True)
        ]
        return cls(
            lines=[p.line for p in good],
            columns=columns or [[] for _ in FIELDS],
            bad=[p.bad for p in parsed if p.bad is not None],
        )

    def parsed_rows(self) -> list[ParsedRow]:
        """The batch as rows again, good and bad, in line order."""
        good = [
            ParsedRow(line, values)
            for line, values in zip(self.lines, zip(*self.columns, strict=True), strict=True)
        ]
        bad = [ParsedRow(b.line, None, b) for b in self.bad]
        return sorted(good + bad, key=lambda p: p.line)


def batched(rows: Iterator[ParsedRow], size: int = BATCH_ROWS) -> Iterator[Batch]:
    """Any reader's rows as batches (the CSV reader makes its own, faster)."""
    chunk: list[ParsedRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield Batch.of(chunk)
            chunk = []
    if chunk:
        yield Batch.of(chunk)


def read_csv(handle: IO[bytes], mapping: Mapping[str, str]) -> Iterator[ParsedRow]:
    """The file's rows one at a time (see ``read_csv_batches``)."""
    for batch in read_csv_batches(handle, mapping):
        yield from batch.parsed_rows()


def read_csv_batches(
    handle: IO[bytes], mapping: Mapping[str, str], size: int = BATCH_ROWS
) -> Iterator[Batch]:
    """The file's rows, ``size`` records at a time.

    A batch in which every record has as many cells as the header and every value
    is plainly valid (nearly every batch of a real file) is checked and converted a
    whole column at a time; any other batch goes row by row, where each bad row gets
    its line number and reason."""
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
    width = len(header)
    by_columns = _csv_column_converter(columns, width)
    by_row = _csv_row_reader(columns, width, delimiter)
    # Each record with the line it ends on, read without a Python statement per record.
    ends = zip(reader, map(attrgetter("line_num"), repeat(reader)), strict=False)
    last_end = reader.line_num  # the line before the next record
    while True:
        taken: list[tuple[list[str], int]] = []
        broken: list[tuple[int, BadRow]] = []
        while len(taken) + len(broken) < size:
            try:
                before = len(taken)
                taken.extend(islice(ends, size - len(taken) - len(broken)))
                if len(taken) - before < size - before - len(broken):
                    break  # the end of the file
            except csv.Error as error:  # (the rows read before it are in ``taken``)
                start = (taken[-1][1] if taken else last_end) + 1
                reason = f"unparseable: {error}"
                if reader.line_num > start:
                    reason += f" (a quote opened here runs on to line {reader.line_num})"
                broken.append((len(taken), BadRow(start, reason)))
                taken.append(([], reader.line_num))  # a place holder, dropped below
        if not taken:
            return
        rows, record_ends = zip(*taken, strict=True)
        if not any(rows) and not broken:  # only blank lines
            last_end = record_ends[-1]
            continue
        starts = list(map((1).__add__, (last_end, *record_ends[:-1])))
        last_end = record_ends[-1]
        # (a blank line reads as no cells at all; so does a broken record's place holder)
        whole = not broken and all(rows)
        batch = by_columns(starts, rows) if whole else None
        if batch is None:
            records: list[tuple[int, Any]] = list(
                zip(compress(starts, rows), compress(rows, rows), strict=True)
            )
            if broken:
                records = sorted(records + [(row.line, row) for _, row in broken])
            batch = Batch.of([p for p in map(by_row, records) if p is not None])
        yield batch


def _csv_column_converter(
    columns: list[tuple[int, str]], width: int
) -> Callable[[Sequence[int], Sequence[list[str]]], Batch | None]:
    """Records to a batch a column at a time, or None when any value needs a closer look.

    It accepts only what ``_fast_row`` (the row-by-row path's shortcut) accepts, and
    gives the same values: a missing column reads as empty cells, each field's default.
    tests/test_results_fast_paths.py holds both against pydantic."""
    where = {name: i for i, name in columns}
    sources = [where.get(name) for name in FIELDS]
    exact_bools, exact_kinds, missing = _EXACT_BOOLS, _EXACT_KINDS, _MISSING

    def convert(lines: Sequence[int], rows: Sequence[list[str]]) -> Batch | None:
        if set(map(len, rows)) != {width}:
            return None
        cells = list(zip(*rows, strict=True))
        empty = ("",) * len(rows)

        def column(field: int) -> Sequence[str]:
            source = sources[field]
            return empty if source is None else cells[source]

        ids = list(map(str.strip, column(0)))
        category = list(map(str.strip, column(1)))
        group = list(map(str.strip, column(2)))
        if "" in ids or max(map(len, ids)) > MAX_ID:
            return None
        if max(map(len, category)) > MAX_LABEL or max(map(len, group)) > MAX_LABEL:
            return None
        kind = list(map(exact_kinds.get, column(3)))
        if None in kind:
            return None
        flags = []
        for field in (6, 7, 8, 10):
            values = list(map(exact_bools.get, column(field), repeat(missing)))
            if missing in values:
                return None
            flags.append(values)
        texts = column(9)
        latency: Sequence[float | None]
        present: Sequence[float]
        try:
            if "" in texts:
                latency = [float(text) if text else None for text in texts]
                present = [value for value in latency if value is not None]
            else:
                latency = present = list(map(float, texts))
        except ValueError:  # (whitespace, too: the row-by-row path reads it as empty)
            return None
        if present and (min(present) < 0 or not all(map(math.isfinite, present))):
            return None
        correct, hallucinated, refused, error = flags
        return Batch(
            lines=list(lines),
            columns=[
                ids, category, group, kind,
                list(map(str.strip, column(4))), list(map(str.strip, column(5))),
                correct, hallucinated, refused, latency, error,
                list(map(str.strip, column(11))),
            ],
            bad=[],
        )  # fmt: skip

    return convert


def _csv_row_reader(
    columns: list[tuple[int, str]], width: int, delimiter: str
) -> Callable[[tuple[int, Any]], ParsedRow | None]:
    """One record to a row, good or bad (None for a line with only empty cells): the
    path of a batch the column-wise converter would not take, one row at a time."""

    def read(record: tuple[int, Any]) -> ParsedRow | None:
        line, cells = record
        if isinstance(cells, BadRow):
            return ParsedRow(line, None, cells)
        if not any(cell.strip() for cell in cells):
            return None  # a line of empty cells
        extra = cells[width:]
        if any(cell.strip() for cell in extra):
            separator = "tab" if delimiter == "\t" else "comma"
            reason = (
                f"unparseable: {len(cells)} cells where the header has {width} "
                f"(an unquoted {separator}?)"
            )
            return ParsedRow(line, None, BadRow(line, reason))
        return _check(line, {name: cells[i] for i, name in columns if i < len(cells)})

    return read


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


def read_batches(fmt: Format, handle: IO[bytes], mapping: Mapping[str, str]) -> Iterator[Batch]:
    """A file of the given format as batches of rows, for importing."""
    if fmt == "csv":
        return read_csv_batches(handle, mapping)
    return batched(READERS[fmt](handle, mapping))


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
