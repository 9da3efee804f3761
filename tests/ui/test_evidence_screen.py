"""Evidence screen: runs against thresholds, comparison, the results browser, importing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from results_support import STANDARD_CSV, cases, write_results
from textual.widgets import Static, TabbedContent
from ui_support import open_store, settle, type_text

from workbench.evaluation.runs import import_results
from workbench.ui.widgets.results_browser import ResultsBrowser
from workbench.ui.widgets.tables import RecordTable


def with_runs(path: Path, tmp_path: Path) -> None:
    """Two runs: a good one, then one with clearly lower accuracy."""
    good = write_results(tmp_path / "good.csv", cases({"en": (300, 285), "de": (300, 282)}))
    worse = write_results(
        tmp_path / "worse.csv", cases({"en": (300, 240), "de": (300, 230)}, prefix="v2")
    )
    with open_store(path) as store:
        import_results(store, good, "dev", label="v1")
        import_results(store, worse, "dev", label="v2")


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_runs_are_measured_against_the_thresholds(new_path, make_app, tmp_path) -> None:
    with_runs(new_path, tmp_path)
    app = make_app(new_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("E")
        await settle(pilot)
        table = app.screen.query_one("#run-table", RecordTable)
        assert table.row_count == 2
        assert table.current_key == "2"  # the latest run first
        metrics = text_of(app, "#run-metrics")
        assert "Run 2: v2" in metrics
        assert "Accuracy" in metrics and "NOT MET" in metrics  # 470/600 = 78% < 90%
        assert "Bias:" in metrics
        await pilot.press("c")
        await settle(pilot)
        assert app.screen.query_one(TabbedContent).active == "compare"
        comparison = text_of(app, "#compare-text")
        assert "Run 1 (v1) → run 2 (v2)" in comparison
        assert "regression: lower, beyond chance" in comparison  # accuracy fell


async def test_the_browser_shows_a_run_and_filters_failed_rows(
    new_path, make_app, tmp_path
) -> None:
    with_runs(new_path, tmp_path)
    failed = 600 - (240 + 230)
    app = make_app(new_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        browser = app.screen.query_one(ResultsBrowser)
        assert (browser.run_id, browser.total) == (2, 600)
        await pilot.press("f")
        await settle(pilot)
        assert browser.total == failed
        await settle(pilot)
        row = browser.row_at(0)
        assert row is not None and row["correct"] == 0


async def test_a_large_run_scrolls_to_its_last_row(new_path, make_app, tmp_path) -> None:
    big = write_results(tmp_path / "big.csv", cases({"en": (20_000, 19_000)}))
    with open_store(new_path) as store:
        import_results(store, big, "dev", label="big")
    app = make_app(new_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        browser = app.screen.query_one(ResultsBrowser)
        assert browser.total == 20_000
        await pilot.press("end")
        await settle(pilot)
        assert browser.cursor == 19_999
        assert browser.row_at(19_999)["case_id"] == "case-en-19999"
        # only the pages around what is on screen were read, never the whole run
        assert len(browser._pages) <= 3


async def test_importing_from_the_screen_saves_a_run_with_its_history(new_path, make_app) -> None:
    app = make_app(new_path, editor="Priya")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        await type_text(pilot, str(STANDARD_CSV))
        await pilot.press("tab")
        await type_text(pilot, "first run")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert "imported run 1" in str(app.screen.query_one("StatusLine").render())
    rows = sqlite3.connect(new_path).execute("SELECT count(*) FROM results").fetchone()[0]
    assert rows == 48
    with open_store(new_path) as store:
        # (one change: the run, and the thresholds fixed as they were before its evidence)
        entries = store.history(limit=2)
        assert {(e.entity, e.by) for e in entries} == {("run", "Priya"), ("fixing", "Priya")}
        assert entries[0].change == entries[1].change


async def test_a_missing_file_is_refused_in_the_dialog(new_path, make_app) -> None:
    app = make_app(new_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        await type_text(pilot, "nowhere.csv")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "no such file" in str(app.screen.query_one("#dialog-error").render())
    assert sqlite3.connect(new_path).execute("SELECT count(*) FROM runs").fetchone()[0] == 0


PROMPTFOO = Path(__file__).resolve().parent.parent / "data" / "promptfoo"


async def test_a_two_provider_import_says_what_it_did_and_shows_the_new_run(
    new_path, make_app
) -> None:
    """Importing promptfoo's comparison of two providers from the screen: two runs, the
    summary of what the import did on the screen, the cursor on the run the thresholds use,
    and ``c`` sets it against the other system, case by case."""
    with open_store(new_path) as store:
        import_results(store, PROMPTFOO / "single.json", "dev", label="first")
    app = make_app(new_path, editor="Priya")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        await type_text(pilot, str(PROMPTFOO / "two-providers.json"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        status = str(app.screen.query_one("StatusLine").render())
        assert "imported 2 runs (one a system), the thresholds use run 3" in status
        summary = text_of(app, "#import-summary")
        assert "2 systems, a run each (never merged)" in summary
        assert "named score 'hallucinated'" in summary
        assert app.screen.query_one("#run-table", RecordTable).current_key == "3"
        assert "Run 3: system-b" in text_of(app, "#run-metrics")
        await pilot.press("c")
        await settle(pilot)
        await settle(pilot)
        comparison = text_of(app, "#compare-text")
        assert "Run 2 (system-a — two-providers" in comparison
        assert "Cases matched by id: 60" in comparison
        assert "failed → passed: case-03: account (normal)" in comparison


async def test_after_an_import_the_new_run_is_selected_and_compared(
    new_path, make_app, tmp_path
) -> None:
    """At 80×24, with a run already there: after importing from the screen the cursor is
    on the new run, the run table has the focus, and ``c`` compares the new run with the
    one before (not "Run 1 is the first run")."""
    first = write_results(tmp_path / "v1.csv", cases({"en": (60, 50)}))
    with open_store(new_path) as store:
        import_results(store, first, "dev", label="v1")
    app = make_app(new_path, editor="Priya")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        await type_text(pilot, str(STANDARD_CSV))
        await pilot.press("tab")
        await type_text(pilot, "v2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        table = app.screen.query_one("#run-table", RecordTable)
        assert table.current_key == "2"
        assert app.focused is table
        await pilot.press("c")
        await settle(pilot)
        await settle(pilot)
        comparison = text_of(app, "#compare-text")
        assert "first run" not in comparison
        assert "Run 1 (v1) → run 2 (v2)" in comparison


async def test_a_new_run_already_drawn_is_still_selected(new_path, make_app, tmp_path) -> None:
    """The app may read the saved project (and draw the new run) before the import's own
    request to select it arrives: the run is selected all the same."""
    first = write_results(tmp_path / "v1.csv", cases({"en": (60, 50)}))
    with open_store(new_path) as store:
        import_results(store, first, "dev", label="v1")
    app = make_app(new_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("E")
        await settle(pilot)
        with open_store(new_path) as store:
            import_results(store, STANDARD_CSV, "dev", label="v2")
        app.screen.reload()
        await settle(pilot)
        await settle(pilot)
        table = app.screen.query_one("#run-table", RecordTable)
        table.select_key("1")
        await pilot.pause()
        app.screen._after_import("2")
        await settle(pilot)
        assert table.current_key == "2"
