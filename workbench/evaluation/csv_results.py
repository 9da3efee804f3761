"""Results as a spreadsheet: CSV with one test case a row.

The separator is found from the header (comma, semicolon or tab: Excel in a German or
French locale saves with semicolons, and with decimal commas), or given with
``--delimiter``; a byte-order mark and CRLF line ends are read as they come. A header
that names a column twice is refused: which of the two would count is a guess. Columns
the import does not use are listed in its summary.

A batch in which every record has as many cells as the header and every value is
plainly valid (nearly every batch of a real file) is checked and converted a whole
column at a time; any other batch goes row by row, where each bad row gets its line
number and reason.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import compress, islice, repeat
from pathlib import Path
from typing import IO, Any

from workbench.errors import InvalidValueError
from workbench.evaluation.rows import (
    BATCH_ROWS,
    EXACT_BOOLS,
    EXACT_KINDS,
    FIELDS,
    MAX_ID,
    MAX_LABEL,
    MAX_LATENCY_MS,
    MISSING,
    BadRow,
    Batch,
    ParsedRow,
    ReadOptions,
    Scores,
    bad_row,
    check_row,
    score_name,
    score_value,
    text_lines,
)
from workbench.evaluation.source import Reading, Source
from workbench.models import MAX_WHOLE

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
# Column names that look like a response time but do not say the unit.
_UNITLESS_LATENCY = {"latency", "response_time", "duration", "time", "elapsed"}


def sniff_delimiter(first_line: str) -> str:
    """The separator a header line uses: whichever of comma, semicolon and tab it has most
    of outside quotes (a comma when it has none)."""
    outside, quoted = [], False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    text = "".join(outside)
    counts = {d: text.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def open_table(handle: IO[bytes], delimiter: str | None) -> tuple[Any, list[str], str]:
    """A CSV reader positioned after the header, the header's cells, and the separator."""
    text = text_lines(handle)
    first = ""
    for line in text:
        if line.strip():
            first = line
            break
    text.seek(0)
    chosen = delimiter or sniff_delimiter(first)
    # strict: a stray quote is a bad row, not a field that silently runs on
    reader = csv.reader(text, delimiter=chosen, strict=True)
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
    return reader, header, chosen


def peek_header(handle: IO[bytes], delimiter: str | None) -> list[str]:
    """A CSV file's header cells, the file left at its start (for telling formats apart)."""
    try:
        _reader, header, _chosen = open_table(handle, delimiter)
        return header
    except InvalidValueError:
        return []
    finally:
        handle.seek(0)


def records(
    reader: Any, size: int = BATCH_ROWS
) -> Iterator[tuple[list[int], Sequence[list[str]], list[tuple[int, BadRow]]]]:
    """The records after the header, ``size`` at a time: the line each starts on, its
    cells (an empty list for a blank line or a broken record's place), and the broken
    records with their place in the chunk."""
    last_end = reader.line_num  # the line before the next record
    while True:
        taken: list[list[str]] = []
        ends: list[int] = []  # the line each record in ``taken`` ends on
        broken: list[tuple[int, BadRow]] = []
        while len(taken) + len(broken) < size:
            before, wanted = len(taken), size - len(taken) - len(broken)
            since = ends[-1] if ends else last_end
            try:
                taken.extend(islice(reader, wanted))
            except csv.Error as error:  # (the rows read before it are in ``taken``)
                ends += _line_ends(taken[before:], since)
                start = (ends[-1] if ends else last_end) + 1
                reason = f"unparseable: {error}"
                if reader.line_num > start:
                    reason += f" (a quote opened here runs on to line {reader.line_num})"
                broken.append((len(taken), BadRow(start, reason)))
                taken.append([])  # a place holder, dropped below
                ends.append(reader.line_num)
                continue
            read = len(taken) - before
            if reader.line_num - since == read:  # a line a record: the common case
                ends += range(since + 1, reader.line_num + 1)
            else:
                ends += _line_ends(taken[before:], since)
            if read < wanted:
                break  # the end of the file
        if not taken:
            return
        starts = [last_end + 1, *map((1).__add__, ends[:-1])]
        last_end = ends[-1]
        yield starts, taken, broken


def _line_ends(rows: Sequence[list[str]], since: int) -> list[int]:
    """The line each record ends on, the first starting after line ``since``: a record
    runs on one line further for each line break inside its (quoted) cells, which the
    reader keeps as they were (CRLF, LF or a lone CR, each one line)."""
    ends = []
    for cells in rows:
        breaks = sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in cells)
        since += 1 + breaks
        ends.append(since)
    return ends


def refuse_repeated_columns(header: Sequence[str], shown: Sequence[str] | None = None) -> None:
    """A header that names a column twice is refused, naming it and both places."""
    seen: dict[str, int] = {}
    for index, name in enumerate(shown if shown is not None else header, 1):
        if not name:
            continue
        if name in seen:
            raise InvalidValueError(
                f"the header names the column {name!r} twice (columns {seen[name]} and "
                f"{index}); rename or remove one, so it is clear which counts"
            )
        seen[name] = index


def read_csv(source: Source, options: ReadOptions, size: int = BATCH_ROWS) -> Reading:
    reader, header, delimiter = open_table(source.handle, options.delimiter)
    reading = Reading(tool="CSV", format="csv", batches=iter(()))
    mapping = options.columns
    targets = [mapping.get(h, h) if h else "" for h in header]
    refuse_repeated_columns(header)
    duplicates = [t for t in targets if t and targets.count(t) > 1]
    if duplicates:
        first = duplicates[0]
        named = [h for h, t in zip(header, targets, strict=True) if t == first]
        raise InvalidValueError(
            f"two columns would both be read as {first!r} ({', '.join(map(repr, named))}); "
            "keep one, or map the other elsewhere"
        )
    if "id" not in targets:
        shown = ", ".join(h for h in header[:8] if h) or "none"
        raise InvalidValueError(
            f"the header has no 'id' column (columns: {shown}); map one with --map COLUMN=id"
        )
    columns = [(i, t) for i, t in enumerate(targets) if t in FIELDS]
    seconds = next((i for i, t in enumerate(targets) if t == "latency_s"), None)
    epoch_at = next((i for i, t in enumerate(targets) if t == "epoch"), None)
    score_columns = [
        (i, score_name(t[len("score:") :])) for i, t in enumerate(targets) if t.startswith("score:")
    ]
    used = {i for i, _ in columns} | {i for i, _ in score_columns}
    used |= {i for i in (seconds, epoch_at) if i is not None}
    for index, name in enumerate(header):
        if name and index not in used:
            hint = ""
            if name.lower() in _UNITLESS_LATENCY:
                hint = " (a response time? say its unit: --map {0}=latency_ms or {0}=latency_s)"
                hint = hint.format(name)
            reading.ignored.append(name + hint)
    if delimiter != ",":
        reading.note(f"columns separated by {DELIMITERS.get(delimiter, repr(delimiter))}s")
    if seconds is not None:
        reading.note(f"response times read in seconds from {header[seconds]!r}")
    decimal_comma = delimiter == ";"
    width = len(header)
    extras = _extras_reader(epoch_at, score_columns, decimal_comma)
    by_columns = _column_converter(columns, width, seconds, decimal_comma, extras)
    by_row = _row_reader(columns, width, delimiter, seconds, decimal_comma, extras)

    def batches() -> Iterator[Batch]:
        for starts, rows, broken in records(reader, size):
            if not any(rows) and not broken:  # only blank lines
                continue
            # (a blank line reads as no cells at all; so does a broken record's place holder)
            whole = not broken and all(rows)
            batch = by_columns(starts, rows) if whole else None
            if batch is None:
                chunk: list[tuple[int, Any]] = list(
                    zip(compress(starts, rows), compress(rows, rows), strict=True)
                )
                if broken:
                    chunk = sorted(chunk + [(row.line, row) for _, row in broken])
                batch = Batch.of([p for p in map(by_row, chunk) if p is not None])
            yield batch

    reading.batches = batches()
    return reading


def read_csv_batches(
    handle: IO[bytes], mapping: Mapping[str, str], size: int = BATCH_ROWS
) -> Iterator[Batch]:
    """The rows of a CSV file in batches of at most ``size`` records."""
    source = Source(path=Path("<file>"), handle=handle, head=b"", size=0)
    return read_csv(source, ReadOptions(columns=mapping), size=size).batches


def _number(decimal_comma: bool) -> Callable[[str], float]:
    if not decimal_comma:
        return float

    def number(text: str) -> float:
        return float(text.replace(",", ".", 1) if "," in text and "." not in text else text)

    return number


def _extras_reader(
    epoch_at: int | None, score_columns: list[tuple[int, str]], decimal_comma: bool
) -> Callable[[list[str]], tuple[int | None, Scores | None]] | None:
    """A record's epoch and named scores, where the file has such columns; a bad value is
    a ValueError that words it."""
    if epoch_at is None and not score_columns:
        return None

    def extras(cells: list[str]) -> tuple[int | None, Scores | None]:
        epoch = None
        if epoch_at is not None and epoch_at < len(cells) and cells[epoch_at].strip():
            text = cells[epoch_at].strip()
            if not (text.isascii() and text.isdigit()) or int(text) < 1:
                raise ValueError(f"epoch: {text!r} is not a whole number from 1")
            if len(text) > 13 or int(text) > MAX_WHOLE:
                raise ValueError(f"epoch: {text[:20]!r} is more than {MAX_WHOLE}")
            epoch = int(text)
        scores: Scores = {}
        for index, name in score_columns:
            cell = cells[index].strip() if index < len(cells) else ""
            if not cell:
                continue
            value = score_value(cell.replace(",", ".", 1) if decimal_comma else cell)
            if value is None:
                raise ValueError(
                    f"score {name!r}: {cell[:40]!r} is not a number (up to ±10^12) or true/false"
                )
            scores[name] = value
        return epoch, scores or None

    return extras


def _column_converter(
    columns: list[tuple[int, str]],
    width: int,
    seconds: int | None,
    decimal_comma: bool,
    extras: Callable[[list[str]], tuple[int | None, Scores | None]] | None,
) -> Callable[[Sequence[int], Sequence[list[str]]], Batch | None]:
    """Records to a batch a column at a time, or None when any value needs a closer look.

    It accepts only what ``rows.fast_row`` (the row-by-row path's shortcut) accepts, and
    gives the same values: a missing column reads as empty cells, each field's default.
    tests/test_results_fast_paths.py holds both against pydantic."""
    where = {name: i for i, name in columns}
    sources = [where.get(name) for name in FIELDS]
    if seconds is not None:
        sources[FIELDS.index("latency_ms")] = seconds
    scale = 1000.0 if seconds is not None else 1.0
    number = _number(decimal_comma)
    exact_bools, exact_kinds, missing = EXACT_BOOLS, EXACT_KINDS, MISSING

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
                latency = [number(text) if text else None for text in texts]
                present = [value for value in latency if value is not None]
            else:
                latency = present = list(map(number, texts))
        except ValueError:  # (whitespace, too: the row-by-row path reads it as empty)
            return None
        if present and (
            min(present) < 0
            or not all(map(math.isfinite, present))
            or max(present) * scale > MAX_LATENCY_MS
        ):
            return None
        if scale != 1.0:
            latency = [None if value is None else value * scale for value in latency]
        epochs = scores = None
        if extras is not None:
            try:
                pairs = list(map(extras, rows))
            except ValueError:
                return None
            epoch_list = [pair[0] for pair in pairs]
            score_list = [pair[1] for pair in pairs]
            epochs = epoch_list if any(e is not None for e in epoch_list) else None
            scores = score_list if any(score_list) else None
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
            epochs=epochs,
            scores=scores,
        )  # fmt: skip

    return convert


def _row_reader(
    columns: list[tuple[int, str]],
    width: int,
    delimiter: str,
    seconds: int | None,
    decimal_comma: bool,
    extras: Callable[[list[str]], tuple[int | None, Scores | None]] | None,
) -> Callable[[tuple[int, Any]], ParsedRow | None]:
    """One record to a row, good or bad (None for a line with only empty cells): the
    path of a batch the column-wise converter would not take, one row at a time."""
    number = _number(decimal_comma)
    latency_at = next((i for i, name in columns if name == "latency_ms"), None)

    def read(record: tuple[int, Any]) -> ParsedRow | None:
        line, cells = record
        if isinstance(cells, BadRow):
            return ParsedRow(line, None, cells)
        if not any(cell.strip() for cell in cells):
            return None  # a line of empty cells
        extra = cells[width:]
        if any(cell.strip() for cell in extra):
            separator = DELIMITERS.get(delimiter, repr(delimiter))
            reason = (
                f"unparseable: {len(cells)} cells where the header has {width} "
                f"(an unquoted {separator}?)"
            )
            return bad_row(line, reason)
        data: dict[str, Any] = {name: cells[i] for i, name in columns if i < len(cells)}
        source = seconds if seconds is not None else latency_at
        raw = cells[source].strip() if source is not None and source < len(cells) else ""
        # (a plain value goes to the row's check as written; seconds and decimal commas
        # are converted first, and what cannot be converted is checked, and worded, there)
        if raw and (seconds is not None or (decimal_comma and "," in raw)):
            try:
                value = number(raw)
            except ValueError:
                data["latency_ms"] = raw
            else:
                data["latency_ms"] = value * 1000.0 if seconds is not None else value
        epoch = scores = None
        if extras is not None:
            try:
                epoch, scores = extras(cells)
            except ValueError as error:
                return bad_row(line, str(error))
        return check_row(line, data, epoch=epoch, scores=scores)

    return read
