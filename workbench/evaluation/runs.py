"""Evaluation runs in the project file: importing results, listing runs, browsing rows.

An import is one run and one transaction: the file's rows are streamed into the
``results`` table and its metrics are computed once with SQL (a run never
changes afterwards). A bad row stops the whole import unless ``skip_bad``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any

from workbench.errors import InvalidValueError, NotFoundError, ProjectFileError, WorkbenchError
from workbench.evaluation.evidence import Run, RunMetrics
from workbench.evaluation.rows import (
    BadRow,
    Format,
    detect_format,
    file_sha256,
    first_non_utf8,
    read_batches,
)
from workbench.evaluation.tally import MetricsTally
from workbench.models import now
from workbench.store import Store, describe_sqlite_error

BATCH = 5000
MAX_REPORTED = 20
COLUMNS = (
    "run_id",
    "line",
    "case_id",
    "category",
    "grp",
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
_AS_INT = {True: 1, False: 0}.get
_ROW = f"({', '.join('?' * len(COLUMNS))})"
_INSERT = f"INSERT INTO results ({', '.join(COLUMNS)}) VALUES {_ROW}"
# Fifty rows a statement (700 values, under SQLite's oldest limit of 999): a fifth
# less time per row than a statement per row, which pays a step and a reset each.
_ROWS_PER_INSERT = 50
_INSERT_MANY = f"INSERT INTO results ({', '.join(COLUMNS)}) VALUES " + ", ".join(
    [_ROW] * _ROWS_PER_INSERT
)


def _insert(conn: sqlite3.Connection, columns: list[Sequence[Any]]) -> None:
    """Store result rows given column by column (in ``COLUMNS`` order, equally long).

    The values are laid out row after row in one flat list by slice assignment (no
    tuple per row), then handed over fifty rows to a statement."""
    rows, width = len(columns[0]), len(columns)
    values: list[Any] = [None] * (rows * width)
    for index, column in enumerate(columns):
        values[index::width] = column
    whole = rows // _ROWS_PER_INSERT * _ROWS_PER_INSERT
    step = width * _ROWS_PER_INSERT
    conn.executemany(_INSERT_MANY, (values[i : i + step] for i in range(0, whole * width, step)))
    if whole < rows:
        tail = range(whole * width, rows * width, width)
        conn.executemany(_INSERT, (values[i : i + width] for i in tail))


class ImportRefused(WorkbenchError):
    """Nothing was imported; ``bad_rows`` says which rows are wrong and why."""

    def __init__(self, message: str, bad_rows: list[BadRow] | None = None, total_bad: int = 0):
        super().__init__(message)
        self.bad_rows = bad_rows or []
        self.total_bad = total_bad


class AlreadyImported(WorkbenchError):
    """The same file (same sha256) is already a run of this project."""

    def __init__(self, message: str, run: Run):
        super().__init__(message)
        self.run = run


@dataclass
class ImportReport:
    run: Run
    skipped: list[BadRow] = field(default_factory=list)
    skipped_count: int = 0


def import_results(
    store: Store,
    path: Path,
    by: str,
    *,
    label: str = "",
    mapping: dict[str, str] | None = None,
    skip_bad: bool = False,
    fmt: Format | None = None,
    again: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a results file as a new run; all or nothing (good rows only with ``skip_bad``)."""
    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "no such file"
        raise InvalidValueError(f"{path}: {what}; give a CSV, JSONL or promptfoo JSON file")
    try:
        size = path.stat().st_size
        sha256 = file_sha256(path)
        handle = path.open("rb")
    except OSError as error:
        raise InvalidValueError(f"{path}: cannot read it ({error.strerror})") from None
    if size == 0:
        handle.close()
        raise InvalidValueError(f"{path}: the file is empty")
    existing = [r for r in list_runs(store) if r.sha256 == sha256]
    if existing and not again:
        handle.close()
        first = existing[0]
        raise AlreadyImported(
            f"{path.name} was already imported as run {first.id} ({first.label!r}, "
            f"{first.imported_at[:10]}); nothing imported (use --again to import it anyway)",
            first,
        )
    with handle:
        fmt = fmt or detect_format(path, handle.read(4096))
        handle.seek(0)
        label = label.strip() or f"{path.stem} ({now()[:10]})"
        imported_at = now()
        bad: list[BadRow] = []
        bad_count = 0
        seen: dict[str, int] = {}
        good = 0
        try:
            with store.write(), _no_cycle_collection():
                runs_table = store.table("runs")
                runs_table.insert(
                    {
                        "label": label,
                        "imported_at": imported_at,
                        "imported_by": by,
                        "source": path.name,
                        "sha256": sha256,
                        "format": fmt,
                        "rows": 0,
                        "skipped": 0,
                        "metrics": "{}",
                    }
                )
                run_id = int(runs_table.last_rowid or 0)
                tally = MetricsTally()
                for batch in _with_progress(
                    read_batches(fmt, handle, mapping or {}), handle, size, progress
                ):
                    problems = list(batch.bad)
                    lines, columns = batch.lines, batch.columns
                    fresh = dict(zip(columns[0], lines, strict=True))
                    if len(fresh) != len(lines) or not seen.keys().isdisjoint(fresh):
                        keep = [
                            seen.setdefault(case, line) == line
                            for case, line in zip(columns[0], lines, strict=True)
                        ]
                        problems += [
                            BadRow(line, f"duplicate id {case!r} (first on line {seen[case]})")
                            for case, line, kept in zip(columns[0], lines, keep, strict=True)
                            if not kept
                        ]
                        lines = list(compress(lines, keep))
                        columns = [list(compress(column, keep)) for column in columns]
                    else:
                        seen.update(fresh)
                    if problems:
                        bad_count += len(problems)
                        bad = sorted(bad + problems, key=lambda row: row.line)[:MAX_REPORTED]
                    if not lines:
                        continue
                    good += len(lines)
                    (
                        case_id, category, group, kind, expected, output,
                        correct, hallucinated, refused, latency, failed, human_output,
                    ) = columns  # fmt: skip
                    # (true/false go in as 1/0 ints: sqlite3 would bind a bool as 1 too,
                    # but only after looking for an adapter, which doubles the cost of a row)
                    _insert(
                        store.db.conn,
                        [
                            [run_id] * len(lines), lines, case_id, category, group, kind,
                            expected, output, [*map(_AS_INT, correct)],
                            [*map(_AS_INT, hallucinated)], [*map(_AS_INT, refused)], latency,
                            [*map(_AS_INT, failed)], human_output,
                        ],
                    )  # fmt: skip
                    tally.add(
                        category, group, kind, correct, hallucinated, refused, failed,
                        output, human_output, latency,
                    )  # fmt: skip
                if bad_count and not skip_bad:
                    raise ImportRefused(
                        f"{bad_count} bad row(s) in {path.name}; nothing imported (fix them, "
                        "or import the good rows with --skip-bad)",
                        bad,
                        bad_count,
                    )
                if good == 0:
                    raise ImportRefused(f"{path.name} has no rows to import", bad, bad_count)
                metrics = tally.metrics()
                runs_table.update(
                    run_id,
                    {"rows": good, "skipped": bad_count, "metrics": metrics.model_dump_json()},
                )
                store.record(
                    by,
                    f"imported run {run_id}: {label} ({good} rows)",
                    "run",
                    run_id,
                    None,
                    {"label": label, "rows": good, "source": path.name},
                )
        except UnicodeDecodeError:
            where = first_non_utf8(path)
            detail = (
                f" (line {where[0]}: byte 0x{where[2]:02X} at offset {where[1]})" if where else ""
            )
            raise InvalidValueError(f"{path}: not UTF-8 text{detail}; save it as UTF-8") from None
        except sqlite3.Error as error:  # a read-only file or folder, a full disk
            raise ProjectFileError(describe_sqlite_error(store.where, error)) from None
    run = get_run(store, run_id)
    return ImportReport(run=run, skipped=bad, skipped_count=bad_count)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while rows stream through.

    An import makes hundreds of thousands of short-lived lists and tuples, none of them
    in a cycle; with the collector on, each batch held in memory is scanned over and
    over, which cost a third of the reading. Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _with_progress(
    batches: Iterator[Any], handle: Any, size: int, progress: Callable[[int, int], None] | None
) -> Iterator[Any]:
    if progress is None:
        yield from batches
        return
    progress(0, size)
    for batch in batches:
        with contextlib.suppress(OSError, ValueError):
            progress(min(handle.tell(), size), size)
        yield batch
    progress(size, size)


# ----------------------------------------------------------------- metrics

_TALLIED = (
    "category, grp, kind, correct, hallucinated, refused, error, output, human_output, latency_ms"
)


def compute_metrics(store: Store, run_id: int) -> RunMetrics:
    """Every metric of a stored run, overall, per category, per group, and the kinds'
    counts: the rows go through the same tally as an import's."""
    tally = MetricsTally()
    cursor = store.db.execute(f"SELECT {_TALLIED} FROM results WHERE run_id = ?", [run_id])
    while rows := cursor.fetchmany(BATCH):
        columns = [list(column) for column in zip(*rows, strict=True)]
        category, group, kind, correct, hallucinated, refused, error = (
            [value or "" for value in columns[0]],
            [value or "" for value in columns[1]],
            columns[2],
            *([None if v is None else bool(v) for v in columns[i]] for i in (3, 4, 5, 6)),
        )
        output, human_output = ([value or "" for value in columns[i]] for i in (7, 8))
        tally.add(
            category, group, kind, correct, hallucinated, refused, error,
            output, human_output, columns[9],
        )  # fmt: skip
    return tally.metrics()


# ----------------------------------------------------------------- reading


def _run(row: dict[str, Any]) -> Run:
    data = dict(row)
    data["metrics"] = json.loads(data.get("metrics") or "{}")
    return Run.model_validate(data)


def list_runs(store: Store) -> list[Run]:
    """Every run, oldest first."""
    with store._guard():
        cursor = store.db.execute("SELECT * FROM runs WHERE rows > 0 ORDER BY id")
        columns = [c[0] for c in cursor.description]
        return [_run(dict(zip(columns, row, strict=True))) for row in cursor]


def get_run(store: Store, run_id: int) -> Run:
    with store._guard():
        cursor = store.db.execute("SELECT * FROM runs WHERE id = ? AND rows > 0", [run_id])
        row = cursor.fetchone()
        if row is None:
            known = [str(r.id) for r in list_runs(store)]
            raise NotFoundError(
                f"no run {run_id} in this project"
                + (f" (runs: {', '.join(known)})" if known else " (import one first)")
            )
        return _run(dict(zip([c[0] for c in cursor.description], row, strict=True)))


def latest_run(store: Store) -> Run | None:
    runs = list_runs(store)
    return max(runs, key=lambda r: (r.imported_at, r.id)) if runs else None


@dataclass(frozen=True)
class ResultFilter:
    failed: bool = False
    category: str | None = None
    group: str | None = None
    kind: str | None = None
    text: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses = ["run_id = ?"]
        params: list[Any] = []
        if self.failed:
            clauses.append("(correct = 0 OR hallucinated = 1 OR error = 1)")
        for column, value in (("category", self.category), ("grp", self.group)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.kind is not None:
            clauses.append("kind = ?")
            params.append(self.kind)
        if self.text:
            clauses.append("(case_id LIKE ? OR output LIKE ? OR expected LIKE ?)")
            params.extend([f"%{self.text}%"] * 3)
        return " AND ".join(clauses), params


RESULT_FIELDS = (
    "line",
    "case_id",
    "category",
    "grp",
    "kind",
    "correct",
    "hallucinated",
    "refused",
    "latency_ms",
    "error",
    "expected",
    "output",
    "human_output",
)


def count_results(store: Store, run_id: int, filters: ResultFilter = ResultFilter()) -> int:
    where, params = filters.where()
    with store._guard():
        return int(
            store.db.execute(
                f"SELECT count(*) FROM results WHERE {where}", [run_id, *params]
            ).fetchone()[0]
        )


def page_results(
    store: Store, run_id: int, offset: int, limit: int, filters: ResultFilter = ResultFilter()
) -> list[dict[str, Any]]:
    """One page of a run's rows in file order, for the results browser."""
    where, params = filters.where()
    sql = (
        f"SELECT {', '.join(RESULT_FIELDS)} FROM results WHERE {where} "
        "ORDER BY line LIMIT ? OFFSET ?"
    )
    with store._guard():
        cursor = store.db.execute(sql, [run_id, *params, limit, offset])
        return [dict(zip(RESULT_FIELDS, row, strict=True)) for row in cursor]


def remove_run(store: Store, run_id: int, by: str) -> Run:
    run = get_run(store, run_id)
    with store._guard(), store.write():
        store.db.execute("DELETE FROM results WHERE run_id = ?", [run_id])
        store.db.execute("DELETE FROM runs WHERE id = ?", [run_id])
        store.record(
            by, f"removed run {run_id}: {run.label}", "run", run_id, {"label": run.label}, None
        )
    return run
