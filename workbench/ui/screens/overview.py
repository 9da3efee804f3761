"""Overview: the verdict, a bar per area, the blockers and progress over time."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.ui.session import Snapshot

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from workbench.ui.messages import Navigate
from workbench.ui.screens.base import AreaScreen
from workbench.ui.text import Text
from workbench.ui.widgets.progress_chart import ProgressChart
from workbench.ui.widgets.score_bar import ScoreBar
from workbench.vocab import VERDICT_TITLES

VERDICT_TEXT = {
    "go": "Ready: every check passes.",
    "conditional": "No blockers, but open points remain.",
    "no_go": "Not ready: fix the blockers first.",
}


class OverviewScreen(AreaScreen):
    MODE = "overview"
    HEADING = "Overview"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="overview-down"),
        Binding("k", "cursor_up", "Up", show=False, id="overview-up"),
        Binding("enter", "fix", "Go fix", id="overview-fix"),
    ]

    def compose_main(self) -> ComposeResult:
        with Horizontal(id="verdict-row"):
            yield Static("…", id="verdict")
            yield Label("Loading the project…", id="verdict-text", markup=False)
        with Horizontal(id="overview-body"):
            with Vertical(id="findings-panel"):
                yield Label("Blockers and open points (enter: go fix)", classes="section-title")
                yield OptionList(id="findings")
            with Vertical(id="areas"):
                yield Label("Readiness by area (checks passed)", classes="section-title")
                yield Vertical(id="area-bars")
                yield Label(
                    "Checklist progress over time", classes="section-title", id="progress-title"
                )
                yield ProgressChart(id="progress")
                yield Label("", id="progress-caption", markup=False)
                yield Label("", id="since-last", markup=False)

    def show(self, snapshot: Snapshot) -> None:
        result = snapshot.readiness
        verdict = self.query_one("#verdict", Static)
        verdict.update(f" {VERDICT_TITLES[result.verdict]} ")
        for name in ("go", "conditional", "no_go"):
            verdict.set_class(result.verdict == name, f"-{name}")
        counts = f"{len(result.blockers)} blocker(s), {len(result.open_points)} open point(s)"
        self.query_one("#verdict-text", Label).update(
            Text(f"{VERDICT_TEXT[result.verdict]}  {counts}.")
        )
        bars = self.query_one("#area-bars", Vertical)
        if not bars.children:
            bars.mount_all(
                ScoreBar(s.title, s.passed, s.total, id=f"area-{s.area}") for s in result.scores
            )
        else:
            for score in result.scores:
                bars.query_one(f"#area-{score.area}", ScoreBar).set_value(score.passed, score.total)
        findings = self.query_one("#findings", OptionList)
        highlighted = findings.highlighted
        findings.clear_options()
        options = [
            Option(Text.assemble(("✗ ", "bold red"), b.reason), id=f"b{i}:{b.where}")
            for i, b in enumerate(result.blockers)
        ] + [
            Option(Text.assemble(("• ", "bold"), p.reason), id=f"o{i}:{p.where}")
            for i, p in enumerate(result.open_points)
        ]
        if options:
            findings.add_options(options)
            findings.highlighted = min(highlighted or 0, len(options) - 1)
        else:
            findings.add_option(Option("Nothing left to do.", disabled=True))
        days = snapshot.progress
        total = len(snapshot.data.checklist)
        done = sum(i.status != "open" for i in snapshot.data.checklist)
        self.query_one("#progress", ProgressChart).set_days(days, total)
        self.query_one("#progress-caption", Label).update(f"{done} of {total} closed")
        since = self.query_one("#since-last", Label)
        since.update(snapshot.since_last.words() if snapshot.since_last else "")
        since.display = snapshot.since_last is not None

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#findings", OptionList).focus()

    def action_cursor_down(self) -> None:
        self.query_one("#findings", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#findings", OptionList).action_cursor_up()

    def action_fix(self) -> None:
        findings = self.query_one("#findings", OptionList)
        if findings.highlighted is None:
            return
        option = findings.get_option_at_index(findings.highlighted)
        if option.id:
            self.post_message(Navigate(option.id.split(":", 1)[1]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "findings" and event.option.id:
            event.stop()
            self.post_message(Navigate(event.option.id.split(":", 1)[1]))
