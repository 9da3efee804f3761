"""Evaluation runs in the project file: importing results, listing runs, browsing rows.

An import is one transaction and one change of the history: the file's rows are
streamed into the ``results`` table, one run for each system the file holds, and each
run's metrics are tallied as the rows go past (a run never changes afterwards). A bad
row, or a case repeated within a run, stops the whole import unless ``skip_bad``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workbench.errors import (
    InvalidValueError,
    NotFoundError,
    ProjectFileError,
    WorkbenchError,
    describe_validation_error,
)
from workbench.evaluation.evidence import MAX_RUN_LABEL, CaseFlips, Run, RunMetrics
from workbench.evaluation.formats import open_reading
from workbench.evaluation.rows import (
    BOOL_FIELDS,
    FIELDS,
    BadRow,
    Batch,
    MetricUse,
    ReadOptions,
    file_sha256,
    first_non_utf8,
)
from workbench.evaluation.source import Reading, Source
from workbench.evaluation.tally import MetricsTally
from workbench.invisible import has_surrogate
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
    "epoch",
    "scores",
)
_AS_INT = {True: 1, False: 0}.get
# Fifty rows a statement (800 values, under SQLite's oldest limit of 999): a fifth
# less time per row than a statement per row, which pays a step and a reset each.
_ROWS_PER_INSERT = 50


def _statements(names: Sequence[str]) -> tuple[str, str]:
    row = f"({', '.join('?' * len(names))})"
    head = f"INSERT INTO results ({', '.join(names)}) VALUES "
    return head + row, head + ", ".join([row] * _ROWS_PER_INSERT)


# (most files have no epochs and no named scores: their rows bind two values fewer)
_PLAIN = _statements(COLUMNS[:-2])
_FULL = _statements(COLUMNS)


def _insert(conn: sqlite3.Connection, columns: list[Sequence[Any] | None]) -> None:
    """Store result rows given column by column (in ``COLUMNS`` order, equally long; the
    epoch and scores columns may be None, for none at all).

    The values are laid out row after row in one flat list by slice assignment (no
    tuple per row), then handed over fifty rows to a statement."""
    given = columns
    if given[-2] is None and given[-1] is None:
        full: list[Sequence[Any]] = [c for c in given[:-2] if c is not None]
        one, many = _PLAIN
    else:
        count = len(given[0] or ())
        full = [[None] * count if c is None else c for c in given]
        one, many = _FULL
    rows, width = len(full[0]), len(full)
    values: list[Any] = [None] * (rows * width)
    for index, column in enumerate(full):
        values[index::width] = column
    whole = rows // _ROWS_PER_INSERT * _ROWS_PER_INSERT
    step = width * _ROWS_PER_INSERT
    conn.executemany(many, (values[i : i + step] for i in range(0, whole * width, step)))
    if whole < rows:
        tail = range(whole * width, rows * width, width)
        conn.executemany(one, (values[i : i + width] for i in tail))


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
    """What an import did: the runs it made (one a system in the file), the bad rows it
    skipped, and what it did with each part of the file."""

    runs: list[Run]
    skipped: list[BadRow] = field(default_factory=list)
    skipped_count: int = 0
    tool: str = ""
    tool_version: str = ""
    notes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def run(self) -> Run:
        """The run the thresholds now use: the last one made."""
        return self.runs[-1]

    def summary(self) -> list[str]:
        """What the import did, as lines for a person: the runs, what became of each part
        of the file, the columns it did not use, the named scores it found."""
        first = self.runs[0]
        tool = f"{self.tool} {self.tool_version}".strip()
        lines = []
        if len(self.runs) == 1:
            lines.append(
                f"Imported run {first.id} ({first.label!r}): {_cases(first)} from "
                f"{first.source} ({tool})."
            )
        else:
            lines.append(
                f"Imported {first.source} ({tool}): {len(self.runs)} systems, a run each "
                "(never merged):"
            )
            for run in self.runs:
                lines.append(f"  run {run.id}: {run.label} — {_cases(run)}")
            lines.append(
                f"The thresholds use run {self.run.id}, the last; to import only the system "
                "you will deploy, name it (--system NAME, or 'Only these systems' when "
                "importing on the Evidence screen)."
            )
        if self.skipped_count:
            lines.append(f"Skipped {self.skipped_count} bad row(s):")
            lines += [f"  line {bad.line}: {bad.reason}" for bad in self.skipped[:10]]
        for note in self.notes:
            lines.append(f"  - {note}")
        if self.ignored:
            lines.append(f"  - ignored columns: {', '.join(self.ignored)}")
        named = self.run.metrics.scores
        if named:
            lines.append(
                "  - named scores (a threshold with the same metric id uses them): "
                + "; ".join(_score_text(name, score) for name, score in named.items())
            )
        return lines


def _cases(run: Run) -> str:
    text = f"{run.case_count} case" + ("" if run.case_count == 1 else "s")
    if run.epochs > 1:
        text += f", {run.rows} results over {run.epochs} epochs"
    return text


def _score_text(name: str, score: Any) -> str:
    from workbench.evaluation.rows import metric_slug

    value = (
        "—"
        if score.value is None
        else (f"{score.value:.1%}" if score.kind == "pass_rate" else f"{score.value:.3g}")
    )
    what = "pass rate" if score.kind == "pass_rate" else "mean"
    return f"{name} [{metric_slug(name)}] {what} {value} (n={score.n})"


@dataclass
class _Building:
    """One run while its rows stream in."""

    run_id: int
    key: str
    rows: int = 0
    epochs: int = 1
    tally: MetricsTally = field(default_factory=MetricsTally)
    recount: bool = False  # the tally no longer matches the stored rows
    # The hashes of the (case, epoch) pairs seen, while there are few enough to hold
    # (None beyond that): with no hash seen twice, the run has no duplicate for sure
    # and the check in SQL, a sort of every row, is not needed.
    seen: set[int] | None = field(default_factory=set)
    maybe_duplicates: bool = False


# The (case, epoch) hashes an import holds per run before it leaves the duplicate check
# to SQL alone: about 6 MB, so a file's size never shows in the import's memory.
MAX_SEEN = 100_000


def apply_metric_uses(batch: Batch, uses: Mapping[str, MetricUse]) -> set[str]:
    """Read the named scores ``--map metric:NAME=[not] FIELD`` names as those fields
    (a score of 0.5 or more is true); the names found."""
    if not uses or batch.scores is None:
        return set()
    found: set[str] = set()
    columns = {name: list(batch.columns[FIELDS.index(name)]) for name in BOOL_FIELDS}
    errors = columns["error"]
    for index, scores in enumerate(batch.scores):
        if not scores:
            continue
        for name, use in uses.items():
            value = scores.get(name)
            if value is None:
                continue
            found.add(name)
            if use.field != "error" and errors[index]:
                continue  # a system error has no verdict
            columns[use.field][index] = (value >= 0.5) != use.inverted
    for name, column in columns.items():
        batch.columns[FIELDS.index(name)] = column
    return found


def _names(reading: Reading, key: str) -> set[str]:
    """The names ``--system`` may give a system by: its key, its label, its details."""
    info = reading.systems.get(key)
    if info is None:
        return {key}
    return {key, info.label, *map(str, info.details.values())}


def _selected(reading: Reading, key: str, wanted: tuple[str, ...]) -> bool:
    return not wanted or bool(_names(reading, key) & set(wanted))


def import_results(
    store: Store,
    path: Path,
    by: str,
    *,
    label: str = "",
    mapping: dict[str, str] | None = None,
    options: ReadOptions | None = None,
    skip_bad: bool = False,
    fmt: str | None = None,
    again: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a results file: one run for each system it holds; all or nothing (good rows
    only with ``skip_bad``), in one transaction and one change of the history."""
    options = options or ReadOptions(columns=mapping or {})
    path = Path(path)
    _check_label(label)
    _check_results_path(path)
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
        head = handle.read(8192)
        handle.seek(0)
        source = Source(path=path, handle=handle, head=head, size=size)
        try:
            return _import(store, source, by, label, options, skip_bad, fmt, sha256, progress)
        except InvalidValueError as error:
            raise InvalidValueError(f"{path.name}: {error}") from None
        # What no reader should let through, refused all the same (the transaction is
        # rolled back already): a value nested deeper than Python recurses, a number
        # beyond a float or a SQLite integer, text that is not text.
        except RecursionError:
            raise InvalidValueError(
                f"{path.name}: a value nested too deeply to read ([ ] or {{ }} hundreds of "
                "levels deep); fix what wrote the file"
            ) from None
        except OverflowError as error:
            raise InvalidValueError(
                f"{path.name}: a number too large to keep ({error}); fix what wrote the file"
            ) from None
        except UnicodeEncodeError as error:
            raise InvalidValueError(
                f"{path.name}: {error.object[error.start : error.end]!r} is not a character "
                "(half of a UTF-16 surrogate pair); fix what wrote the file"
            ) from None
        except UnicodeDecodeError:
            where = first_non_utf8(path)
            detail = (
                f" (line {where[0]}: byte 0x{where[2]:02X} at offset {where[1]})" if where else ""
            )
            raise InvalidValueError(
                f"{path}: not UTF-8 text{detail}; save it as UTF-8 (in Excel: CSV UTF-8)"
            ) from None
        except sqlite3.Error as error:  # a read-only file or folder, a full disk
            raise ProjectFileError(describe_sqlite_error(store.where, error)) from None


def _check_label(label: str) -> None:
    """A run's label as a person gives it: at most ``MAX_RUN_LABEL`` characters (what the
    thresholds' "run N: LABEL" source and the screens can show whole)."""
    text = label.strip()
    if len(text) > MAX_RUN_LABEL:
        raise InvalidValueError(
            f"label: at most {MAX_RUN_LABEL} characters (this one has {len(text)})"
        )
    if has_surrogate(text):
        raise InvalidValueError("label: not text (it holds half of a UTF-16 surrogate pair)")


def _check_results_path(path: Path) -> None:
    """A path a results file can be read from, and its name kept: a regular file whose name
    is UTF-8 text (the run keeps the name, and a name with an undecodable byte is none)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise InvalidValueError(f"{path}: cannot read it ({error.strerror})") from None
    give = "give a results file (CSV, JSONL, or a tool's output)"
    if mode is None:
        raise InvalidValueError(f"{path}: no such file; {give}")
    if stat.S_ISDIR(mode):
        raise InvalidValueError(f"{path}: is a folder; {give}")
    if not stat.S_ISREG(mode):
        what = (
            "a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        )
        raise InvalidValueError(f"{path}: not a regular file ({what}); {give}")
    if has_surrogate(path.name):
        raw = os.fsencode(path.name)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = f"byte 0x{raw[error.start]:02X}"
        else:
            byte = "a lone surrogate"
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise InvalidValueError(
            f"{shown}: the file's name is not UTF-8 text ({byte}); rename the file and import "
            "it again"
        )


def _import(
    store: Store,
    source: Source,
    by: str,
    label: str,
    options: ReadOptions,
    skip_bad: bool,
    fmt: str | None,
    sha256: str,
    progress: Callable[[int, int], None] | None,
) -> ImportReport:
    path = source.path
    imported_at = now()
    base_label = label.strip() or f"{path.stem} ({imported_at[:10]})"
    bad: list[BadRow] = []
    bad_count = 0
    building: dict[str, _Building] = {}
    left_out: set[str] = set()
    metric_names: set[str] = set()
    with store.write(), store.group(by, f"imported {path.name}"), _no_cycle_collection():
        reading = open_reading(source, options, fmt)
        runs_table = store.table("runs")
        for batch in _with_progress(reading.batches, source.handle, source.size, progress):
            if batch.bad:
                bad_count += len(batch.bad)
                bad = sorted(bad + batch.bad, key=lambda row: row.line)[:MAX_REPORTED]
            if not batch.lines:
                continue
            metric_names |= apply_metric_uses(batch, options.metrics)
            for key, part in batch.by_system().items():
                if not _selected(reading, key, options.systems):
                    left_out.add(key)
                    continue
                run = building.get(key)
                if run is None:
                    runs_table.insert(
                        {
                            "label": base_label,
                            "imported_at": imported_at,
                            "imported_by": by,
                            "source": path.name,
                            "sha256": sha256,
                            "format": reading.format,
                            "rows": 0,
                            "skipped": 0,
                            "metrics": "{}",
                        }
                    )
                    run = building[key] = _Building(int(runs_table.last_rowid or 0), key)
                _store_part(store, run, part)
        duplicates = [d for run in building.values() for d in _duplicates(store, run)]
        if duplicates:
            bad_count += len(duplicates)
            bad = sorted(bad + duplicates, key=lambda row: row.line)[:MAX_REPORTED]
        if bad_count and not skip_bad:
            raise ImportRefused(
                f"{bad_count} bad row(s) in {path.name}; nothing imported (fix them, "
                "or import the good rows with --skip-bad)",
                bad,
                bad_count,
            )
        if duplicates:
            for run in building.values():
                _drop_duplicates(store, run)
        if options.systems:
            found = {name for key in building for name in _names(reading, key)}
            missing = set(options.systems) - found
            if missing:
                known = ", ".join(info.label for info in reading.systems.values()) or "none"
                raise InvalidValueError(
                    f"--system {sorted(missing)[0]!r} is not in this file (its systems: {known})"
                )
        if not any(run.rows for run in building.values()):
            raise ImportRefused(f"{path.name} has no rows to import", bad, bad_count)
        for name in options.metrics:
            if name not in metric_names:
                reading.note(f"--map metric:{name}=…: no result in this file has a score {name!r}")
        if left_out:
            names = ", ".join(reading.systems[k].label for k in left_out if k in reading.systems)
            reading.note(f"left out (not chosen with --system): {names}")
        runs = _finish_runs(store, reading, building, base_label, bad_count, by, path.name)
    return ImportReport(
        runs=runs,
        skipped=bad,
        skipped_count=bad_count,
        tool=reading.tool,
        tool_version=reading.version,
        notes=list(reading.notes),
        ignored=list(reading.ignored),
    )


def _store_part(store: Store, run: _Building, part: Batch) -> None:
    count = len(part.lines)
    (
        case_id, category, group, kind, expected, output,
        correct, hallucinated, refused, latency, failed, human_output,
    ) = part.columns  # fmt: skip
    epochs = part.epochs
    if epochs is not None:
        run.epochs = max(run.epochs, max((e or 1) for e in epochs))
    seen = run.seen
    if seen is not None:
        if len(seen) + count > MAX_SEEN:
            run.seen = None
        else:
            before = len(seen)
            if epochs is None:  # (a case's id alone: its hash is worked out once)
                seen.update(map(hash, case_id))
            else:  # (no epoch is epoch 1, as in the SQL check)
                pairs = zip(case_id, [e or 1 for e in epochs], strict=True)
                seen.update(map(hash, pairs))
            if len(seen) - before < count:  # a pair (or its hash) seen twice
                run.maybe_duplicates = True
    scores: Sequence[str | None] | None = (
        [json.dumps(s, ensure_ascii=False) if s else None for s in part.scores]
        if part.scores is not None
        else None
    )
    # (true/false go in as 1/0 ints: sqlite3 would bind a bool as 1 too,
    # but only after looking for an adapter, which doubles the cost of a row)
    _insert(
        store.db.conn,
        [
            [run.run_id] * count, part.lines, case_id, category, group, kind,
            expected, output, [*map(_AS_INT, correct)],
            [*map(_AS_INT, hallucinated)], [*map(_AS_INT, refused)], latency,
            [*map(_AS_INT, failed)], human_output, epochs, scores,
        ],
    )  # fmt: skip
    run.rows += count
    run.tally.add(
        category, group, kind, correct, hallucinated, refused, failed,
        output, human_output, latency, part.scores,
    )  # fmt: skip


def _duplicates(store: Store, run: _Building) -> list[BadRow]:
    """Rows that repeat a case (and epoch) of the same run, found in SQL after the rows are
    stored: the check holds no id in memory, however long the file."""
    if run.seen is not None and not run.maybe_duplicates:
        return []  # every (case, epoch) hash differs: no duplicate
    conn = store.db.conn
    distinct = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM results WHERE run_id = ? "
        "GROUP BY case_id, coalesce(epoch, 1))",
        [run.run_id],
    ).fetchone()[0]
    if distinct == run.rows:
        return []
    rows = conn.execute(
        "SELECT r.line, r.case_id, r.epoch, d.first FROM results r JOIN ("
        " SELECT case_id, coalesce(epoch, 1) AS e, min(line) AS first FROM results"
        " WHERE run_id = ? GROUP BY case_id, e HAVING count(*) > 1"
        ") d ON r.case_id = d.case_id AND coalesce(r.epoch, 1) = d.e "
        "WHERE r.run_id = ? AND r.line > d.first ORDER BY r.line",
        [run.run_id, run.run_id],
    ).fetchall()
    found = []
    for line, case, epoch, first in rows:
        which = f"duplicate id {case!r}" + (f" in epoch {epoch}" if epoch else "")
        found.append(BadRow(line, f"{which} (first on line {first})"))
    return found


def _drop_duplicates(store: Store, run: _Building) -> None:
    conn = store.db.conn
    deleted = conn.execute(
        "DELETE FROM results WHERE run_id = ? AND rowid NOT IN ("
        " SELECT min(rowid) FROM results WHERE run_id = ? GROUP BY case_id, coalesce(epoch, 1))",
        [run.run_id, run.run_id],
    ).rowcount
    if deleted:
        run.rows -= deleted
        run.recount = True


def _finish_runs(
    store: Store,
    reading: Reading,
    building: dict[str, _Building],
    base_label: str,
    skipped: int,
    by: str,
    source_name: str,
) -> list[Run]:
    runs_table = store.table("runs")
    kept = [run for run in building.values() if run.rows]
    for run in building.values():
        if not run.rows:
            store.db.execute("DELETE FROM runs WHERE id = ?", [run.run_id])
    first = kept[0].run_id
    made = []
    for run in kept:
        info = reading.systems.get(run.key)
        system = info.label if info is not None else ""
        label = base_label if len(kept) == 1 else f"{system or run.key} — {base_label}"
        if run.epochs > 1 or run.recount:
            metrics = compute_metrics(store, run.run_id)
            cases = int(
                store.db.execute(
                    "SELECT count(DISTINCT case_id) FROM results WHERE run_id = ?", [run.run_id]
                ).fetchone()[0]
            )
        else:
            metrics, cases = run.tally.metrics(), run.rows
        details = dict(reading.details)
        if info is not None:
            details.update(info.details)
        details["notes"] = list(reading.notes)
        if reading.ignored:
            details["ignored"] = list(reading.ignored)
        runs_table.update(
            run.run_id,
            {
                "label": label,
                "rows": run.rows,
                "cases": cases,
                "epochs": run.epochs,
                "skipped": skipped,
                "tool": reading.tool,
                "tool_version": reading.version,
                "system": system,
                "batch": first,
                "details": json.dumps(details, ensure_ascii=False),
                "metrics": metrics.model_dump_json(),
            },
        )
        store.record(
            by,
            f"imported run {run.run_id}: {label} ({cases} cases)",
            "run",
            run.run_id,
            None,
            {"label": label, "rows": run.rows, "source": source_name},
        )
        made.append(get_run(store, run.run_id))
    if len(made) == 1:
        store.summarize_group(f"imported run {made[0].id}: {made[0].label} ({_cases(made[0])})")
    else:
        store.summarize_group(
            f"imported {made[0].source}: runs {made[0].id}–{made[-1].id} "
            f"({', '.join(run.system or run.label for run in made)})"
        )
    return made


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
    "category, grp, kind, correct, hallucinated, refused, error, output, human_output, "
    "latency_ms, scores, 1.0 / count(*) OVER (PARTITION BY case_id) AS weight"
)


def compute_metrics(store: Store, run_id: int) -> RunMetrics:
    """Every metric of a stored run, overall, per category, per group, and the kinds'
    counts: the rows go through the same tally as an import's. A case stored in several
    epochs counts once: each of its rows weighs 1/epochs."""
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
        scores = [json.loads(value) if value else None for value in columns[10]]
        weights = columns[11]
        tally.add(
            category, group, kind, correct, hallucinated, refused, error,
            output, human_output, columns[9],
            scores if any(scores) else None,
            None if all(w == 1.0 for w in weights) else weights,
        )  # fmt: skip
    return tally.metrics()


# ----------------------------------------------------------------- reading


def _run(row: dict[str, Any], where: str) -> Run:
    """A stored run as a model; a run that does not validate (written by another version,
    or edited by hand) is a ``ProjectFileError`` naming the file, the run and the field."""
    data = {key: value for key, value in row.items() if value is not None}
    problem = f"{where}: the project file holds an invalid value in run {row.get('id')}"
    then = "undo the edit that wrote it, or restore a backup"
    for name in ("metrics", "details"):
        try:
            data[name] = json.loads(data.get(name) or "{}")
        except (ValueError, RecursionError, TypeError):
            raise ProjectFileError(f"{problem} ({name}: not valid JSON); {then}") from None
    try:
        return Run.model_validate(data)
    except ValidationError as error:
        raise ProjectFileError(f"{problem} ({describe_validation_error(error)}); {then}") from None


def list_runs(store: Store) -> list[Run]:
    """Every run, oldest first."""
    with store._guard():
        cursor = store.db.execute("SELECT * FROM runs WHERE rows > 0 ORDER BY id")
        columns = [c[0] for c in cursor.description]
        return [_run(dict(zip(columns, row, strict=True)), store.where) for row in cursor]


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
        return _run(dict(zip([c[0] for c in cursor.description], row, strict=True)), store.where)


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


def case_flips(store: Store, before: int, after: int, limit: int = 50) -> CaseFlips:
    """Which cases flipped between two runs (at most ``limit`` named each way).

    One pass over both runs' rows, grouped by case and epoch (a sort, so n log n: a join of
    the two runs on the case id would search one run's rows for every row of the other).
    """
    pairs = (
        "SELECT max(CASE WHEN run_id = :before THEN correct END),"
        " max(CASE WHEN run_id = :after THEN correct END),"
        " min(CASE WHEN run_id = :before THEN line END),"
        " count(run_id = :before OR NULL), count(run_id = :after OR NULL),"
        " case_id, min(epoch) "
        "FROM results WHERE run_id IN (:before, :after) "
        "GROUP BY case_id, coalesce(epoch, 1) "
        "HAVING NOT (count(run_id = :before OR NULL) AND count(run_id = :after OR NULL)"
        " AND max(CASE WHEN run_id = :before THEN correct END)"
        " IS max(CASE WHEN run_id = :after THEN correct END))"
    )  # only the cases that flipped or are in one run: the rest are counted, not fetched
    only_before = only_after = 0
    broke: list[tuple[int, str, int | None]] = []
    fixed: list[tuple[int, str, int | None]] = []
    with store._guard():
        db = store.db
        for was, now_, line, in_before, in_after, case, epoch in db.execute(
            pairs, {"before": before, "after": after}
        ):
            if not in_after:
                only_before += 1
            elif not in_before:
                only_after += 1
            elif was == 1 and now_ == 0:
                broke.append((line, case, epoch))
            elif was == 0 and now_ == 1:
                fixed.append((line, case, epoch))
        in_before_run = db.execute(
            "SELECT count(*) FROM results WHERE run_id = ?", [before]
        ).fetchone()[0]
        repeats = db.execute(
            "SELECT max(coalesce(epochs, 1)) FROM runs WHERE id IN (?, ?)", [before, after]
        ).fetchone()[0]

    def named(flips: list[tuple[int, str, int | None]]) -> list[str]:
        first = sorted(flips)[:limit]  # in the order of the earlier run's file
        if not repeats or repeats < 2:
            return [case for _, case, _ in first]
        return [f"{case} (epoch {epoch or 1})" for _, case, epoch in first]

    return CaseFlips(
        matched=int(in_before_run) - only_before,
        only_before=only_before,
        only_after=only_after,
        broke=named(broke),
        fixed=named(fixed),
        broke_count=len(broke),
        fixed_count=len(fixed),
    )
