"""Finding anything in a project by its words: every kind of record, every word of the
query, title matches first, and a ``where`` that the app jumps to the record with."""

from __future__ import annotations

import time

import pytest
from core_support import SAMPLE_TOML

from workbench.find import Found, Index, find
from workbench.models import ProjectData
from workbench.operations.project import read_project_toml


@pytest.fixture
def data() -> ProjectData:
    return read_project_toml(SAMPLE_TOML)


def first(data: ProjectData, query: str) -> Found:
    found = find(data, query)
    assert found, f"nothing found for {query!r}"
    return found[0]


def test_a_checklist_item_by_its_title_id_evidence_and_owner(data: ProjectData) -> None:
    item = next(i for i in data.checklist if i.id == "infrastructure.rollback-tested")
    item.evidence = "Rehearsed on the staging cluster, see ticket OPS-4417"
    item.owner = "Wilhelmina"
    for query in ("rollback rehearsed", "infrastructure.rollback-tested", "OPS-4417", "wilhelmina"):
        hit = first(data, query)
        assert (hit.kind, hit.title) == ("checklist item", "Rollback rehearsed")
        assert hit.where == "checklist:infrastructure.rollback-tested"


def test_a_threshold_by_its_name_metric_and_reasoning(data: ProjectData) -> None:
    data.thresholds[0].reasoning = "Agreed with the ombudsman in November"
    metric, name = data.thresholds[0].metric, data.thresholds[0].name
    for query in (name, metric, "ombudsman"):
        hit = first(data, query)
        assert (hit.kind, hit.title, hit.where) == ("threshold", name, f"thresholds:{metric}")


def test_a_decision_by_its_title_decision_and_rationale(data: ProjectData) -> None:
    for query in ("grow the test set", "at least 60 per queue", "cannot tell 92%"):
        hit = first(data, query)
        assert (hit.kind, hit.title) == ("decision", "Grow the test set to 300 tickets")
        assert hit.where == "decisions:3"


def test_a_parked_question_by_its_text_and_answer(data: ProjectData) -> None:
    data.parking_lot[0].answer = "The vendor's, countersigned by ours"
    for query in ("who signs off", "countersigned"):
        hit = first(data, query)
        assert hit.kind == "parked question"
        assert hit.title.startswith("Who signs off the security review")
        # (the Decisions screen shows the parking lot under the log)
        assert hit.where == "decisions:q1"


def test_an_alert_by_its_signal_response_and_owner(data: ProjectData) -> None:
    data.monitoring.alerts[1].owner = "Pemberton"
    for query in ("latency", "model or api is healthy", "pemberton"):
        hit = first(data, query)
        assert (hit.kind, hit.title, hit.where) == ("alert", "Latency", "monitoring:latency")


def test_a_rollout_stage_by_its_week_and_criterion(data: ProjectData) -> None:
    for query in ("week 2", "error rate stays below"):
        hit = first(data, query)
        assert hit.kind == "rollout stage"
        assert hit.title.startswith("Week 2")
        assert hit.where == "rollout:2"


def test_on_call_escalation_and_rollback_options_land_on_incidents(data: ProjectData) -> None:
    on_call = first(data, "secondary on-call")
    assert (on_call.kind, on_call.title, on_call.where) == (
        "on-call role",
        "Secondary on-call",
        "incident_response:on-call:Secondary on-call",
    )
    step = first(data, "duty manager")
    assert (step.kind, step.where) == ("escalation step", "incident_response:escalation:1")
    assert "Support duty manager" in step.title
    option = first(data, "earlier version")
    assert (option.kind, option.title, option.where) == (
        "rollback option",
        "Roll back to an earlier version",
        "incident_response:rollback:version-rollback",
    )


def test_an_oversight_measure_and_a_test_set_category(data: ProjectData) -> None:
    measure = first(data, "output shown clearly")
    assert (measure.kind, measure.where) == ("oversight measure", "oversight:review-interface-1")
    category = first(data, "account access")
    assert (category.kind, category.title, category.where) == (
        "test-set category",
        "account access",
        "dataset:account access",
    )


def test_every_word_must_match_in_any_field_of_one_record(data: ProjectData) -> None:
    # "latency" is the alert's signal, "healthy" its response: one record has both
    assert [f.where for f in find(data, "latency healthy")] == ["monitoring:latency"]
    assert find(data, "latency rehearsed") == []
    assert find(data, "zzzqqq") == []
    assert find(data, "   ") == []


def test_matching_ignores_case(data: ProjectData) -> None:
    assert find(data, "ROLLBACK REHEARSED") == find(data, "rollback rehearsed")


def test_title_matches_come_first(data: ProjectData) -> None:
    found = find(data, "accuracy")
    assert found[0].title == "Accuracy"  # the threshold named Accuracy
    titled = [f for f in found if "accuracy" in f.title.lower()]
    assert found[: len(titled)] == titled
    # the decision mentions accuracy only in its rationale: after every title match
    assert "decisions:3" in [f.where for f in found[len(titled) :]]


def test_a_kind_asked_for_comes_first(data: ProjectData) -> None:
    found = find(data, "accuracy", prefer="decisions")
    assert found[0].where == "decisions:3"


def test_the_snippet_shows_the_words_around_the_match(data: ProjectData) -> None:
    hit = first(data, "account-access tickets")
    assert hit.where == "decisions:3"
    assert "account-access tickets" in hit.snippet
    assert len(hit.snippet) <= 80
    assert "\n" not in hit.snippet


def test_the_limit_is_kept(data: ProjectData) -> None:
    assert len(find(data, "e", limit=5)) == 5


def test_an_index_searches_a_large_project_quickly(data: ProjectData) -> None:
    template = data.checklist[0]
    data.checklist = [
        template.model_copy(update={"id": f"testing.item-{i}", "title": f"Item {i} rollback"})
        for i in range(2000)
    ]
    index = Index(data)
    start = time.perf_counter()
    for query in ("r", "ro", "rol", "roll", "rollb", "rollback", "rollback 1999"):
        index.find(query)
    per_query = (time.perf_counter() - start) / 7
    assert per_query < 0.02, f"{per_query * 1000:.1f} ms a keystroke"
    assert index.find("item 1999 rollback")[0].where == "checklist:testing.item-1999"
