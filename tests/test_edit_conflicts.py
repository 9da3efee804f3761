"""Two people, one project file: no edit is lost.

Each case is one editable field of one screen. Two sessions open the same file and
read the project as their screens show it (``project_state``: the thresholds as the
latest run measures them). The first saves a value; the second, still looking at the
old one, saves another: it is refused with "changed by someone else", and the file
keeps the first value. For every list a team adds to, both additions are kept.

``test_the_checks_can_fail`` switches the store's conflict check off and shows every
field case then fails: the cases test the check, not themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from workbench import operations as ops
from workbench.errors import ConflictError
from workbench.models import ProjectData
from workbench.store import Store

Data = ProjectData


@dataclass
class Field:
    """One editable field: where the record is, how the screen saves it, how to read it."""

    name: str
    seen: Callable[[Data], Any]  # the record as a screen shows it
    save: Callable[[Store, str, Any, Any], Any]  # (store, by, seen record, new value)
    first: Any
    second: Any
    value: Callable[[Data], Any]  # the field's value in the file


def _one(records: list[Any], **match: Any) -> Any:
    return next(r for r in records if all(getattr(r, k) == v for k, v in match.items()))


def alert(d: Data) -> Any:
    return d.monitoring.alerts[0]


def stage(d: Data) -> Any:
    return _one(d.rollout.stages, week=1)


def measure_(d: Data) -> Any:
    return d.oversight.measures[0]


def severity(d: Data) -> Any:
    return d.incident_response.severity_levels[0]


def phase(d: Data) -> Any:
    return d.incident_response.playbook[0]


def rollback(d: Data) -> Any:
    return d.incident_response.rollback_options[0]


def on_call(d: Data) -> Any:
    return d.incident_response.on_call[0]


def accuracy(d: Data) -> Any:
    return _one(d.thresholds, metric="accuracy")


def decision(d: Data) -> Any:
    return _one(d.decisions, id=1)


def item(d: Data) -> Any:
    return d.checklist[0]


def category(d: Data) -> Any:
    return _one(d.dataset.composition, category="billing")


def _settings(field: str, first: Any, second: Any) -> Field:
    return Field(
        f"rollout settings: {field}",
        lambda d: d.rollout.settings,
        lambda s, by, seen, v: ops.edit_rollout_settings(s, by, seen=seen, **{field: v}),
        first,
        second,
        lambda d: getattr(d.rollout.settings, field),
    )


def _project(field: str, first: Any, second: Any) -> Field:
    return Field(
        f"project: {field}",
        lambda d: d.project,
        lambda s, by, seen, v: ops.edit_project(s, by, seen=seen, **{field: v}),
        first,
        second,
        lambda d: getattr(d.project, field),
    )


def _decision(field: str, first: Any, second: Any) -> Field:
    return Field(
        f"decision: {field}",
        decision,
        lambda s, by, seen, v: ops.edit_decision(s, by, 1, seen=seen, **{field: v}),
        first,
        second,
        lambda d: getattr(decision(d), field),
    )


def _alert(field: str, first: Any, second: Any) -> Field:
    return Field(
        f"alert: {field}",
        alert,
        lambda s, by, seen, v: ops.edit_alert(s, by, seen.id, seen=seen, **{field: v}),
        first,
        second,
        lambda d: getattr(alert(d), field),
    )


def _measure(field: str, first: Any, second: Any) -> Field:
    return Field(
        f"oversight measure: {field}",
        measure_,
        lambda s, by, seen, v: ops.edit_measure(s, by, seen.id, seen=seen, **{field: v}),
        first,
        second,
        lambda d: getattr(measure_(d), field),
    )


def _test_set(field: str, first: Any, second: Any) -> Field:
    return Field(
        f"test set: {field}",
        lambda d: d.dataset,
        lambda s, by, seen, v: ops.edit_test_set(s, by, seen=seen, **{field: v}),
        first,
        second,
        lambda d: getattr(d.dataset, field),
    )


FIELDS = [
    # checklist (the screen passes what it saw as ``expect``)
    Field(
        "checklist item: status",
        item,
        lambda s, by, seen, v: ops.tick(s, seen.id, v, by, expect={"status": seen.status}),
        "done",
        "blocked",
        lambda d: item(d).status,
    ),
    Field(
        "checklist item: evidence",
        item,
        lambda s, by, seen, v: ops.edit_item(
            s, seen.id, by, expect={"evidence": seen.evidence}, evidence=v
        ),
        "link to the run",
        "another link",
        lambda d: item(d).evidence,
    ),
    Field(
        "checklist item: owner",
        item,
        lambda s, by, seen, v: ops.edit_item(s, seen.id, by, expect={"owner": seen.owner}, owner=v),
        "Ana",
        "Ben",
        lambda d: item(d).owner,
    ),
    Field(
        "checklist item: why not applicable",
        item,
        lambda s, by, seen, v: ops.tick(
            s, seen.id, "na", by, reason=v, expect={"status": seen.status}
        ),
        "no such users",
        "not needed",
        lambda d: item(d).reason,
    ),
    # thresholds
    Field(
        "threshold: target",
        accuracy,
        lambda s, by, seen, v: ops.set_target(s, by, seen.metric, ">=", v, seen=seen),
        0.9,
        0.8,
        lambda d: accuracy(d).target,
    ),
    Field(
        "threshold: reasoning",
        accuracy,
        lambda s, by, seen, v: ops.set_reasoning(s, by, seen.metric, v, seen=seen),
        "agreed with support leads",
        "agreed with legal",
        lambda d: accuracy(d).reasoning,
    ),
    Field(
        "threshold: measured value",
        accuracy,
        lambda s, by, seen, v: ops.measure(s, seen.metric, v, by, n=200, seen=seen),
        0.91,
        0.5,
        lambda d: accuracy(d).measured.value,
    ),
    Field(
        "threshold: measured value cleared",
        accuracy,
        lambda s, by, seen, v: (
            ops.measure(s, seen.metric, 0.91, by, n=200, seen=seen)
            if v
            else ops.clear_measurement(s, seen.metric, by, seen=seen)
        ),
        True,
        False,
        lambda d: accuracy(d).measured is not None,
    ),
    # decisions and the parking lot
    _decision("title", "Ship in March", "Ship in May"),
    _decision("decision", "Ship to 5% first", "Ship to everyone"),
    _decision("rationale", "Low risk", "No risk"),
    _decision("owner", "Ana", "Ben"),
    _decision("context", "After the pilot", "Before the pilot"),
    _decision("alternatives", "Wait", "Cancel"),
    _decision("status", "proposed", "rejected"),
    Field(
        "parked question: resolved",
        lambda d: _one(d.parking_lot, id=1),
        lambda s, by, seen, v: ops.resolve_question(s, by, seen.id, v, seen=seen),
        True,
        True,
        lambda d: _one(d.parking_lot, id=1).resolved,
    ),
    # the project (workshop screen, test-set screen's risk)
    _project("name", "Support bot", "Help bot"),
    _project("system", "Drafts replies", "Sends replies"),
    _project("use", "Agents review drafts", "Customers read them"),
    _project("owner", "Ana", "Ben"),
    _project("risk", "high", "low"),
    # test set
    _test_set("planned_size", 1200, 300),
    _test_set("actual_size", 900, 100),
    _test_set("edge_cases", 50, 10),
    _test_set("adversarial_cases", 40, 5),
    _test_set("notes", "From real tickets", "Synthetic"),
    Field(
        "test set: a category's counts",
        category,
        lambda s, by, seen, v: ops.edit_category(s, by, "billing", seen=seen, planned=v),
        300,
        100,
        lambda d: category(d).planned,
    ),
    # rollout
    Field(
        "rollout pattern: chosen",
        lambda d: d.rollout.patterns[0],
        lambda s, by, seen, v: ops.choose_pattern(s, by, seen.id, v, seen=seen),
        True,
        True,
        lambda d: d.rollout.patterns[0].chosen,
    ),
    Field(
        "rollout pattern: notes",
        lambda d: d.rollout.patterns[0],
        lambda s, by, seen, v: ops.edit_pattern(s, by, seen.id, seen=seen, notes=v),
        "Start with billing",
        "Start with returns",
        lambda d: d.rollout.patterns[0].notes,
    ),
    Field(
        "rollout stage: status",
        stage,
        lambda s, by, seen, v: ops.set_stage_status(s, by, seen.week, v, seen=seen),
        "active",
        "failed",
        lambda d: stage(d).status,
    ),
    Field(
        "rollout stage: traffic",
        stage,
        lambda s, by, seen, v: ops.edit_stage(s, by, seen.week, seen=seen, traffic=v),
        0.1,
        0.15,
        lambda d: stage(d).traffic,
    ),
    Field(
        "rollout stage: criterion",
        stage,
        lambda s, by, seen, v: ops.edit_stage(s, by, seen.week, seen=seen, criterion=v),
        "no rise in complaints",
        "none",
        lambda d: stage(d).criterion,
    ),
    _settings("shadow_weeks", 3, 6),
    _settings("shadow_comparison", "agent replies", "nothing"),
    _settings("hitl_approval_target", 0.9, 0.5),
    _settings("hitl_notes", "team leads review", "nobody"),
    _settings("flag_tool", "LaunchDarkly", "Unleash"),
    # monitoring
    Field(
        "alert: on or off",
        alert,
        lambda s, by, seen, v: ops.switch_alert(s, by, seen.id, v, seen=seen),
        False,
        False,
        lambda d: alert(d).enabled,
    ),
    _alert("value", 0.03, 0.2),
    _alert("window_minutes", 30, 5),
    _alert("owner", "Ana", "Ben"),
    _alert("response", "Page the owner", "Ignore it"),
    _alert("condition", "sustained", "any spike"),
    Field(
        "logging: retention days",
        lambda d: d.monitoring.logging,
        lambda s, by, seen, v: ops.edit_retention(s, by, seen=seen, retention_days=v),
        120,
        7,
        lambda d: d.monitoring.logging.retention_days,
    ),
    Field(
        "logging: retention note",
        lambda d: d.monitoring.logging,
        lambda s, by, seen, v: ops.edit_retention(s, by, seen=seen, retention_note=v),
        "GDPR review",
        "forever",
        lambda d: d.monitoring.logging.retention_note,
    ),
    # incident response
    Field(
        "severity: response time",
        severity,
        lambda s, by, seen, v: ops.set_response_time(s, by, seen.id, v, seen=seen),
        10,
        240,
        lambda d: severity(d).response_minutes,
    ),
    Field(
        "playbook phase: steps",
        phase,
        lambda s, by, seen, v: ops.set_playbook_steps(s, by, seen.id, v, seen=seen),
        ["Page the owner", "Switch the flag off"],
        ["Wait"],
        lambda d: phase(d).steps,
    ),
    Field(
        "rollback: last tested",
        rollback,
        lambda s, by, seen, v: ops.set_rollback_tested(
            s, by, seen.id, v, by, f"rehearsed on {v}", seen=seen
        ),
        dt.date(2026, 11, 30),
        dt.date(2026, 1, 1),
        lambda d: rollback(d).last_tested,
    ),
    Field(
        "on call: person",
        on_call,
        lambda s, by, seen, v: ops.set_on_call(s, by, seen.role, v, seen=seen),
        "Ana",
        "Ben",
        lambda d: on_call(d).person,
    ),
    # oversight
    Field(
        "oversight measure: status",
        measure_,
        lambda s, by, seen, v: ops.set_measure_status(s, by, seen.id, v, seen=seen),
        "in_place",
        "in_place",
        lambda d: measure_(d).status,
    ),
    _measure("text", "Reviewers see the sources", "Reviewers see nothing"),
    _measure("notes", "Ana by March", "nobody"),
]


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "shared.sqlite"
    store = ops.create_project(path, name="Shared", risk="medium", by="setup")
    with store:
        ops.decide(store, "setup", title="Ship", decision="Ship it", rationale="Green")
        ops.park_question(store, "Who signs off?", "setup")
        ops.add_stage(store, "setup", traffic=1.0, criterion="no complaints")
        ops.add_category(store, "setup", "billing", planned=200)
        ops.record_presence(store, "setup", seen=None, attendees=["Ana", "Ben"])
    yield path


def _two_sessions(path: Path) -> tuple[Store, Store]:
    return Store.open(path), Store.open(path)


def _screen(store: Store) -> Data:
    """The project as a screen shows it."""
    return ops.project_state(store)[0]


def stale_edit_is_refused(path: Path, case: Field) -> None:
    ana, ben = _two_sessions(path)
    with ana, ben:
        seen_by_ana, seen_by_ben = case.seen(_screen(ana)), case.seen(_screen(ben))
        case.save(ana, "Ana", seen_by_ana, case.first)
        with pytest.raises(ConflictError, match="changed by someone else"):
            case.save(ben, "Ben", seen_by_ben, case.second)
        assert case.value(_screen(ben)) == case.first
    with Store.open(path) as fresh:  # what the file holds
        assert case.value(_screen(fresh)) == case.first


@pytest.mark.parametrize("case", FIELDS, ids=[c.name for c in FIELDS])
def test_a_stale_edit_is_refused_and_the_first_kept(project: Path, case: Field) -> None:
    stale_edit_is_refused(project, case)


def test_a_fresh_edit_after_a_refusal_goes_through(project: Path) -> None:
    """Refused, the second person reloads (as the screen does) and saves: it is kept."""
    ana, ben = _two_sessions(project)
    with ana, ben:
        seen = decision(_screen(ben))
        ops.edit_decision(ana, "Ana", 1, seen=decision(_screen(ana)), title="Ana's title")
        with pytest.raises(ConflictError):
            ops.edit_decision(ben, "Ben", 1, seen=seen, title="Ben's title")
        ops.edit_decision(ben, "Ben", 1, seen=decision(_screen(ben)), title="Ben's title")
        assert decision(_screen(ana)).title == "Ben's title"


def test_editing_another_field_of_the_same_record_keeps_both(project: Path) -> None:
    ana, ben = _two_sessions(project)
    with ana, ben:
        seen_a, seen_b = alert(_screen(ana)), alert(_screen(ben))
        ops.edit_alert(ana, "Ana", seen_a.id, seen=seen_a, owner="Ana")
        ops.edit_alert(ben, "Ben", seen_b.id, seen=seen_b, response="Page Ana")
        saved = alert(_screen(ana))
        assert (saved.owner, saved.response) == ("Ana", "Page Ana")


def test_a_value_entered_over_a_runs_figure_is_not_taken_for_a_conflict(
    project: Path, tmp_path: Path
) -> None:
    """The screen shows the latest run's accuracy, not the (empty) value in the file:
    entering one by hand is not refused for that difference."""
    results = tmp_path / "run.csv"
    results.write_text("id,correct\na,true\nb,false\nc,true\n", encoding="utf-8")
    with Store.open(project) as store:
        from workbench.evaluation.runs import import_results

        import_results(store, results, "Dev")
        shown = accuracy(_screen(store))
        assert shown.measured is not None and shown.measured.source.startswith("run ")
        ops.measure(store, "accuracy", 0.9, "Ana", n=500, seen=shown)
        assert accuracy(store.load()).measured.value == 0.9


# ------------------------------------------------------------------ lists


@dataclass
class Addition:
    name: str
    add: Callable[[Store, str, Data, str], Any]  # (store, by, the screen's data, what)
    listed: Callable[[Data], list[str]]


ADDITIONS = [
    Addition(
        "decision links",
        lambda s, by, d, what: ops.link_decision(s, by, 1, what),
        lambda d: decision(d).links,
    ),
    Addition(
        "decision links, edited as text",
        lambda s, by, d, what: ops.edit_decision(
            s, by, 1, seen=decision(d), links=[*decision(d).links, what]
        ),
        lambda d: decision(d).links,
    ),
    Addition(
        "attendees",
        lambda s, by, d, what: ops.record_presence(
            s, by, seen=d.workshop, attendees=[*d.workshop.attendees, what]
        ),
        lambda d: d.workshop.attendees,
    ),
    Addition(
        "logged always",
        lambda s, by, d, what: ops.add_log_entry(s, by, "always", what),
        lambda d: d.monitoring.logging.always,
    ),
    Addition(
        "test-set categories",
        lambda s, by, d, what: ops.add_category(s, by, what, planned=10),
        lambda d: [r.category for r in d.dataset.composition],
    ),
    Addition(
        "rollout stages",
        lambda s, by, d, what: ops.add_stage(s, by, traffic=1.0, criterion=what),
        lambda d: [st.criterion for st in d.rollout.stages],
    ),
    Addition(
        "escalation steps",
        lambda s, by, d, what: ops.add_escalation_step(s, by, what),
        lambda d: [e.contact for e in d.incident_response.escalation],
    ),
    Addition(
        "on-call roles",
        lambda s, by, d, what: ops.add_on_call_role(s, by, what),
        lambda d: [o.role for o in d.incident_response.on_call],
    ),
    Addition(
        "oversight measures",
        lambda s, by, d, what: ops.add_measure(s, by, "fatigue", what),
        lambda d: [m.text for m in d.oversight.measures],
    ),
    Addition(
        "parked questions",
        lambda s, by, d, what: ops.park_question(s, what, by),
        lambda d: [q.text for q in d.parking_lot],
    ),
    Addition(
        "decisions",
        lambda s, by, d, what: ops.decide(s, by, title=what, decision="x", rationale="y"),
        lambda d: [x.title for x in d.decisions],
    ),
    Addition(
        "thresholds",
        lambda s, by, d, what: ops.add_threshold(
            s,
            by,
            metric="".join(c for c in what.lower() if c.isalnum()),
            name=what,
            comparator=">=",
            target=0.5,
            unit="rate",
            reasoning="agreed",
        ),
        lambda d: [t.name for t in d.thresholds],
    ),
]

LINKS = {"decision links": ("threshold:accuracy", "threshold:error_rate")}


@pytest.mark.parametrize("case", ADDITIONS, ids=[c.name for c in ADDITIONS])
def test_two_people_adding_at_once_both_keep_their_addition(project: Path, case: Addition) -> None:
    first, second = LINKS.get(case.name.split(",")[0], ("Ana's one", "Ben's one"))
    ana, ben = _two_sessions(project)
    with ana, ben:
        seen_by_ana, seen_by_ben = _screen(ana), _screen(ben)
        case.add(ana, "Ana", seen_by_ana, first)
        case.add(ben, "Ben", seen_by_ben, second)
    with Store.open(project) as fresh:
        listed = case.listed(_screen(fresh))
    assert first in listed and second in listed, listed


def test_removing_a_link_keeps_one_someone_else_added(project: Path) -> None:
    ana, ben = _two_sessions(project)
    with ana, ben:
        ops.link_decision(ana, "Ana", 1, "threshold:accuracy")
        seen = decision(_screen(ben))  # Ben sees accuracy linked
        ops.link_decision(ana, "Ana", 1, "threshold:error_rate")
        ops.edit_decision(ben, "Ben", 1, seen=seen, links=[])  # Ben removes what he saw
        assert decision(_screen(ana)).links == ["threshold:error_rate"]


def test_new_records_take_distinct_numbers_from_two_processes(project: Path) -> None:
    ana, ben = _two_sessions(project)
    with ana, ben:
        weeks = {
            ops.add_stage(ana, "Ana", traffic=1.0).week,
            ops.add_stage(ben, "Ben", traffic=1.0).week,
        }
        steps = {
            ops.add_escalation_step(ana, "Ana", "Duty manager").step,
            ops.add_escalation_step(ben, "Ben", "CTO").step,
        }
    assert len(weeks) == 2 and len(steps) == 2


def test_the_checks_can_fail(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the store's conflict check switched off, every field case fails."""
    original = Store.update

    def blind(self: Store, *args: Any, expect: Any = None, **kwargs: Any) -> Any:
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, "update", blind)
    from workbench.operations import testset, thresholds

    for module in (testset, thresholds):  # (the checks not made by Store.update itself)
        monkeypatch.setattr(module, "refuse_if_changed", lambda *args, **kwargs: None)
    survived = []
    for number, case in enumerate(FIELDS):
        path = project.with_name(f"copy-{number}.sqlite")
        path.write_bytes(project.read_bytes())
        try:
            stale_edit_is_refused(path, case)
        except BaseException:  # (pytest.raises fails with its own exception)
            continue
        survived.append(case.name)
    assert survived == []


ADD_STEPS = """
import sys
from pathlib import Path
from workbench import operations as ops
from workbench.store import Store
path, who, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
print("READY", flush=True)
sys.stdin.readline()
with Store.open(path) as store:
    for n in range(count):
        ops.add_escalation_step(store, who, f"{who} {n}")
        ops.add_stage(store, who, traffic=1.0, criterion=f"{who} {n}")
"""


def test_two_processes_adding_at_once_never_take_the_same_number(project: Path) -> None:
    """Two writers started together, each adding 25 escalation steps and 25 stages: all
    100 are kept, numbered without a gap or a clash (the number is taken inside the
    transaction that saves the record)."""
    import subprocess
    import sys

    with Store.open(project) as store:
        weeks_before = len(store.load().rollout.stages)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", ADD_STEPS, str(project), who, "25"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("Ana", "Ben")
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "READY"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err[-2000:]
    with Store.open(project) as store:
        data = store.load()
    steps = [e.step for e in data.incident_response.escalation]
    contacts = {e.contact for e in data.incident_response.escalation}
    assert sorted(steps) == list(range(1, 51))
    assert contacts == {f"{who} {n}" for who in ("Ana", "Ben") for n in range(25)}
    weeks = [s.week for s in data.rollout.stages]
    assert sorted(weeks) == list(range(1, weeks_before + 51))


def test_a_rollout_only_widens(project: Path) -> None:
    """A stage reaching fewer users than the week before (or more than the week after)
    is refused, saying which week and what share would do."""
    from workbench.errors import InvalidValueError

    with Store.open(project) as store:
        stages = {s.week: s for s in store.load().rollout.stages}
        with pytest.raises(InvalidValueError, match=r"than week 4 \(100%\).* at least 100%"):
            ops.add_stage(store, "Ana", traffic=0.5)
        with pytest.raises(InvalidValueError, match=r"than week 2 after it .* at most 20%"):
            ops.edit_stage(store, "Ana", 1, seen=stages[1], traffic=0.3)
        ops.edit_stage(store, "Ana", 1, seen=stages[1], traffic=0.2)  # equal is fine
        assert store.get("stage", 1).traffic == 0.2


def test_the_test_sets_sizes_after_a_run_are_not_a_false_conflict(
    project: Path, tmp_path: Path
) -> None:
    """With a run imported, the screen shows the cases built as the file has them (a run
    never overwrites them; it once did, and saving the sizes was refused with "test-set
    plan None: actual_size was changed by someone else"); saving them is not refused, a
    real stale edit still is (the cases built too), and no message names "None"."""
    from workbench.evaluation.runs import import_results

    results = tmp_path / "run.csv"
    results.write_text("id,correct\na,true\nb,false\nc,true\n", encoding="utf-8")
    ana, ben = _two_sessions(project)
    with ana, ben:
        import_results(ana, results, "Dev")
        shown = _screen(ana).dataset
        assert shown.actual_size == 0  # the file's: the run's 3 cases are the run's own
        ops.edit_test_set(ana, "Ana", seen=shown, planned_size=500, actual_size=450)
        assert ana.get("dataset").planned_size == 500
        with pytest.raises(ConflictError) as refused:
            ops.edit_test_set(ben, "Ben", seen=shown, actual_size=400)
        assert str(refused.value).startswith(
            "test-set plan: actual_size was changed by someone else"
        )
        assert "None" not in str(refused.value)
        stale = _screen(ben).dataset
        ops.edit_test_set(ana, "Ana", seen=_screen(ana).dataset, notes="from tickets")
        with pytest.raises(ConflictError) as refused:
            ops.edit_test_set(ben, "Ben", seen=stale, notes="synthetic")
        assert str(refused.value).startswith("test-set plan: notes was changed by someone else")
        assert "None" not in str(refused.value)
