"""Checklist: the four sections with completion bars; tick, not-applicable, owner, evidence."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from workbench.models import ChecklistItem
from workbench.operations import edit_item, tick
from workbench.plan_facts import plan_fact
from workbench.ui.dialogs.form import FormDialog, FormField, Values
from workbench.ui.screens.base import AreaScreen
from workbench.ui.session import Snapshot, with_saved
from workbench.ui.text import Text
from workbench.ui.widgets.score_bar import ScoreBar
from workbench.ui.widgets.tables import plain
from workbench.ui.widgets.virtual_table import VirtualTable

MARKS = {"open": ("[ ]", ""), "done": ("[x]", "bold green"), "na": ("n/a", "dim")}


class ChecklistScreen(AreaScreen):
    MODE = "checklist"
    HEADING = "Checklist"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_item", "Done/open", id="toggle-item"),
        Binding("n", "not_applicable", "Not applicable", id="item-na"),
        Binding("o", "owner", "Owner", id="item-owner"),
        Binding("e", "evidence", "Evidence", id="item-evidence"),
        Binding("f", "filter", "Only open", id="filter-open"),
    ]

    only_open = False

    def compose_main(self) -> ComposeResult:
        yield Vertical(id="section-bars")
        with Horizontal(id="checklist-body"):
            yield VirtualTable(
                [("", 3), ("Item", None), ("Owner", 14), ("Evidence", 24)], id="items"
            )
            with VerticalScroll(id="item-detail"):
                yield Static("", id="item-detail-text")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#items", VirtualTable).focus()

    def show(self, snapshot: Snapshot) -> None:
        titles = {s.id: s.title for s in snapshot.template.sections}
        sections: dict[str, list[ChecklistItem]] = {}
        for item in snapshot.data.checklist:
            sections.setdefault(item.section, []).append(item)
        bars = self.query_one("#section-bars", Vertical)
        for section, items in sections.items():
            closed = sum(i.status != "open" for i in items)
            label = titles.get(section, section)
            try:
                bars.query_one(f"#section-{section}", ScoreBar).set_value(closed, len(items))
            except Exception:
                bars.mount(ScoreBar(label, closed, len(items), id=f"section-{section}"))
        rows = [
            (item.id, _cells(item))
            for item in snapshot.data.checklist
            if not (self.only_open and item.status != "open")
        ]
        table = self.query_one("#items", VirtualTable)
        table.load(rows)
        table.border_title = "Only open items (f: show all)" if self.only_open else None
        self._show_detail()

    def show_saved(self, record: object) -> None:
        """An item just saved: its row, its section's bar and the detail, not all 2,000
        rows (the full redraw follows the next read)."""
        snapshot = self.snapshot
        if not isinstance(record, ChecklistItem) or snapshot is None:
            super().show_saved(record)
            return
        if not with_saved(snapshot, record):
            return
        table = self.query_one("#items", VirtualTable)
        if table.has_key(record.id):
            table.update_row(record.id, _cells(record))
        section = [i for i in snapshot.data.checklist if i.section == record.section]
        closed = sum(i.status != "open" for i in section)
        for bar in self.query(f"#section-{record.section}").results(ScoreBar):
            bar.set_value(closed, len(section))
        self._show_detail()

    def _item(self) -> ChecklistItem | None:
        key = self.query_one("#items", VirtualTable).current_key
        if self.snapshot is None or key is None:
            return None
        return next((i for i in self.snapshot.data.checklist if i.id == key), None)

    def _show_detail(self) -> None:
        item = self._item()
        detail = self.query_one("#item-detail-text", Static)
        if item is None:
            detail.update("No item selected." if not self.only_open else "No open items left.")
            return
        status = {"open": "open", "done": "done", "na": "not applicable"}[item.status]
        text = Text()
        text.append(item.title + "\n", style="bold")
        text.append(f"{item.id} · {status}\n\n", style="dim")
        text.append(item.help + "\n\n")
        text.append("Owner: ", style="bold")
        text.append((item.owner or "—") + "\n")
        text.append("Evidence: ", style="bold")
        text.append((item.evidence or "—") + "\n")
        fact = plan_fact(self.snapshot.data, item.id) if self.snapshot else None
        if fact is not None:
            text.append("On the plan: ", style="bold")
            text.append(("✓ " if fact.met else "✗ ") + fact.words + "\n")
            if fact.met and item.status == "open":
                text.append("space closes the item with this as its evidence\n", style="dim")
            elif not fact.met and item.status == "done":
                text.append("ticked, but the plan does not show it yet\n", style="bold red")
        if item.status == "na":
            text.append("Why not applicable: ", style="bold")
            text.append(item.reason + "\n")
        if item.updated_by:
            text.append(f"\nLast changed by {item.updated_by} at {item.updated_at}", style="dim")
        detail.update(text)

    def on_virtual_table_row_highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        self._show_detail()

    def select_record(self, key: str) -> None:
        table = self.query_one("#items", VirtualTable)
        if not table.select_key(key) and self.only_open:
            self.only_open = False
            self.reload()
            self._pending_focus = key
        table.focus()

    # ------------------------------------------------------------- actions

    def action_toggle_item(self) -> None:
        item = self._item()
        if item is None:
            return
        status = "open" if item.status != "open" else "done"
        seen = {"status": item.status}  # refused if someone else changed it meanwhile
        said = f"{item.id} is {status}"
        if status == "done" and not item.evidence and self.snapshot is not None:
            fact = plan_fact(self.snapshot.data, item.id)
            if fact is not None and fact.met:
                said += " · its evidence is what the plan records"
            else:
                said += " · no evidence yet: e to attach what shows it"
        self.edit(lambda store, by: tick(store, item.id, status, by, expect=seen), said)

    def action_not_applicable(self) -> None:
        item = self._item()
        if item is None:
            return

        def check(values: Values) -> str | None:
            if not values["reason"].strip():
                return "say why the item does not apply"
            return None

        def save(values: Values | None) -> None:
            if values is not None:
                reason = values["reason"].strip()
                seen = {"status": item.status, "reason": item.reason}
                self.edit(
                    lambda store, by: tick(store, item.id, "na", by, reason=reason, expect=seen),
                    f"{item.id} is not applicable",
                )

        self.app.push_screen(
            FormDialog(
                f"Not applicable: {item.title}",
                [FormField("reason", "Why does it not apply?", item.reason, "multiline")],
                check,
            ),
            save,
        )

    def _edit_field(self, field: str, label: str, multiline: bool = False) -> None:
        item = self._item()
        if item is None:
            return
        current = getattr(item, field)

        def save(values: Values | None) -> None:
            if values is not None and values[field] != current:
                value = values[field].strip()
                self.edit(
                    lambda store, by: edit_item(
                        store, item.id, by, expect={field: current}, **{field: value}
                    ),
                    f"{item.id} {field} updated",
                )

        self.app.push_screen(
            FormDialog(
                f"{label}: {item.title}",
                [FormField(field, label, current, "multiline" if multiline else "text")],
            ),
            save,
        )

    def action_owner(self) -> None:
        self._edit_field("owner", "Owner")

    def action_evidence(self) -> None:
        self._edit_field("evidence", "Evidence (text or link)", multiline=True)

    def action_filter(self) -> None:
        self.only_open = not self.only_open
        if self.snapshot is not None:
            self.show(self.snapshot)


def _cells(item: ChecklistItem) -> list[object]:
    mark, style = MARKS[item.status]
    evidence = item.evidence if item.status != "na" else f"n/a: {item.reason}"
    return [Text(mark, style=style), plain(item.title), item.owner, evidence]
