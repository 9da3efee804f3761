"""Overview: the verdict, a bar per area, the blockers and progress over time."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.governance import Governance
    from workbench.readiness import Blocker
    from workbench.ui.dialogs.form import Values
    from workbench.ui.session import Snapshot

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from workbench.errors import WorkbenchError
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
        Binding("o", "assign", "Owner & due", id="overview-assign"),
        Binding("s", "sign_off", "Sign off", id="overview-sign-off"),
    ]

    def compose_main(self) -> ComposeResult:
        with Horizontal(id="verdict-row"):
            yield Static("…", id="verdict")
            yield Label("Loading the project…", id="verdict-text", markup=False)
        with Horizontal(id="overview-body"):
            with Vertical(id="findings-panel"):
                yield Label(
                    "Blockers and open points (enter: fix · o: owner)", classes="section-title"
                )
                yield OptionList(id="findings")
                yield Label("Sign-off (s: sign)", classes="section-title")
                yield Label("", id="signoffs", markup=False)
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
            Option(_finding(("✗ ", "bold red"), b), id=f"b{i}:{b.where}")
            for i, b in enumerate(result.blockers)
        ] + [
            Option(_finding(("• ", "bold"), p), id=f"o{i}:{p.where}")
            for i, p in enumerate(result.open_points)
        ]
        if options:
            findings.add_options(options)
            findings.highlighted = min(highlighted or 0, len(options) - 1)
        else:
            findings.add_option(Option("Nothing left to do.", disabled=True))
        self.query_one("#signoffs", Label).update(_signoff_text(result.governance))
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

    def _highlighted_point(self) -> Blocker | None:
        findings = self.query_one("#findings", OptionList)
        if self.snapshot is None or findings.highlighted is None:
            return None
        option = findings.get_option_at_index(findings.highlighted)
        if not option.id:
            return None
        result = self.snapshot.readiness
        kind, number = option.id[0], int(option.id[1:].split(":", 1)[0])
        points = result.blockers if kind == "b" else result.open_points
        return points[number] if number < len(points) else None

    def action_assign(self) -> None:
        """Give the highlighted blocker or open point an owner, a due date and a note."""
        # The core is imported when it is first needed: the overview is the first frame,
        # and the models and the store load in the background (see workbench.ui.reading).
        from workbench.operations import assign
        from workbench.operations.approval import parse_due
        from workbench.ui.dialogs.form import FormDialog, FormField

        point = self._highlighted_point()
        if point is None:
            self.workbench.show_status("Nothing to assign: no blocker or open point chosen")
            return
        assert self.snapshot is not None
        seen = next((a for a in self.snapshot.data.actions if a.point == point.key), None)
        fields = [
            FormField("owner", "Owner: who will close it", point.owner),
            FormField(
                "due",
                "Due date",
                point.due.isoformat() if point.due else "",
                placeholder="YYYY-MM-DD (blank: none)",
            ),
            FormField("note", "What will be done", seen.note if seen else "", "multiline"),
        ]

        def check(values: Values) -> str | None:
            try:
                parse_due(values["due"])
            except WorkbenchError as error:
                return str(error)
            return None

        def save(values: Values | None) -> None:
            if values is None:
                return
            self.edit(
                lambda store, by: assign(
                    store,
                    point.key,
                    by,
                    owner=values["owner"],
                    due=values["due"],
                    note=values["note"].strip(),
                    seen=seen,
                ),
                lambda a: (
                    f"action item saved: {a.owner or 'no owner'}"
                    + (f", due {a.due}" if a.due else "")
                ),
            )

        self.app.push_screen(
            FormDialog("Owner and due date", fields, check, help_text=point.reason), save
        )

    def action_sign_off(self) -> None:
        """Sign off the project as it is now, in a role the risk level asks for (or any)."""
        from workbench.operations import sign_off
        from workbench.ui.dialogs.form import FormDialog, FormField

        if self.snapshot is None:
            return
        record = self.snapshot.readiness.governance
        roles = record.missing_roles or record.required_roles
        fields = [
            FormField("role", "Role", roles[0] if roles else "", placeholder="product owner"),
            FormField("by", "Name of who signs", ""),
            FormField("note", "Note (what the approval is conditional on)", "", "multiline"),
        ]

        def check(values: Values) -> str | None:
            if not values["role"].strip():
                return "say which role signs (for example: product owner)"
            if not values["by"].strip():
                return "write the name of who signs"
            return None

        def save(values: Values | None) -> None:
            if values is None:
                return
            self.edit(
                lambda store, by: sign_off(
                    store, values["role"], values["by"], values["note"].strip()
                ),
                lambda s: f"signed off: {s.by} as {s.role} (content {s.digest[:12]}…)",
            )

        needed = ", ".join(record.required_roles) or "none at this risk level"
        self.app.push_screen(
            FormDialog(
                "Sign off",
                fields,
                check,
                help_text=f"Approves the project as it is now. Roles needed: {needed}.",
            ),
            save,
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "findings" and event.option.id:
            event.stop()
            self.post_message(Navigate(event.option.id.split(":", 1)[1]))


def _finding(mark: tuple[str, str], point: Blocker) -> Text:
    """A blocker or open point, with its owner and due date (overdue in red)."""
    parts: list[str | tuple[str, str]] = [mark, point.reason]
    if point.owner or point.due:
        owner = point.owner or "no owner"
        due = f", due {point.due.isoformat()}" if point.due else ""
        parts.append((f"  ({owner}{due})", "dim"))
    if point.overdue:
        parts.append(("  OVERDUE", "bold red"))
    return Text.assemble(*parts)


def _signoff_text(record: Governance) -> str:
    """One line a sign-off (stale ones said so), then the roles still to sign."""
    lines = [
        f"{'STALE ' if s.stale else '✓ '}{s.role}: {s.by}, {s.signed_at[:10]}"
        + (f" ({s.changes_after} change(s) since)" if s.stale else "")
        for s in record.signoffs
    ]
    unsigned = [r for r in record.missing_roles if record.latest(r) is None]
    if unsigned:
        lines.append("To sign: " + ", ".join(unsigned))
    if not lines:
        lines.append("No sign-off needed at this risk level (s signs anyway).")
    return "\n".join(lines)
