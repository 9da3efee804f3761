"""Evaluation runs in the project file: importing results, listing runs, browsing rows.

An import is one run and one transaction: the file's rows are streamed into the
``results`` table and its metrics are computed once with SQL (a run never
changes afterwards). A bad row stops the whole import unless ``skip_bad``.
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import InvalidValueError, NotFoundError, ProjectFileError, WorkbenchError
from workbench.evidence import Rate, Run, RunMetrics, SliceMetrics, mean_interval, rate
from workbench.models import now
from workbench.results import (
    READERS,
    BadRow,
    Format,
    detect_format,
    file_sha256,
    first_non_utf8,
)
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
_INSERT = f"INSERT INTO results ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


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


def _bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


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
        reader = READERS[fmt]
        label = label.strip() or f"{path.stem} ({now()[:10]})"
        imported_at = now()
        bad: list[BadRow] = []
        bad_count = 0
        seen: dict[str, int] = {}
        good = 0
        try:
            with store.write():
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
                batch: list[tuple[Any, ...]] = []
                rows = reader(handle, mapping or {})
                for parsed in _with_progress(rows, handle, size, progress):
                    problem = parsed.bad
                    values = parsed.values
                    if values is not None and values[0] in seen:
                        problem = BadRow(
                            parsed.line,
                            f"duplicate id {values[0]!r} (first on line {seen[values[0]]})",
                        )
                    if problem is not None or values is None:
                        bad_count += 1
                        if len(bad) < MAX_REPORTED and problem is not None:
                            bad.append(problem)
                        continue
                    seen[values[0]] = parsed.line
                    good += 1
                    (
                        case_id,
                        category,
                        group,
                        kind,
                        expected,
                        output,
                        correct,
                        hallucinated,
                        refused,
                        latency,
                        failed,
                        human,
                    ) = values
                    batch.append(
                        (
                            run_id,
                            parsed.line,
                            case_id,
                            category,
                            group,
                            kind,
                            expected,
                            output,
                            _bool(correct),
                            _bool(hallucinated),
                            _bool(refused),
                            latency,
                            _bool(failed),
                            human,
                        )
                    )
                    if len(batch) >= BATCH:
                        store.db.conn.executemany(_INSERT, batch)
                        batch.clear()
                if batch:
                    store.db.conn.executemany(_INSERT, batch)
                if bad_count and not skip_bad:
                    raise ImportRefused(
                        f"{bad_count} bad row(s) in {path.name}; nothing imported (fix them, "
                        "or import the good rows with --skip-bad)",
                        bad,
                        bad_count,
                    )
                if good == 0:
                    raise ImportRefused(f"{path.name} has no rows to import", bad, bad_count)
                metrics = compute_metrics(store, run_id)
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


def _with_progress(
    rows: Iterator[Any], handle: Any, size: int, progress: Callable[[int, int], None] | None
) -> Iterator[Any]:
    if progress is None:
        yield from rows
        return
    for count, row in enumerate(rows):
        if count % 2000 == 0:
            with contextlib.suppress(OSError, ValueError):
                progress(min(handle.tell(), size), size)
        yield row
    progress(size, size)


# ----------------------------------------------------------------- metrics

_AGGREGATE = """
SELECT {key},
  count(*),
  sum(correct = 1), count(correct),
  sum(hallucinated = 1), count(hallucinated),
  sum(kind = 'harmful' AND refused = 1), sum(kind = 'harmful' AND refused IS NOT NULL),
  sum(error = 1), count(error),
  sum(human_output != '' AND lower(trim(output)) = lower(trim(human_output))),
  sum(human_output != ''),
  count(latency_ms), avg(latency_ms) / 1000.0, avg(latency_ms * latency_ms) / 1000000.0
FROM results WHERE run_id = ? {group}
"""


def _slice(row: tuple[Any, ...]) -> SliceMetrics:
    def r(successes: Any, n: Any) -> Rate:
        return rate(int(successes or 0), int(n or 0))

    return SliceMetrics(
        rows=int(row[1] or 0),
        accuracy=r(row[2], row[3]),
        hallucination_rate=r(row[4], row[5]),
        harmful_refusal_rate=r(row[6], row[7]),
        error_rate=r(row[8], row[9]),
        human_agreement=r(row[10], row[11]),
        response_time=mean_interval(int(row[12] or 0), row[13], row[14]),
    )


def compute_metrics(store: Store, run_id: int) -> RunMetrics:
    """Every metric of a run, overall, per category, per group, and the kinds' counts."""
    db = store.db
    overall = db.execute(_AGGREGATE.format(key="NULL", group=""), [run_id]).fetchone()
    metrics = RunMetrics(**_slice(overall).model_dump())
    n = metrics.response_time.n
    if n:
        rank = math.ceil(0.95 * n)  # nearest-rank 95th percentile
        p95 = db.execute(
            "SELECT latency_ms FROM results WHERE run_id = ? AND latency_ms IS NOT NULL "
            "ORDER BY latency_ms LIMIT 1 OFFSET ?",
            [run_id, rank - 1],
        ).fetchone()
        metrics.p95_response_time = p95[0] / 1000.0
    for column, target in (("category", metrics.by_category), ("grp", metrics.by_group)):
        sql = _AGGREGATE.format(key=column, group=f"GROUP BY {column} ORDER BY {column}")
        for row in db.execute(sql, [run_id]):
            target[row[0] or ""] = _slice(row)
    metrics.by_kind = {
        kind: count
        for kind, count in db.execute(
            "SELECT kind, count(*) FROM results WHERE run_id = ? GROUP BY kind ORDER BY kind",
            [run_id],
        )
    }
    return metrics


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
