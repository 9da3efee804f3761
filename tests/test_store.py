"""The project file: edits are transactions with history, undo, conflicts, persistence."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from workbench import operations
from workbench.errors import (
    ConflictError,
    InvalidValueError,
    NotFoundError,
    NotYoursError,
    ProjectFileError,
)
from workbench.migrations import APPLICATION_ID, SCHEMA_VERSION
from workbench.models import OnCall
from workbench.store import Store

ITEM = "testing.edge-cases"


def test_an_edit_is_one_change_in_the_history_with_who_old_and_new(store: Store) -> None:
    before = store.history_count()
    operations.tick(store, ITEM, "done", "ana", evidence="38 cases in the eval repo")
    entries = [e for e in store.history() if e.key == ITEM]
    assert {e.change for e in entries} == {entries[0].change}
    assert {e.by for e in entries} == {"ana"}
    fields = {e.field: (e.old, e.new) for e in entries}
    assert fields["status"] == ("open", "done")
    assert fields["evidence"] == ("", "38 cases in the eval repo")
    assert store.history_count() == before + len(entries)
    change = store.last_change()
    assert change is not None and change.summary == f"{ITEM} → done"


def test_an_edit_that_changes_nothing_adds_no_history(store: Store) -> None:
    operations.tick(store, ITEM, "done", "ana")
    count = store.history_count()
    store.update("item", ITEM, {"status": "done"}, "ana")
    assert store.history_count() == count


def test_a_refused_edit_leaves_no_trace(store: Store) -> None:
    count = store.history_count()
    with pytest.raises(InvalidValueError, match="needs a reason"):
        store.update("item", ITEM, {"status": "na"}, "ana")
    with pytest.raises(InvalidValueError, match="between 0 and 1"):
        operations.measure(store, "accuracy", 93.0, "ana")
    with pytest.raises(InvalidValueError, match="no field 'colour'"):
        store.update("item", ITEM, {"colour": "red"}, "ana")
    assert store.history_count() == count
    assert store.get("item", ITEM).status == "open"
    assert store.get("threshold", "accuracy").measured is None


def test_a_failure_inside_a_group_rolls_back_every_edit_of_it(store: Store) -> None:
    count = store.history_count()
    with pytest.raises(NotFoundError), store.group("ana", "two edits"):
        operations.tick(store, ITEM, "done", "ana")
        operations.tick(store, "no.such-item", "done", "ana")
    assert store.get("item", ITEM).status == "open"
    assert store.history_count() == count


def test_unknown_ids_are_named(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no checklist item 'nope'"):
        operations.tick(store, "nope", "done", "ana")
    with pytest.raises(NotFoundError, match=r"no threshold 'speed'.*accuracy"):
        operations.measure(store, "speed", 0.5, "ana")


def test_undo_restores_the_old_values_and_is_recorded(store: Store) -> None:
    operations.tick(store, ITEM, "done", "ana", evidence="proof")
    change = store.undo("ben", theirs=True)
    assert change.summary == f"undid: {ITEM} → done"
    item = store.get("item", ITEM)
    assert (item.status, item.evidence, item.updated_by) == ("open", "", "")
    undo_entries = [e for e in store.history() if e.change == change.id]
    assert undo_entries and {e.by for e in undo_entries} == {"ben"}
    assert {e.field: (e.old, e.new) for e in undo_entries}["status"] == ("done", "open")
    assert store.last_change() is None  # the creation itself cannot be undone
    with pytest.raises(InvalidValueError, match="nothing to undo"):
        store.undo("ben")


def test_undo_is_of_your_own_edit(store: Store) -> None:
    """Found: an undo by one editor undid the decision another had just added."""
    operations.tick(store, ITEM, "done", "ana")
    mine = operations.decide(store, "ben", title="Mine", decision="d", rationale="r")
    theirs = operations.decide(store, "ana", title="Hers", decision="d", rationale="r")
    change = store.undo("ben")
    assert change.summary.startswith("undid: ")
    assert [d.id for d in store.load().decisions] == [theirs.id]
    assert mine.id != theirs.id
    with pytest.raises(NotYoursError) as refused:
        store.undo("ben")
    assert str(refused.value) == (
        f"nothing of yours (ben) to undo; the last edit is ana's: {refused.value.newest.summary} "
        "(to undo it: undo --theirs)"
    )
    assert store.get("item", ITEM).status == "done"


def test_undo_refuses_when_someone_changed_the_record_since(store: Store) -> None:
    operations.tick(store, ITEM, "done", "ana", evidence="first")
    operations.tick(store, ITEM, "done", "ben", evidence="second")
    with pytest.raises(ConflictError, match=r"ben changed checklist item .* since"):
        store.undo("ana")
    assert store.get("item", ITEM).evidence == "second"


def test_undo_goes_back_one_change_at_a_time(store: Store) -> None:
    operations.measure(store, "accuracy", 0.91, "ana", n=100)
    operations.measure(store, "accuracy", 0.95, "ana", n=300)
    store.undo("ana")
    measured = store.get("threshold", "accuracy").measured
    assert measured is not None and (measured.value, measured.n) == (0.91, 100)
    store.undo("ana")
    assert store.get("threshold", "accuracy").measured is None


def test_undo_of_an_insert_and_a_supersede_restores_both(store: Store) -> None:
    first = operations.decide(store, "ana", title="A", decision="a", rationale="r")
    operations.decide(store, "ana", title="B", decision="b", rationale="r", supersedes=first.id)
    assert store.get("decision", first.id).status == "superseded"
    store.undo("ana")
    assert [d.id for d in store.load().decisions] == [first.id]
    assert store.get("decision", first.id).status == "accepted"


def test_undo_of_a_delete_brings_the_record_back(store: Store) -> None:
    store.delete("on_call", "Secondary on-call", "ana")
    assert [o.role for o in store.load().incident_response.on_call] == ["Primary on-call"]
    store.undo("ana")
    roles = {o.role for o in store.load().incident_response.on_call}
    assert roles == {"Primary on-call", "Secondary on-call"}


@pytest.mark.parametrize(
    ("entity", "key", "changes"),
    [
        ("dataset", None, {"planned_size": 300, "composition": [{"category": "billing"}]}),
        ("stage", 2, {"status": "failed"}),
        ("rollback", "feature-flag", {"last_tested": dt.date(2026, 1, 5)}),
        ("logging", None, {"always": ["Timestamp only"], "retention_days": 7}),
        ("workshop", None, {"attendees": ["Ana", "Ben"], "step": "rollout"}),
        ("project", None, {"name": "Renamed", "risk": "high"}),
        ("alert", "latency", {"owner": "ops", "enabled": False}),
    ],
)
def test_undo_restores_every_kind_of_record(
    store: Store, entity: str, key: object, changes: dict[str, object]
) -> None:
    before = store.load()
    store.update(entity, key, changes, "ana")
    assert store.load() != before
    store.undo("ana")
    assert store.load() == before


def test_undo_refuses_when_the_field_was_changed_again(store: Store) -> None:
    operations.tick(store, ITEM, "done", "ana", evidence="one")
    # Someone else edits the same field without going through a change (e.g. another version).
    store.db.execute("UPDATE items SET evidence = 'two' WHERE id = ?", [ITEM])
    store.db.conn.commit()
    with pytest.raises(ConflictError, match="changed again"):
        store.undo("ana")
    assert store.get("item", ITEM).evidence == "two"


def test_expect_refuses_an_edit_over_someone_elses(store: Store) -> None:
    seen = store.get("item", ITEM)
    store.update("item", ITEM, {"evidence": "mine"}, "ana", expect={"evidence": seen.evidence})
    with pytest.raises(ConflictError, match="changed by someone else"):
        store.update("item", ITEM, {"evidence": "theirs"}, "ben", expect={"evidence": ""})
    assert store.get("item", ITEM).evidence == "mine"
    store.update("item", ITEM, {"evidence": "theirs"}, "ben", expect={"evidence": "mine"})
    assert store.get("item", ITEM).evidence == "theirs"


def test_insert_refuses_an_existing_key(store: Store) -> None:
    with pytest.raises(InvalidValueError, match="already exists"):
        store.insert("on_call", OnCall(role="Primary on-call"), "ana")


def test_history_filters_by_person_and_text(store: Store) -> None:
    operations.tick(store, ITEM, "done", "ana")
    operations.measure(store, "accuracy", 0.93, "ben")
    assert {e.by for e in store.history(by="ben")} == {"ben"}
    assert {e.key for e in store.history(text="edge-cases")} == {ITEM}


def test_data_survives_closing_and_reopening(project: Path) -> None:
    with Store.open(project) as store:
        operations.tick(store, ITEM, "done", "ana", evidence="kept")
        operations.measure(store, "accuracy", 0.93, "ana", n=200, source="run 7")
        operations.decide(store, "ana", title="Ship", decision="d", rationale="r")
        before = store.load()
    with Store.open(project) as store:
        after = store.load()
        assert store.get("item", ITEM).evidence == "kept"
    assert after == before


def test_an_edit_is_committed_before_it_is_reported(project: Path) -> None:
    with Store.open(project) as store:
        operations.tick(store, ITEM, "done", "ana")
        # Another connection sees it while this one is still open: it is on disk.
        other = sqlite3.connect(project)
        try:
            status = other.execute("SELECT status FROM items WHERE id = ?", [ITEM]).fetchone()
        finally:
            other.close()
    assert status == ("done",)


def test_file_carries_application_id_and_schema_version(project: Path) -> None:
    conn = sqlite3.connect(project)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    assert app_id == APPLICATION_ID
    assert version == SCHEMA_VERSION
    with Store.open(project) as store:
        assert store.schema_version() == SCHEMA_VERSION


def test_create_refuses_to_overwrite(project: Path) -> None:
    before = project.read_bytes()
    with pytest.raises(ProjectFileError, match="already exists"):
        operations.create_project(project, name="Again", risk="low", by="ana")
    assert project.read_bytes() == before


def test_opening_a_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="workbench new"):
        Store.open(tmp_path / "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists()


def test_expect_catches_an_edit_made_from_another_window(project: Path) -> None:
    with Store.open(project) as mine, Store.open(project) as theirs:
        seen = mine.get("item", ITEM).evidence
        operations.tick(theirs, ITEM, "done", "ben", evidence="theirs")
        with pytest.raises(ConflictError, match="now 'theirs'"):
            mine.update("item", ITEM, {"evidence": "mine"}, "ana", expect={"evidence": seen})
    with Store.open(project) as store:
        assert store.get("item", ITEM).evidence == "theirs"


def test_a_record_inserted_is_validated_so_it_can_be_read(store: Store) -> None:
    """Found: a rollout week added after week 520 (model_copy skips validation) was
    written, and the project could never be read again."""
    from workbench.models import RolloutStage

    stage = RolloutStage(week=1, traffic=0.1).model_copy(update={"week": 521})
    with pytest.raises(InvalidValueError, match="week: Input should be less than or equal"):
        store.insert("stage", stage, "ana")
    assert all(s.week <= 520 for s in store.load().rollout.stages)


def test_a_stored_value_that_is_not_json_names_its_record(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    operations.create_project(path, name="P", risk="low", by="x").close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE thresholds SET measured = '{not json' WHERE metric = 'accuracy'")
    conn.commit()
    conn.close()
    with Store.open(path) as opened, pytest.raises(ProjectFileError) as refused:
        opened.get("threshold", "accuracy")
    assert str(refused.value) == (
        f"{path}: the project file holds an invalid value in threshold accuracy (a stored "
        "value is not valid JSON); undo the edit that wrote it, or restore a backup"
    )
