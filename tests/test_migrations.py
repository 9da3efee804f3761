"""An older project file is backed up (as a real SQLite copy), then migrated, keeping content."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core_support import Runner, sha256
from sqlite_utils import Database

from workbench import migrations, operations
from workbench.backup import list_backups
from workbench.migrations import APPLICATION_ID, SCHEMA_VERSION
from workbench.models import ChecklistItem, ProjectData, ProjectInfo, Threshold
from workbench.store import Store

ITEM = "testing.edge-cases"


def pragmas(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    return app_id, version


def integrity(path: Path) -> str:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def make_schema_1_file(path: Path, template_text: str) -> None:
    """A file as the first release wrote it: migration 0001 only, with some content."""
    db = Database(path)
    migrations.apply(db, stop_before="0002_workshop")
    project = ProjectInfo(name="Old project", risk="high", owner="Ana", template="x")
    item = ChecklistItem(
        id=ITEM,
        section="testing",
        title="Edge cases exercised",
        area="testing",
        status="done",
        evidence="written by version 1",
        position=1,
    )
    threshold = Threshold(
        metric="accuracy", name="Accuracy", comparator=">", target=0.9, reasoning="agreed"
    )
    with db.atomic():
        db.table("meta").insert({"key": "template", "value": template_text})
        db.table("project").insert({"id": 1, **project.model_dump(mode="json")})
        db.table("items").insert(item.model_dump(mode="json"))
        db.table("thresholds").insert(
            {**threshold.model_dump(mode="json"), "measured": '{"value": 0.93, "n": 200}'}
        )
        db.table("changes").insert(
            {
                "id": 1,
                "at": "2025-01-01T00:00:00+00:00",
                "by": "ana",
                "summary": "created project 'Old project'",
                "undone": 0,
            }
        )
    db.close()


def test_apply_stop_before_makes_a_schema_1_file(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = Database(path)
    migrations.apply(db, stop_before="0002_workshop")
    names = set(db.table_names())
    db.close()
    assert pragmas(path) == (APPLICATION_ID, 1)
    assert "items" in names and "workshop" not in names and "parking_lot" not in names


def test_schema_1_file_is_backed_up_then_migrated(tmp_path: Path, template_text: str) -> None:
    path = tmp_path / "old.sqlite"
    make_schema_1_file(path, template_text)
    with Store.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        data = store.load()
    assert pragmas(path) == (APPLICATION_ID, SCHEMA_VERSION)
    assert data.project.name == "Old project" and data.project.risk == "high"
    item = next(i for i in data.checklist if i.id == ITEM)
    assert (item.status, item.evidence) == ("done", "written by version 1")
    threshold = data.thresholds[0]
    assert threshold.measured is not None and threshold.measured.value == 0.93
    assert data.parking_lot == [] and data.workshop.attendees == []

    backups = list_backups(path)
    assert len(backups) == 1
    assert backups[0].parent == tmp_path / "backups"
    assert "before-migration-v1" in backups[0].name
    assert backups[0].read_bytes().startswith(b"SQLite format 3\x00")
    assert pragmas(backups[0]) == (APPLICATION_ID, 1)
    assert integrity(backups[0]) == "ok"
    conn = sqlite3.connect(backups[0])
    try:
        evidence = conn.execute("SELECT evidence FROM items WHERE id = ?", [ITEM]).fetchone()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert evidence == ("written by version 1",)
    assert "workshop" not in tables

    # A second open finds nothing to migrate and makes no second backup.
    with Store.open(path):
        pass
    assert len(list_backups(path)) == 1


UNDO_0010 = """
    DROP TABLE signals;
    DROP TABLE metric_imports;
    DROP TABLE metric_samples;
    DROP TABLE review_imports;
    DROP TABLE reviews;
    ALTER TABLE stages DROP COLUMN checks;
    ALTER TABLE stages DROP COLUMN window_start;
    ALTER TABLE stages DROP COLUMN window_end;
    ALTER TABLE alerts DROP COLUMN severity;
    ALTER TABLE rollout_settings DROP COLUMN flag_key;
    ALTER TABLE rollout_settings DROP COLUMN reviews_per_day_limit;
    ALTER TABLE rollout_settings DROP COLUMN reviews_in_a_row_limit;
    DELETE FROM _sqlite_migrations WHERE name = '0010_production';
"""
UNDO_0009 = (
    UNDO_0010
    + """
    DROP TABLE signoffs;
    DROP TABLE threshold_fixes;
    DROP TABLE actions;
    DELETE FROM _sqlite_migrations WHERE name = '0009_governance';
"""
)
UNDO_0008 = (
    UNDO_0009
    + """
    DROP TABLE sessions;
    ALTER TABLE decisions DROP COLUMN consequences;
    ALTER TABLE parking_lot DROP COLUMN answer;
    ALTER TABLE parking_lot DROP COLUMN answered_by;
    ALTER TABLE parking_lot DROP COLUMN decision;
    ALTER TABLE rollback_options DROP COLUMN tested_by;
    ALTER TABLE rollback_options DROP COLUMN test_note;
    DELETE FROM _sqlite_migrations WHERE name = '0008_workshop_record';
"""
)


def without_production_plan(data: ProjectData) -> ProjectData:
    """``data`` as a file from before 0010 reads: no signal queries, no alert severities,
    no stage checks (0010 invents none: an expression the team did not see is not
    exported)."""
    return data.model_copy(
        update={
            "monitoring": data.monitoring.model_copy(
                update={
                    "signals": [],
                    "alerts": [
                        a.model_copy(update={"severity": ""}) for a in data.monitoring.alerts
                    ],
                }
            ),
            "rollout": data.rollout.model_copy(
                update={
                    "stages": [s.model_copy(update={"checks": []}) for s in data.rollout.stages]
                }
            ),
        }
    )


def downgrade_to_schema_1(path: Path) -> None:
    """Undo migrations 0010 to 0002 by hand, as if the file had been written by release 1.

    (0004's index and 0006's columns go with the results and runs tables; 0005 only dropped
    indexes.)"""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(
            UNDO_0008
            + """
            DROP TABLE results;
            DROP TABLE runs;
            ALTER TABLE dataset DROP COLUMN max_group_gap;
            DELETE FROM _sqlite_migrations WHERE name = '0007_alert_notes';
            DELETE FROM _sqlite_migrations WHERE name = '0006_runs_of_any_tool';
            DELETE FROM _sqlite_migrations WHERE name = '0005_lean_results';
            DELETE FROM _sqlite_migrations WHERE name = '0004_results_by_line';
            DELETE FROM _sqlite_migrations WHERE name = '0003_evidence';
            DROP TABLE workshop;
            DROP TABLE parking_lot;
            DELETE FROM _sqlite_migrations WHERE name = '0002_workshop';
            PRAGMA user_version = 1;
            """
        )
        conn.commit()
    finally:
        conn.close()


def test_a_full_old_project_keeps_all_its_content(tmp_path: Path, cli: Runner) -> None:
    path = tmp_path / "full.sqlite"
    with operations.create_project(path, name="Full", risk="medium", by="ana") as store:
        operations.tick(store, ITEM, "done", "ana", evidence="kept across versions")
        operations.measure(store, "accuracy", 0.93, "ana", n=200)
        operations.decide(store, "ana", title="Ship", decision="d", rationale="r")
        before = store.load()
        history_before = store.history_count()
    downgrade_to_schema_1(path)
    assert pragmas(path) == (APPLICATION_ID, 1)

    result = cli("status", path)  # any command upgrades the file
    assert result.code == 0, result.err
    assert "Full" in result.out
    with Store.open(path) as store:
        after = store.load()
        assert store.history_count() == history_before
    assert after == without_production_plan(before)
    assert pragmas(path) == (APPLICATION_ID, SCHEMA_VERSION)
    (backup,) = list_backups(path)
    assert pragmas(backup) == (APPLICATION_ID, 1)
    assert integrity(backup) == "ok"


def test_readonly_open_of_an_old_file_refuses_and_changes_nothing(
    tmp_path: Path, template_text: str
) -> None:
    path = tmp_path / "old.sqlite"
    make_schema_1_file(path, template_text)
    original = sha256(path)
    try:
        Store.open(path, readonly=True)
    except Exception as error:
        assert "older workbench" in str(error)
    else:
        raise AssertionError("a read-only open of an old file should refuse")
    assert sha256(path) == original
    assert list_backups(path) == []


def test_an_alerts_stock_words_give_way_to_words_from_its_value(tmp_path: Path) -> None:
    """Release 6 kept the template's words beside each alert's value ("above 5% over 15
    minutes"), stale once the value changed; 0007 clears them, keeping a team's own note."""
    path = tmp_path / "v6.sqlite"
    with operations.create_project(path, name="Old", risk="medium", by="ana"):
        pass
    conn = sqlite3.connect(path)
    try:
        conn.executescript(
            UNDO_0008
            + """
            UPDATE alerts SET condition = 'above 5% over 15 minutes', value = 0.02
                WHERE id = 'error-rate';
            UPDATE alerts SET condition = 'average above 10 seconds' WHERE id = 'latency';
            UPDATE alerts SET condition = 'only in office hours' WHERE id = 'cost-spike';
            DELETE FROM _sqlite_migrations WHERE name = '0007_alert_notes';
            PRAGMA user_version = 6;
            """
        )
        conn.commit()
    finally:
        conn.close()
    with Store.open(path) as store:
        alerts = {a.id: a for a in store.load().monitoring.alerts}
    assert alerts["error-rate"].condition == ""
    assert alerts["latency"].condition == "the average over requests"
    assert alerts["cost-spike"].condition == "only in office hours"
    assert pragmas(path) == (APPLICATION_ID, SCHEMA_VERSION)


def test_a_release_8_project_gains_signoffs_and_keeps_its_content(
    tmp_path: Path, cli: Runner
) -> None:
    """0009 adds sign-offs, the thresholds' fixings and action items, all empty: an old
    project opens with no sign-off, thresholds not yet fixed, and can be signed."""
    path = tmp_path / "v8.sqlite"
    with operations.create_project(path, name="Old", risk="medium", by="ana") as store:
        operations.tick(store, ITEM, "done", "ana", evidence="kept")
        before = store.load()
    conn = sqlite3.connect(path)
    try:
        conn.executescript(UNDO_0009 + "PRAGMA user_version = 8;")
        conn.commit()
    finally:
        conn.close()
    assert pragmas(path)[1] == 8
    assert cli("signoff", path, "--role", "product owner", "--by", "Dana").code == 0
    assert pragmas(path) == (APPLICATION_ID, SCHEMA_VERSION)
    with Store.open(path) as store:
        after = store.load()
    assert after.checklist == before.checklist
    assert [s.by for s in after.signoffs] == ["Dana"] and after.threshold_fixes == []


def test_a_release_9_project_gains_the_production_plan_and_keeps_its_content(
    tmp_path: Path, cli: Runner
) -> None:
    """0010 adds signals, stage checks and windows, alert severities, the flag key and the
    fatigue limits, all empty, and the production evidence tables: an old project opens
    with its content, and a signal can be set."""
    path = tmp_path / "v9.sqlite"
    with operations.create_project(path, name="Old", risk="medium", by="ana") as store:
        operations.tick(store, ITEM, "done", "ana", evidence="kept")
        before = store.load()
    conn = sqlite3.connect(path)
    try:
        conn.executescript(UNDO_0010 + "PRAGMA user_version = 9;")
        conn.commit()
    finally:
        conn.close()
    assert pragmas(path)[1] == 9
    result = cli("signal", path, "error-rate", "--query", "sum(rate(errors_total[$window]))")
    assert result.code == 0, result.err
    assert pragmas(path) == (APPLICATION_ID, SCHEMA_VERSION)
    with Store.open(path) as store:
        after = store.load()
    assert after.checklist == before.checklist
    assert [(s.id, s.query) for s in after.monitoring.signals] == [
        ("error-rate", "sum(rate(errors_total[$window]))")
    ]
    assert [s.checks for s in after.rollout.stages] == [[]] * len(before.rollout.stages)
