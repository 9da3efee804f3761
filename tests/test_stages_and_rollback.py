"""Rollout stages inserted between others and moved (one undoable change); a rollback
counts as tested only with a date and a note of what was tested, and by whom."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from core_support import fill_everything, memory_store

from workbench import operations
from workbench.errors import ConflictError, InvalidValueError, NotFoundError
from workbench.reports import build_report, render
from workbench.store import Store

NOTE = "switched 10% back to v1 in staging in 4 minutes"


@pytest.fixture
def store() -> Iterator[Store]:
    """A project whose rollout has weeks 1, 2 and 4 (5%, 20%, 100%)."""
    s = memory_store(risk="high")
    for week in [stage.week for stage in s.load().rollout.stages]:
        operations.remove_stage(s, "setup", week)
    for week, traffic in ((1, 0.05), (2, 0.2), (4, 1.0)):
        operations.add_stage(s, "setup", week=week, traffic=traffic, criterion=f"week {week}")
    yield s
    s.close()


def weeks(store: Store) -> list[tuple[int, float]]:
    return [(s.week, s.traffic) for s in store.load().rollout.stages]


# ------------------------------------------------------------------ stages


def test_a_stage_is_inserted_between_two_others(store: Store) -> None:
    stage = operations.add_stage(store, "Ana", week=3, traffic=0.5, criterion="steady")
    assert (stage.week, stage.traffic, stage.status) == (3, 0.5, "pending")
    assert weeks(store) == [(1, 0.05), (2, 0.2), (3, 0.5), (4, 1.0)]
    last = store.history(limit=1, entity="stage")[0]
    assert (last.key, last.field, last.by) == ("3", "*", "Ana")


def test_without_a_week_a_stage_is_added_after_the_last(store: Store) -> None:
    assert operations.add_stage(store, "Ana", traffic=1.0).week == 5


def test_an_insert_whose_traffic_would_fall_is_refused(store: Store) -> None:
    with pytest.raises(InvalidValueError) as below:
        operations.add_stage(store, "Ana", week=3, traffic=0.1)
    assert str(below.value) == (
        "week 3 would reach fewer users (10%) than week 2 (20%): a rollout only widens; "
        "give at least 20%"
    )
    store.update("stage", 4, {"traffic": 0.9}, "setup")
    with pytest.raises(InvalidValueError, match=r"than week 4 after it \(90%\)"):
        operations.add_stage(store, "Ana", week=3, traffic=0.95)
    assert [w for w, _ in weeks(store)] == [1, 2, 4]


def test_a_week_already_taken_is_refused_in_one_line(store: Store) -> None:
    with pytest.raises(InvalidValueError) as taken:
        operations.add_stage(store, "Ana", week=2, traffic=0.2)
    assert str(taken.value) == "week 2 already has a stage: pick another week or edit it"


def test_a_stage_is_moved_in_one_change_and_undo_puts_it_back(store: Store) -> None:
    before = store.history_count()
    moved = operations.move_stage(store, "Ana", 4, 6)
    assert (moved.week, moved.traffic, moved.criterion) == (6, 1.0, "week 4")
    assert weeks(store) == [(1, 0.05), (2, 0.2), (6, 1.0)]
    assert store.last_change().summary == "moved rollout week 4 to week 6"
    entries = store.history(limit=5, entity="stage")
    assert {e.change for e in entries[:2]} == {entries[0].change}  # one change, two rows
    assert store.history_count() > before
    store.undo("Ana")
    assert weeks(store) == [(1, 0.05), (2, 0.2), (4, 1.0)]
    assert store.get("stage", 4).criterion == "week 4"


def test_a_move_onto_a_taken_week_or_that_makes_traffic_fall_is_refused(store: Store) -> None:
    with pytest.raises(InvalidValueError) as taken:
        operations.move_stage(store, "Ana", 1, 2)
    assert str(taken.value) == "week 2 already has a stage: pick another week or edit it"
    with pytest.raises(InvalidValueError, match="a rollout only widens"):
        operations.move_stage(store, "Ana", 1, 3)  # 5% after week 2's 20%
    with pytest.raises(NotFoundError, match="no stage in week 9"):
        operations.move_stage(store, "Ana", 9, 10)
    assert weeks(store) == [(1, 0.05), (2, 0.2), (4, 1.0)]
    assert store.last_change().by == "setup"  # nothing was saved


def test_a_move_over_a_stage_changed_since_it_was_seen_is_refused(store: Store) -> None:
    seen = store.get("stage", 4)
    store.update("stage", 4, {"criterion": "changed by Ben"}, "Ben")
    with pytest.raises(ConflictError):
        operations.move_stage(store, "Ana", 4, 5, seen=seen)
    assert [w for w, _ in weeks(store)] == [1, 2, 4]


# ---------------------------------------------------------------- rollback


def test_a_rollback_test_needs_a_note_of_what_was_done(store: Store) -> None:
    with pytest.raises(InvalidValueError) as empty:
        operations.set_rollback_tested(
            store, "Ana", "feature-flag", dt.date(2026, 3, 1), "", "  ", seen=None
        )
    assert str(empty.value) == (
        "say what the rehearsal did, e.g. 'switched 10% back to v1 in staging in 4 minutes'"
    )
    saved = operations.set_rollback_tested(
        store, "Ana", "feature-flag", dt.date(2026, 3, 1), "", NOTE, seen=None
    )
    assert (saved.last_tested, saved.tested_by, saved.test_note) == (
        dt.date(2026, 3, 1),
        "Ana",
        NOTE,
    )
    assert saved.tested
    other = operations.set_rollback_tested(
        store, "Ana", "version-rollback", dt.date(2026, 3, 2), "Ben", "rolled back", seen=None
    )
    assert other.tested_by == "Ben"


def test_clearing_the_date_clears_who_and_what(store: Store) -> None:
    seen = operations.set_rollback_tested(
        store, "Ana", "feature-flag", dt.date(2026, 3, 1), "Ben", NOTE, seen=None
    )
    cleared = operations.set_rollback_tested(store, "Ana", "feature-flag", None, seen=seen)
    assert (cleared.last_tested, cleared.tested_by, cleared.test_note) == (None, "", "")
    assert store.last_change().summary == "rollback feature-flag marked as never tested"


def test_a_rollback_test_over_someone_elses_is_refused(store: Store) -> None:
    seen = store.get("rollback", "feature-flag")
    operations.set_rollback_tested(
        store, "Ben", "feature-flag", dt.date(2026, 3, 1), "", NOTE, seen=None
    )
    with pytest.raises(ConflictError):
        operations.set_rollback_tested(
            store, "Ana", "feature-flag", dt.date(2026, 3, 2), "", "again", seen=seen
        )


def blockers(store: Store) -> list[str]:
    return [b.reason for b in operations.readiness(store).blockers]


def test_a_date_without_a_note_does_not_clear_the_high_risk_blocker() -> None:
    store = memory_store(risk="high")
    fill_everything(store)
    assert blockers(store) == []
    for option in store.load().incident_response.rollback_options:
        store.update(
            "rollback",
            option.id,
            {"last_tested": dt.date(2026, 1, 5), "tested_by": "", "test_note": ""},
            "ana",
        )
    assert blockers(store) == [
        "no rollback option has been tested (required at high risk); a date but no note of "
        "what was tested: Disable the feature flag, Roll back to an earlier version, "
        "Disable the whole system"
    ]
    operations.set_rollback_tested(
        store, "ana", "feature-flag", dt.date(2026, 1, 5), "", NOTE, seen=None
    )
    assert blockers(store) == []
    store.close()


def test_the_reports_say_who_tested_each_rollback_and_what_was_done(store: Store) -> None:
    operations.set_rollback_tested(
        store, "Ana", "feature-flag", dt.date(2026, 3, 1), "Ben Ode", NOTE, seen=None
    )
    store.update("rollback", "version-rollback", {"last_tested": dt.date(2026, 2, 1)}, "x")
    report = build_report(
        store.load(), store.template(), store.history(), generated_at="2026-05-03T10:00:00+00:00"
    )
    markdown = render(report, "md")
    html = render(report, "html")
    said = f"2026-03-01 by Ben Ode: {NOTE}"
    assert said in markdown
    assert said in html
    for text in (markdown, html):
        assert "2026-02-01, what was tested not recorded" in text
        assert "never tested" in text
