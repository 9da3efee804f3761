"""Which tool wrote a results file, and the reader for it.

The format is found from the file's content (its name only breaks a tie), and a file no
reader takes is named for what it is: a zip archive that is not an Inspect AI log, an
Excel workbook, a SQLite database, a JSON document of an unknown shape (with the keys it
has). ``--format`` says it where the content cannot.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from typing import Any, Literal

from workbench.errors import InvalidValueError
from workbench.evaluation import (
    csv_results,
    deepeval,
    inspect_ai,
    jsonl_results,
    lm_eval,
    promptfoo,
)
from workbench.evaluation.rows import JsonProblem, ReadOptions, parse_json
from workbench.evaluation.source import Reading, Source

Format = Literal["csv", "jsonl", "promptfoo", "inspect", "deepeval", "lm-eval"]
FORMATS: tuple[str, ...] = ("csv", "jsonl", "promptfoo", "inspect", "deepeval", "lm-eval")
READ = "workbench reads CSV, JSON Lines, promptfoo, Inspect AI, DeepEval and lm-evaluation-harness"

Reader = Callable[[Source, ReadOptions], Reading]


def _keys(document: Any) -> str:
    if isinstance(document, dict):
        keys = list(document)
        shown = ", ".join(repr(k) for k in keys[:10])
        return f"top-level keys: {shown}" + (
            f" and {len(keys) - 10} more" if len(keys) > 10 else ""
        )
    if isinstance(document, list):
        return f"a list of {len(document)} item(s)"
    return f"a single {type(document).__name__}"


def _zip_reader(source: Source) -> Reader:
    try:
        with zipfile.ZipFile(source.handle) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as error:
        raise InvalidValueError(f"a damaged zip archive ({error}); {READ}") from None
    finally:
        source.handle.seek(0)
    if inspect_ai.is_inspect_zip(names) or any(n.startswith("samples/") for n in names):
        return inspect_ai.read_eval
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        raise InvalidValueError(
            "an Excel workbook, not a results file; save the sheet as CSV UTF-8 "
            "(File › Save As › CSV UTF-8) and import that"
        )
    shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    raise InvalidValueError(
        f"a zip archive ({len(names)} entries: {shown}), not a results file; unpack it, or "
        f"give an Inspect AI .eval log; {READ}"
    )


def _document_reader(document: Any) -> Reader:
    """The reader of a whole JSON document, by its shape."""
    if inspect_ai.is_inspect_log(document):
        return inspect_ai.read_json
    if promptfoo.results_of(document) is not None:
        return promptfoo.read_json
    if deepeval.is_test_run(document):
        return deepeval.read_test_run
    if lm_eval.is_results_summary(document):
        raise InvalidValueError(
            "lm-evaluation-harness's results summary (scores per task, no samples); run "
            "lm_eval with --log_samples and import the samples_TASK_….jsonl file it writes"
        )
    if isinstance(document, list) and all(isinstance(item, dict) for item in document[:50]):
        return jsonl_results.read_json_list
    raise InvalidValueError(f"a JSON document of an unknown shape ({_keys(document)}); {READ}")


def _line_reader(first: dict[str, Any]) -> Reader:
    """The reader of a JSON Lines file, by its first object."""
    if promptfoo.is_jsonl_result(first):
        return promptfoo.read_jsonl
    if lm_eval.is_sample(first):
        return lm_eval.read_samples
    return jsonl_results.read_jsonl


def _text_start(head: bytes) -> bytes:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")


def reader_for(
    source: Source, fmt: str | None = None, options: ReadOptions | None = None
) -> Reader:
    """The reader of a file; a file that no reader takes is refused, saying what it is."""
    options = options or ReadOptions()
    delimiter = options.delimiter
    head = source.head
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if fmt not in (None, "inspect"):
            raise InvalidValueError(f"a zip archive, not a {fmt} file")
        return _zip_reader(source)
    if head.startswith(b"SQLite format 3\x00"):
        raise InvalidValueError("a SQLite database (a workbench project?), not a results file")
    if head.startswith(b"\x1f\x8b"):
        raise InvalidValueError("a gzip-compressed file; unpack it (gunzip) and import that")
    if head.startswith(b"%PDF"):
        raise InvalidValueError(f"a PDF document, not a results file; {READ}")
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidValueError(f"a binary file, not a results file; {READ}")
    start = _text_start(head)
    if fmt == "csv":
        return _csv_reader(source, delimiter)
    if fmt == "lm-eval":
        return lm_eval.read_samples
    if fmt in ("jsonl",):
        return jsonl_results.read_jsonl
    if start.startswith((b"{", b"[")) or fmt in ("promptfoo", "inspect", "deepeval"):
        first_line, rest = _first_line(source, start)
        first: Any
        try:
            first = json.loads(first_line)
        except json.JSONDecodeError:
            first = None
        except (ValueError, RecursionError):  # JSON, but too deep or too long a number:
            first = {}  # a line of JSON Lines, if lines follow (its reader says why, there)
        lines_follow = rest.strip().startswith(b"{")
        # (a one-line file is a row only if it looks like one: it names its case)
        ids = {"id", *(k for k, v in options.columns.items() if v == "id")}
        looks_like_row = isinstance(first, dict) and (
            bool(ids & set(first)) or promptfoo.is_jsonl_result(first) or lm_eval.is_sample(first)
        )
        if isinstance(first, dict) and (lines_follow or looks_like_row) and not _is_document(first):
            if fmt == "promptfoo":
                return promptfoo.read_jsonl
            return _line_reader(first)
        first, first_line = None, b""  # (a long first line is the document: parsed again)
        source.document = _load(source)
        if fmt == "promptfoo":
            return promptfoo.read_json
        if fmt == "inspect":
            return inspect_ai.read_json
        if fmt == "deepeval":
            return deepeval.read_test_run
        return _document_reader(source.document)
    return _csv_reader(source, delimiter)


def _first_line(source: Source, start: bytes) -> tuple[bytes, bytes]:
    """The file's first non-blank line, and the start of what follows it. A first line
    longer than the head (a JSON Lines row with a long output) is read whole."""
    line, newline, rest = start.partition(b"\n")
    if newline or source.size <= len(source.head):
        return line.strip(), rest
    handle = source.handle
    handle.seek(0)
    try:
        line = b""
        while not line.strip():
            line = handle.readline()
            if not line:
                break
        return _text_start(line).strip(), handle.read(4096)
    finally:
        handle.seek(0)


def _is_document(first: dict[str, Any]) -> bool:
    """Whether a one-line JSON object is a whole document of a tool, not one row."""
    return (
        inspect_ai.is_inspect_log(first)
        or promptfoo.results_of(first) is not None
        or deepeval.is_test_run(first)
        or lm_eval.is_results_summary(first)
    )


def _load(source: Source) -> Any:
    from workbench.evaluation.rows import text_lines

    try:
        return parse_json(text_lines(source.handle).read())
    except JsonProblem as problem:
        if problem.reason.startswith("not valid JSON ("):  # (as it was worded before)
            raise InvalidValueError(
                f"not valid JSON (line {problem.line}: {problem.reason[16:-1]})"
            ) from None
        raise InvalidValueError(f"line {problem.line}: {problem.reason}") from None
    finally:
        source.handle.seek(0)


def _csv_reader(source: Source, delimiter: str | None) -> Reader:
    header = csv_results.peek_header(source.handle, delimiter)
    if promptfoo.is_promptfoo_csv(header):
        return promptfoo.read_csv
    return csv_results.read_csv


def open_reading(source: Source, options: ReadOptions, fmt: str | None = None) -> Reading:
    """The file as its reader reads it (its rows still to be read, batch by batch)."""
    return reader_for(source, fmt, options)(source, options)
