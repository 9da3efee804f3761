"""Evidence from the files real evaluation tools write, checked against a count of the same
files made with Python's json, csv and zipfile (tests/tool_counts.py).

The fixtures were made by the tools themselves, offline: promptfoo 0.120.27 and 0.55.0,
Inspect AI 0.3.172, DeepEval 0.20.40 to 4.3.1 and lm-evaluation-harness 0.4.13; each folder's
README names the version and the exact command. The first tests are the cases found by
trying the product on such files (each failed before the readers were written).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from core_support import Runner, sha256
from results_support import (
    export_json,
    imported,
    in_file,
    one_line_error,
    query,
    runs_json,
    threshold_of,
    wilson_by_hand,
)
from tool_counts import (
    DEEPEVAL,
    INSPECT,
    LM_EVAL,
    PROMPTFOO,
    Tally,
    deepeval_tally,
    inspect_tally,
    lm_eval_tally,
    promptfoo_csv,
    promptfoo_json,
    promptfoo_jsonl,
    promptfoo_repeats,
)


def runs(cli: Runner, project: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = runs_json(cli, project)["runs"]
    return found


def rate_of(metric: dict[str, Any]) -> tuple[float, int]:
    return metric["successes"], metric["n"]


def same_rate(metric: dict[str, Any], successes: float, n: float) -> None:
    """A rate is the count by hand, with the Wilson interval worked out by hand."""
    assert metric["successes"] == pytest.approx(successes)
    assert metric["n"] == round(n)
    assert metric["value"] == pytest.approx(successes / n)
    low, high = wilson_by_hand(successes, round(n))
    assert (metric["ci_low"], metric["ci_high"]) == pytest.approx((low, high), abs=1e-9)


def same_figures(run: dict[str, Any], tally: Tally) -> None:
    """Accuracy, error rate and test-set size of a run are those counted by hand."""
    metrics = run["metrics"]
    same_rate(metrics["accuracy"], tally.right, tally.judged)
    if tally.errors:
        same_rate(metrics["error_rate"], tally.errors, tally.results)
    assert run["cases"] == tally.cases


# ========================================================= found by trying it


def test_a_failing_promptfoo_run_is_not_shown_as_accurate(cli: Runner, project: Path) -> None:
    """20 of 60 cases pass: accuracy 33.3%, not 100% "met with confidence"; no errors
    (failed assertions put their reason in ``error``, with failureReason 1)."""
    path = PROMPTFOO / "single.json"
    (tally,) = promptfoo_json(path).values()
    assert (tally.right, tally.judged, tally.errors) == (20, 60, 0)  # the file is what it says
    imported(cli, project, path)
    (run,) = runs(cli, project)
    same_figures(run, tally)
    same_rate(run["metrics"]["error_rate"], 0, 60)
    accuracy = threshold_of(export_json(cli, project), "accuracy")
    assert accuracy["measured"]["value"] == pytest.approx(1 / 3)
    assert accuracy["measured"]["status"] == "not_met"


def test_two_providers_are_two_runs_of_sixty_cases(cli: Runner, project: Path) -> None:
    path = PROMPTFOO / "two-providers.json"
    by_hand = promptfoo_json(path)
    assert sorted(by_hand) == ["system-a", "system-b"]
    result = imported(cli, project, path)
    assert "2 systems, a run each (never merged)" in result.out
    made = runs(cli, project)
    assert [r["system"] for r in made] == ["system-a", "system-b"]
    for run in made:
        same_figures(run, by_hand[run["system"]])
        assert run["rows"] == 60  # not 120: each system its own test set
    b = by_hand["system-b"]
    assert (b.right, b.judged, b.errors) == (45, 57, 3)
    export = export_json(cli, project)
    assert export["dataset"]["latest_run_cases"] == 60  # the run's; the cases built stay 0
    # the latest run feeds the thresholds, and says which system it is
    assert "system-b" in threshold_of(export, "accuracy")["measured"]["source"]


def test_promptfoos_csv_keeps_every_providers_column(cli: Runner, project: Path) -> None:
    path = PROMPTFOO / "two-providers.csv"
    by_hand = promptfoo_csv(path)
    assert sorted(by_hand) == ["system-a", "system-b"]
    result = imported(cli, project, path)
    assert "no response times and no test metadata" in result.out
    made = runs(cli, project)
    assert [r["system"] for r in made] == ["system-a", "system-b"]
    for run in made:
        same_figures(run, by_hand[run["system"]])
    # the CSV and the JSON of the same run give the same figures
    from_json = promptfoo_json(PROMPTFOO / "two-providers.json")
    assert {k: (v.right, v.judged, v.errors) for k, v in by_hand.items()} == {
        k: (v.right, v.judged, v.errors) for k, v in from_json.items()
    }


def test_promptfoos_jsonl_imports(cli: Runner, project: Path) -> None:
    path = PROMPTFOO / "two-providers.jsonl"
    by_hand = promptfoo_jsonl(path)
    imported(cli, project, path)
    made = runs(cli, project)
    assert [r["system"] for r in made] == ["system-a", "system-b"]
    for run in made:
        same_figures(run, by_hand[run["system"]])
        assert run["epochs"] == 1
    assert query(project, "SELECT count(*) FROM results WHERE case_id = ''") == [(0,)]


def test_a_named_metric_is_kept_as_scored_not_read_as_hallucinations(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    """``metric: hallucinated`` on a not-icontains assertion is 1 when nothing was invented:
    2 inventions in 28 are a 92.9% pass rate of that check, never a 92.9% hallucination
    rate. Read as a hallucination only when told so, in which direction."""
    path = PROMPTFOO / "single.json"
    (tally,) = promptfoo_json(path).values()
    held = tally.scores["hallucinated"]
    assert (len(held), held.count(0.0)) == (28, 2)
    result = imported(cli, project, path)
    (run,) = runs(cli, project)
    assert run["metrics"]["hallucination_rate"]["n"] == 0
    assert "named score 'hallucinated' (28 results) kept as a named score" in result.out
    assert "--map metric:hallucinated='not hallucinated'" in result.out
    named = run["metrics"]["scores"]["hallucinated"]
    assert named["kind"] == "pass_rate"
    same_rate(named, 26, 28)
    # told which way round it is, it is the hallucination rate: 2 in 28
    other = new_project(tmp_path)
    result = imported(cli, other, path, "--map", "metric:hallucinated=not hallucinated")
    assert "named score 'hallucinated' (28 results) read as not hallucinated" in result.out
    (run,) = runs(cli, other)
    same_rate(run["metrics"]["hallucination_rate"], 2, 28)


def test_an_inspect_eval_log_imports_as_it_is(cli: Runner, project: Path) -> None:
    path = INSPECT / "basic.eval"
    tally = inspect_tally(path)
    assert (tally.right, tally.judged) == (24, 40)
    result = imported(cli, project, path)
    assert "(Inspect AI 0.3.172)" in result.out.splitlines()[0]
    assert "scorer 'answer_match' gives 'correct'" in result.out
    (run,) = runs(cli, project)
    same_figures(run, tally)
    assert (run["tool"], run["tool_version"], run["system"]) == (
        "Inspect AI",
        "0.3.172",
        "basic (mockllm/model)",
    )
    assert run["details"]["model"] == "mockllm/model"
    for category, (right, judged) in tally.by_category.items():
        same_rate(run["metrics"]["by_category"][category]["accuracy"], right, judged)
    for group, (right, judged) in tally.by_group.items():
        same_rate(run["metrics"]["by_group"][group]["accuracy"], right, judged)


def test_an_inspect_json_log_imports_as_it_is(cli: Runner, project: Path) -> None:
    path = INSPECT / "basic.json"
    imported(cli, project, path)
    (run,) = runs(cli, project)
    same_figures(run, inspect_tally(path))


def test_a_zip_that_is_not_an_inspect_log_is_called_a_zip(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "results.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("results.csv", "id,correct\na,true\n")
    before = sha256(project)
    message = one_line_error(cli("import-results", project, archive))
    assert message.startswith("workbench: results.zip: a zip archive (1 entries: results.csv)")
    assert "UTF-8" not in message
    assert sha256(project) == before


def test_inspect_epochs_are_kept_not_refused_as_duplicates(cli: Runner, project: Path) -> None:
    """``--epochs 2``: 40 samples of 20 cases. A case counts once, with the mean of its
    epochs (Inspect's reducer): 4 cases right in one epoch of two count a half each."""
    for path in (INSPECT / "epochs.eval", INSPECT / "epochs.json"):
        tally = inspect_tally(path)
        assert (tally.cases, tally.results, tally.right) == (20, 40, 12)
        imported(cli, project, path)
        run = runs(cli, project)[-1]
        assert (run["rows"], run["cases"], run["epochs"]) == (40, 20, 2)
        same_rate(run["metrics"]["accuracy"], tally.right, tally.judged)
        assert query(
            project, "SELECT count(DISTINCT epoch) FROM results WHERE run_id = ?", run["id"]
        ) == [(2,)]


def test_inspect_total_time_is_seconds(cli: Runner, project: Path) -> None:
    path = INSPECT / "basic.eval"
    tally = inspect_tally(path)
    imported(cli, project, path)
    (run,) = runs(cli, project)
    mean = run["metrics"]["response_time"]
    assert mean["value"] == pytest.approx(sum(tally.latencies) / len(tally.latencies))
    assert 0.05 < mean["value"] < 1.0  # seconds, as Inspect writes them: not 1000 times less


def test_an_excel_csv_from_a_german_locale_imports(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    """Excel in a German or French locale saves with semicolons, decimal commas and a BOM."""
    rows = [
        ("a1", "billing", "de", "TRUE", "1,5"),
        ("a2", "billing", "fr", "FALSE", "2,25"),
        ("a3", "delivery", "de", "TRUE", "0,75"),
        ("a4", "delivery", "fr", "TRUE", "3"),
    ]
    text = "id;category;group;correct;latency_s\r\n" + "".join(
        ";".join(row) + "\r\n" for row in rows
    )
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    by_hand = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    right = sum(r["correct"] == "TRUE" for r in by_hand)
    seconds = [float(r["latency_s"].replace(",", ".")) for r in by_hand]
    result = imported(cli, project, path)
    assert "columns separated by semicolons" in result.out
    assert "response times read in seconds from 'latency_s'" in result.out
    (run,) = runs(cli, project)
    same_rate(run["metrics"]["accuracy"], right, len(by_hand))
    assert run["metrics"]["response_time"]["value"] == pytest.approx(sum(seconds) / len(seconds))


def test_a_header_naming_a_column_twice_is_refused(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("id,correct,output,correct\na,true,x,false\n", encoding="utf-8")
    before = sha256(project)
    assert one_line_error(cli("import-results", project, path)) == (
        "workbench: twice.csv: the header names the column 'correct' twice (columns 2 and 4); "
        "rename or remove one, so it is clear which counts"
    )
    assert sha256(project) == before


# ========================================================= promptfoo, further


def test_promptfoo_summary_version_2_counts_only_provider_errors(
    cli: Runner, project: Path
) -> None:
    """promptfoo 0.55 writes no failureReason: a failed assertion still has its grading
    result, a provider's error has none and an error on its response."""
    path = PROMPTFOO / "legacy-v2.json"
    by_hand = promptfoo_json(path)
    assert {k: v.errors for k, v in by_hand.items()} == {"legacy-echo": 0, "legacy-system-b": 3}
    result = imported(cli, project, path)
    assert "a promptfoo summary of version 2" in result.out
    for run in runs(cli, project):
        same_figures(run, by_hand[run["system"]])


def test_promptfoo_repeats_are_epochs_of_one_case(cli: Runner, project: Path) -> None:
    path = PROMPTFOO / "repeat.json"
    tally = promptfoo_repeats(path)
    assert (tally.cases, tally.results) == (10, 20)
    result = imported(cli, project, path)
    assert "repeat a test already met (promptfoo --repeat)" in result.out
    (run,) = runs(cli, project)
    assert (run["cases"], run["rows"], run["epochs"]) == (10, 20, 2)
    same_rate(run["metrics"]["accuracy"], tally.right, tally.cases)


def test_choosing_the_system_to_import(cli: Runner, project: Path) -> None:
    path = PROMPTFOO / "two-providers.json"
    result = imported(cli, project, path, "--system", "system-b", "--label", "candidate")
    assert "left out (not chosen with --system): system-a" in result.out
    (run,) = runs(cli, project)
    assert (run["label"], run["system"]) == ("candidate", "system-b")
    before = in_file(project)
    message = one_line_error(cli("import-results", project, path, "--again", "--system", "x"))
    assert message == (
        "workbench: two-providers.json: --system 'x' is not in this file "
        "(its systems: system-a, system-b)"
    )
    assert in_file(project) == before


def test_the_same_cases_are_matched_across_runs(cli: Runner, project: Path) -> None:
    """Two runs of one test set are matched case by case (by the test's description), and
    ``compare`` lists the cases whose verdict flipped, counted again by hand."""
    imported(cli, project, PROMPTFOO / "single.json")
    imported(cli, project, PROMPTFOO / "two-providers.json", "--system", "system-b")
    first = json.loads((PROMPTFOO / "single.json").read_text())["results"]["results"]
    second = json.loads((PROMPTFOO / "two-providers.json").read_text())["results"]["results"]
    verdict = {r["testCase"]["description"]: r["success"] for r in first}
    broke, fixed = [], []
    for r in second:
        if r["provider"]["label"] != "system-b" or r["failureReason"] == 2:
            continue
        was, now = verdict[r["testCase"]["description"]], r["success"]
        if was and not now:
            broke.append(r["testCase"]["description"])
        if now and not was:
            fixed.append(r["testCase"]["description"])
    result = cli("compare", project, "1", "2", "--json")
    cases = json.loads(result.out)["cases"]
    assert cases["matched"] == 60  # (system-b's 3 errors have no verdict: they cannot flip)
    assert (cases["broke_count"], cases["fixed_count"]) == (len(broke), len(fixed))
    assert sorted(cases["broke"]) == sorted(broke)
    text = cli("compare", project, "1", "2").out
    assert f"  {len(broke)} passed → failed: " in text
    assert f"  {len(fixed)} failed → passed: " in text


def test_a_named_score_measures_a_threshold_of_that_name(cli: Runner, project: Path) -> None:
    from workbench import operations
    from workbench.store import Store

    with Store.open(project) as store:
        operations.add_threshold(
            store,
            "ana",
            metric="concision",
            name="Concision",
            comparator=">=",
            target=0.8,
            unit="score",
            reasoning="short answers read better on a phone",
        )
    imported(cli, project, PROMPTFOO / "single.json")
    (tally,) = promptfoo_json(PROMPTFOO / "single.json").values()
    measured = threshold_of(export_json(cli, project), "concision")["measured"]
    assert measured["value"] == pytest.approx(tally.score_mean("concision"))
    assert measured["n"] == len(tally.scores["concision"])
    assert measured["source"].startswith("run 1:")


# ========================================================= Inspect, further


def test_inspect_several_scorers(cli: Runner, project: Path, tmp_path: Path) -> None:
    path = INSPECT / "scorers.json"
    tally = inspect_tally(path)
    result = imported(cli, project, path)
    assert "scorer 'answer_match' gives 'correct' (the first of 3; --scorer picks another" in (
        result.out
    )
    (run,) = runs(cli, project)
    same_figures(run, tally)
    similarity = run["metrics"]["scores"]["similarity"]
    assert similarity["kind"] == "mean"
    assert similarity["value"] == pytest.approx(tally.score_mean("similarity"))
    graded = run["metrics"]["scores"]["graded"]
    assert graded["value"] == pytest.approx(tally.score_mean("graded"))  # P counts as 0.5
    # another scorer gives 'correct': its partial answers are left out of accuracy
    other = new_project(tmp_path)
    result = imported(cli, other, path, "--scorer", "graded")
    assert "4 partial answer(s) (P) of scorer 'graded' are neither right nor wrong" in (result.out)
    (run,) = runs(cli, other)
    same_figures(run, inspect_tally(path, scorer="graded"))
    assert "answer_match" in run["metrics"]["scores"]
    message = one_line_error(cli("import-results", other, path, "--again", "--scorer", "nope"))
    assert message == (
        "workbench: scorers.json: --scorer 'nope': this log's scorers are "
        "answer_match, similarity, graded"
    )


def test_inspect_sample_errors_are_system_errors(cli: Runner, project: Path) -> None:
    for path in (INSPECT / "errors.eval", INSPECT / "errors.json"):
        tally = inspect_tally(path)
        assert (tally.errors, tally.right, tally.judged) == (4, 17, 26)
        imported(cli, project, path)
        same_figures(runs(cli, project)[-1], tally)


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("unfinished_error.eval", "status: error, RuntimeError('simulated tool failure"),
        ("unfinished_error.json", "status: error, RuntimeError('simulated tool failure"),
        ("unfinished_cancelled.eval", "status: cancelled"),
        ("unfinished_cancelled.json", "status: cancelled"),
        ("unfinished_started.eval", "status: started"),
        ("unfinished_started.json", "status: started"),
    ],
)
def test_an_unfinished_inspect_log_is_refused(
    cli: Runner, project: Path, name: str, says: str
) -> None:
    before = sha256(project)
    message = one_line_error(cli("import-results", project, INSPECT / name))
    assert message.startswith(f"workbench: {name}: an Inspect AI log that did not finish (")
    assert says in message
    assert sha256(project) == before


def test_inspect_metadata_under_other_names(cli: Runner, project: Path) -> None:
    path = INSPECT / "basic.eval"
    _header, samples = __import__("tool_counts").inspect_samples(path)
    topics = {s["metadata"]["topic"] for s in samples if "topic" in s["metadata"]}
    imported(cli, project, path, "--map", "topic=category")
    (run,) = runs(cli, project)
    assert topics <= set(run["metrics"]["by_category"])


# ========================================================= DeepEval, lm-eval


@pytest.mark.parametrize(
    "name",
    [
        "deepeval-0.20.40_results_folder.json",
        "deepeval-0.21.77_results_folder.json",
        "deepeval-3.9.1_results_folder.json",
        "deepeval-3.9.1_latest_test_run.json",
        "deepeval-4.3.1_results_folder.json",
        "deepeval-4.3.1_latest_test_run.json",
    ],
)
def test_every_generation_of_deepeval_test_runs(cli: Runner, project: Path, name: str) -> None:
    path = DEEPEVAL / name
    tally = deepeval_tally(path)
    assert (tally.right, tally.cases) == (4, 16)
    result = imported(cli, project, path)
    assert "DeepEval writes no version number into the file" in result.out
    (run,) = runs(cli, project)
    same_figures(run, tally)
    for metric, values in tally.scores.items():
        assert run["metrics"]["scores"][metric]["value"] == pytest.approx(sum(values) / len(values))
    if not name.startswith("deepeval-0.20"):
        assert set(run["metrics"]["by_category"]) == {"geography", "math", "science", "history"}


def test_lm_eval_samples(cli: Runner, project: Path, tmp_path: Path) -> None:
    mc = LM_EVAL / "lm_eval-0.4.13_dummy_samples_fixture_mc.jsonl"
    tally = lm_eval_tally(mc, "acc")
    assert (tally.right, tally.cases) == (5, 20)
    result = imported(cli, project, mc)
    assert "metric 'acc' gives 'correct'; the others are named scores: acc_norm" in result.out
    (run,) = runs(cli, project)
    same_figures(run, tally)
    same_rate(run["metrics"]["scores"]["acc_norm"], sum(tally.scores["acc_norm"]), 20)
    gen = LM_EVAL / "lm_eval-0.4.13_dummy_samples_fixture_gen.jsonl"
    imported(cli, project, gen)
    same_figures(runs(cli, project)[-1], lm_eval_tally(gen, "exact_match"))
    # the results summary has no samples: the message says which file to import
    message = one_line_error(
        cli("import-results", project, LM_EVAL / "lm_eval-0.4.13_dummy_results.json")
    )
    assert "results summary (scores per task, no samples); run lm_eval with --log_samples" in (
        message
    )


# ========================================================= detection, CSV


def test_a_json_document_of_an_unknown_shape_says_its_keys(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"summary": {}, "items": [], "generated": "x"}, indent=2))
    message = one_line_error(cli("import-results", project, path))
    assert message.startswith(
        "workbench: report.json: a JSON document of an unknown shape "
        "(top-level keys: 'summary', 'items', 'generated'); workbench reads"
    )


def test_a_file_read_only_partly_says_what_was_not_understood(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    """A newer promptfoo summary, results without a pass or fail, a newer Inspect log: the
    import goes on, its summary names the tool, the version and what it could not read."""
    document = json.loads((PROMPTFOO / "single.json").read_text(encoding="utf-8"))
    document["results"]["version"] = 4
    unscored = [r for r in document["results"]["results"] if r.get("failureReason") != 2][:3]
    passed = sum(r["success"] is True for r in unscored)
    for result in unscored:
        del result["success"]
    newer = tmp_path / "newer-promptfoo.json"
    newer.write_text(json.dumps(document), encoding="utf-8")
    result = imported(cli, project, newer)
    assert "a promptfoo summary of version 4, newer than the versions read here" in result.out
    assert "3 result(s) without a 'success' true or false: not scored" in result.out
    (run,) = runs(cli, project)
    tally = promptfoo_json(PROMPTFOO / "single.json")
    (by_hand,) = tally.values()
    same_rate(run["metrics"]["accuracy"], by_hand.right - passed, by_hand.judged - 3)

    log = json.loads((INSPECT / "basic.json").read_text(encoding="utf-8"))
    log["version"] = 3
    inspect_newer = tmp_path / "newer-inspect.json"
    inspect_newer.write_text(json.dumps(log), encoding="utf-8")
    result = imported(cli, project, inspect_newer)
    assert "an Inspect log of format version 3 (this reader knows version 2)" in result.out


@pytest.mark.parametrize(
    ("bytes_", "says"),
    [
        (b"SQLite format 3\x00" + b"\x00" * 100, "a SQLite database (a workbench project?)"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "a gzip-compressed file; unpack it"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file, not a results file"),
    ],
)
def test_binary_files_are_named_for_what_they_are(
    cli: Runner, project: Path, tmp_path: Path, bytes_: bytes, says: str
) -> None:
    path = tmp_path / "thing.csv"
    path.write_bytes(bytes_)
    assert says in one_line_error(cli("import-results", project, path))


def test_an_excel_workbook_says_to_save_as_csv(cli: Runner, project: Path, tmp_path: Path) -> None:
    path = tmp_path / "results.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert "an Excel workbook, not a results file; save the sheet as CSV UTF-8" in (
        one_line_error(cli("import-results", project, path))
    )


def test_unused_columns_are_listed_and_a_unitless_latency_is_not_guessed(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,correct,latency,notes\na,true,1.5,x\nb,false,2,y\n", encoding="utf-8")
    result = imported(cli, project, path)
    assert (
        "  - ignored columns: latency (a response time? say its unit: --map latency=latency_ms "
        "or latency=latency_s), notes"
    ) in result.out.splitlines()
    (run,) = runs(cli, project)
    assert run["metrics"]["response_time"]["n"] == 0
    other = new_project(tmp_path)
    imported(cli, other, path, "--map", "latency=latency_s")
    (run,) = runs(cli, other)
    assert run["metrics"]["response_time"]["value"] == pytest.approx(1.75)


def test_the_separator_can_be_given(cli: Runner, project: Path, tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text("id|correct|note\na|true|x, y; z\nb|false|w\n", encoding="utf-8")
    imported(cli, project, path, "--delimiter", "|")
    (run,) = runs(cli, project)
    assert rate_of(run["metrics"]["accuracy"]) == (1, 2)


def test_named_scores_in_a_csv_and_a_jsonl(cli: Runner, project: Path, tmp_path: Path) -> None:
    table = tmp_path / "scores.csv"
    table.write_text("id,correct,f1\na,true,0.5\nb,false,0.25\nc,true,\n", encoding="utf-8")
    imported(cli, project, table, "--map", "f1=score:f1")
    (run,) = runs(cli, project)
    assert run["metrics"]["scores"]["f1"]["value"] == pytest.approx(0.375)
    assert run["metrics"]["scores"]["f1"]["n"] == 2
    lines = tmp_path / "scores.jsonl"
    lines.write_text(
        '{"id": "a", "scores": {"faithful": true, "relevance": 0.9}}\n'
        '{"id": "b", "scores": {"faithful": false, "relevance": 0.7}}\n',
        encoding="utf-8",
    )
    imported(cli, project, lines)
    scores = runs(cli, project)[-1]["metrics"]["scores"]
    same_rate(scores["faithful"], 1, 2)
    assert scores["relevance"]["value"] == pytest.approx(0.8)


# ========================================================= the project file


def test_an_older_project_with_runs_is_upgraded_keeping_them(cli: Runner, project: Path) -> None:
    imported(cli, project, INSPECT / "basic.eval")
    before = runs(cli, project)[0]["metrics"]
    conn = sqlite3.connect(project)
    with conn:
        for column in ("tool", "tool_version", "system", "cases", "epochs", "batch", "details"):
            conn.execute(f"ALTER TABLE runs DROP COLUMN {column}")
        for column in ("epoch", "scores"):
            conn.execute(f"ALTER TABLE results DROP COLUMN {column}")
        conn.execute(
            "DELETE FROM _sqlite_migrations "
            "WHERE name IN ('0006_runs_of_any_tool', '0007_alert_notes')"
        )
        conn.execute("PRAGMA user_version = 5")
    conn.close()
    (run,) = runs(cli, project)
    assert (run["cases"], run["rows"], run["epochs"]) == (40, 40, 1)
    assert run["metrics"] == before


def new_project(tmp_path: Path, name: str = "other") -> Path:
    from workbench import operations

    path = tmp_path / f"{name}.sqlite"
    if path.exists():
        shutil.rmtree(path)
    operations.create_project(path, name=name, risk="medium", by="creator").close()
    return path


# ========================================================= the reports


def test_every_report_has_the_evidence(cli: Runner, project: Path, tmp_path: Path) -> None:
    """Markdown and HTML show each run with its file's sha256, tool and system, the latest
    run's figures per category with their intervals, the bias check, and the comparison
    with the run before, with the cases that flipped (counted by hand above)."""
    import hashlib

    path = PROMPTFOO / "two-providers.json"
    imported(cli, project, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    by_hand = promptfoo_json(path)["system-b"]
    out = tmp_path / "out"
    out.mkdir()
    assert cli("export", project, "--format", "all", "--output-dir", out).code == 0
    markdown = (out / "demo-readiness.md").read_text(encoding="utf-8")
    html = (out / "demo-readiness.html").read_text(encoding="utf-8")
    evidence = markdown[markdown.index("## Evidence") : markdown.index("## Test set")]
    assert "| 2 (latest) | system-b — two-providers" in evidence
    assert f"| promptfoo 0.120.27 | system-b | 60 | two-providers.json | {digest} |" in evidence
    low, high = wilson_by_hand(by_hand.right, round(by_hand.judged))
    accuracy = f"| Accuracy | 78.9% | {low:.1%} to {high:.1%} | 57 |".replace(".0%", "%")
    assert accuracy in evidence
    for category, (right, judged) in by_hand.by_category.items():
        low, high = wilson_by_hand(right, judged)
        assert f"| {category} | " in evidence
        assert f"{right / judged:.1%}".replace(".0%", "%") in evidence
    assert "### Bias check" in evidence and "NOT SETTLED" in evidence
    assert "Run 1 (system-a — two-providers" in evidence
    assert "Cases matched by id: 60" in evidence
    assert 'id="evidence"' in html and digest in html
    assert "Accuracy by category. account: " in html  # the chart, said in words
    assert "Cases matched by id: 60" in html
    report = json.loads((out / "demo-readiness.json").read_text(encoding="utf-8"))
    comparison = report["evidence"]["comparison"]
    assert (comparison["before"], comparison["after"]) == (1, 2)
    assert comparison["cases"]["matched"] == 60
