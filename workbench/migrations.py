"""Named schema migrations for the project file (``sqlite_utils.Migrations``).

Each migration is frozen once released: it creates exactly the tables of its
day and then stamps the file's ``user_version`` with its number, inside the
same transaction, so a crash leaves the file at one version or the next. Never
edit a released migration; add a new one.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from workbench.vocab import APPLICATION_ID, SCHEMA_VERSION

project_migrations = Migrations("workbench")


def _stamp(db: Database, version: int) -> None:
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {version}")


@project_migrations(name="0001_initial")
def initial(db: Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("project").create(
        {
            "id": int,
            "name": str,
            "system": str,
            "use": str,
            "risk": str,
            "owner": str,
            "template": str,
            "created_at": str,
        },
        pk="id",
    )
    db.table("items").create(
        {
            "id": str,
            "section": str,
            "title": str,
            "help": str,
            "area": str,
            "status": str,
            "reason": str,
            "owner": str,
            "evidence": str,
            "updated_by": str,
            "updated_at": str,
            "position": int,
        },
        pk="id",
    )
    db.table("thresholds").create(
        {
            "metric": str,
            "name": str,
            "definition": str,
            "comparator": str,
            "target": float,
            "unit": str,
            "reasoning": str,
            "hint": str,
            "measured": str,
            "position": int,
        },
        pk="metric",
    )
    db.table("dataset").create(
        {
            "id": int,
            "planned_size": int,
            "actual_size": int,
            "edge_cases": int,
            "adversarial_cases": int,
            "notes": str,
            "composition": str,
        },
        pk="id",
    )
    db.table("patterns").create(
        {
            "id": str,
            "title": str,
            "summary": str,
            "chosen": int,
            "notes": str,
            "position": int,
        },
        pk="id",
    )
    db.table("stages").create(
        {"week": int, "traffic": float, "criterion": str, "status": str}, pk="week"
    )
    db.table("rollout_settings").create(
        {
            "id": int,
            "shadow_weeks": int,
            "shadow_comparison": str,
            "hitl_approval_target": float,
            "hitl_notes": str,
            "flag_tool": str,
        },
        pk="id",
    )
    db.table("alerts").create(
        {
            "id": str,
            "signal": str,
            "comparator": str,
            "value": float,
            "unit": str,
            "window_minutes": int,
            "condition": str,
            "response": str,
            "owner": str,
            "enabled": int,
            "position": int,
        },
        pk="id",
    )
    db.table("logging_policy").create(
        {
            "id": int,
            "always": str,
            "optionally": str,
            "never": str,
            "retention_days": int,
            "retention_note": str,
        },
        pk="id",
    )
    db.table("severity_levels").create(
        {
            "id": str,
            "title": str,
            "definition": str,
            "response_minutes": int,
            "example": str,
            "position": int,
        },
        pk="id",
    )
    db.table("playbook").create(
        {"id": str, "title": str, "window": str, "steps": str, "position": int}, pk="id"
    )
    db.table("rollback_options").create(
        {
            "id": str,
            "title": str,
            "description": str,
            "speed": str,
            "best_for": str,
            "last_tested": str,
            "position": int,
        },
        pk="id",
    )
    db.table("on_call").create({"role": str, "person": str}, pk="role")
    db.table("escalation").create({"step": int, "contact": str, "when": str}, pk="step")
    db.table("oversight").create(
        {
            "id": str,
            "kind": str,
            "text": str,
            "status": str,
            "notes": str,
            "position": int,
        },
        pk="id",
    )
    db.table("decisions").create(
        {
            "id": int,
            "title": str,
            "context": str,
            "decision": str,
            "rationale": str,
            "alternatives": str,
            "owner": str,
            "date": str,
            "status": str,
            "supersedes": int,
            "links": str,
        },
        pk="id",
    )
    db.table("changes").create(
        {"id": int, "at": str, "by": str, "summary": str, "undoes": int, "undone": int},
        pk="id",
    )
    db.table("history").create(
        {
            "id": int,
            "change": int,
            "entity": str,
            "key": str,
            "field": str,
            "old": str,
            "new": str,
        },
        pk="id",
        foreign_keys=[("change", "changes", "id")],
    )
    db.table("history").create_index(["change"])
    db.table("history").create_index(["entity", "key"])
    _stamp(db, 1)


@project_migrations(name="0002_workshop")
def workshop(db: Database) -> None:
    """The guided workshop: who is present, where the team is, the parking lot."""
    db.table("workshop").create({"id": int, "attendees": str, "editor": str, "step": str}, pk="id")
    db.table("parking_lot").create(
        {"id": int, "text": str, "raised_by": str, "step": str, "resolved": int}, pk="id"
    )
    _stamp(db, 2)


@project_migrations(name="0003_evidence")
def evidence(db: Database) -> None:
    """Evaluation runs and their results; the bias check's maximum accuracy gap."""
    db.table("runs").create(
        {
            "id": int,
            "label": str,
            "imported_at": str,
            "imported_by": str,
            "source": str,
            "sha256": str,
            "format": str,
            "rows": int,
            "skipped": int,
            "metrics": str,
        },
        pk="id",
    )
    db.table("results").create(
        {
            "run_id": int,
            "line": int,
            "case_id": str,
            "category": str,
            "grp": str,
            "kind": str,
            "expected": str,
            "output": str,
            "correct": int,
            "hallucinated": int,
            "refused": int,
            "latency_ms": float,
            "error": int,
            "human_output": str,
        },
        foreign_keys=[("run_id", "runs", "id")],
    )
    db.table("results").create_index(["run_id", "case_id"], unique=True)
    db.table("results").create_index(["run_id", "latency_ms"])
    db.table("dataset").add_column("max_group_gap", float, not_null_default=0.05)
    _stamp(db, 3)


@project_migrations(name="0004_results_by_line")
def results_by_line(db: Database) -> None:
    """The results browser pages a run in file order: index it, so a page costs no sort."""
    db.table("results").create_index(["run_id", "line"], if_not_exists=True)
    _stamp(db, 4)


@project_migrations(name="0005_lean_results")
def lean_results(db: Database) -> None:
    """Results keep one index, (run_id, line), which every read of a run uses.

    The index by latency served only the 95th percentile, worked out once at import,
    and the unique index by case id only repeated the import's own duplicate check;
    each made every imported row cost another B-tree insert."""
    db.execute("DROP INDEX IF EXISTS idx_results_run_id_latency_ms")
    db.execute("DROP INDEX IF EXISTS idx_results_run_id_case_id")
    _stamp(db, 5)


@project_migrations(name="0006_runs_of_any_tool")
def runs_of_any_tool(db: Database) -> None:
    """Runs say which tool wrote them and which system they measure, how many cases they
    hold (a case repeated in epochs is one), and what the import did with the file
    (``details``, JSON); a result keeps its epoch and its named scores (JSON)."""
    runs = db.table("runs")
    for name, kind in (
        ("tool", str),
        ("tool_version", str),
        ("system", str),
        ("cases", int),
        ("epochs", int),
        ("batch", int),
        ("details", str),
    ):
        runs.add_column(name, kind)
    db.execute(
        "UPDATE runs SET cases = rows, epochs = 1, details = '{}', tool = CASE format "
        "WHEN 'promptfoo' THEN 'promptfoo' WHEN 'jsonl' THEN 'JSON Lines' ELSE 'CSV' END"
    )
    db.table("results").add_column("epoch", int)
    db.table("results").add_column("scores", str)
    _stamp(db, 6)


# An alert's condition is worded from its comparator, value and window; the words the
# shipped template stored beside them went stale as soon as someone changed the value.
_STOCK_CONDITIONS = {
    "above 5% over 15 minutes": "",
    "average above 10 seconds": "the average over requests",
    "more than 3 within 1 hour": "",
    "above 200% of the baseline cost": "",
    "average confidence below 0.7": "the average confidence of the answers",
}


@project_migrations(name="0007_alert_notes")
def alert_notes(db: Database) -> None:
    """An alert's ``condition`` is a note beside the worded condition, not a second copy
    of its value: the template's restatements are cleared (or cut to what they added,
    "the average"), and a note a team wrote itself is kept."""
    for stock, note in _STOCK_CONDITIONS.items():
        db.execute("UPDATE alerts SET condition = ? WHERE condition = ?", [note, stock])
    _stamp(db, 7)


@project_migrations(name="0008_workshop_record")
def workshop_record(db: Database) -> None:
    """What the workshop leaves behind: the sessions held (when, who led, who came), a
    decision's consequences, a parked question's answer (and the decision it became), and
    who tested a rollback and what the test was."""
    db.table("sessions").create(
        {
            "id": int,
            "started_at": str,
            "ended_at": str,
            "facilitator": str,
            "attendees": str,
            "note": str,
        },
        pk="id",
    )
    db.table("decisions").add_column("consequences", str, not_null_default="")
    questions = db.table("parking_lot")
    questions.add_column("answer", str, not_null_default="")
    questions.add_column("answered_by", str, not_null_default="")
    questions.add_column("decision", int)
    rollbacks = db.table("rollback_options")
    rollbacks.add_column("tested_by", str, not_null_default="")
    rollbacks.add_column("test_note", str, not_null_default="")
    _stamp(db, 8)


@project_migrations(name="0009_governance")
def governance(db: Database) -> None:
    """What the steering committee relies on: sign-offs (who approved which content, by
    its digest), the thresholds as fixed before evidence was seen, and action items (an
    owner and a due date for an open point)."""
    db.table("signoffs").create(
        {
            "id": int,
            "role": str,
            "by": str,
            "note": str,
            "signed_at": str,
            "digest": str,
            "change": int,
        },
        pk="id",
    )
    db.table("threshold_fixes").create(
        {
            "id": int,
            "fixed_at": str,
            "by": str,
            "how": str,
            "targets": str,
            "digest": str,
            "change": int,
        },
        pk="id",
    )
    db.table("actions").create({"point": str, "owner": str, "due": str, "note": str}, pk="point")
    _stamp(db, 9)


@project_migrations(name="0010_production")
def production(db: Database) -> None:
    """From plan to production: each signal's PromQL expression, a stage's checks and
    the window it ran in, the kill switch's flag key and the reviewers' fatigue limits;
    and the production evidence imported: metric samples for a stage, reviewers'
    decisions. Evidence, like results, lives in its own tables, never in the history."""
    db.table("signals").create(
        {"id": str, "query": str, "note": str, "position": int},
        pk="id",
        not_null={"query", "note", "position"},
        defaults={"query": "", "note": "", "position": 0},
    )
    stages = db.table("stages")
    stages.add_column("checks", str, not_null_default="[]")
    stages.add_column("window_start", str, not_null_default="")
    stages.add_column("window_end", str, not_null_default="")
    db.table("alerts").add_column("severity", str, not_null_default="")
    settings = db.table("rollout_settings")
    settings.add_column("flag_key", str, not_null_default="")
    settings.add_column("reviews_per_day_limit", int, not_null_default=0)
    settings.add_column("reviews_in_a_row_limit", int, not_null_default=0)
    db.table("metric_imports").create(
        {
            "id": int,
            "stage": int,
            "file": str,
            "sha256": str,
            "format": str,
            "imported_at": str,
            "by": str,
            "window_start": str,
            "window_end": str,
            "rows": int,
            "outside": int,
            "change": int,
        },
        pk="id",
    )
    db.table("metric_samples").create(
        {"import_id": int, "line": int, "metric": str, "at": str, "value": float}
    )
    db.table("metric_samples").create_index(["import_id", "metric"])
    db.table("review_imports").create(
        {
            "id": int,
            "file": str,
            "sha256": str,
            "format": str,
            "imported_at": str,
            "by": str,
            "rows": int,
            "change": int,
        },
        pk="id",
    )
    db.table("reviews").create(
        {
            "import_id": int,
            "line": int,
            "case_id": str,
            "category": str,
            "decision": str,
            "reviewer": str,
            "at": str,
        }
    )
    db.table("reviews").create_index(["import_id"])
    _stamp(db, 10)


assert len(project_migrations._migrations) == SCHEMA_VERSION, "update vocab.SCHEMA_VERSION"


def apply(db: Database, stop_before: str | None = None) -> None:
    """Bring the file up to date (or up to ``stop_before``, for tests of old files)."""
    project_migrations.apply(db, stop_before=stop_before)
