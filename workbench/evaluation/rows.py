"""One test case's result as every reader gives it, and rows in batches.

Every results file, whichever tool wrote it, is read into the same rows: the fields in
``FIELDS`` (checked by ``ResultRow``), and beside them the case's epoch (a repeat of the
same case), its named scores and the system it belongs to (one file can hold several).
A bad row becomes a ``BadRow`` with its line number and the reason. The readers, one a
tool, live beside this module; nothing here writes (``runs.import_results`` stores rows).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Annotated, Any, Literal, NamedTuple

from pydantic import Field, ValidationError, field_validator

from workbench.errors import InvalidValueError, describe_validation_error
from workbench.models import MAX_WHOLE, Model

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
# What a column can be read as besides FIELDS: a response time in seconds, the repeat of a
# case, or a named score (``score:NAME``).
EXTRA_TARGETS = ("latency_s", "epoch")
_TRUE = {"true", "t", "yes", "y", "1", "pass", "passed"}
_FALSE = {"false", "f", "no", "n", "0", "fail", "failed"}

# The longest id and category/group a row may have (checked by ResultRow, and by the
# fast paths that decide without it).
MAX_ID = 500
MAX_LABEL = 200
# The longest response time a row may have: 10^12 seconds, the bound of a threshold in
# seconds (models.MAX_VALUE), so a run's mean time is always a value a threshold can hold.
MAX_LATENCY_MS = MAX_WHOLE * 1000.0
# The largest named score (either sign): as a measured value (models.MAX_VALUE).
MAX_SCORE = float(MAX_WHOLE)
# The longest name of a named score, and how many one row may carry.
MAX_SCORE_NAME = 120
MAX_SCORES = 50

Scores = dict[str, float]


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
    latency_ms: Annotated[float, Field(ge=0, le=MAX_LATENCY_MS)] | None = None
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
        return to_bool(value)

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


def to_bool(value: Any) -> bool | None:
    """A true/false cell as a bool (None when empty); anything else is a ValueError."""
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


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


class ParsedRow(NamedTuple):
    """One row read from a file: its values in ``FIELDS`` order, or why it is bad; and its
    epoch, named scores and system, where the file has them.

    (A named tuple: a 100,000-row import makes 100,000 of them.)"""

    line: int
    values: tuple[Any, ...] | None
    bad: BadRow | None = None
    epoch: int | None = None
    scores: Scores | None = None
    system: str = ""

    @property
    def row(self) -> ResultRow | None:
        if self.values is None:
            return None
        return ResultRow.model_construct(**dict(zip(FIELDS, self.values, strict=True)))

    @property
    def case_id(self) -> str:
        assert self.values is not None
        return str(self.values[0])


# ----------------------------------------------------------------- options


@dataclass(frozen=True)
class MetricUse:
    """A named score read as one of the true/false fields: ``--map metric:NAME=[not] FIELD``."""

    field: str
    inverted: bool

    def describe(self) -> str:
        return f"{'not ' if self.inverted else ''}{self.field}"


@dataclass(frozen=True)
class ReadOptions:
    """What the person importing said about the file (``--map``, ``--scorer``, …)."""

    columns: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, MetricUse] = field(default_factory=dict)
    scorer: str | None = None
    delimiter: str | None = None
    systems: tuple[str, ...] = ()


def parse_mapping(entries: list[str]) -> tuple[dict[str, str], dict[str, MetricUse]]:
    """``--map`` options: {column: field} and {named score: how it is read}.

    ``COLUMN=FIELD`` reads a column (a JSON key, a metadata name) as a field, as a response
    time in seconds (``latency_s``), as the case's repeat (``epoch``) or as a named score
    (``score:NAME``); ``metric:NAME=[not ]FIELD`` reads a named score as correct,
    hallucinated, refused or error (1 or more than 0.5 is true; ``not`` turns it round)."""
    columns: dict[str, str] = {}
    metrics: dict[str, MetricUse] = {}
    for entry in entries:
        column, sep, target = entry.partition("=")
        column, target = column.strip(), target.strip()
        if not sep or not column or not target:
            raise InvalidValueError(f"--map {entry!r}: write COLUMN=FIELD, e.g. --map case=id")
        if column.startswith("metric:"):
            name = column[len("metric:") :].strip()
            words = target.split()
            inverted = len(words) == 2 and words[0].lower() == "not"
            field_name = words[-1] if words else ""
            if not name or len(words) not in (1, 2) or (len(words) == 2 and not inverted):
                raise InvalidValueError(
                    f"--map {entry!r}: write metric:NAME=FIELD or metric:NAME='not FIELD', "
                    "e.g. --map metric:no_fabrication='not hallucinated'"
                )
            if field_name not in BOOL_FIELDS:
                raise InvalidValueError(
                    f"--map {entry!r}: a named score can be read as {', '.join(BOOL_FIELDS)}, "
                    f"not {field_name!r}"
                )
            metrics[name] = MetricUse(field_name, inverted)
            continue
        if target.startswith("score:"):
            if not target[len("score:") :].strip():
                raise InvalidValueError(f"--map {entry!r}: name the score, e.g. score:relevance")
        elif target not in FIELDS and target not in EXTRA_TARGETS:
            known = ", ".join((*FIELDS, *EXTRA_TARGETS, "score:NAME"))
            raise InvalidValueError(f"--map {entry!r}: {target!r} is not a results field ({known})")
        columns[column] = target
    return columns, metrics


# ------------------------------------------------------------ named scores

_SCORE_LETTERS = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}


def score_value(value: Any) -> float | None:
    """A score as a number: true/false and pass/fail as 1/0, Inspect's C/I/P/N as 1/0/0.5/0,
    numbers as they are; None for anything else (an empty cell, a text answer, a number
    beyond ±10^12, which no threshold could hold)."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            return None
        return number if math.isfinite(number) and abs(number) <= MAX_SCORE else None
    if isinstance(value, str):
        text = value.strip()
        if text in _SCORE_LETTERS:
            return _SCORE_LETTERS[text]
        lowered = text.lower()
        if lowered in _TRUE - {"1"}:
            return 1.0
        if lowered in _FALSE - {"0"}:
            return 0.0
        try:
            number = float(text.replace(",", ".") if text.count(",") == 1 else text)
        except ValueError:
            return None
        return number if math.isfinite(number) and abs(number) <= MAX_SCORE else None
    return None


_SPACES = re.compile(r"\s+")


def score_name(name: Any) -> str:
    """A named score's name as kept: its text, spaces made single, cut to a sane length."""
    return _SPACES.sub(" ", str(name)).strip()[:MAX_SCORE_NAME]


def metric_slug(name: str) -> str:
    """The threshold metric id a named score measures: ``Answer Relevancy`` is
    ``answer_relevancy``."""
    return re.sub(r"[^a-z0-9_.\-]+", "_", name.lower()).strip("_.-")[:120] or "score"


_BOOLS: dict[str, bool | None] = {
    **dict.fromkeys(_TRUE, True),
    **dict.fromkeys(_FALSE, False),
    "": None,
}
MISSING = object()


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
        flag = _BOOLS.get(value.strip().lower(), MISSING)
        if flag is MISSING:
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
            if not math.isfinite(latency) or latency < 0 or latency > MAX_LATENCY_MS:
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
EXACT_BOOLS: dict[str, bool | None] = {
    **{v: b for k, b in _BOOLS.items() for v in (k, k.upper(), k.capitalize())},
}
EXACT_KINDS: dict[str, str] = {
    "": "normal",
    **{v: k for k in KINDS for v in (k, k.upper(), k.capitalize())},
}


def _values(row: ResultRow) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in FIELDS)


def check_row(
    line: int,
    data: Mapping[str, Any],
    *,
    epoch: int | None = None,
    scores: Scores | None = None,
    system: str = "",
) -> ParsedRow:
    """A row's fields checked: a good row with its values, or a bad one with the reason."""
    if epoch is not None and epoch > MAX_WHOLE:
        return ParsedRow(line, None, BadRow(line, f"epoch: {epoch} is more than {MAX_WHOLE}"))
    fast = _fast_row(data)
    if fast is not None:
        return ParsedRow(line, fast, None, epoch, scores, system)
    try:
        return ParsedRow(line, _values(ResultRow.model_validate(data)), None, epoch, scores, system)
    except ValidationError as error:
        reason = describe_validation_error(error)
        if "id: Field required" in reason or "id: String should have at least" in reason:
            reason = "missing id"
        return ParsedRow(line, None, BadRow(line, reason), system=system)


def bad_row(line: int, reason: str, system: str = "") -> ParsedRow:
    return ParsedRow(line, None, BadRow(line, reason), system=system)


# ------------------------------------------------------------------ JSON, bounded
#
# json.loads can fail in ways that are not a JSONDecodeError: a value nested deeper than
# Python's recursion limit (RecursionError), an integer of more digits than Python turns
# into a number (ValueError, 4,300 digits by default); and it can succeed with text that
# is not text: a lone surrogate (``"\ud800"``), which no database or terminal can take.
# ``parse_json`` turns each into a ``JsonProblem`` that says what and on which line.

_SURROGATE_HINT = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE = re.compile(r"(\\+)(u[dD][89a-fA-F][0-9a-fA-F]{2})")
_JSON_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_JSON_TOKEN = re.compile(_JSON_STRING + r"|[\[\]{}]")


class JsonProblem(ValueError):
    """JSON text that cannot be read: ``reason`` in words, ``line`` within the text."""

    def __init__(self, reason: str, line: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _deepest(text: str) -> tuple[int, int]:
    """How deeply JSON text nests its arrays and objects, and the offset where it does."""
    depth = deepest = at = 0
    for match in _JSON_TOKEN.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, match.start()
        elif char in "]}":
            depth -= 1
    return deepest, at


def _long_number(text: str, limit: int) -> tuple[int, int] | None:
    """The first integer of more than ``limit`` digits outside a string: (digits, offset)."""
    pattern = re.compile(_JSON_STRING + r"|\d{" + str(limit + 1) + ",}")
    for match in pattern.finditer(text):
        if match.group()[0] != '"':
            return len(match.group()), match.start()
    return None


def lone_surrogate(text: str) -> tuple[str, int] | None:
    """The first escape in JSON text of half a surrogate pair (``\\ud800`` alone, not
    ``\\ud83d\\ude00``), with its offset; None when every escape is a whole character."""
    if _SURROGATE_HINT.search(text) is None:
        return None
    pending: re.Match[str] | None = None  # a high half, waiting for its low half
    for match in _SURROGATE_ESCAPE.finditer(text):
        if len(match.group(1)) % 2 == 0:
            continue  # an escaped backslash, then the letters "ud800"
        low = match.group(2)[1].lower() == "d" and match.group(2)[2].lower() in "cdef"
        if pending is not None:
            if low and pending.end() == match.start():
                pending = None
                continue
            return "\\" + pending.group(2), pending.end() - 6
        if low:
            return "\\" + match.group(2), match.end() - 6
        pending = match
    if pending is not None:
        return "\\" + pending.group(2), pending.end() - 6
    return None


def parse_json(data: str | bytes) -> Any:
    """JSON text as a value; a ``JsonProblem`` (a ValueError) naming the line otherwise."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise JsonProblem(f"not valid JSON ({error.msg})", error.lineno) from None
    except RecursionError:
        depth, at = _deepest(text)
        raise JsonProblem(
            f"nested too deeply to read ({depth} levels of [ ] or {{ }})", _line_at(text, at)
        ) from None
    except ValueError as error:  # an integer of more digits than Python converts
        import sys

        limit = sys.get_int_max_str_digits() or 4300
        found = _long_number(text, limit)
        if found is None:
            raise JsonProblem(f"not valid JSON ({error})") from None
        digits, at = found
        raise JsonProblem(
            f"a number of {digits} digits (at most {limit})", _line_at(text, at)
        ) from None
    half = lone_surrogate(text)
    if half is not None:
        escape, at = half
        raise JsonProblem(
            f"{escape} is half of a UTF-16 surrogate pair, not a character "
            "(fix what wrote the file)",
            _line_at(text, at),
        )
    return value


class _Text(io.TextIOWrapper):
    """Text over a binary file that leaves the file open when it is dropped (a reader that
    looked at the file's start must not close it under the next one)."""

    def __del__(self) -> None:
        with contextlib.suppress(ValueError, OSError):
            self.detach()


def text_lines(handle: IO[bytes]) -> io.TextIOWrapper:
    """A binary file as text: UTF-8 with or without a byte-order mark, newlines as written."""
    return _Text(handle, encoding="utf-8-sig", newline="")


BATCH_ROWS = 5000


@dataclass
class Batch:
    """Consecutive rows of a file: the good ones column by column, and the bad ones.

    ``columns`` holds one sequence per field, in ``FIELDS`` order, each as long as
    ``lines`` (the good rows' line numbers); ``bad`` is in line order. ``epochs``,
    ``scores`` and ``systems`` are as long as ``lines`` too, or None where the file has
    no repeats, no named scores, or one system only."""

    lines: list[int]
    columns: list[Sequence[Any]]
    bad: list[BadRow]
    epochs: Sequence[int | None] | None = None
    scores: Sequence[Scores | None] | None = None
    systems: Sequence[str] | None = None

    @classmethod
    def of(cls, parsed: list[ParsedRow]) -> Batch:
        good = [p for p in parsed if p.values is not None]
        columns: list[Sequence[Any]] = [
            list(c) for c in zip(*(p.values for p in good if p.values), strict=True)
        ]
        epochs = [p.epoch for p in good]
        scores = [p.scores for p in good]
        systems = [p.system for p in good]
        return cls(
            lines=[p.line for p in good],
            columns=columns or [[] for _ in FIELDS],
            bad=[p.bad for p in parsed if p.bad is not None],
            epochs=epochs if any(e is not None for e in epochs) else None,
            scores=scores if any(scores) else None,
            systems=systems if any(systems) else None,
        )

    def parsed_rows(self) -> list[ParsedRow]:
        """The batch as rows again, good and bad, in line order."""
        count = len(self.lines)
        epochs = self.epochs or [None] * count
        scores = self.scores or [None] * count
        systems = self.systems or [""] * count
        good = [
            ParsedRow(line, values, None, epoch, score, system)
            for line, values, epoch, score, system in zip(
                self.lines, zip(*self.columns, strict=True), epochs, scores, systems, strict=True
            )
        ]
        bad = [ParsedRow(b.line, None, b) for b in self.bad]
        return sorted(good + bad, key=lambda p: p.line)

    def by_system(self) -> dict[str, Batch]:
        """The batch split by system, in the order each system first appears."""
        if self.systems is None:
            return {"": self}
        order: dict[str, list[int]] = {}
        for index, system in enumerate(self.systems):
            order.setdefault(system, []).append(index)
        if len(order) == 1:
            return {next(iter(order)): self}

        def pick(values: Sequence[Any] | None, where: list[int]) -> Any:
            return None if values is None else [values[i] for i in where]

        return {
            system: Batch(
                lines=[self.lines[i] for i in where],
                columns=[[column[i] for i in where] for column in self.columns],
                bad=[],
                epochs=pick(self.epochs, where),
                scores=pick(self.scores, where),
                systems=None,
            )
            for system, where in order.items()
        }


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
