"""Test set: the risk level and the guide's minimum; three figures against it (planned and
built, a person's, and the latest run's, measured); the composition.

Beside the plan: what a test set of this size can and cannot show about each
rate threshold (``workbench.evaluation.sizing``), and the guide's four kinds of testing and
its steps for building a test set. Each edit is one of ``operations`` (the
project's risk, the plan's sizes and notes, a category added, changed or removed);
a bad value is refused inside the dialog with the model's reason, and nothing is
saved.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationError
from rich.console import Group, RenderableType
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Label, Static

from workbench import operations
from workbench.errors import describe_validation_error
from workbench.evaluation.evidence import (
    BUILT_WORDS,
    IN_RUN_WORDS,
    NO_RUN_WORDS,
    PLANNED_WORDS,
    Run,
    latest_run,
    run_name,
)
from workbench.evaluation.sizing import what_it_shows
from workbench.models import CompositionRow, DatasetPlan
from workbench.ui.dialogs.form import FormDialog, FormField, Values, wrap_help
from workbench.ui.screens.base import AreaScreen
from workbench.ui.session import Snapshot
from workbench.ui.text import Text
from workbench.ui.widgets.tables import RecordTable, plain

SIZE_FIELDS = (
    ("planned_size", f"{PLANNED_WORDS} (cases the plan needs)"),
    ("actual_size", f"{BUILT_WORDS} (cases built and documented)"),
    ("edge_cases", "Edge cases among them"),
    ("adversarial_cases", "Adversarial cases among them"),
)


def parse_count(text: str, what: str) -> int:
    """A whole number of cases as typed: ``240``, ``1,000`` or ``1 000``; blank is 0."""
    raw = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    if not raw:
        return 0
    if not raw.isdigit():
        raise ValueError(f"{what} is a whole number of cases, not {text.strip()!r}")
    return int(raw)


def share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def bar(value: int, scale: int, width: int) -> tuple[str, str]:
    """The filled and empty parts of a bar of ``width`` cells for ``value`` out of ``scale``."""
    filled = round(width * value / scale) if scale else 0
    filled = min(width, max(filled, 1 if value else 0))
    return "█" * filled, "░" * (width - filled)


class TestSetScreen(AreaScreen):
    MODE = "testset"
    HEADING = "Test set"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "risk", "Risk level", id="testset-risk"),
        Binding("s", "sizes", "Edit sizes", id="testset-sizes"),
        Binding("a", "add_category", "Add category", id="testset-add-category"),
        Binding("e", "edit_category", "Edit category", id="testset-edit-category"),
        Binding("d", "remove_category", "Remove category", id="testset-remove-category"),
        Binding("n", "notes", "Edit notes", id="testset-notes"),
    ]
    DEFAULT_CSS = """
    TestSetScreen #testset-body { height: 1fr; }
    TestSetScreen #testset-columns { height: auto; }
    TestSetScreen #testset-plan { width: 3fr; height: auto; padding-right: 1; }
    TestSetScreen #testset-guide {
        width: 2fr; height: auto; padding-left: 1; border-left: solid $panel;
    }
    TestSetScreen .testset-title { text-style: bold; color: $primary; margin-top: 1; }
    TestSetScreen #risk-title { margin-top: 0; }
    TestSetScreen #risk-levels, TestSetScreen #sizes, TestSetScreen #mix { height: auto; }
    TestSetScreen #composition { max-height: 12; }
    TestSetScreen #composition-total, TestSetScreen #notes { height: auto; color: $text-muted; }
    TestSetScreen #shows, TestSetScreen #guidance { height: auto; }
    TestSetScreen.-narrow #testset-columns { layout: vertical; }
    TestSetScreen.-narrow #testset-plan { width: 1fr; padding-right: 0; }
    TestSetScreen.-narrow #testset-guide {
        width: 1fr; padding-left: 0; border-left: none; border-top: solid $panel; margin-top: 1;
    }
    """

    _drawn_width = -1

    def compose_main(self) -> ComposeResult:
        with VerticalScroll(id="testset-body"), Horizontal(id="testset-columns"):
            with Vertical(id="testset-plan"):
                yield Label(
                    "Risk level → the guide's minimum (r: change)",
                    id="risk-title",
                    classes="testset-title",
                )
                yield Static("", id="risk-levels")
                yield Label(
                    "Size against the minimum (s: edit planned and built)",
                    classes="testset-title",
                )
                yield Static("", id="sizes")
                yield Static("", id="mix")
                yield Label("Composition (a add · e edit · d remove)", classes="testset-title")
                yield RecordTable(
                    [("Category", None), ("Planned", 8), ("Actual", 8), ("Built", 7)],
                    id="composition",
                )
                yield Static("", id="composition-total")
                yield Label("Notes (n: edit)", classes="testset-title")
                yield Static("", id="notes")
            with Vertical(id="testset-guide"):
                yield Static("", id="shows")
                yield Static("", id="guidance")

    def on_mount(self) -> None:
        self.query_one("#composition", RecordTable).focus()

    def on_resize(self) -> None:
        # The bars are drawn to the width: redraw once the new layout is known.
        self.call_after_refresh(self._redraw_if_resized)

    def _redraw_if_resized(self) -> None:
        width = self.query_one("#sizes", Static).size.width
        if self.snapshot is not None and width != self._drawn_width:
            self.show(self.snapshot)

    # ------------------------------------------------------------ drawing

    def show(self, snapshot: Snapshot) -> None:
        data = snapshot.data
        plan = data.dataset
        risk = data.project.risk
        minimum = snapshot.template.min_test_cases(risk)
        self.query_one("#risk-levels", Static).update(self._risk_table(snapshot))
        run = latest_run(snapshot.evidence)
        self.query_one("#sizes", Static).update(self._size_bars(plan, minimum, risk, run))
        self.query_one("#mix", Static).update(self._mix(plan))
        table = self.query_one("#composition", RecordTable)
        table.styles.height = len(plan.composition) + 1  # the rows and the header, no more
        table.load(
            (
                row.category,
                [
                    plain(row.category),
                    f"{row.planned:,}",
                    f"{row.actual:,}",
                    share(row.actual, row.planned) if row.planned else "—",
                ],
            )
            for row in plan.composition
        )
        self.query_one("#composition-total", Static).update(self._composition_total(plan))
        self.query_one("#notes", Static).update(
            Text(plan.notes) if plan.notes else Text("No notes yet.", style="italic")
        )
        self.query_one("#shows", Static).update(self._what_it_shows(snapshot))
        self.query_one("#guidance", Static).update(self._guidance(snapshot))

    def _risk_table(self, snapshot: Snapshot) -> RenderableType:
        levels = snapshot.template.risk_levels
        risk = snapshot.data.project.risk
        if not levels:
            return Text(f"This project: {risk} risk. The template sets no minimum sizes.")
        minimum = snapshot.template.min_test_cases(risk)
        largest = max(level.min_test_cases for level in levels)
        title = Text.assemble(
            "This project: ",
            (f"{risk} risk", "bold"),
            " → at least ",
            (f"{minimum:,}", "bold"),
            " cases",
        )
        table = Table(box=None, show_header=True, header_style="bold", padding=(0, 1), expand=True)
        table.add_column("", width=1, no_wrap=True)
        table.add_column("Risk", no_wrap=True)
        table.add_column("Minimum", justify="right", no_wrap=True)
        table.add_column("For", ratio=1)
        for level in levels:
            current = level.id == risk
            style = "bold" if current else ""
            cases = f"{level.min_test_cases:,}" + ("+" if level.min_test_cases == largest else "")
            table.add_row(
                Text("▶" if current else " ", style="bold"),
                Text(level.title, style=style),
                Text(cases, style=style),
                Text(level.description, style=style),
            )
        return Group(title, table)

    def _size_bars(self, plan: DatasetPlan, minimum: int, risk: str, run: Run | None) -> Text:
        """The minimum and the three figures as bars: planned and built (a person's, s
        edits them) against the minimum, and the latest run's cases (measured, named by
        its run) against the cases built."""
        width = self.query_one("#sizes", Static).size.width
        self._drawn_width = width
        rows: list[tuple[str, int | None, str, bool | None]] = [
            ("Minimum", minimum, f"minimum at {risk} risk", None)
        ]
        for label, value, none in (
            (PLANNED_WORDS, plan.planned_size, "not planned yet"),
            (BUILT_WORDS, plan.actual_size, "not built yet"),
        ):
            if value == 0:
                rows.append((label, 0, none, False))
            elif value >= minimum:
                rows.append((label, value, "meets the minimum", True))
            else:
                rows.append((label, value, f"{minimum - value:,} below the minimum", False))
        labels = max(len(label) for label, _, _, _ in [*rows, (IN_RUN_WORDS, 0, "", None)])
        figures = max(6, *(len(f"{v:,}") for v in (minimum, plan.planned_size, plan.actual_size)))
        if run is not None:
            figures = max(figures, len(f"{run.case_count:,}"))
        # the label, the bar, the figure, the remark, and room for a scrollbar that comes later
        fixed = labels + 1 + 1 + figures + 2 + 3
        longest = max(len(remark) for _, _, remark, _ in rows)
        bar_width = max(4, min(48, (width or 60) - fixed - longest))
        if run is None:
            rows.append((IN_RUN_WORDS, None, NO_RUN_WORDS, None))
        else:  # the run's name, cut to the line rather than wrapped under the bars
            name, room = run_name(run), max(12, (width or 60) - fixed - bar_width)
            name = name if len(name) <= room else name[: room - 1] + "…"
            rows.append((IN_RUN_WORDS, run.case_count, name, run.case_count == plan.actual_size))
        scale = max(plan.planned_size, plan.actual_size, minimum, run.case_count if run else 0, 1)
        lines = Text()
        for label, figure, remark, ok in rows:
            filled, empty = bar(figure or 0, scale, bar_width)
            lines.append(f"{label:<{labels}} ")
            lines.append(filled, style="bold" if ok is None else "green" if ok else "red")
            lines.append(empty, style="dim")
            lines.append(f" {'—' if figure is None else format(figure, ','):>{figures}}  ")
            lines.append(remark + "\n", style="bold" if ok is False else "")
        if plan.actual_size and plan.planned_size and plan.actual_size < plan.planned_size:
            lines.append(
                f"{plan.planned_size - plan.actual_size:,} cases of the plan still to build.\n",
                style="dim",
            )
        if run is not None and run.case_count != plan.actual_size:
            lines.append(self._run_against_built(plan, run) + "\n", style="bold")
        lines.rstrip()
        return lines

    @staticmethod
    def _run_against_built(plan: DatasetPlan, run: Run) -> str:
        """What the latest run's count says about the cases built (the verdict's words)."""
        if run.case_count < plan.actual_size:
            return (
                f"The latest run {run.label!r} covered {run.case_count:,} of the "
                f"{plan.actual_size:,} cases built: run the whole set before measuring."
            )
        built = f"{plan.actual_size:,} are" if plan.actual_size else "none are"
        return (
            f"The latest run {run.label!r} has {run.case_count:,} cases but {built} "
            "recorded as built: update the figure (s)."
        )

    def _mix(self, plan: DatasetPlan) -> Text:
        base = plan.actual_size or plan.planned_size
        which = "built" if plan.actual_size else "planned"
        text = Text()
        text.append("Edge cases ", style="bold")
        text.append(f"{plan.edge_cases:,} ({share(plan.edge_cases, base)})  ")
        text.append("Adversarial ", style="bold")
        text.append(f"{plan.adversarial_cases:,} ({share(plan.adversarial_cases, base)})")
        if base:
            text.append(f"  of the {base:,} cases {which}", style="dim")
        return text

    def _composition_total(self, plan: DatasetPlan) -> Text:
        if not plan.composition:
            return Text("No categories yet: a adds one (balance the set across categories).")
        planned = sum(r.planned for r in plan.composition)
        actual = sum(r.actual for r in plan.composition)
        text = Text(f"The categories add up to {planned:,} planned and {actual:,} actual")
        differs = []
        if plan.planned_size and planned != plan.planned_size:
            differs.append(f"{plan.planned_size:,} planned")
        if plan.actual_size and actual != plan.actual_size:
            differs.append(f"{plan.actual_size:,} built")
        if differs:
            text.append(f"; the sizes above say {' and '.join(differs)}", style="bold")
        text.append(".")
        return text

    def _what_it_shows(self, snapshot: Snapshot) -> RenderableType:
        plan = snapshot.data.dataset
        n = plan.actual_size or plan.planned_size
        which = "built" if plan.actual_size else "planned"
        parts: list[RenderableType] = []
        title = Text(style="bold")
        if n:
            title.append(f"What the {which} {n:,} cases can and cannot show (95% confidence)")
        else:
            title.append("What a test set can show (no size recorded yet: s to plan one)")
        parts.append(title)
        if not n:
            return Group(*parts)
        for threshold in snapshot.data.thresholds:
            sentences = what_it_shows(n, threshold)
            if not sentences:
                continue
            block = Text()
            block.append("\n" + threshold.name + "\n", style="bold")
            for sentence in sentences:
                warning = "cannot" in sentence
                block.append("• " + sentence + "\n", style="bold" if warning else "")
            block.rstrip()
            parts.append(block)
        return Group(*parts)

    def _guidance(self, snapshot: Snapshot) -> Text:
        template = snapshot.template
        text = Text()
        if template.testing_kinds:
            text.append("\nThe four kinds of testing\n", style="bold")
            for kind in template.testing_kinds:
                text.append(f"{kind.title}", style="bold")
                text.append(f" — {kind.question}\n")
                for check in kind.checks:
                    text.append(f"  • {check}\n")
        if template.test_set.steps:
            text.append("\nBuilding a test set\n", style="bold")
            for number, step in enumerate(template.test_set.steps, 1):
                text.append(f"{number}. {step}\n")
        text.rstrip()
        return text

    # ---------------------------------------------------------- selection

    def _category(self) -> tuple[int, CompositionRow] | None:
        key = self.query_one("#composition", RecordTable).current_key
        if self.snapshot is None or key is None:
            return None
        for index, row in enumerate(self.snapshot.data.dataset.composition):
            if row.category == key:
                return index, row
        return None

    def select_record(self, key: str) -> None:
        table = self.query_one("#composition", RecordTable)
        table.select_key(key)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_category()

    # ------------------------------------------------------------ actions

    def action_risk(self) -> None:
        if self.snapshot is None:
            return
        current = self.snapshot.data.project.risk
        options = [
            (f"{level.title}: {level.description} (minimum {level.min_test_cases:,})", level.id)
            for level in self.snapshot.template.risk_levels
        ] or [("Low", "low"), ("Medium", "medium"), ("High", "high")]

        def save(values: Values | None) -> None:
            if values is None or not values["risk"] or values["risk"] == current:
                return
            risk = values["risk"]
            self.edit(
                lambda store, by: operations.edit_project(
                    store, by, seen=self.snapshot.data.project if self.snapshot else None, risk=risk
                ),
                f"risk level is now {risk}",
            )

        self.app.push_screen(
            FormDialog(
                "Risk level",
                [
                    FormField(
                        "risk", "How much harm can a wrong answer do?", current, "select", options
                    )
                ],
                help_text=wrap_help(
                    "The risk level sets the guide's minimum size for the test set."
                ),
            ),
            save,
        )

    def _save_plan(self, changes: dict[str, Any], describe: str, seen: DatasetPlan) -> None:
        self.edit(
            lambda store, by: operations.edit_test_set(store, by, seen=seen, **changes),
            describe,
        )

    def _plan_problem(self, **changes: Any) -> str | None:
        """The dataset model's objection to ``changes`` (a repeated category), or None."""
        if self.snapshot is None:
            return "the project is still loading"
        try:
            DatasetPlan.model_validate({**self.snapshot.data.dataset.model_dump(), **changes})
        except ValidationError as error:
            return describe_validation_error(error)
        return None

    def action_sizes(self) -> None:
        if self.snapshot is None:
            return
        plan = self.snapshot.data.dataset
        run = latest_run(self.snapshot.evidence)
        measured = (
            f"{IN_RUN_WORDS}: {NO_RUN_WORDS}."
            if run is None
            else f"{IN_RUN_WORDS}: {run.case_count:,} cases ({run_name(run)}), measured by "
            "the run, not edited here."
        )

        def read(values: Values) -> dict[str, int]:
            return {name: parse_count(values[name], label) for name, label in SIZE_FIELDS}

        def check(values: Values) -> str | None:
            try:
                return self._plan_problem(**read(values))
            except ValueError as error:
                return str(error)

        def save(values: Values | None) -> None:
            if values is None:
                return
            changes = {k: v for k, v in read(values).items() if v != getattr(plan, k)}
            if changes:
                self._save_plan(changes, "test-set sizes saved", plan)

        self.app.push_screen(
            FormDialog(
                "Test-set sizes",
                [FormField(name, label, str(getattr(plan, name))) for name, label in SIZE_FIELDS],
                check,
                help_text=wrap_help(measured),
            ),
            save,
        )

    def _category_dialog(self, index: int | None) -> None:
        if self.snapshot is None:
            return
        rows = list(self.snapshot.data.dataset.composition)
        current = rows[index] if index is not None else None
        seen = [r.model_dump(mode="json") for r in rows]

        def read(values: Values) -> list[dict[str, Any]]:
            category = values["category"].strip()
            if not category:
                raise ValueError("give the category a name")
            row = {
                "category": category,
                "planned": parse_count(values["planned"], "planned"),
                "actual": parse_count(values["actual"], "actual"),
            }
            new = [dict(r) for r in seen]
            if index is None:
                new.append(row)
            else:
                new[index] = row
            return new

        def check(values: Values) -> str | None:
            try:
                return self._plan_problem(composition=read(values))
            except ValueError as error:
                return str(error)

        def save(values: Values | None) -> None:
            if values is None:
                return
            new = read(values)
            if new == seen:
                return
            row = new[-1 if index is None else index]
            name = row["category"]
            if current is None:
                self.edit(
                    lambda store, by: operations.add_category(
                        store, by, name, row["planned"], row["actual"]
                    ),
                    f"category {name} added",
                )
            else:
                self.edit(
                    lambda store, by: operations.edit_category(
                        store, by, current.category, seen=current, **row
                    ),
                    f"category {name} saved",
                )
            self._pending_focus = name

        self.app.push_screen(
            FormDialog(
                "Add a category" if current is None else f"Category: {current.category}",
                [
                    FormField(
                        "category",
                        "Category (a kind of case or user)",
                        current.category if current else "",
                        placeholder="e.g. billing",
                    ),
                    FormField("planned", "Planned cases", str(current.planned) if current else ""),
                    FormField("actual", "Actual cases", str(current.actual) if current else ""),
                ],
                check,
            ),
            save,
        )

    def action_add_category(self) -> None:
        self._category_dialog(None)

    def action_edit_category(self) -> None:
        selected = self._category()
        if selected is not None:
            self._category_dialog(selected[0])

    def action_remove_category(self) -> None:
        selected = self._category()
        if selected is None or self.snapshot is None:
            return
        _index, row = selected
        self.remove_after_asking(
            f"Remove the category “{row.category}” "
            f"({row.planned:,} planned, {row.actual:,} actual)?",
            lambda store, by: operations.remove_category(store, by, row.category),
            f"category {row.category} removed",
        )

    def action_notes(self) -> None:
        if self.snapshot is None:
            return
        plan = self.snapshot.data.dataset
        current = plan.notes

        def check(values: Values) -> str | None:
            return self._plan_problem(notes=values["notes"].strip())

        def save(values: Values | None) -> None:
            if values is not None and values["notes"].strip() != current:
                notes = values["notes"].strip()
                self._save_plan({"notes": notes}, "test-set notes saved", plan)

        self.app.push_screen(
            FormDialog(
                "Test-set notes",
                [
                    FormField(
                        "notes",
                        "Where the cases come from, how they were labelled",
                        current,
                        "multiline",
                    )
                ],
                check,
            ),
            save,
        )
