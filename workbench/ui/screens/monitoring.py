"""Monitoring: the alert rules, the logging policy (always / optionally / never) and retention.

The guide's list of what to watch (performance, quality, business) is shown
underneath as context. Each section has its own keys; tab moves between the
alert table and the three logging lists.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Label, Static

from workbench import operations
from workbench.errors import WorkbenchError, describe_validation_error
from workbench.models import COMPARATORS, AlertRule, LoggingPolicy, LogTier
from workbench.operations.monitoring import new_alert, parse_window
from workbench.ui.dialogs.form import FormDialog, FormField, Values
from workbench.ui.screens.base import AreaScreen
from workbench.ui.session import Snapshot
from workbench.ui.text import Text
from workbench.ui.widgets.section import Section
from workbench.ui.widgets.tables import FittedTable, RecordTable, fit, plain, room
from workbench.units import (
    COMPARATOR_WORDS,
    UNIT_HINTS,
    condition_words,
    input_text,
    parse_value,
    parse_whole,
)

ALERT_COLUMNS = (("On", 3), ("Signal", 16), ("Alert when", 24), ("Owner", 16), ("Response", None))
NARROW_ALERT_COLUMNS = (("On", 3), ("Signal", 14), ("Alert when", 22), ("Owner", None))
WIDE_TABLE = 90
TIERS: tuple[LogTier, ...] = ("always", "optionally", "never")
TIER_TITLES = {"always": "Always log", "optionally": "Optionally log", "never": "Never log"}
COMPARATOR_OPTIONS = [(f"{c}  ({COMPARATOR_WORDS[c]})", c) for c in COMPARATORS]
UNIT_OPTIONS = [
    ("rate (a share: 40% or 0.4)", "rate"),
    ("seconds", "seconds"),
    ("count", "count"),
    ("score", "score"),
    ("x baseline (200% = twice the baseline)", "x baseline"),
]


def condition_text(alert: AlertRule) -> str:
    """When the alert fires, worded from its values: "above 5% over 15 min"."""
    return condition_words(alert.comparator, alert.value, alert.unit, alert.window_minutes)


class AlertsSection(Section):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "screen.toggle_alert", "On/off", id="monitoring-alert-toggle"),
        Binding("v", "screen.alert_value", "Value", id="monitoring-alert-value"),
        Binding("o", "screen.alert_owner", "Owner", id="monitoring-alert-owner"),
        Binding("r", "screen.alert_response", "Response", id="monitoring-alert-response"),
        Binding("w", "screen.alert_words", "Note", id="monitoring-alert-words"),
        Binding("a", "screen.add_alert", "Add alert", id="monitoring-alert-add"),
        Binding("x", "screen.remove_alert", "Remove", id="monitoring-alert-remove"),
    ]


class LoggingSection(Section):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "screen.add_entry", "Add entry", id="monitoring-log-add"),
        Binding("x", "screen.remove_entry", "Remove entry", id="monitoring-log-remove"),
        Binding("m", "screen.move_entry", "Move →", id="monitoring-log-move"),
        Binding("t", "screen.retention", "Retention", id="monitoring-retention"),
    ]


class MonitoringScreen(AreaScreen):
    MODE = "monitoring"
    HEADING = "Monitoring"

    DEFAULT_CSS = """
    MonitoringScreen #monitoring-body { height: 1fr; }
    MonitoringScreen #alerts { max-height: 12; }
    MonitoringScreen #alert-detail { height: auto; padding: 0 1; color: $text-muted; }
    MonitoringScreen #log-lists { height: auto; }
    MonitoringScreen .log-list { width: 1fr; max-height: 12; margin-right: 1; }
    MonitoringScreen #retention { height: auto; padding: 0 1; margin-top: 1; background: $boost; }
    MonitoringScreen #retention.-unset { color: $error; text-style: bold; }
    MonitoringScreen #watch { height: auto; }
    MonitoringScreen .watch-column { width: 1fr; height: auto; padding: 0 1; }
    MonitoringScreen.-narrow #log-lists { layout: vertical; }
    MonitoringScreen.-narrow .log-list { width: 1fr; margin-right: 0; margin-bottom: 1; }
    MonitoringScreen.-narrow #watch { layout: vertical; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._follow: tuple[LogTier, str] | None = None

    def compose_main(self) -> ComposeResult:
        with VerticalScroll(id="monitoring-body"):
            with AlertsSection(classes="monitoring-section", id="alerts-section"):
                yield Label("Alert rules", classes="section-title")
                yield FittedTable(ALERT_COLUMNS, id="alerts")
                yield Static("", id="alert-detail")
            with LoggingSection(classes="monitoring-section", id="logging-section"):
                yield Label("Logging policy", classes="section-title")
                with Horizontal(id="log-lists"):
                    for tier in TIERS:
                        yield FittedTable(
                            [(TIER_TITLES[tier], None)], id=f"log-{tier}", classes="log-list"
                        )
                yield Static("", id="retention")
            with Section(classes="monitoring-section", id="watch-section"):
                yield Label("What to watch (from the guide)", classes="section-title")
                with Horizontal(id="watch"):
                    for name in ("performance", "quality", "business"):
                        yield Static("", id=f"watch-{name}", classes="watch-column")

    def on_mount(self) -> None:
        self.query_one("#monitoring-body").can_focus = False
        for table in self.query(RecordTable):
            # The app stylesheet gives every DataTable `height: 1fr`, which a screen's
            # DEFAULT_CSS cannot override; stacked in a scroll, each table sizes to its rows.
            table.styles.height = "auto"
        self.query_one("#alerts", RecordTable).focus()

    def redraw(self) -> None:
        """Draw again at the new width (called by a FittedTable that was resized)."""
        if self.snapshot is not None:
            self.show(self.snapshot)

    # ---------------------------------------------------------------- drawing

    def show(self, snapshot: Snapshot) -> None:
        monitoring = snapshot.data.monitoring
        alerts = self.query_one("#alerts", FittedTable)
        wide = alerts.size.width >= WIDE_TABLE
        alerts.use_columns(ALERT_COLUMNS if wide else NARROW_ALERT_COLUMNS)
        fixed = sum(w or 0 for _, w in (ALERT_COLUMNS if wide else NARROW_ALERT_COLUMNS))
        width = room(alerts, fixed, 5 if wide else 4)
        rows = []
        for a in monitoring.alerts:
            owner = plain(a.owner) if a.owner else Text("nobody", style="bold red")
            cells = [
                Text("on", style="bold green") if a.enabled else Text("off", style="dim"),
                fit(plain(a.signal, "" if a.enabled else "dim"), 16),
                fit(condition_text(a), 24),
            ]
            if wide:
                cells += [fit(owner, 16), fit(plain(a.response), width)]
            else:
                cells += [fit(owner, width)]
            rows.append((a.id, cells))
        alerts.load(rows)
        self._show_alert_detail()

        policy = monitoring.logging
        for tier in TIERS:
            table = self.query_one(f"#log-{tier}", RecordTable)
            width = room(table, 0, 1)
            table.load(
                (str(i), [fit(entry, width)]) for i, entry in enumerate(getattr(policy, tier))
            )
        retention = self.query_one("#retention", Static)
        retention.set_class(policy.retention_days == 0, "-unset")
        text = Text()
        if policy.retention_days:
            text.append(f"Keep logs for {policy.retention_days} days", style="bold")
        else:
            text.append("No retention period set (t to set one)")
        if policy.retention_note:
            text.append("  ·  ")
            text.append(policy.retention_note)
        retention.update(text)
        if self._follow is not None:
            tier, entry = self._follow
            self._follow = None
            entries = getattr(policy, tier)
            if entry in entries:
                table = self.query_one(f"#log-{tier}", RecordTable)
                table.select_key(str(entries.index(entry)))
                table.focus()

        watch = snapshot.template.monitoring
        for name, title in (
            ("performance", "Performance"),
            ("quality", "Quality"),
            ("business", "Business"),
        ):
            column = Text.assemble((title, "bold"), "\n")
            for line in getattr(watch, name):
                column.append(f" • {line}\n")
            self.query_one(f"#watch-{name}", Static).update(column)

    def _show_alert_detail(self) -> None:
        alert = self._alert()
        detail = self.query_one("#alert-detail", Static)
        if alert is None:
            detail.update("No alert rules." if self.snapshot else "")
            return
        text = Text.assemble(
            (alert.signal, "bold"),
            f": alert when {condition_text(alert)}",
            ("" if alert.enabled else " (switched off)", "bold"),
        )
        if alert.condition:
            text.append(" · note: ")
            text.append(alert.condition)
        text.append("\nResponse: ", style="bold")
        text.append(alert.response or "—")
        text.append("  ·  Owner: ", style="bold")
        text.append(alert.owner or "nobody yet")
        detail.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "alerts":
            self._show_alert_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "alerts":
            self.action_alert_value()

    # ---------------------------------------------------------------- alerts

    def _alert(self) -> AlertRule | None:
        key = self.query_one("#alerts", RecordTable).current_key
        if self.snapshot is None or key is None:
            return None
        return next((a for a in self.snapshot.data.monitoring.alerts if a.id == key), None)

    def action_toggle_alert(self) -> None:
        alert = self._alert()
        if alert is None:
            return
        enabled = not alert.enabled
        said = "on" if enabled else "off"
        self.edit(
            lambda store, by: operations.switch_alert(store, by, alert.id, enabled, seen=alert),
            f"{alert.signal} alert is {said}",
        )

    def _edit_alert_text(self, field: str, label: str, multiline: bool) -> None:
        alert = self._alert()
        if alert is None:
            return
        self.edit_text(
            alert,
            field,
            label,
            lambda store, by, text: operations.edit_alert(
                store, by, alert.id, seen=alert, **{field: text}
            ),
            title=f"{label}: {alert.signal}",
            describe=f"{alert.signal} {field} saved",
            multiline=multiline,
        )

    def action_alert_owner(self) -> None:
        self._edit_alert_text("owner", "Who responds when it fires", multiline=False)

    def action_alert_response(self) -> None:
        self._edit_alert_text("response", "What to do when it fires", multiline=True)

    def action_alert_words(self) -> None:
        self._edit_alert_text(
            "condition",
            "A note on the condition (its words follow the value)",
            multiline=False,
        )

    def action_alert_value(self) -> None:
        alert = self._alert()
        if alert is None:
            return

        def parse(values: Values) -> tuple[AlertRule | None, str | None]:
            try:
                value = parse_value(values["value"], alert.unit)
                window = parse_whole(values["window"] or "0", "the window")
            except ValueError as error:
                return None, str(error)
            if window < 0:
                return None, "the window is a number of minutes, 0 or more"
            data: dict[str, Any] = {**alert.model_dump(), "value": value, "window_minutes": window}
            try:
                return AlertRule.model_validate(data), None
            except ValidationError as error:
                return None, describe_validation_error(error)

        def save(values: Values | None) -> None:
            if values is None:
                return
            updated, _ = parse(values)
            if updated is None:
                return
            changes = {
                f: getattr(updated, f)
                for f in ("value", "window_minutes")
                if getattr(updated, f) != getattr(alert, f)
            }
            if not changes:
                return
            self.edit(
                lambda store, by: operations.edit_alert(store, by, alert.id, seen=alert, **changes),
                lambda saved: f"{alert.signal}: alert when {condition_text(saved)}",
            )

        self.app.push_screen(
            FormDialog(
                f"Alert when {alert.signal} is {COMPARATOR_WORDS[alert.comparator]} …",
                [
                    FormField(
                        "value",
                        f"Value ({UNIT_HINTS[alert.unit]})",
                        input_text(alert.value, alert.unit),
                    ),
                    FormField(
                        "window", "Over how many minutes (0: any moment)", str(alert.window_minutes)
                    ),
                ],
                lambda values: parse(values)[1],
            ),
            save,
        )

    def action_add_alert(self) -> None:
        if self.snapshot is None:
            return
        alerts = self.snapshot.data.monitoring.alerts

        def read(values: Values) -> AlertRule:
            """The alert the form describes (ValueError saying what to change if none)."""
            unit = values["unit"] or "rate"
            value = parse_value(values["value"], unit)
            window = parse_window(values["window"])
            return new_alert(
                alerts, values["signal"], values["comparator"] or ">", value, unit, window,
                owner=values["owner"], response=values["response"],
            )  # fmt: skip

        def check(values: Values) -> str | None:
            try:
                read(values)
            except (ValueError, WorkbenchError) as error:
                return str(error)
            return None

        def save(values: Values | None) -> None:
            if values is None:
                return
            a = read(values)
            self.edit(
                lambda store, by: operations.add_alert(
                    store, by, a.signal, a.comparator, a.value, a.unit, a.window_minutes,
                    owner=a.owner, response=a.response,
                ),
                lambda saved: f"alert {saved.signal} added: alert when {condition_text(saved)}",
                on_saved=lambda saved: self.select_record(saved.id),
            )  # fmt: skip

        self.app.push_screen(
            FormDialog(
                "Add an alert rule",
                [
                    FormField("signal", "Signal to watch", placeholder="e.g. Approval rate"),
                    FormField("comparator", "Alert when it is", ">", "select", COMPARATOR_OPTIONS),
                    FormField("value", "Value", placeholder="e.g. 40% or 0.4; 2.5s; 12"),
                    FormField("unit", "Unit", "rate", "select", UNIT_OPTIONS),
                    FormField(
                        "window", "Over (0: any moment)", placeholder="e.g. 15 min, 4 h, 1 day"
                    ),
                    FormField("owner", "Who responds when it fires"),
                    FormField("response", "What to do when it fires", "", "multiline"),
                ],
                check,
            ),
            save,
        )

    def action_remove_alert(self) -> None:
        alert = self._alert()
        if alert is None:
            return
        self.remove_after_asking(
            f"Remove the alert on “{alert.signal[:60]}” ({condition_text(alert)})?",
            lambda store, by: operations.remove_alert(store, by, alert.id),
            f"alert {alert.signal[:60]} removed",
        )

    def select_record(self, key: str) -> None:
        table = self.query_one("#alerts", RecordTable)
        if table.select_key(key):
            table.focus()
            self._show_alert_detail()

    # --------------------------------------------------------------- logging

    def _focused_tier(self) -> LogTier | None:
        focused = self.focused
        if focused is None or not focused.id or not focused.id.startswith("log-"):
            return None
        tier = focused.id.removeprefix("log-")
        return next((t for t in TIERS if t == tier), None)

    def _entry(self, tier: LogTier) -> tuple[int, str] | None:
        if self.snapshot is None:
            return None
        key = self.query_one(f"#log-{tier}", RecordTable).current_key
        entries = getattr(self.snapshot.data.monitoring.logging, tier)
        if key is None or not key.isdigit() or int(key) >= len(entries):
            return None
        return int(key), entries[int(key)]

    def action_add_entry(self) -> None:
        tier = self._focused_tier() or "always"
        if self.snapshot is None:
            return
        policy = self.snapshot.data.monitoring.logging

        def check(values: Values) -> str | None:
            entry = values["entry"].strip()
            if not entry:
                return "write what to log"
            for other in TIERS:
                if entry in getattr(policy, other):
                    return f"{entry!r} is already in {TIER_TITLES[other].lower()}"
            try:
                LoggingPolicy.model_validate(
                    {**policy.model_dump(), tier: [*getattr(policy, tier), entry]}
                )
            except ValidationError as error:
                return describe_validation_error(error)
            return None

        def save(values: Values | None) -> None:
            if values is None:
                return
            entry = values["entry"].strip()
            self._follow = (tier, entry)
            self.edit(
                lambda store, by: operations.add_log_entry(store, by, tier, entry),
                f"{entry!r} added to {TIER_TITLES[tier].lower()}",
            )

        self.app.push_screen(
            FormDialog(
                f"Add to {TIER_TITLES[tier].lower()}", [FormField("entry", "What", "")], check
            ),
            save,
        )

    def action_remove_entry(self) -> None:
        tier = self._focused_tier()
        found = self._entry(tier) if tier else None
        if tier is None or found is None or self.snapshot is None:
            return
        _index, entry = found
        self.edit(
            lambda store, by: operations.remove_log_entry(store, by, tier, entry),
            f"{entry!r} removed from {TIER_TITLES[tier].lower()} (ctrl+z brings it back)",
        )

    def action_move_entry(self) -> None:
        tier = self._focused_tier()
        found = self._entry(tier) if tier else None
        if tier is None or found is None or self.snapshot is None:
            return
        _index, entry = found
        target = TIERS[(TIERS.index(tier) + 1) % len(TIERS)]
        self._follow = (target, entry)
        self.edit(
            lambda store, by: operations.move_log_entry(store, by, entry, tier, target),
            f"{entry!r} moved to {TIER_TITLES[target].lower()}",
        )

    def action_retention(self) -> None:
        if self.snapshot is None:
            return
        policy = self.snapshot.data.monitoring.logging

        def parse(values: Values) -> tuple[dict[str, Any] | None, str | None]:
            raw = values["days"].strip()
            if not raw.isdigit():
                return None, f"write a whole number of days, 0 or more (not {raw or 'nothing'!r})"
            changes: dict[str, Any] = {
                "retention_days": int(raw),
                "retention_note": values["note"].strip(),
            }
            try:
                LoggingPolicy.model_validate({**policy.model_dump(), **changes})
            except ValidationError as error:
                return None, describe_validation_error(error)
            return {k: v for k, v in changes.items() if getattr(policy, k) != v}, None

        def save(values: Values | None) -> None:
            if values is None:
                return
            changes, _ = parse(values)
            if not changes:
                return
            self.edit(
                lambda store, by: operations.edit_retention(store, by, seen=policy, **changes),
                lambda saved: f"logs are kept for {saved.retention_days} days",
            )

        self.app.push_screen(
            FormDialog(
                "Log retention",
                [
                    FormField("days", "Keep logs for how many days", str(policy.retention_days)),
                    FormField(
                        "note",
                        "Why this period (your data retention policy)",
                        policy.retention_note,
                    ),
                ],
                lambda values: parse(values)[1],
                help_text="Many regulations oblige you to delete logs after a set period.",
            ),
            save,
        )
