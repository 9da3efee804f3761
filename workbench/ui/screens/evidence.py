"""Evidence: the runs, their metrics against the thresholds, a comparison, the result rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Label, ProgressBar, Static, TabbedContent, TabPane

from workbench.errors import WorkbenchError
from workbench.evaluation.evidence import (
    METRIC_TITLES,
    CaseFlips,
    Run,
    bias_words,
    change_words,
    compare_runs,
    measure_threshold,
    threshold_measure,
)
from workbench.evaluation.rows import FIELDS, KINDS, ReadOptions, parse_mapping
from workbench.evaluation.runs import (
    ResultFilter,
    case_flips,
    count_results,
    page_results,
)
from workbench.operations import import_evidence
from workbench.ui import served
from workbench.ui.dialogs.form import FormDialog, FormField, Values
from workbench.ui.screens.base import AreaScreen
from workbench.ui.session import Snapshot
from workbench.ui.text import Text
from workbench.ui.widgets.interval_bar import interval_line
from workbench.ui.widgets.results_browser import PAGE, ResultsBrowser, verdict
from workbench.ui.widgets.tables import RecordTable
from workbench.units import format_value


def _pct(value: float | None) -> str:
    return format_value(value, "rate", 1)


class EvidenceScreen(AreaScreen):
    MODE = "evidence"
    HEADING = "Evidence"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "import_results", "Import results", id="evidence-import"),
        Binding("enter", "browse", "Browse rows", id="evidence-browse"),
        Binding("c", "compare", "Compare", id="evidence-compare"),
        Binding("r", "show_tab('runs')", "Runs", id="evidence-runs"),
        Binding("f", "toggle_failed", "Failed only", id="evidence-failed"),
        Binding("slash", "filter", "Filter rows", id="evidence-filter"),
    ]
    DEFAULT_CSS = """
    EvidenceScreen #run-table { height: auto; max-height: 10; }
    EvidenceScreen #run-metrics { height: auto; padding: 1 0; }
    EvidenceScreen #import-summary { height: auto; color: $text-muted; }
    EvidenceScreen #compare-text { height: auto; }
    EvidenceScreen #results-filter { height: 1; color: $text-muted; }
    EvidenceScreen #row-detail { height: auto; max-height: 8; border-top: solid $panel; }
    EvidenceScreen #import-progress { display: none; }
    EvidenceScreen #import-progress.-busy { display: block; }
    EvidenceScreen TabbedContent { height: 1fr; }
    EvidenceScreen TabPane { padding: 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.filters = ResultFilter()
        self.browsing: int | None = None
        self._select_after_reload: str | None = None

    def compose_main(self) -> ComposeResult:
        yield ProgressBar(id="import-progress", show_eta=False)
        with TabbedContent(id="evidence-tabs", initial="runs"):
            with TabPane("Runs and metrics", id="runs"), VerticalScroll():
                yield RecordTable(
                    [
                        ("Run", 5),
                        ("Imported", 17),
                        ("Label", None),
                        ("Cases", 8),
                        ("Accuracy", 18),
                        ("Errors", 9),
                    ],
                    id="run-table",
                )
                yield Static("", id="import-summary")
                yield Static("", id="run-metrics")
            with TabPane("Compare", id="compare"), VerticalScroll():
                yield Static("", id="compare-text")
            with TabPane("Result rows", id="rows"), Vertical():
                yield Label("", id="results-filter", markup=False)
                yield ResultsBrowser(id="browser")
                yield Static("", id="row-detail")

    # ----------------------------------------------------------------- show

    def show(self, snapshot: Snapshot) -> None:
        runs = snapshot.evidence.runs
        table = self.query_one("#run-table", RecordTable)
        rows = []
        for run in reversed(runs):
            m = run.metrics
            mark = "*" if run.id == snapshot.evidence.latest else ""
            accuracy = _pct(m.accuracy.value)
            if m.accuracy.ci_low is not None:
                accuracy += f" ±{(m.accuracy.ci_high - m.accuracy.ci_low) * 50:.1f}"  # type: ignore[operator]
            rows.append(
                (
                    str(run.id),
                    [
                        f"{run.id}{mark}",
                        run.imported_at[:16].replace("T", " "),
                        run.label,
                        str(run.case_count),
                        accuracy,
                        _pct(m.error_rate.value),
                    ],
                )
            )
        table.load(rows)
        if self._select_after_reload is not None and table.select_key(self._select_after_reload):
            self._select_after_reload = None
        if not runs:
            self.query_one("#run-metrics", Static).update(
                Text(
                    "No evaluation runs yet.\n\nRun the test set through the system and press i "
                    "to import what it wrote: a CSV or JSONL file with one row a case, or the "
                    "output of promptfoo, Inspect AI, DeepEval or lm-evaluation-harness.\n"
                    "From the shell: workbench import-results PROJECT FILE"
                )
            )
            return
        self._show_metrics()
        if self.browsing is None:
            self.browsing = snapshot.evidence.latest

    def _selected_run(self) -> Run | None:
        if self.snapshot is None:
            return None
        key = self.query_one("#run-table", RecordTable).current_key
        runs = {str(r.id): r for r in self.snapshot.evidence.runs}
        if key in runs:
            return runs[key]
        latest = self.snapshot.evidence.latest
        return runs.get(str(latest)) if latest else None

    def _show_metrics(self) -> None:
        run = self._selected_run()
        snap = self.snapshot
        if run is None or snap is None:
            return
        m = run.metrics
        text = Text()
        text.append(f"Run {run.id}: ", style="bold")
        text.append(run.label)
        tool = f"{run.tool} {run.tool_version}".strip()
        text.append(f"  ·  {run.case_count} cases from {run.source}", style="dim")
        if run.epochs > 1:
            text.append(f" ({run.rows} results, {run.epochs} epochs)", style="dim")
        if tool:
            text.append(f" · {tool}", style="dim")
        if run.skipped:
            text.append(f" ({run.skipped} bad rows skipped)", style="dim")
        text.append("\n\n")
        used = {t.metric for t in snap.data.thresholds}
        for threshold in snap.data.thresholds:
            measured = threshold_measure(m, threshold)
            if measured is None:
                continue
            probe = threshold.model_copy(update={"measured": None})
            if measured.value is not None:
                from workbench.models import Measurement

                probe = threshold.model_copy(
                    update={
                        "measured": Measurement(
                            value=measured.value,
                            n=measured.n,
                            ci_low=measured.ci_low,
                            ci_high=measured.ci_high,
                        )
                    }
                )
            status = measure_threshold(probe)
            text.append_text(
                interval_line(
                    threshold.name,
                    status.value,
                    status.ci_low,
                    status.ci_high,
                    threshold.target,
                    threshold.comparator,
                    threshold.unit,
                    status.status,
                    n=measured.n,
                )
            )
            text.append("\n")
        for name, title in METRIC_TITLES.items():
            if name in used or name == "response_time":
                continue
            rate = getattr(m, name)
            if rate.n:
                text.append(
                    f"{title:<26}{_pct(rate.value):>36} ({_pct(rate.ci_low)}–"
                    f"{_pct(rate.ci_high)}) n={rate.n}\n"
                )
        if m.p95_response_time is not None:
            text.append(f"{'95th percentile latency':<26}{m.p95_response_time:>34.2f} s\n")
        for name, score in m.scores.items():
            value = (
                _pct(score.value)
                if score.kind == "pass_rate"
                else format_value(score.value, "score", 3)
            )
            interval = ""
            if score.ci_low is not None and score.ci_high is not None:
                low, high = (
                    (_pct(score.ci_low), _pct(score.ci_high))
                    if score.kind == "pass_rate"
                    else (f"{score.ci_low:.3g}", f"{score.ci_high:.3g}")
                )
                interval = f" ({low}–{high})"
            kind = "pass rate" if score.kind == "pass_rate" else "mean"
            text.append(f"{name[:24]:<26}{value:>36}{interval} n={score.n}  ({kind})\n")
        evidence = snap.evidence
        if evidence.bias is not None and run.id == evidence.latest:
            b = evidence.bias
            headline, detail = bias_words(b)
            text.append("\nBias: ", style="bold")
            style = {"within": "green", "over": "bold red", "not_settled": "yellow"}[b.outcome]
            text.append(headline + "\n", style=style)
            text.append(f"  {detail}\n")
        if run.id == evidence.latest and evidence.composition:
            text.append("\nComposition of the latest run\n", style="bold")
            for dim in ("category", "group", "kind"):
                parts = [c for c in evidence.composition if c.dimension == dim]
                if not parts:
                    continue
                text.append(f"  {dim:<9}")
                for c in parts:
                    style = "bold red" if c.flagged else ""
                    text.append(f"{c.name} {c.actual} ({c.share:.0%})", style=style)
                    text.append("   ")
                text.append("\n")
            for c in (c for c in evidence.composition if c.flagged):
                text.append(
                    f"  under-represented {c.dimension} {c.name}: {c.reason}\n", style="red"
                )
        self.query_one("#run-metrics", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "run-table":
            self._show_metrics()

    # --------------------------------------------------------------- compare

    def action_compare(self) -> None:
        snap = self.snapshot
        run = self._selected_run()
        if snap is None or run is None:
            self.app.bell()
            return
        earlier = [r for r in snap.evidence.runs if r.id < run.id]
        box = self.query_one("#compare-text", Static)
        if not earlier:
            box.update(Text(f"Run {run.id} is the first run: nothing to compare it with."))
            self.query_one(TabbedContent).active = "compare"
            return
        self._compare(earlier[-1], run)

    @work(thread=True, exclusive=True, group="evidence-compare")
    def _compare(self, before: Run, run: Run) -> None:
        flips = self.workbench.session.read(lambda store: case_flips(store, before.id, run.id))
        self.app.call_from_thread(self._show_compare, before, run, flips)

    def _show_compare(self, before: Run, run: Run, flips: CaseFlips) -> None:
        box = self.query_one("#compare-text", Static)
        text = Text()
        text.append(
            f"Run {before.id} ({before.label}) → run {run.id} ({run.label})\n\n", style="bold"
        )
        for change in compare_runs(before.metrics, run.metrics):
            unit = "seconds" if change.metric == "response_time" else "rate"
            scale, suffix = (100, " pts") if unit == "rate" else (1, " s")
            text.append(f"{change.title:<24}")
            text.append(
                f"{format_value(change.before, unit, 1):>9} → "
                f"{format_value(change.after, unit, 1):<9}"
            )
            if change.change is not None:
                text.append(f"{change.change * scale:+6.1f}{suffix}")
                if change.ci_low is not None and change.ci_high is not None:
                    text.append(
                        f" ({change.ci_low * scale:+.1f} to {change.ci_high * scale:+.1f})",
                        style="dim",
                    )
            styles = {
                "regression": "bold red",
                "worse": "yellow",
                "better": "green",
                "improvement": "bold green",
            }
            text.append(f"  {change_words(change)}\n", style=styles.get(change.verdict, ""))
        text.append(
            "\nBeyond chance: the 95% interval of the change excludes zero (a regression or "
            "an improvement); could be chance: it includes zero. Higher or lower is better "
            "as the metric has it (a lower error rate or response time is better).\n\n",
            style="dim",
        )
        for number, line in enumerate(flips.lines()):
            text.append(line + "\n", style="bold" if number == 0 else "")
        box.update(text)
        self.query_one(TabbedContent).active = "compare"

    # ----------------------------------------------------------------- rows

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_browse(self) -> None:
        run = self._selected_run()
        if run is None:
            self.app.bell()
            return
        self.browsing = run.id
        self.query_one(TabbedContent).active = "rows"
        self._refresh_rows()
        self.query_one(ResultsBrowser).focus()

    def _refresh_rows(self) -> None:
        if self.browsing is not None:
            self._count_rows(self.browsing, self.filters)

    @work(thread=True, exclusive=True, group="evidence-count")
    def _count_rows(self, run_id: int, filters: ResultFilter) -> None:
        # the count and the first page in one trip, so the rows appear at once
        total, first = self.workbench.session.read(
            lambda store: (
                count_results(store, run_id, filters),
                page_results(store, run_id, 0, PAGE, filters),
            )
        )
        self.app.call_from_thread(self._rows_counted, run_id, filters, total, first)

    def _rows_counted(
        self, run_id: int, filters: ResultFilter, total: int, first: list[dict[str, Any]]
    ) -> None:
        self.query_one(ResultsBrowser).show_run(run_id, total, filters, first_page=first)
        parts = [f"run {run_id}", f"{total} rows"]
        if filters.failed:
            parts.append("failed only")
        for name, value in (
            ("category", filters.category),
            ("group", filters.group),
            ("kind", filters.kind),
            ("text", filters.text),
        ):
            if value:
                parts.append(f"{name} = {value}")
        self.query_one("#results-filter", Label).update(
            " · ".join(parts) + "   (f failed only, / filter)"
        )

    def action_toggle_failed(self) -> None:
        self.filters = ResultFilter(**{**self.filters.__dict__, "failed": not self.filters.failed})
        if self.browsing is None and self.snapshot is not None:
            self.browsing = self.snapshot.evidence.latest
        self.query_one(TabbedContent).active = "rows"
        self._refresh_rows()

    def action_filter(self) -> None:
        run = None
        if self.snapshot is not None and self.browsing is not None:
            run = next((r for r in self.snapshot.evidence.runs if r.id == self.browsing), None)
        run = run or self._selected_run()
        if run is None:
            self.app.bell()
            return
        self.browsing = run.id
        m = run.metrics
        choices: dict[str, list[tuple[str, str]]] = {
            "category": [(n or "(none)", n) for n in m.by_category],
            "group": [(n or "(none)", n) for n in m.by_group],
            "kind": [(k, k) for k in KINDS if k in m.by_kind],
        }
        fields = [
            FormField(
                name,
                name.capitalize(),
                getattr(self.filters, name) or "",
                "select",
                [("any", "")] + [(label, value) for label, value in options if value],
            )
            for name, options in choices.items()
        ] + [
            FormField("text", "Text in the id, output or expected answer", self.filters.text or "")
        ]

        def apply(values: Values | None) -> None:
            if values is None:
                return
            self.filters = ResultFilter(
                failed=self.filters.failed,
                category=values["category"] or None,
                group=values["group"] or None,
                kind=values["kind"] or None,
                text=values["text"].strip() or None,
            )
            self.query_one(TabbedContent).active = "rows"
            self._refresh_rows()

        self.app.push_screen(FormDialog(f"Filter the rows of run {run.id}", fields), apply)

    def on_results_browser_row_highlighted(self, event: ResultsBrowser.RowHighlighted) -> None:
        detail = self.query_one("#row-detail", Static)
        row: dict[str, Any] | None = event.row
        if row is None:
            detail.update("")
            return
        text = Text()
        text.append(f"{row['case_id']}", style="bold")
        text.append(f"  line {row['line']} · {verdict(row)}\n", style="dim")
        for key, label in (
            ("expected", "Expected"),
            ("output", "Output"),
            ("human_output", "Person"),
        ):
            if row.get(key):
                text.append(f"{label}: ", style="bold")
                text.append(" ".join(str(row[key]).split())[:400] + "\n")
        detail.update(text)

    # ---------------------------------------------------------------- import

    def action_import_results(self) -> None:
        folder = self.workbench.session.path.parent

        def check(values: Values) -> str | None:
            path = Path(values["file"].strip()).expanduser()
            if not values["file"].strip():
                return "give the results file's path"
            if served.is_served() and not served.inside(folder, folder / path):
                return served.outside_message(folder)  # (a remote participant)
            if not (path if path.is_absolute() else folder / path).is_file():
                return f"no such file: {path}"
            try:
                parse_mapping(values["map"].split())
            except WorkbenchError as error:
                return str(error)
            return None

        def start(values: Values | None) -> None:
            if values is None:
                return
            path = Path(values["file"].strip()).expanduser()
            path = path if path.is_absolute() else folder / path
            columns, metrics = parse_mapping(values["map"].split())
            options = ReadOptions(
                columns=columns,
                metrics=metrics,
                scorer=values["scorer"].strip() or None,
                systems=tuple(values["system"].split()),
            )
            self._import(path, values["label"], options, values["skip"] == "yes")

        self.app.push_screen(
            FormDialog(
                "Import evaluation results",
                [
                    FormField(
                        "file",
                        "Results file: CSV, JSONL, promptfoo, Inspect AI, DeepEval, lm-eval",
                        placeholder=f"relative to {folder}",
                    ),
                    FormField("label", "Label for the run", placeholder="e.g. v3, 2026-11-20"),
                    FormField(
                        "map",
                        "Column names to map (COLUMN=FIELD, space separated)",
                        placeholder="case=id pass=correct metric:no_fabrication=hallucinated",
                    ),
                    FormField(
                        "scorer",
                        "Scorer that gives 'correct' (Inspect, lm-eval; default: the first)",
                        placeholder="e.g. answer_match",
                    ),
                    FormField(
                        "system",
                        "Only these systems (promptfoo providers; default: each its own run)",
                        placeholder="e.g. system-b",
                    ),
                    FormField(
                        "skip",
                        "Bad rows",
                        "no",
                        "select",
                        [("stop: import nothing", "no"), ("skip them", "yes")],
                    ),
                ],
                check,
                help_text="Fields: "
                + ", ".join(FIELDS)
                + "; also latency_s, epoch, score:NAME; metric:NAME=[not] FIELD reads a named "
                "score as a field",
            ),
            start,
        )

    @work(thread=True, exclusive=True, group="evidence-import")
    def _import(self, path: Path, label: str, options: ReadOptions, skip_bad: bool) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        self.app.call_from_thread(bar.add_class, "-busy")

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        session = self.workbench.session
        try:
            report = session.edit(
                lambda store, by: import_evidence(
                    store,
                    path,
                    by,
                    label=label,
                    options=options,
                    skip_bad=skip_bad,
                    progress=progress,
                )
            )
        except WorkbenchError as error:
            message = str(error)
            rows = getattr(error, "bad_rows", [])
            if rows:
                message += " · " + "; ".join(f"line {b.line}: {b.reason}" for b in rows[:3])
            if served.is_served():  # a remote participant is told why, not what is in it
                message = served.without_file_contents(message)
            self.workbench.call_from_thread(
                self.workbench.show_status, f"Not imported · {message}", True
            )
        else:
            run = report.run
            skipped = f", {report.skipped_count} bad rows skipped" if report.skipped_count else ""
            made = (
                f"run {run.id}: {run.case_count} cases"
                if len(report.runs) == 1
                else f"{len(report.runs)} runs (one a system), the thresholds use run {run.id}"
            )
            self.app.call_from_thread(
                self.workbench.show_status,
                f"Saved · imported {made}{skipped}",
            )
            self.browsing = run.id
            summary = Text("What the import did\n", style="bold")
            summary.append("\n".join(report.summary()) + "\n")
            self.app.call_from_thread(self.query_one("#import-summary", Static).update, summary)
            self.app.call_from_thread(self._after_import, str(run.id))
        finally:
            self.app.call_from_thread(bar.remove_class, "-busy")

    def _after_import(self, key: str) -> None:
        """The new run is the one selected and focused, so ``c`` compares it.

        The project may already have been read again (the app notices a saved change on
        its own) and the run drawn: then it is selected now; otherwise once it is."""
        table = self.query_one("#run-table", RecordTable)
        table.focus()
        if table.select_key(key):
            self._show_metrics()
            return
        self._select_after_reload = key
        self.reload()

    def select_record(self, key: str) -> None:
        self.query_one("#run-table", RecordTable).select_key(key)
