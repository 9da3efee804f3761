"""Thresholds: metric, comparator, target, measured value and status, with the reasoning beside it.

Every figure comes from the core: the status and the 95% interval from
``evidence.measure_threshold``, the values as people read them from
``readiness.format_value``. Each edit is one of ``operations`` (measure, clear,
set the target or the reasoning, add a metric), given the threshold as the screen
showed it; a bad value is refused inside the dialog with the model's reason, and
nothing is saved.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey

from workbench import operations
from workbench.errors import describe_validation_error
from workbench.evaluation.evidence import Measured, measure_threshold
from workbench.models import COMPARATORS, Threshold
from workbench.ui.dialogs.confirm import ConfirmDialog
from workbench.ui.dialogs.form import FormDialog, FormField, Values, wrap_help
from workbench.ui.screens.base import AreaScreen
from workbench.ui.session import Snapshot
from workbench.ui.text import Text
from workbench.ui.widgets.tables import RecordTable, plain
from workbench.units import COMPARATOR_WORDS, UNIT_HINTS, format_value, input_text, parse_value

# Words first; the colour is only a second channel (projectors wash colours out).
STATUS: dict[str, tuple[str, str]] = {
    "met_with_confidence": ("met with confidence", "bold green"),
    "met": ("met", "green"),
    "not_met": ("not met", "bold red"),
    "unmeasured": ("unmeasured", "dim"),
}
FULL_METRIC_WIDTH = 24  # with less room for the names, the table shows the value alone
COMPACT_METRIC_WIDTH = 14
COMPARATOR_OPTIONS = [(f"{c}  ({COMPARATOR_WORDS[c]})", c) for c in COMPARATORS]
UNIT_OPTIONS = [
    ("rate (a share: 93% or 0.93)", "rate"),
    ("seconds", "seconds"),
    ("count", "count"),
    ("score", "score"),
    ("x baseline (200% = twice the baseline)", "x baseline"),
]


def _model_problem(current: Threshold, **changes: Any) -> str | None:
    """The model's own objection to ``changes``, as one line, or None."""
    try:
        Threshold.model_validate({**current.model_dump(), **changes})
    except ValidationError as error:
        return describe_validation_error(error)
    return None


def measured_text(measured: Measured, unit: str) -> str:
    """Value, number of cases and 95% interval, where known."""
    if measured.value is None:
        return "—"
    parts = [format_value(measured.value, unit)]
    if measured.n:
        parts.append(f"n={measured.n:,}")
    if measured.ci_low is not None and measured.ci_high is not None:
        parts.append(
            f"{format_value(measured.ci_low, unit, 1)}–{format_value(measured.ci_high, unit, 1)}"
        )
    return " · ".join(parts)


def metric_cell(threshold: Threshold, width: int) -> Text:
    """The metric's name cut to ``width``, keeping the words "no reasoning" when they fit."""
    if threshold.reasoning:
        return plain(threshold.name)
    flag = " (no reasoning)"
    room = width - 2 - len(flag)
    if room < 6:
        flag, room = "", width - 2
    name = " ".join(threshold.name.split())
    if len(name) > room:
        name = name[: max(room - 1, 1)] + "…"
    return Text.assemble(("✗ ", "bold red"), name, (flag, "bold red"), no_wrap=True)


def target_text(threshold: Threshold) -> str:
    return format_value(threshold.target, threshold.unit)


def status_explanation(threshold: Threshold, measured: Measured) -> str:
    target = f"{COMPARATOR_WORDS[threshold.comparator]} {target_text(threshold)}"
    if measured.status == "unmeasured":
        return "No measured value yet (m: enter one)."
    if measured.status == "not_met":
        return f"The measured value misses the target ({target})."
    if measured.status == "met_with_confidence":
        return f"The whole 95% interval is {target}: the target is met with confidence."
    if measured.ci_low is None:
        extra = (
            " Enter the number of cases (n) to get a 95% interval."
            if threshold.unit == "rate"
            else ""
        )
        return f"The measured value is {target}, but there is no interval to be sure.{extra}"
    return (
        f"The measured value is {target}, but its 95% interval still crosses the target: "
        "more cases would settle it."
    )


class ThresholdsScreen(AreaScreen):
    MODE = "thresholds"
    HEADING = "Quality thresholds"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reasoning", "Edit reasoning", id="thresholds-reasoning"),
        Binding("t", "target", "Edit target", id="thresholds-target"),
        Binding("m", "measure", "Enter measured", id="thresholds-measure"),
        Binding("x", "clear", "Clear measured", id="thresholds-clear"),
        Binding("a", "add", "Add metric", id="thresholds-add"),
        Binding("d", "remove", "Remove metric", id="thresholds-remove"),
    ]
    DEFAULT_CSS = """
    ThresholdsScreen #thresholds-note { height: auto; color: $text-muted; margin-bottom: 1; }
    ThresholdsScreen #thresholds-body { height: 1fr; }
    ThresholdsScreen #thresholds { width: 2fr; }
    ThresholdsScreen #threshold-detail {
        width: 1fr; min-width: 30; max-width: 42; padding: 0 1; border-left: solid $panel;
    }
    ThresholdsScreen.-narrow #thresholds-note { display: none; }
    ThresholdsScreen.-narrow #thresholds-body { layout: vertical; }
    ThresholdsScreen.-narrow #thresholds { width: 1fr; height: auto; max-height: 60%; }
    ThresholdsScreen.-narrow #threshold-detail {
        width: 1fr; max-width: 100%; height: 1fr; min-height: 6;
        border-left: none; border-top: solid $panel;
    }
    """

    _drawn_width = -1

    def compose_main(self) -> ComposeResult:
        yield Static("", id="thresholds-note")
        with Horizontal(id="thresholds-body"):
            yield RecordTable(
                [("Metric", None), ("Target", 8), ("Measured", None), ("Status", 19)],
                id="thresholds",
            )
            with VerticalScroll(id="threshold-detail"):
                yield Static("", id="threshold-detail-text")

    def on_mount(self) -> None:  # AreaScreen.on_mount runs too: Textual calls each class's
        self.query_one("#thresholds", RecordTable).focus()

    def show(self, snapshot: Snapshot) -> None:
        note = snapshot.template.guidance.thresholds_note
        self.query_one("#thresholds-note", Static).update(
            Text.assemble(("Why write them down: ", "bold"), note) if note else ""
        )
        table = self.query_one("#thresholds", RecordTable)
        drawn = []
        for threshold in snapshot.data.thresholds:
            measured = measure_threshold(threshold)
            drawn.append((threshold, measured, measured_text(measured, threshold.unit)))
        # Full columns when they fit beside the detail; else names cut short and the
        # value alone (the detail pane shows the rest of the highlighted threshold).
        longest = max((len(text) for _, _, text in drawn), default=8)
        wanted = max((len(t.name) + (0 if t.reasoning else 17) for t, _, _ in drawn), default=8)
        width = table.size.width
        self._drawn_width = width
        room = width - (8 + max(longest, 8) + 19 + 2 * 4 + 1)  # left for the names
        compact = room < min(wanted, FULL_METRIC_WIDTH)
        name_width = (
            max(COMPACT_METRIC_WIDTH, width - (8 + 7 + 19 + 2 * 4 + 1))
            if compact
            else min(wanted, room)
        )
        metric_column = table.columns.get(ColumnKey("Metric"))
        if metric_column is not None:
            metric_column.auto_width = False
            metric_column.width = name_width
        for column in table.columns.values():
            if column.auto_width:  # DataTable.clear keeps old widths: let them shrink again
                column.content_width = column.label.cell_len
        rows = []
        for threshold, measured, text in drawn:
            words, style = STATUS[measured.status]
            name = metric_cell(threshold, name_width)
            rows.append(
                (
                    threshold.metric,
                    [
                        name,
                        f"{threshold.comparator} {target_text(threshold)}",
                        format_value(measured.value, threshold.unit) if compact else text,
                        Text(words, style=style),
                    ],
                )
            )
        table.load(rows)
        self._show_detail()

    def on_resize(self) -> None:
        # The table's new width is known once the layout has been refreshed.
        self.call_after_refresh(self._redraw_if_resized)

    def _redraw_if_resized(self) -> None:
        width = self.query_one("#thresholds", RecordTable).size.width
        if self.snapshot is not None and width != self._drawn_width:
            self.show(self.snapshot)

    def _threshold(self) -> Threshold | None:
        key = self.query_one("#thresholds", RecordTable).current_key
        if self.snapshot is None or key is None:
            return None
        return next((t for t in self.snapshot.data.thresholds if t.metric == key), None)

    def _show_detail(self) -> None:
        threshold = self._threshold()
        detail = self.query_one("#threshold-detail-text", Static)
        if threshold is None:
            detail.update("No thresholds yet: press a to add one.")
            return
        measured = measure_threshold(threshold)
        words, style = STATUS[measured.status]
        text = Text()
        text.append(threshold.name, style="bold")
        text.append(f"  ({threshold.metric}, {threshold.unit})\n", style="dim")
        if threshold.definition:
            text.append(threshold.definition + "\n")
        text.append("\nTarget: ", style="bold")
        text.append(
            f"{COMPARATOR_WORDS[threshold.comparator]} {target_text(threshold)} "
            f"({threshold.comparator} {threshold.target:g})"
        )
        text.append("  t: edit\n", style="dim")
        text.append("Measured: ", style="bold")
        text.append(measured_text(measured, threshold.unit))
        text.append(
            "  m: enter" + (" · x: clear" if measured.value is not None else "") + "\n", "dim"
        )
        if measured.value is not None and (measured.source or measured.at):
            when = measured.at[:16].replace("T", " ")
            text.append(" · ".join(p for p in (measured.source, when) if p) + "\n", "dim")
        text.append("Status: ", style="bold")
        text.append(words, style=style)
        text.append(" · " + status_explanation(threshold, measured) + "\n")
        text.append("\nReasoning", style="bold")
        text.append("  (r or enter to edit)\n", style="dim")
        if threshold.reasoning:
            text.append(threshold.reasoning + "\n")
        else:
            text.append(
                "Not written down yet: without it the threshold is not defined, "
                "and the verdict counts that as a blocker.\n",
                style="bold red",
            )
        if threshold.hint:
            text.append("\nThe guide's hint\n", style="bold")
            text.append(threshold.hint + "\n")
        note = self.snapshot.template.guidance.thresholds_note if self.snapshot else ""
        if note and self.has_class("-narrow"):  # the note above the table is hidden there
            text.append("\nWhy write them down\n", style="bold")
            text.append(note + "\n")
        detail.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_reasoning()

    def select_record(self, key: str) -> None:
        table = self.query_one("#thresholds", RecordTable)
        table.select_key(key)
        table.focus()
        self._show_detail()

    # ------------------------------------------------------------- actions

    def action_reasoning(self) -> None:
        threshold = self._threshold()
        if threshold is None:
            return
        self.edit_text(
            threshold,
            "reasoning",
            "Reasoning",
            lambda store, by, text: operations.set_reasoning(
                store, by, threshold.metric, text, seen=threshold
            ),
            title=f"Why this target? {threshold.name} {threshold.comparator} "
            f"{target_text(threshold)}",
            describe=f"reasoning for {threshold.name} saved",
            multiline=True,
            help_text=wrap_help(threshold.hint),
            required="write down why this target was chosen (the reasoning cannot be empty)",
        )

    def action_target(self) -> None:
        threshold = self._threshold()
        if threshold is None:
            return

        def read(values: Values) -> tuple[str, float]:
            return values["comparator"], parse_value(values["target"], threshold.unit)

        def check(values: Values) -> str | None:
            try:
                comparator, target = read(values)
            except ValueError as error:
                return str(error)
            return _model_problem(threshold, comparator=comparator, target=target)

        def save(values: Values | None) -> None:
            if values is None:
                return
            comparator, target = read(values)
            if (comparator, target) == (threshold.comparator, threshold.target):
                return
            shown = format_value(target, threshold.unit)
            self.edit(
                lambda store, by: operations.set_target(
                    store, by, threshold.metric, comparator, target, seen=threshold
                ),
                f"{threshold.name} target is now {comparator} {shown}",
            )

        self.app.push_screen(
            FormDialog(
                f"Target: {threshold.name}",
                [
                    FormField(
                        "comparator",
                        "Passes when the measured value is",
                        threshold.comparator,
                        "select",
                        COMPARATOR_OPTIONS,
                    ),
                    FormField(
                        "target",
                        f"Target ({UNIT_HINTS[threshold.unit]})",
                        input_text(threshold.target, threshold.unit),
                    ),
                ],
                check,
                help_text=wrap_help(
                    "Change the reasoning too (r) if the reason for the target changed."
                ),
            ),
            save,
        )

    def action_measure(self) -> None:
        threshold = self._threshold()
        if threshold is None:
            return
        seen = threshold.measured

        def read(values: Values) -> tuple[float, int | None, str]:
            value = parse_value(values["value"], threshold.unit)
            raw_n = values["n"].strip().replace(",", "").replace("_", "")
            n: int | None = None
            if raw_n:
                if not raw_n.isdigit() or int(raw_n) < 1:
                    raise ValueError(
                        f"n is the number of cases measured: a whole number, at least 1, "
                        f"not {values['n'].strip()!r}"
                    )
                n = int(raw_n)
            return value, n, values["source"].strip()

        def check(values: Values) -> str | None:
            try:
                value, n, source = read(values)
            except ValueError as error:
                return str(error)
            return _model_problem(
                threshold, measured={"value": value, "n": n, "source": source or "entered"}
            )

        def save(values: Values | None) -> None:
            if values is None:
                return
            value, n, source = read(values)
            if seen is not None and (seen.value, seen.n, seen.source) == (value, n, source):
                return  # nothing changed: no new entry in the history
            shown = format_value(value, threshold.unit)
            self.edit(
                lambda store, by: operations.measure(
                    store, threshold.metric, value, by, n=n, source=source, seen=threshold
                ),
                f"{threshold.name} measured {shown}" + (f" on {n:,} cases" if n else ""),
            )

        n_label = (
            "Number of cases (n; gives the 95% interval)"
            if threshold.unit == "rate"
            else "Number of cases or requests (n, optional)"
        )
        self.app.push_screen(
            FormDialog(
                f"Measured value: {threshold.name}",
                [
                    FormField(
                        "value",
                        f"Measured value ({UNIT_HINTS[threshold.unit]})",
                        input_text(seen.value if seen else None, threshold.unit),
                    ),
                    FormField("n", n_label, str(seen.n) if seen and seen.n else ""),
                    FormField(
                        "source",
                        "Source (which run, which test set)",
                        seen.source if seen else "",
                        placeholder="e.g. eval run 2026-11-20 on the v3 test set",
                    ),
                ],
                check,
                help_text=f"Target: {COMPARATOR_WORDS[threshold.comparator]} "
                f"{target_text(threshold)}",
            ),
            save,
        )

    def action_clear(self) -> None:
        threshold = self._threshold()
        if threshold is None or threshold.measured is None:
            if threshold is not None:
                self.workbench.show_status(f"{threshold.name} has no measured value to clear")
            return
        shown = measured_text(measure_threshold(threshold), threshold.unit)

        def save(answer: bool | None) -> None:
            if answer:
                self.edit(
                    lambda store, by: operations.clear_measurement(
                        store, threshold.metric, by, seen=threshold
                    ),
                    f"measured value of {threshold.name} cleared",
                )

        self.app.push_screen(
            ConfirmDialog(f"Clear the measured value of {threshold.name} ({shown})?"), save
        )

    def action_remove(self) -> None:
        threshold = self._threshold()
        if threshold is None:
            return
        target = f"{threshold.comparator} {threshold.target:g}"
        measured = " and its measured value" if threshold.measured is not None else ""
        self.remove_after_asking(
            f"Remove the threshold {threshold.name} ({target}){measured}?",
            lambda store, by: operations.remove_threshold(store, by, threshold.metric),
            f"threshold {threshold.name} removed",
        )

    def action_add(self) -> None:
        known = {t.metric for t in self.snapshot.data.thresholds} if self.snapshot else set()

        def read(values: Values) -> dict[str, Any]:
            metric = values["metric"].strip()
            if not metric:
                raise ValueError("give the metric an id, e.g. escalation_rate")
            if metric in known:
                raise ValueError(f"a threshold with the metric id {metric!r} already exists")
            if not values["name"].strip():
                raise ValueError("give the metric a name people will read")
            unit = values["unit"] or "rate"
            target = parse_value(values["target"], unit)
            reasoning = values["reasoning"].strip()
            if not reasoning:
                raise ValueError("write down why this target was chosen (the reasoning)")
            return {
                "metric": metric,
                "name": values["name"].strip(),
                "comparator": values["comparator"] or ">=",
                "target": target,
                "unit": unit,
                "reasoning": reasoning,
                "definition": values["definition"].strip(),
            }

        def check(values: Values) -> str | None:
            try:
                fields = read(values)
                Threshold.model_validate(fields)
            except ValueError as error:  # ValidationError is a ValueError
                if not isinstance(error, ValidationError):
                    return str(error)
                if error.errors()[0]["loc"] == ("metric",):
                    return (
                        "the metric id uses lower-case letters, digits, '-', '_' and '.', "
                        "starting with a letter or digit (e.g. escalation_rate)"
                    )
                return describe_validation_error(error)
            return None

        def save(values: Values | None) -> None:
            if values is None:
                return
            fields = read(values)
            self.edit(
                lambda store, by: operations.add_threshold(store, by, **fields),
                f"threshold {fields['name']} added",
                on_saved=lambda _: self._focus_later(fields["metric"]),
            )

        self.app.push_screen(
            FormDialog(
                "Add a metric",
                [
                    FormField(
                        "metric",
                        "Metric id (lower-case letters, digits, '-', '_', '.')",
                        placeholder="e.g. escalation_rate",
                    ),
                    FormField("name", "Name", placeholder="e.g. Escalation rate"),
                    FormField("definition", "Definition (what is counted)"),
                    FormField("unit", "Unit", "rate", "select", UNIT_OPTIONS),
                    FormField("comparator", "Passes when", ">=", "select", COMPARATOR_OPTIONS),
                    FormField("target", "Target", placeholder="e.g. 93% or 0.93; 2.5s"),
                    FormField("reasoning", "Reasoning (why this target)", "", "multiline"),
                ],
                check,
                help_text="Rates as 93% or 0.93; times in seconds (2.5 or 2.5s).",
            ),
            save,
        )

    def _focus_later(self, metric: str) -> None:
        self._pending_focus = metric
