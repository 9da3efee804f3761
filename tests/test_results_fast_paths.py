"""The import's fast paths read exactly what the careful path reads, and count the same.

A CSV batch whose values are all plainly valid is converted a whole column at a
time; any other row goes through ``ResultRow`` (pydantic). Hypothesis writes CSV
files from cells chosen to sit on the edges between the two (odd spellings of
true and false, whitespace, numbers Python reads but SQLite would not, nan and inf,
blank lines, short and long records, records spanning lines) and checks that the
rows read, batch by batch, equal a reference that sends every row through pydantic.
The metrics an import tallies as rows stream past equal those worked out again
from the stored run.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from workbench import operations
from workbench.evaluation.csv_results import read_csv_batches
from workbench.evaluation.rows import FIELDS, ResultRow
from workbench.evaluation.runs import compute_metrics, get_run, import_results

CELLS: dict[str, list[str]] = {
    "id": ["case-1", " case-2 ", "", "  ", "x" * 501, "é-3", "4"],
    "category": ["billing", " returns ", "", "c" * 201, "Ünïcode"],
    "group": ["en", "de ", "", "g" * 201],
    "kind": ["normal", "Edge", " harmful", "ADVERSARIAL", "", " ", "weird", "Harmful "],
    "expected": ["the answer", "  padded  ", "", 'a "quoted", comma'],
    "output": ["the output", "", "multi\nline", "\u00a0nbsp\u00a0"],
    "correct": ["true", "False", " yes ", "1", "0", "", " ", "maybe", "PASS", "t", "Y"],
    "hallucinated": ["false", "TRUE", "no", "", "2"],
    "refused": ["", "true", "n", "Failed"],
    "latency_ms": ["1200", "", " 15 ", "1e3", "1_000", "-1", "nan", "inf", "abc", "0", " "],
    "error": ["false", "", "1", "true "],
    "human_output": ["", "The Output", "the output"],
}


def reference(text: str) -> tuple[list[tuple[int, tuple[Any, ...]]], list[int]]:
    """Every row through pydantic: (line, values) of the good rows, lines of the bad."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = [cell.strip() for cell in next(reader)]
    good: list[tuple[int, tuple[Any, ...]]] = []
    bad: list[int] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return good, bad
        except csv.Error:
            bad.append(line)
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[len(header) :]):
            bad.append(line)
            continue
        data = {name: cells[i] for i, name in enumerate(header) if i < len(cells)}
        try:
            row = ResultRow.model_validate(data)
        except ValidationError:
            bad.append(line)
            continue
        good.append((line, tuple(getattr(row, name) for name in FIELDS)))


def fast(text: str, size: int) -> tuple[list[tuple[int, tuple[Any, ...]]], list[int]]:
    good: list[tuple[int, tuple[Any, ...]]] = []
    bad: list[int] = []
    for batch in read_csv_batches(io.BytesIO(text.encode()), {}, size=size):
        good += zip(batch.lines, zip(*batch.columns, strict=True), strict=True)
        bad += [row.line for row in batch.bad]
    return good, bad


@st.composite
def csv_files(draw: st.DrawFn) -> str:
    columns = draw(st.permutations(FIELDS).map(lambda f: ["id", *(n for n in f if n != "id")]))
    columns = columns[: draw(st.integers(1, len(columns)))]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for _ in range(draw(st.integers(0, 30))):
        shape = draw(st.sampled_from(["plain"] * 6 + ["blank", "short", "long"]))
        if shape == "blank":
            out.write("\n")
            continue
        # mostly valid rows, so that whole batches take the column-wise path
        row = [
            draw(st.sampled_from(CELLS[name][:2] if draw(st.booleans()) else CELLS[name]))
            for name in columns
        ]
        if shape == "short":
            row = row[: max(1, len(row) - 1)]
        elif shape == "long":
            row.append(draw(st.sampled_from(["", "extra"])))
        writer.writerow(row)
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(text=csv_files(), size=st.integers(1, 8))
def test_batches_read_what_pydantic_reads(text: str, size: int) -> None:
    assert fast(text, size) == reference(text)


def test_a_batch_of_plain_rows_is_read_column_wise_and_equal() -> None:
    rows = "\n".join(f"c{i},billing,en,normal,e,o,true,false,,{i}.5,false," for i in range(50))
    text = ",".join(FIELDS) + "\n"
    assert fast(text + rows + "\n", 50) == reference(text + rows + "\n")
    assert len(fast(text + rows + "\n", 50)[0]) == 50


settings_fixture = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings_fixture
@given(text=csv_files())
def test_tallied_metrics_equal_the_metrics_of_the_stored_run(tmp_path: Path, text: str) -> None:
    good, _ = reference(text)
    lines = {line for line, _ in good}
    ids = [values[0] for _, values in good]
    if not good or len(set(ids)) != len(ids):
        return  # nothing to import, or duplicates (refused; tested elsewhere)
    source = tmp_path / "results.csv"
    source.write_text(text, encoding="utf-8")
    project = tmp_path / "p.sqlite"
    project.unlink(missing_ok=True)
    with operations.create_project(project, name="p", risk="low", by="t") as store:
        report = import_results(store, source, "t", skip_bad=True, again=True)
        stored = compute_metrics(store, report.run.id)
        assert get_run(store, report.run.id).metrics == report.run.metrics
    assert report.run.rows == len(lines)
    assert _close(report.run.metrics.model_dump(), stored.model_dump())


def _close(a: Any, b: Any) -> bool:
    """Equal, floats to 1e-12 relative (sums taken in another order)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1.0)
    return bool(a == b)


def test_agreement_ignores_case_and_spaces_in_any_script() -> None:
    from workbench.evaluation.tally import MetricsTally

    tally = MetricsTally()
    tally.add(
        ["billing"] * 3,
        ["fr"] * 3,
        ["normal"] * 3,
        [True] * 3,
        [False] * 3,
        [None] * 3,
        [False] * 3,
        ["  ÉCOLE FERMÉE ", "Oui", "no human answer"],
        ["école fermée", "non", ""],
        [1200.0, None, 800.0],
    )
    metrics = tally.metrics()
    assert (metrics.human_agreement.successes, metrics.human_agreement.n) == (1, 2)
    assert metrics.response_time.n == 2
    assert metrics.by_group["fr"].rows == 3
