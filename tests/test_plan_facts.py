"""The checklist follows the plan: an item another screen answers shows that fact,
closing it takes the fact as evidence, and the verdict points out any disagreement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from core_support import fill_everything, memory_store

from workbench import operations
from workbench.plan_facts import plan_facts
from workbench.store import Store

ROLLBACK = "infrastructure.rollback-tested"


@pytest.fixture
def store() -> Iterator[Store]:
    s = memory_store(risk="high")
    yield s
    s.close()


def reasons(store: Store) -> list[str]:
    result = operations.readiness(store)
    return [p.reason for p in result.blockers + result.open_points]


def test_a_rehearsed_rollback_is_shown_on_its_item_and_closes_it_with_the_record(
    store: Store,
) -> None:
    operations.set_rollback_tested(
        store,
        "ana",
        "version-rollback",
        dt.date(2026, 12, 1),
        "Ben",
        "switched 10% back to v1 in staging in 4 minutes",
        seen=None,
    )
    fact = plan_facts(store.load())[ROLLBACK]
    assert fact.met
    assert "rehearsed 2026-12-01 by Ben: switched 10% back" in fact.words
    assert any(
        r.startswith("checklist item open: Rollback rehearsed (the plan records it:")
        for r in reasons(store)
    )
    operations.tick(store, ROLLBACK, "done", "ana")
    item = store.get("item", ROLLBACK)
    assert item.evidence.startswith("From the plan: ")
    assert "switched 10% back to v1" in item.evidence
    assert not any("Rollback rehearsed" in r for r in reasons(store))


def test_a_ticked_item_the_plan_does_not_bear_out_stays_open_in_the_verdict(
    store: Store,
) -> None:
    operations.tick(store, ROLLBACK, "done", "ana", evidence="we did it, trust us")
    assert (
        "Rollback rehearsed is ticked, but no rollback rehearsal is recorded "
        "(Incidents: the date, who and what was done)"
    ) in reasons(store)
    # a date with no note of the test is not a rehearsal either
    store.update("rollback", "feature-flag", {"last_tested": "2026-12-01"}, "ana")
    assert any(r.startswith("Rollback rehearsed is ticked, but") for r in reasons(store))


def test_an_item_done_without_evidence_is_an_open_point(store: Store) -> None:
    operations.tick(store, "testing.edge-cases", "done", "ana")
    assert "Edge cases exercised is ticked with no evidence: attach what shows it" in reasons(store)
    operations.edit_item(store, "testing.edge-cases", "ana", evidence="edge-cases.csv, 40 cases")
    assert not any("Edge cases exercised" in r for r in reasons(store))


def test_on_call_escalation_thresholds_and_decisions_are_facts_too() -> None:
    s = memory_store(risk="medium")
    fill_everything(s)
    facts = plan_facts(s.load())
    assert facts["process.on-call"].words.startswith("on call: Primary on-call: Ana")
    assert facts["process.escalation-paths"].words == "escalation: Duty manager"
    assert facts["documentation.thresholds-recorded"].words == (
        "all 5 thresholds recorded with their reasoning"
    )
    assert facts["documentation.decision-log"].met
    assert all(f.met for f in facts.values())
    assert operations.readiness(s).verdict == "go"
    s.update("threshold", "accuracy", {"reasoning": ""}, "ana")
    facts = plan_facts(s.load())
    assert facts["documentation.thresholds-recorded"].words == (
        "thresholds: no reasoning yet for Accuracy (Thresholds)"
    )
    s.close()
