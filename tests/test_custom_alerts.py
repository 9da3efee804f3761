"""Custom alert rules: a team's own signals beside the guide's five, added and removed
through one operation each, undoable, and shown wherever the built-in ones are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from core_support import Runner

from workbench import operations
from workbench.errors import InvalidValueError, NotFoundError
from workbench.operations.monitoring import alert_id_for, parse_window
from workbench.reports import build_report, render
from workbench.store import Store


def add_approval(store: Store, by: str = "ana", **kwargs):
    values = {
        "signal": "Approval rate",
        "comparator": "<",
        "value": 0.4,
        "unit": "rate",
        "window_minutes": 1440,
        "owner": "Credit risk lead",
        "response": "Pause automatic pre-screening; review the last day's cases",
    }
    values.update(kwargs)
    return operations.add_alert(store, by, **values)


# ---------------------------------------------------------------- operations


def test_add_alert_saves_it_last_with_an_id_from_its_signal(store: Store) -> None:
    before = store.load().monitoring.alerts
    alert = add_approval(store)
    assert alert.id == "approval-rate"
    assert (alert.comparator, alert.value, alert.unit, alert.window_minutes) == (
        "<",
        0.4,
        "rate",
        1440,
    )
    assert alert.enabled
    alerts = store.load().monitoring.alerts
    assert [a.id for a in alerts] == [*(a.id for a in before), "approval-rate"]
    assert alerts[-1].position > max(a.position for a in before)
    assert store.get("alert", "approval-rate") == alert


def test_adding_an_alert_is_one_history_entry_and_undo_removes_it(store: Store) -> None:
    add_approval(store)
    change = store.last_change("ana")
    assert change is not None
    assert change.summary == "added alert approval-rate: Approval rate below 40% over 1 day"
    entry = store.history(limit=1, entity="alert")[0]
    assert (entry.key, entry.field, entry.old, entry.by) == ("approval-rate", "*", None, "ana")
    store.undo("ana")
    with pytest.raises(NotFoundError):
        store.get("alert", "approval-rate")


def test_remove_alert_is_recorded_and_undo_brings_it_back(store: Store) -> None:
    alert = add_approval(store)
    operations.remove_alert(store, "ben", "approval-rate")
    assert "approval-rate" not in {a.id for a in store.load().monitoring.alerts}
    entry = store.history(limit=1, entity="alert")[0]
    assert (entry.key, entry.field, entry.new, entry.by) == ("approval-rate", "*", None, "ben")
    assert store.last_change("ben").summary == "removed alert approval-rate (Approval rate)"
    store.undo("ben")
    assert store.get("alert", "approval-rate") == alert


def test_removing_an_unknown_alert_names_it(store: Store) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        operations.remove_alert(store, "ana", "nope")


def test_a_signal_already_watched_is_refused_case_aside(store: Store) -> None:
    add_approval(store)
    with pytest.raises(InvalidValueError) as refused:
        add_approval(store, signal="  approval RATE ", value=0.3)
    message = str(refused.value)
    assert "\n" not in message
    assert message == (
        "there is already an alert on 'Approval rate'; edit that one, or name this signal "
        "differently"
    )
    assert len(store.load().monitoring.alerts) == 6


def test_a_signal_with_a_taken_id_gets_a_suffix(store: Store) -> None:
    # "Error-rate!" is a different signal from the guide's "Error rate", same slug
    first = add_approval(store, signal="Error-rate!")
    second = add_approval(store, signal="Error rate?")
    assert (first.id, second.id) == ("error-rate-2", "error-rate-3")


def test_an_id_is_made_from_any_signal() -> None:
    assert alert_id_for("Fairness gap between groups", set()) == "fairness-gap-between-groups"
    assert alert_id_for("Zoë's  approvals (%)", set()) == "zoes-approvals"
    assert alert_id_for("审批率", set()) == "alert"
    assert alert_id_for("审批率", {"alert"}) == "alert-2"
    assert len(alert_id_for("x" * 300, set())) <= 60


def test_a_rate_out_of_range_is_refused_with_one_line(store: Store) -> None:
    with pytest.raises(InvalidValueError) as refused:
        add_approval(store, value=1.5)
    message = str(refused.value)
    assert "\n" not in message
    assert "between 0 and 1 (0% to 100%)" in message
    assert "approval-rate" not in {a.id for a in store.load().monitoring.alerts}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"signal": "  "}, "name the signal to watch (for example: Approval rate)"),
        ({"comparator": "=="}, "comparator"),
        ({"unit": "percent"}, "unit"),
        ({"window_minutes": -5}, "window"),
    ],
)
def test_other_bad_values_are_refused_with_one_line(
    store: Store, kwargs: dict, expected: str
) -> None:
    with pytest.raises(InvalidValueError) as refused:
        add_approval(store, **kwargs)
    assert expected in str(refused.value)
    assert "\n" not in str(refused.value)
    assert len(store.load().monitoring.alerts) == 5


def test_a_count_alert_keeps_its_unit(store: Store) -> None:
    alert = add_approval(
        store, signal="Appeals per day", comparator=">", value=12, unit="count", window_minutes=0
    )
    assert (alert.id, alert.unit, alert.value, alert.window_minutes) == (
        "appeals-per-day",
        "count",
        12,
        0,
    )


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("15 min", 15),
        ("15", 15),
        ("4 h", 240),
        ("1 h 30 min", 90),
        ("1 day", 1440),
        ("2 days", 2880),
        ("1d", 1440),
        ("0", 0),
        ("", 0),
    ],
)
def test_a_window_is_typed_in_minutes_hours_or_days(text: str, minutes: int) -> None:
    assert parse_window(text) == minutes


@pytest.mark.parametrize("text", ["soon", "-1 day", "1.3 min"])
def test_a_bad_window_says_what_to_write(text: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_window(text)
    assert "15 min" in str(refused.value) and "1 day" in str(refused.value)


# ---------------------------------------------------------------- reports


def test_every_report_lists_a_custom_alert(store: Store) -> None:
    add_approval(store)
    add_approval(
        store,
        signal="Fairness gap between groups",
        comparator=">",
        value=0.05,
        window_minutes=10080,
        owner="Fairness reviewer",
        response="Hold decisions for the group behind",
    )
    report = build_report(store.load(), store.template(), store.history())
    md = render(report, "md")
    assert "| Approval rate | below 40% over 1 day |" in md
    assert "| Fairness gap between groups | above 5% over 7 days |" in md
    html = render(report, "html")
    assert "Fairness gap between groups" in html and "below 40% over 1 day" in html
    alerts = json.loads(render(report, "json"))["monitoring"]["alerts"]
    assert [a["id"] for a in alerts][-2:] == ["approval-rate", "fairness-gap-between-groups"]
    assert "Credit risk lead" in render(report, "toml")


def test_a_custom_alert_survives_the_toml_round_trip(cli: Runner, project: Path) -> None:
    with Store.open(project) as store:
        add_approval(store)
        operations.switch_alert(store, "ana", "approval-rate", False, seen=None)
    out = project.with_name("demo.toml")
    assert cli("export", project, "--format", "toml", "-o", out).code == 0
    copy = project.with_name("copy.sqlite")
    assert cli("new", copy, "--from", out).code == 0
    with Store.open(project) as original, Store.open(copy) as store:
        assert store.load().monitoring.alerts == original.load().monitoring.alerts
        assert store.get("alert", "approval-rate").enabled is False


# ---------------------------------------------------------------- command line


def test_cli_adds_an_alert(cli: Runner, project: Path) -> None:
    result = cli(
        "alert", project, "--signal", "Approval rate", "--comparator", "<", "--value", "40%",
        "--unit", "rate", "--window", "1 day", "--owner", "Credit risk lead",
        "--response", "Pause pre-screening", "--by", "ana",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out == "Saved: alert approval-rate: Approval rate below 40% over 1 day.\n"
    with Store.open(project) as store:
        alert = store.get("alert", "approval-rate")
        assert (alert.value, alert.window_minutes, alert.owner) == (0.4, 1440, "Credit risk lead")
        assert store.last_change("ana") is not None


def test_cli_removes_an_alert_and_undo_brings_it_back(cli: Runner, project: Path) -> None:
    with Store.open(project) as store:
        add_approval(store, by="tester")
    result = cli("alert", project, "--remove", "approval-rate")
    assert result.code == 0, result.err
    assert result.out.startswith("Saved: alert approval-rate (Approval rate) removed")
    assert cli("undo", project).code == 0
    with Store.open(project) as store:
        assert store.get("alert", "approval-rate").signal == "Approval rate"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--signal", "Approval rate", "--comparator", "<"], "--value"),
        (["--signal", "Approval rate", "--comparator", "<", "--value", "140%"], "between 0"),
        (["--signal", "Approval rate", "--comparator", "<", "--value", "4o%"], "not a number"),
        (["--signal", "Error rate", "--comparator", ">", "--value", "1%"], "already an alert"),
        (
            ["--signal", "Approval", "--comparator", "<", "--value", "40%", "--window", "daily"],
            "1 day",
        ),
        (["--remove", "approval-rate", "--signal", "Approval rate"], "--remove"),
        (["--remove", "nope"], "nope"),
    ],
)
def test_cli_refusals_are_one_line_and_exit_2(
    cli: Runner, project: Path, args: list[str], expected: str
) -> None:
    result = cli("alert", project, *args)
    assert result.code == 2
    assert expected in result.err
    assert result.err.count("\n") == 1
    with Store.open(project) as store:
        assert len(store.load().monitoring.alerts) == 5
