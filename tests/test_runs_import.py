"""Importing results as runs: what a person sees, and what is (or is not) in the project file.

Every refused import is checked twice: the command's output and exit code, and the
project file read with sqlite3 directly (no run, no results, no history entry, and
the file's bytes unchanged).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from core_support import Runner, sha256
from results_support import (
    BAD_ROWS_CSV,
    JSONL,
    LATIN1_CSV,
    RENAMED_CSV,
    RENAMED_MAP,
    STANDARD_CSV,
    cases,
    export_json,
    imported,
    in_file,
    one_line_error,
    query,
    runs_json,
    write_results,
)

from workbench.errors import ConflictError
from workbench.evaluation.runs import ResultFilter, count_results, get_run, page_results, remove_run
from workbench.store import Store

TODAY = dt.datetime.now(dt.UTC).date().isoformat()


def untouched(project: Path, before: tuple[str, dict[str, int]]) -> None:
    """The project file is exactly as it was: same bytes, same rows."""
    assert (sha256(project), in_file(project)) == before


def state(project: Path) -> tuple[str, dict[str, int]]:
    return sha256(project), in_file(project)


# ------------------------------------------------------------------ importing


def test_a_csv_import_is_one_run_with_its_source_and_rows(cli: Runner, project: Path) -> None:
    before = in_file(project)
    result = imported(cli, project, STANDARD_CSV, "--label", "baseline", "--by", "ana")
    lines = result.out.splitlines()
    assert lines[0] == "Imported run 1 ('baseline'): 48 cases from results.csv (CSV)."
    assert lines[1].startswith("  Accuracy ")
    assert lines[1].endswith("> 90%: not met")
    assert result.err == ""
    ((label, source, digest, fmt, rows, skipped, by, at),) = query(
        project,
        "SELECT label, source, sha256, format, rows, skipped, imported_by, imported_at FROM runs",
    )
    assert (label, source, fmt, rows, skipped, by) == (
        "baseline",
        "results.csv",
        "csv",
        48,
        0,
        "ana",
    )
    assert digest == hashlib.sha256(STANDARD_CSV.read_bytes()).hexdigest()
    assert at.startswith(TODAY)
    assert query(project, "SELECT count(*), min(line), max(line) FROM results") == [(48, 2, 49)]
    after = in_file(project)
    assert after["changes"] == before["changes"] + 1
    # (the run, and the thresholds fixed as they were before its evidence: one change)
    assert after["history"] == before["history"] + 2
    history = cli("history", project, "--user", "ana").out
    assert "run 1 *" in history


def test_the_label_defaults_to_the_file_and_date(cli: Runner, project: Path) -> None:
    result = imported(cli, project, STANDARD_CSV)
    assert result.out.startswith(f"Imported run 1 ('results ({TODAY})'): 48 cases")


def test_a_jsonl_file_imports(cli: Runner, project: Path) -> None:
    result = imported(cli, project, JSONL)
    assert "7 cases from results.jsonl (JSON Lines)" in result.out
    assert "  - ignored columns: extra" in result.out.splitlines()
    assert query(project, "SELECT format FROM runs") == [("jsonl",)]
    assert query(project, "SELECT case_id, kind, correct FROM results WHERE line = 8") == [
        ("j7", "adversarial", 1)
    ]


def test_a_csv_with_other_column_names_imports_through_map(cli: Runner, project: Path) -> None:
    result = imported(cli, project, RENAMED_CSV, *RENAMED_MAP)
    assert "10 cases from results_renamed.csv (CSV)" in result.out
    assert "  - ignored columns: notes" in result.out.splitlines()
    accuracy = runs_json(cli, project)["runs"][0]["metrics"]["accuracy"]
    assert (accuracy["successes"], accuracy["n"]) == (7, 10)
    assert query(project, "SELECT grp, count(*) FROM results GROUP BY grp ORDER BY grp") == [
        ("long-time customers", 5),
        ("new customers", 5),
    ]


def test_without_map_the_renamed_csv_is_refused_with_the_hint(cli: Runner, project: Path) -> None:
    before = state(project)
    message = one_line_error(cli("import-results", project, RENAMED_CSV))
    assert message == (
        "workbench: results_renamed.csv: the header has no 'id' column (columns: case, topic, "
        "segment, type, answer, is_correct, ms, notes); map one with --map COLUMN=id"
    )
    untouched(project, before)


@pytest.mark.parametrize(
    ("option", "says"),
    [
        ("case=identifier", "--map 'case=identifier': 'identifier' is not a results field (id,"),
        ("case", "--map 'case': write COLUMN=FIELD, e.g. --map case=id"),
        ("=id", "--map '=id': write COLUMN=FIELD"),
    ],
)
def test_map_to_an_unknown_field_is_refused(
    cli: Runner, project: Path, option: str, says: str
) -> None:
    before = state(project)
    assert says in one_line_error(cli("import-results", project, RENAMED_CSV, "--map", option))
    untouched(project, before)


# ------------------------------------------------------------------ bad rows


BAD_LINES = [
    "  line 3: correct: 'maybe' is not true/false (use true, false, 1, 0, yes or no)",
    "  line 4: latency_ms: Input should be greater than or equal to 0",
    "  line 5: missing id",
    "  line 7: duplicate id 'b01' (first on line 2)",
    "  line 8: unparseable: ',' expected after '\"'",
    "  line 9: latency_ms: Input should be a valid number, unable to parse string as a number",
]


def test_bad_rows_are_named_and_nothing_is_imported(cli: Runner, project: Path) -> None:
    before = state(project)
    result = cli("import-results", project, BAD_ROWS_CSV)
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == [
        "workbench: 6 bad row(s) in results_bad_rows.csv; nothing imported "
        "(fix them, or import the good rows with --skip-bad)",
        *BAD_LINES,
    ]
    assert "Traceback" not in result.err
    untouched(project, before)
    assert (in_file(project)["runs"], in_file(project)["results"]) == (0, 0)


def test_skip_bad_imports_the_good_rows_and_says_how_many_were_skipped(
    cli: Runner, project: Path
) -> None:
    result = imported(cli, project, BAD_ROWS_CSV, "--skip-bad", "--label", "partial")
    lines = result.out.splitlines()
    assert lines[:8] == [
        "Imported run 1 ('partial'): 3 cases from results_bad_rows.csv (CSV).",
        "Skipped 6 bad row(s):",
        *BAD_LINES,
    ]
    assert query(project, "SELECT case_id, line FROM results ORDER BY line") == [
        ("b01", 2),
        ("b05", 6),
        ("b09", 10),
    ]
    assert query(project, "SELECT rows, skipped FROM runs") == [(3, 6)]


def test_many_bad_rows_are_summarised(cli: Runner, project: Path, tmp_path: Path) -> None:
    rows = [{"id": f"r{i}", "correct": "maybe" if i % 2 else "true"} for i in range(50)]
    path = write_results(tmp_path / "many.csv", rows)
    result = cli("import-results", project, path)
    assert result.code == 2
    err = result.err.splitlines()
    assert err[0].startswith("workbench: 25 bad row(s) in many.csv; nothing imported")
    assert len(err) == 1 + 10 + 1
    assert (
        err[1] == "  line 3: correct: 'maybe' is not true/false (use true, false, 1, 0, yes or no)"
    )
    assert err[-1] == "  … and 15 more"
    assert in_file(project)["runs"] == 0


def test_an_unclosed_quote_refuses_the_file_and_says_where(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('id,output,correct\na,fine,true\nb,"oops,true\nc,x,true\n', encoding="utf-8")
    before = state(project)
    result = cli("import-results", project, path)
    assert result.code == 2
    assert result.err.splitlines()[1] == (
        "  line 3: unparseable: unexpected end of data (a quote opened here runs on to line 4)"
    )
    untouched(project, before)


def test_a_file_of_only_bad_rows_with_skip_bad_imports_nothing(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    path = write_results(tmp_path / "all-bad.csv", [{"id": "a", "correct": "maybe"}])
    before = state(project)
    result = cli("import-results", project, path, "--skip-bad")
    assert result.code == 2
    assert result.err.splitlines() == [
        "workbench: all-bad.csv has no rows to import",
        "  line 2: correct: 'maybe' is not true/false (use true, false, 1, 0, yes or no)",
    ]
    untouched(project, before)


# ------------------------------------------------------- the same file twice


def test_the_same_file_twice_is_noticed(cli: Runner, project: Path, tmp_path: Path) -> None:
    imported(cli, project, STANDARD_CSV, "--label", "first")
    before = state(project)
    again = cli("import-results", project, STANDARD_CSV)
    # nothing imported is not a success: exit 3, so a CI job can tell it from an import
    assert (again.code, again.out) == (3, "")
    assert again.err == (
        f"workbench: results.csv was already imported as run 1 ('first', {TODAY}); "
        "nothing imported (use --again to import it anyway)\n"
    )
    untouched(project, before)
    # the same bytes under another name are the same file
    copy = tmp_path / "copy.csv"
    copy.write_bytes(STANDARD_CSV.read_bytes())
    twice = cli("import-results", project, copy)
    assert twice.code == 3 and "already imported as run 1" in twice.err
    untouched(project, before)
    # --again imports it anyway, as a new run
    result = imported(cli, project, STANDARD_CSV, "--again", "--label", "second")
    assert result.out.startswith("Imported run 2 ('second'): 48 cases")
    assert query(project, "SELECT id, label FROM runs ORDER BY id") == [(1, "first"), (2, "second")]
    assert query(project, "SELECT count(*) FROM results") == [(96,)]


def test_a_refused_file_can_be_imported_once_fixed(cli: Runner, project: Path) -> None:
    assert cli("import-results", project, BAD_ROWS_CSV).code == 2
    assert cli("import-results", project, BAD_ROWS_CSV, "--skip-bad").code == 0
    assert in_file(project)["runs"] == 1


# --------------------------------------------------------------- bad files


def test_wrong_encoding_is_one_clear_line(cli: Runner, project: Path) -> None:
    before = state(project)
    message = one_line_error(cli("import-results", project, LATIN1_CSV))
    assert message == (
        f"workbench: {LATIN1_CSV}: not UTF-8 text (line 2: byte 0xE9 at offset 39); "
        "save it as UTF-8 (in Excel: CSV UTF-8)"
    )
    untouched(project, before)


def test_wrong_encoding_deep_in_a_large_file_names_the_right_line(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    path = write_results(tmp_path / "big.csv", cases({"a": (10_000, 9_000), "b": (9_990, 9_000)}))
    lines = path.read_bytes().splitlines(keepends=True)
    lines[19_000] = lines[19_000].replace(b",normal,", b",an\xf3malo,")  # Latin-1 "anómalo"
    path.write_bytes(b"".join(lines))
    offset = sum(len(line) for line in lines[:19_000]) + lines[19_000].index(b"\xf3")
    before = state(project)
    message = one_line_error(cli("import-results", project, path))
    assert f"not UTF-8 text (line 19001: byte 0xF3 at offset {offset})" in message
    untouched(project, before)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: d / "missing.csv", "missing.csv: no such file; give a results file (CSV,"),
        (lambda d: d, "is a folder; give a results file (CSV, JSONL, or a tool's output)"),
        (lambda d: _write(d / "empty.csv", ""), "empty.csv: the file is empty"),
        (
            lambda d: _write(d / "blank.csv", "\n\n"),
            "the header has no 'id' column (columns: none)",
        ),
        (lambda d: _write(d / "eval.json", "{not json"), "not valid JSON (line 1:"),
    ],
)
def test_files_that_cannot_be_read_are_one_line(
    cli: Runner, project: Path, tmp_path: Path, make: object, says: str
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    target = make(folder)  # type: ignore[operator]
    before = state(project)
    assert says in one_line_error(cli("import-results", project, target))
    untouched(project, before)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_header_without_rows_is_refused(cli: Runner, project: Path, tmp_path: Path) -> None:
    path = write_results(tmp_path / "header-only.csv", [])
    before = state(project)
    result = cli("import-results", project, path)
    assert result.code == 2
    assert result.err == "workbench: header-only.csv has no rows to import\n"
    untouched(project, before)


def test_a_missing_project_is_one_line(cli: Runner, tmp_path: Path) -> None:
    message = one_line_error(cli("import-results", tmp_path / "nope.sqlite", STANDARD_CSV))
    assert "nope.sqlite" in message
    assert not (tmp_path / "nope.sqlite").exists()


# ------------------------------------------------- never half-applied


def twenty_thousand_rows(path: Path, last: str) -> Path:
    """19,999 good rows and one more, as written by ``last``, at line 20,001."""
    write_results(path, cases({"a": (10_000, 9_300), "b": (9_999, 9_200)}))
    with path.open("a", encoding="utf-8") as handle:
        handle.write(last + "\n")
    return path


def test_a_bad_row_at_the_very_end_of_a_large_file_leaves_no_trace(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    path = twenty_thousand_rows(tmp_path / "big.csv", "last,billing,a,normal,,,maybe,,,,,")
    before = state(project)
    result = cli("import-results", project, path)
    assert result.code == 2
    assert result.err.splitlines()[1:] == [
        "  line 20001: correct: 'maybe' is not true/false (use true, false, 1, 0, yes or no)"
    ]
    untouched(project, before)
    # with --skip-bad the other 19,999 are imported, in one go
    result = imported(cli, project, path, "--skip-bad")
    assert "19999 cases from big.csv" in result.out
    assert "Skipped 1 bad row(s):" in result.out
    assert query(project, "SELECT count(*), max(line) FROM results") == [(19_999, 20_000)]


def test_a_failure_while_computing_the_metrics_leaves_no_trace(
    cli: Runner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("workbench.evaluation.runs.MetricsTally.metrics", broken)
    before = state(project)
    result = cli("import-results", project, STANDARD_CSV)
    assert result.code == 70
    assert "internal error (RuntimeError: disk on fire)" in result.err
    untouched(project, before)
    monkeypatch.undo()
    # and the file was not marked as imported: it imports normally
    assert imported(cli, project, STANDARD_CSV).out.startswith("Imported run 1 ")


def test_an_interrupt_half_way_through_a_large_file_leaves_no_trace(
    cli: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = twenty_thousand_rows(tmp_path / "big.csv", "last,billing,a,normal,,,true,,,,,")
    seen: list[int] = []

    class CtrlC:
        def __init__(self, what: str) -> None:
            pass

        def __call__(self, done: int, total: int) -> None:
            seen.append(done)
            if done > total // 2:
                raise KeyboardInterrupt

    monkeypatch.setattr("workbench.cli.ProgressBar", CtrlC)
    before = state(project)
    result = cli("import-results", project, path)
    assert result.code == 130
    assert "interrupted; nothing half-saved" in result.err
    assert 0 < seen[-1] < path.stat().st_size  # it stopped in the middle
    untouched(project, before)


# --------------------------------------------------------- runs, undo, rows


def test_runs_lists_every_run_and_marks_the_latest(cli: Runner, project: Path) -> None:
    assert cli("runs", project).out == (
        "No runs yet. Import one with: workbench import-results PATH FILE\n"
    )
    imported(cli, project, STANDARD_CSV, "--label", "baseline")
    imported(cli, project, JSONL, "--label", "candidate")
    lines = cli("runs", project).out.splitlines()
    assert lines[0].startswith("   1  ")
    assert "baseline" in lines[0] and "48 cases" in lines[0] and "accuracy    87%" in lines[0]
    assert lines[1].startswith("*  2  ")
    assert "candidate" in lines[1] and "7 cases" in lines[1]
    assert lines[-1] == "* the latest run, which the thresholds use"
    evidence = runs_json(cli, project)
    assert [(r["id"], r["label"], r["rows"]) for r in evidence["runs"]] == [
        (1, "baseline", 48),
        (2, "candidate", 7),
    ]
    assert evidence["latest"] == 2


def test_undo_removes_an_imported_run(cli: Runner, project: Path) -> None:
    before = in_file(project)
    imported(cli, project, STANDARD_CSV, "--label", "oops")
    result = cli("undo", project)
    assert (result.code, result.out) == (0, "Saved: undid: imported run 1: oops (48 cases)\n")
    after = in_file(project)
    assert (after["runs"], after["results"]) == (0, 0)
    assert after["changes"] == before["changes"] + 2  # the import and its undoing, both on record
    assert cli("runs", project).out.startswith("No runs yet.")
    report = export_json(cli, project)
    assert {t["measured"]["status"] for t in report["thresholds"]} == {"unmeasured"}
    assert report["evidence"]["runs"] == []
    # the file is no longer a run, so it imports again without --again
    assert imported(cli, project, STANDARD_CSV).out.startswith("Imported run ")


def test_removing_a_run_is_recorded_and_cannot_be_undone(cli: Runner, project: Path) -> None:
    imported(cli, project, STANDARD_CSV, "--label", "baseline")
    with Store.open(project) as store:
        removed = remove_run(store, 1, "ana")
    assert removed.label == "baseline"
    assert (in_file(project)["runs"], in_file(project)["results"]) == (0, 0)
    assert query(project, "SELECT by, summary FROM changes ORDER BY id DESC LIMIT 1") == [
        ("ana", "removed run 1: baseline")
    ]
    message = one_line_error(cli("undo", project, "--theirs"))
    assert "cannot undo removing a run" in message
    # the import is the tester's own last edit, but the run was removed since
    message = one_line_error(cli("undo", project))
    assert message == (
        "workbench: cannot undo 'imported run 1: baseline (48 cases)': ana changed run 1 "
        "since (removed run 1: baseline); undo that first or edit it by hand"
    )
    with Store.open(project) as store, pytest.raises(ConflictError):
        store.undo("ana")


def test_page_results_in_file_order_with_filters(cli: Runner, project: Path) -> None:
    imported(cli, project, STANDARD_CSV)
    with Store.open(project) as store:
        run = get_run(store, 1)
        assert count_results(store, run.id) == 48
        first = page_results(store, run.id, 0, 5)
        assert [r["case_id"] for r in first] == ["c001", "c002", "c003", "c004", "c005"]
        assert [r["line"] for r in page_results(store, run.id, 45, 10)] == [47, 48, 49]
        failed = page_results(store, run.id, 0, 100, ResultFilter(failed=True))
        assert {r["case_id"] for r in failed} == {
            r
            for (r,) in query(
                project,
                "SELECT case_id FROM results WHERE correct = 0 OR hallucinated = 1 OR error = 1",
            )
        }
        assert count_results(store, run.id, ResultFilter(kind="harmful")) == 6
        assert count_results(store, run.id, ResultFilter(category="returns", group="es")) == 7
        assert [r["case_id"] for r in page_results(store, run.id, 0, 9, ResultFilter(text="c01"))][
            :3
        ] == ["c010", "c011", "c012"]


# -------------------------------------------------------- the duplicate check's shortcut


@pytest.mark.parametrize("held", [100_000, 3])
def test_duplicates_are_found_whether_the_ids_are_held_or_left_to_sql(
    cli: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: int
) -> None:
    """The import holds the (case, epoch) hashes of a run while they are few, and sees
    there is no duplicate without a sort in SQL; beyond ``MAX_SEEN`` the SQL check
    alone decides. Either way a repeat is found, across batches, and a blank epoch is
    epoch 1."""
    from workbench.evaluation import runs

    monkeypatch.setattr(runs, "MAX_SEEN", held)
    body = "".join(f"c{n},true\n" for n in range(12))
    clean = tmp_path / "clean.csv"
    clean.write_text("id,correct\n" + body, encoding="utf-8")
    assert cli("import-results", project, clean).code == 0
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("id,correct\n" + body + "c3,false\n", encoding="utf-8")
    result = cli("import-results", project, repeated)
    assert result.code == 2
    assert "line 14: duplicate id 'c3' (first on line 5)" in result.err
    epochs = tmp_path / "epochs.csv"
    epochs.write_text("id,epoch,correct\nc1,,true\nc2,2,true\nc1,1,false\n", encoding="utf-8")
    result = cli("import-results", project, epochs)
    assert result.code == 2 and "duplicate id 'c1' in epoch 1 (first on line 2)" in result.err
