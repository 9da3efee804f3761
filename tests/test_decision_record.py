"""A decision's record (owner, date, status, consequences) and a parked question's answer,
which can become a decision: the operations, their history and undo, the reports, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from core_support import Runner

from workbench import operations
from workbench.errors import ConflictError, InvalidValueError
from workbench.reports import build_report, render
from workbench.store import Store

TODAY = dt.date.today().isoformat()


def report_text(store: Store, fmt: str) -> str:
    report = build_report(store.load(), store.template(), store.history(), generated_at="x")
    return render(report, fmt)


def section(text: str, fmt: str, name: str) -> str:
    if fmt == "md":
        title = {"decisions": "## Decision log", "parking-lot": "## Parking lot"}[name]
        return text.split(title, 1)[1].split("\n## ", 1)[0]
    return text.split(f'<section id="{name}"', 1)[1].split("</section>", 1)[0]


# ------------------------------------------------------------- decisions


def test_a_decision_carries_owner_date_status_and_consequences(store: Store) -> None:
    record = operations.decide(
        store,
        "ana",
        title="Ship to 5% first",
        decision="Gradual rollout",
        rationale="Low blast radius",
        consequences="Two more weeks before everyone has it",
        owner="Ben",
        date="2026-03-02",
        status="proposed",
    )
    saved = store.get("decision", record.id)
    assert (saved.owner, saved.date, saved.status) == ("Ben", "2026-03-02", "proposed")
    assert saved.consequences == "Two more weeks before everyone has it"


def test_the_date_defaults_to_today_and_the_owner_to_who_decided(store: Store) -> None:
    record = operations.decide(store, "ana", title="T", decision="D", rationale="R")
    assert (record.date, record.owner, record.consequences) == (TODAY, "ana", "")


@pytest.mark.parametrize("bad", ["yesterday", "2026-02-30", "3/2/2026", "20260302"])
def test_a_date_that_is_not_a_date_is_refused_in_one_line(store: Store, bad: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        operations.decide(store, "ana", title="T", decision="D", rationale="R", date=bad)
    message = str(refused.value)
    assert "\n" not in message and bad in message and "YYYY-MM-DD" in message
    assert store.load().decisions == []
    record = operations.decide(store, "ana", title="T", decision="D", rationale="R")
    with pytest.raises(InvalidValueError):
        operations.edit_decision(store, "ana", record.id, seen=record, date=bad)
    assert store.get("decision", record.id).date == TODAY


def test_edit_a_decisions_consequences_owner_and_date(store: Store) -> None:
    record = operations.decide(store, "ana", title="T", decision="D", rationale="R")
    edited = operations.edit_decision(
        store,
        "ben",
        record.id,
        seen=record,
        consequences="Support needs a runbook",
        owner="Cy",
        date=" 2026-04-01 ",
    )
    assert (edited.consequences, edited.owner, edited.date) == (
        "Support needs a runbook",
        "Cy",
        "2026-04-01",
    )
    fields = {e.field: e for e in store.history(limit=5, entity="decision", key="1")}
    assert fields["consequences"].by == "ben" and fields["date"].old == TODAY
    # Someone else's change since is not written over.
    with pytest.raises(ConflictError):
        operations.edit_decision(store, "dan", record.id, seen=record, consequences="None")
    assert store.get("decision", record.id).consequences == "Support needs a runbook"


# ------------------------------------------------------------- the parking lot


def test_resolving_a_question_records_its_answer_and_who_answered(store: Store) -> None:
    question = operations.park_question(store, "Who signs off the security review?", "ana")
    saved = operations.resolve_question(
        store, "ben", question.id, "  The CISO, by 1 March  ", seen=question
    )
    assert (saved.resolved, saved.answer, saved.answered_by, saved.decision) == (
        True,
        "The CISO, by 1 March",
        "ben",
        None,
    )
    entries = store.history(limit=5, entity="question", key=str(question.id))
    assert {e.field for e in entries} >= {"resolved", "answer", "answered_by"}
    assert len({e.change for e in entries if e.field != "*"}) == 1
    # Someone else answered it meanwhile: refused, theirs kept.
    with pytest.raises(ConflictError):
        operations.resolve_question(store, "cy", question.id, "Nobody", seen=question)
    assert store.get("question", question.id).answer == "The CISO, by 1 March"


@pytest.mark.parametrize("empty", ["", "   \n "])
def test_an_empty_answer_is_refused(store: Store, empty: str) -> None:
    question = operations.park_question(store, "Budget?", "ana")
    with pytest.raises(InvalidValueError) as refused:
        operations.resolve_question(store, "ben", question.id, empty, seen=question)
    assert "\n" not in str(refused.value) and "answer" in str(refused.value)
    assert not store.get("question", question.id).resolved


def test_a_question_becomes_a_decision_in_one_change(store: Store) -> None:
    question = operations.park_question(store, "Do we need a human in the loop?", "ana")
    before = store.history_count()
    record = operations.question_to_decision(
        store,
        "ben",
        question.id,
        title="Agents approve every draft",
        decision="No draft is sent unreviewed",
        rationale="Hallucinations above target",
        owner="Cy",
        answer="Yes, for the first quarter",
        seen=question,
    )
    decision = store.get("decision", record.id)
    assert "Do we need a human in the loop?" in decision.context
    assert "Yes, for the first quarter" in decision.context
    assert (decision.title, decision.owner, decision.date, decision.status) == (
        "Agents approve every draft",
        "Cy",
        TODAY,
        "accepted",
    )
    answered = store.get("question", question.id)
    assert (answered.resolved, answered.answer, answered.answered_by, answered.decision) == (
        True,
        "Yes, for the first quarter",
        "ben",
        record.id,
    )
    # One change in the history, and one undo takes the whole of it back.
    assert store.history_count() > before
    changes = {e.change for e in store.history(limit=20) if e.entity in ("decision", "question")}
    newest = max(changes)
    assert {e.entity for e in store.history(limit=20) if e.change == newest} == {
        "decision",
        "question",
    }
    store.undo("ben")
    data = store.load()
    assert data.decisions == []
    assert data.parking_lot[0] == question


def test_a_question_answered_before_keeps_its_answer_when_it_becomes_a_decision(
    store: Store,
) -> None:
    question = operations.park_question(store, "Who owns the model?", "ana")
    answered = operations.resolve_question(store, "ben", question.id, "The ML team", seen=question)
    record = operations.question_to_decision(
        store, "cy", question.id, title="ML team owns it", decision="D", rationale="R",
        seen=answered,
    )  # fmt: skip
    saved = store.get("question", question.id)
    assert (saved.answer, saved.answered_by, saved.decision) == ("The ML team", "ben", record.id)
    assert "The ML team" in store.get("decision", record.id).context
    with pytest.raises(InvalidValueError, match="already became decision"):
        operations.question_to_decision(
            store, "cy", question.id, title="Again", decision="D", rationale="R", seen=saved
        )
    assert len(store.load().decisions) == 1


def test_a_stale_question_is_not_made_a_decision(store: Store) -> None:
    question = operations.park_question(store, "Budget for reviewers?", "ana")
    operations.resolve_question(store, "ben", question.id, "Ten reviewers", seen=question)
    with pytest.raises(ConflictError):
        operations.question_to_decision(
            store, "cy", question.id, title="T", decision="D", rationale="R", seen=question
        )
    assert store.load().decisions == []


# ------------------------------------------------------------- the reports


def decided_and_answered(store: Store) -> None:
    operations.decide(
        store,
        "ana",
        title="Ship to 5% first",
        decision="Gradual rollout",
        rationale="Low blast radius",
        consequences="Two more weeks before everyone has it",
        owner="Ben Okafor",
        date="2026-03-02",
        status="proposed",
    )
    first = operations.park_question(store, "Who signs off the security review?", "ana")
    operations.resolve_question(store, "ben", first.id, "The CISO signs it off", seen=first)
    second = operations.park_question(store, "Do agents review drafts?", "ana")
    operations.question_to_decision(
        store, "cy", second.id, title="Agents review", decision="Every draft", rationale="R",
        answer="Yes, every one", seen=second,
    )  # fmt: skip
    operations.park_question(store, "Budget for reviewers?", "ana")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_reports_show_a_decisions_record(store: Store, fmt: str) -> None:
    decided_and_answered(store)
    decisions = section(report_text(store, fmt), fmt, "decisions")
    for shown in (
        "Ben Okafor",
        "2026-03-02",
        "Proposed",
        "Consequences",
        "Two more weeks before everyone has it",
    ):
        assert shown in decisions
    assert "question 2" in decisions  # decision 2 came from the parking lot


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_reports_show_each_questions_answer_and_decision(store: Store, fmt: str) -> None:
    decided_and_answered(store)
    parking = section(report_text(store, fmt), fmt, "parking-lot")
    assert "Budget for reviewers?" in parking  # open
    assert "Who signs off the security review?" in parking
    assert "The CISO signs it off" in parking and "ben" in parking
    assert "Do agents review drafts?" in parking and "Yes, every one" in parking
    assert "decision 2" in parking
    assert "not shown" not in parking  # every resolved question here has an answer


def test_the_json_report_has_the_new_fields(store: Store, cli: Runner) -> None:
    decided_and_answered(store)
    report = json.loads(report_text(store, "json"))
    first, second = report["decisions"]
    assert (first["owner"], first["date"], first["status"]) == (
        "Ben Okafor",
        "2026-03-02",
        "proposed",
    )
    assert first["consequences"] == "Two more weeks before everyone has it"
    answered = {q["id"]: q for q in report["parking_lot"]}
    assert (answered[1]["answer"], answered[1]["answered_by"], answered[1]["decision"]) == (
        "The CISO signs it off",
        "ben",
        None,
    )
    assert answered[2]["decision"] == second["id"]
    schema = json.loads(cli("schema").out)
    assert "consequences" in schema["$defs"]["Decision"]["properties"]
    assert {"answer", "answered_by", "decision"} <= set(
        schema["$defs"]["ParkedQuestion"]["properties"]
    )
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(report, schema)


# ------------------------------------------------------------- the command line


def test_cli_decide_with_consequences_owner_and_date(cli: Runner, project: Path) -> None:
    result = cli(
        "decide", project, "--title", "Ship", "--decision", "D", "--rationale", "R",
        "--consequences", "Support needs a runbook", "--owner", "Ben", "--date", "2026-03-02",
        "--by", "ana",
    )  # fmt: skip
    assert result.code == 0, result.err
    with Store.open(project) as store:
        decision = store.get("decision", 1)
    assert (decision.consequences, decision.owner, decision.date) == (
        "Support needs a runbook",
        "Ben",
        "2026-03-02",
    )


def test_cli_decide_refuses_a_bad_date_in_one_line(cli: Runner, project: Path) -> None:
    result = cli(
        "decide", project, "--title", "T", "--decision", "D", "--rationale", "R",
        "--date", "next week",
    )  # fmt: skip
    assert result.code == 2 and result.out == ""
    assert len(result.err.splitlines()) == 1 and "'next week'" in result.err
    with Store.open(project) as store:
        assert store.load().decisions == []
