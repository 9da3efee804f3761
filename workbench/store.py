"""The project file: one SQLite database per project, written through sqlite-utils.

The store is the only code that opens the database. It checks a file before it
touches it (so a file it refuses stays byte-for-byte as it was), migrates older
files after a backup, and makes every edit one ``BEGIN IMMEDIATE`` transaction
that also records the change in the history. An edit is committed before the
caller is told it was saved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from sqlite_utils import Database
from sqlite_utils.db import Table

from workbench import migrations
from workbench.catalog import Template, parse_template
from workbench.errors import (
    ConflictError,
    InvalidValueError,
    NotFoundError,
    NotYoursError,
    ProjectFileError,
    describe_validation_error,
)
from workbench.files import check_project_file, set_aside_journal
from workbench.models import (
    ActionItem,
    AlertRule,
    ChecklistItem,
    DatasetPlan,
    Decision,
    EscalationStep,
    HistoryEntry,
    IncidentResponse,
    LoggingPolicy,
    Monitoring,
    OnCall,
    Oversight,
    OversightMeasure,
    ParkedQuestion,
    Pattern,
    PlaybookPhase,
    ProjectData,
    ProjectInfo,
    RollbackOption,
    Rollout,
    RolloutSettings,
    RolloutStage,
    SeverityLevel,
    Signal,
    Signoff,
    Threshold,
    ThresholdFix,
    Workshop,
    WorkshopSession,
    now,
)

BUSY_TIMEOUT_S = 5.0
NAME_MAX = 255  # bytes in a file name, on Linux, macOS and Windows file systems

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Entity:
    """How one kind of record is kept: its table, key column, model and JSON columns."""

    name: str
    label: str
    table: str
    model: type[BaseModel]
    key: str | None = None  # None: a single-row table (key column "id" = 1)
    json_fields: tuple[str, ...] = ()
    order: str = "position"


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity("project", "project", "project", ProjectInfo, order=""),
        Entity("item", "checklist item", "items", ChecklistItem, "id"),
        Entity("threshold", "threshold", "thresholds", Threshold, "metric", ("measured",)),
        Entity("dataset", "test-set plan", "dataset", DatasetPlan, None, ("composition",), ""),
        Entity("pattern", "deployment pattern", "patterns", Pattern, "id"),
        Entity("stage", "rollout stage", "stages", RolloutStage, "week", ("checks",), "week"),
        Entity("rollout", "rollout settings", "rollout_settings", RolloutSettings, order=""),
        Entity("alert", "alert rule", "alerts", AlertRule, "id"),
        Entity("signal", "signal", "signals", Signal, "id"),
        Entity(
            "logging",
            "logging policy",
            "logging_policy",
            LoggingPolicy,
            None,
            ("always", "optionally", "never"),
            "",
        ),
        Entity("severity", "severity level", "severity_levels", SeverityLevel, "id"),
        Entity("phase", "playbook phase", "playbook", PlaybookPhase, "id", ("steps",)),
        Entity("rollback", "rollback option", "rollback_options", RollbackOption, "id"),
        Entity("on_call", "on-call role", "on_call", OnCall, "role", order="rowid"),
        Entity("escalation", "escalation step", "escalation", EscalationStep, "step", order="step"),
        Entity("measure", "oversight measure", "oversight", OversightMeasure, "id"),
        Entity("decision", "decision", "decisions", Decision, "id", ("links",), "id"),
        Entity("question", "parked question", "parking_lot", ParkedQuestion, "id", order="id"),
        Entity("workshop", "workshop", "workshop", Workshop, None, ("attendees",), ""),
        Entity(
            "session", "workshop session", "sessions", WorkshopSession, "id", ("attendees",), "id"
        ),
        Entity("signoff", "sign-off", "signoffs", Signoff, "id", order="id"),
        Entity(
            "fixing", "threshold fixing", "threshold_fixes", ThresholdFix, "id", ("targets",), "id"
        ),
        Entity("action", "action item", "actions", ActionItem, "point", order="rowid"),
    )
}


@dataclass(frozen=True)
class Change:
    """One saved edit: what the status line and the undo command talk about."""

    id: int
    summary: str
    by: str = ""


def _encode(entity: Entity, model: BaseModel) -> dict[str, Any]:
    row = model.model_dump(mode="json")
    for name in entity.json_fields:
        row[name] = None if row[name] is None else json.dumps(row[name], ensure_ascii=False)
    if entity.key is None:
        row["id"] = 1
    return row


def _decode(entity: Entity, row: dict[str, Any]) -> Any:
    data = dict(row)
    if entity.key is None:
        data.pop("id", None)
    for name in entity.json_fields:
        if isinstance(data.get(name), str):
            data[name] = json.loads(data[name])
    return entity.model.model_validate(data)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _unjson(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _brief(value: Any) -> str:
    """A value for a one-line message: its repr, cut at 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _connect(target: str | Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        uri = Path(target).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return conn


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``, None if there is none."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def describe_sqlite_error(path: Path | str, error: sqlite3.Error) -> str:
    text = str(error)
    if "locked" in text or "busy" in text:
        return f"{path}: busy, another workbench is saving to it; try again in a moment"
    if "readonly" in text or "read-only" in text:
        return f"{path}: read-only, nothing was saved (check the file's and folder's permissions)"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return (
            f"{path}: the project file is damaged ({text}); "
            "restore a backup with: workbench restore"
        )
    if "full" in text:
        return f"{path}: the disk is full; nothing was saved (free some space and try again)"
    if "unable to open" in text or "disk I/O" in text:
        return f"{path}: cannot write here ({text}); check the folder's permissions and free space"
    return f"{path}: database error ({text})"


class Store:
    """An open project file. Use ``Store.open``, ``Store.create`` or ``Store.memory``."""

    def __init__(self, db: Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        self._template: Template | None = None
        self._group: int | None = None
        # the file this store opened (device, inode): a restore or a delete replaces the
        # name, not the open file, so every write checks the name still leads here
        self._identity = file_identity(path) if path is not None else None
        self.set_aside: list[Path] = []  # stale journals moved away before creating

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(
        cls, path: Path | str, *, readonly: bool = False, backup_dir: Path | None = None
    ) -> Store:
        """Open an existing project, migrating it (after a backup) when it is older."""
        path = Path(path)
        check_project_file(path)
        try:
            conn = _connect(path, readonly=readonly)
        except sqlite3.Error as error:
            raise ProjectFileError(describe_sqlite_error(path, error)) from None
        try:
            db = Database(conn, execute_plugins=False)
            store = cls(db, path)
            store._check_integrity()
            if not readonly:
                store._use_rollback_journal()
            version = store.schema_version()
            if version < migrations.SCHEMA_VERSION:
                if readonly:
                    raise ProjectFileError(
                        f"{path}: made by an older workbench; "
                        "open it once for writing to upgrade it"
                    )
                from workbench.backup import backup

                backup(store, reason=f"before-migration-v{version}", folder=backup_dir)
                store._migrate()
            store._check_tables()
            return store
        except sqlite3.Error as error:
            conn.close()
            raise ProjectFileError(describe_sqlite_error(path, error)) from None
        except BaseException:
            conn.close()
            raise

    @classmethod
    def create(cls, path: Path | str, data: ProjectData, template_text: str, by: str) -> Store:
        """Create a new project file; refuses to overwrite anything that exists."""
        path = Path(path)
        if path.exists():
            raise ProjectFileError(
                f"{path}: already exists; choose another name or delete it first"
            )
        if not path.parent.is_dir():
            raise ProjectFileError(f"{path.parent}: no such folder")
        longest = len(os.fsencode(path.name + ".creating-journal"))
        if longest > NAME_MAX:
            most = NAME_MAX - len(".creating-journal")
            raise ProjectFileError(
                f"{path.name[:40]}…: the file name is too long ({len(os.fsencode(path.name))} "
                f"bytes; at most {most}); choose a shorter name"
            )
        partial = path.with_name(path.name + ".creating")
        partial_journal = partial.with_name(partial.name + "-journal")

        def clean() -> None:  # (a crashed create's file and journal are ours to delete)
            with contextlib.suppress(OSError):  # (a read-only folder: nothing to delete)
                partial.unlink(missing_ok=True)
                partial_journal.unlink(missing_ok=True)

        clean()
        try:
            conn = _connect(partial)
            db = Database(conn, execute_plugins=False)
            store = cls(db, partial)
            store._initialise(data, template_text, by)
            conn.close()
            set_aside = set_aside_journal(path)
            partial.replace(path)
        except sqlite3.Error as error:
            clean()
            raise ProjectFileError(describe_sqlite_error(path, error)) from None
        except OSError as error:
            clean()
            raise ProjectFileError(
                f"{path}: cannot write here ({error.strerror}); check the name, the folder's "
                "permissions and free space"
            ) from None
        except BaseException:
            clean()
            raise
        created = cls.open(path)
        created.set_aside = [set_aside] if set_aside else []
        return created

    @classmethod
    def memory(cls, data: ProjectData, template_text: str, by: str = "test") -> Store:
        """A project held in memory, for tests."""
        db = Database(memory=True, execute_plugins=False)
        store = cls(db, None)
        store._initialise(data, template_text, by)
        return store

    def _initialise(self, data: ProjectData, template_text: str, by: str) -> None:
        migrations.apply(self.db)
        with self.write():
            template = parse_template(template_text)
            self.db.table("meta").insert_all(
                [
                    {"key": "template", "value": template_text},
                    # the same, validated, as JSON: read back ten times faster than TOML
                    {"key": "template_json", "value": template.model_dump_json(by_alias=True)},
                ],
                replace=True,
            )
            self._write_all(data)
            change = self._new_change(by, f"created project {data.project.name!r}")
            self._log(change, "project", "", "*", None, data.project.name)

    def _check_integrity(self) -> None:
        """Refuse a damaged file before anything is written to it (writing could spread it).

        Every table is checked except the bulk of evaluation results, which would make
        opening a project with a year of runs take seconds: a damaged results page is
        reported when it is read. A file shorter than its pages is truncated.
        """
        page_size = int(self.db.execute("PRAGMA page_size").fetchone()[0])
        page_count = int(self.db.execute("PRAGMA page_count").fetchone()[0])
        if self.path is not None and self.path.stat().st_size < page_size * page_count:
            raise ProjectFileError(
                f"{self.path}: the project file is damaged (it is truncated); "
                "restore a backup with: workbench restore"
            )
        problem = "ok"
        for table in self.db.table_names():
            if table == "results":
                continue
            problem = str(self.db.execute(f"PRAGMA quick_check([{table}])").fetchone()[0])
            if problem != "ok":
                break
        if problem != "ok":
            problem = " ".join(problem.replace("*** in database main ***", "").split())
            raise ProjectFileError(
                f"{self.path}: the project file is damaged ({problem}); "
                "restore a backup with: workbench restore"
            )

    def _use_rollback_journal(self) -> None:
        """Keep the file in rollback-journal mode, even if another program switched it to WAL.

        The store never uses WAL: the SQLite library Python links may have the WAL-reset
        bug (fixed in 3.44.6, 3.50.7 and 3.51.3), and a rollback journal needs no ``-wal``
        or ``-shm`` files beside the project.
        """
        mode = str(self.db.execute("PRAGMA journal_mode = DELETE").fetchone()[0]).lower()
        if mode != "delete":
            raise ProjectFileError(
                f"{self.path}: the project file is in {mode} journal mode and another program "
                "has it open; close that program and try again"
            )

    def _migrate(self) -> None:
        """Apply every pending migration in one transaction, holding the write lock.

        A crash leaves the file at its old version or fully migrated, never in between,
        and a second process opening the same old file waits, then finds nothing to do.
        """
        with self.write():
            migrations.apply(self.db)

    def _check_tables(self) -> None:
        names = set(self.db.table_names())
        missing = [e.table for e in ENTITIES.values() if e.table not in names]
        if missing:
            raise ProjectFileError(
                f"{self.path}: the project file is incomplete (no {missing[0]} table); "
                "restore a backup with: workbench restore"
            )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------ transactions

    @contextlib.contextmanager
    def write(self) -> Iterator[Database]:
        """One write transaction that takes the lock up front (``BEGIN IMMEDIATE``)."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise ProjectFileError(describe_sqlite_error(self.where, error)) from None
        try:
            self.check_same_file()
            yield self.db
            self.check_same_file()
        except BaseException:
            self._roll_back()
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._roll_back()
            raise ProjectFileError(describe_sqlite_error(self.where, error)) from None

    def _roll_back(self) -> None:
        """Undo the open transaction, and make sure the file itself is back as it was.

        After a failed write (a full disk, an I/O error) SQLite may leave the rollback
        undone and the journal hot beside the file, for whoever opens it next: a read on
        this connection plays the journal back now, while it surely belongs to this file.
        """
        conn = self.db.conn
        with contextlib.suppress(sqlite3.Error):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        with contextlib.suppress(sqlite3.Error):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()

    def file_state(self) -> Literal["same", "replaced", "deleted"]:
        """Whether the project's name still leads to the file opened here."""
        if self._identity is None or self.path is None:
            return "same"
        now_there = file_identity(self.path)
        if now_there == self._identity:
            return "same"
        return "deleted" if now_there is None else "replaced"

    def check_same_file(self) -> None:
        """Refuse to write if the project's name no longer leads to the file opened here
        (it was restored from a backup, replaced or deleted meanwhile)."""
        state = self.file_state()
        if state == "same":
            return
        if state == "deleted":
            raise ProjectFileError(
                f"{self.path}: the project file was deleted or moved while it was open; "
                "nothing was saved (restore it with: workbench restore)"
            )
        raise ProjectFileError(
            f"{self.path}: the project file was replaced (restored from a backup?) while it "
            "was open; nothing was saved: open it again and redo the edit"
        )

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise ProjectFileError(describe_sqlite_error(self.where, error)) from None

    @property
    def where(self) -> str:
        return str(self.path) if self.path else "project"

    def table(self, name: str) -> Table:
        return self.db.table(name)

    # ----------------------------------------------------------------- reading

    def template(self) -> Template:
        """The template the project was started from, as stored in the file."""
        if self._template is None:
            with self._guard():
                rows = dict(
                    self.db.execute(
                        "SELECT key, value FROM meta WHERE key IN ('template', 'template_json')"
                    ).fetchall()
                )
            if "template_json" in rows:
                try:
                    self._template = Template.model_validate_json(rows["template_json"])
                    return self._template
                except ValidationError:
                    pass  # fall back to the TOML it was made from
            if "template" not in rows:
                raise ProjectFileError(f"{self.where}: the project file has no template stored")
            self._template = parse_template(rows["template"], f"{self.where} (stored template)")
        return self._template

    def _rows(self, entity: Entity) -> list[Any]:
        order = f" ORDER BY {entity.order}" if entity.order else ""
        cursor = self.db.execute(f"SELECT * FROM [{entity.table}]{order}")
        columns = [c[0] for c in cursor.description]
        return [self._decode(entity, dict(zip(columns, row, strict=True))) for row in cursor]

    def _decode(self, entity: Entity, row: dict[str, Any]) -> Any:
        """A stored row as its model; a value the model refuses names the record."""
        try:
            return _decode(entity, row)
        except (ValidationError, ValueError) as error:  # (json.JSONDecodeError is a ValueError)
            record = entity.label + (f" {row.get(entity.key)}" if entity.key else "")
            why = (
                describe_validation_error(error)
                if isinstance(error, ValidationError)
                else "a stored value is not valid JSON"
            )
            raise ProjectFileError(
                f"{self.where}: the project file holds an invalid value in {record} "
                f"({why}); undo the edit that wrote it, or restore a backup"
            ) from None

    def _single(self, name: str) -> Any:
        rows = self._rows(ENTITIES[name])
        return rows[0] if rows else ENTITIES[name].model()

    def load(self) -> ProjectData:
        """Everything editable in the project, validated."""
        with self._guard():
            try:
                return ProjectData.model_construct(
                    project=self._single("project"),
                    checklist=self._rows(ENTITIES["item"]),
                    thresholds=self._rows(ENTITIES["threshold"]),
                    dataset=self._single("dataset"),
                    rollout=Rollout.model_construct(
                        patterns=self._rows(ENTITIES["pattern"]),
                        stages=self._rows(ENTITIES["stage"]),
                        settings=self._single("rollout"),
                    ),
                    monitoring=Monitoring.model_construct(
                        alerts=self._rows(ENTITIES["alert"]),
                        signals=self._rows(ENTITIES["signal"]),
                        logging=self._single("logging"),
                    ),
                    incident_response=IncidentResponse.model_construct(
                        severity_levels=self._rows(ENTITIES["severity"]),
                        playbook=self._rows(ENTITIES["phase"]),
                        rollback_options=self._rows(ENTITIES["rollback"]),
                        on_call=self._rows(ENTITIES["on_call"]),
                        escalation=self._rows(ENTITIES["escalation"]),
                    ),
                    oversight=Oversight.model_construct(measures=self._rows(ENTITIES["measure"])),
                    decisions=self._rows(ENTITIES["decision"]),
                    parking_lot=self._rows(ENTITIES["question"]),
                    workshop=self._single("workshop"),
                    sessions=self._rows(ENTITIES["session"]),
                    signoffs=self._rows(ENTITIES["signoff"]),
                    threshold_fixes=self._rows(ENTITIES["fixing"]),
                    actions=self._rows(ENTITIES["action"]),
                )
            except ValidationError as error:
                raise ProjectFileError(
                    f"{self.where}: the project file holds an invalid value "
                    f"({describe_validation_error(error)})"
                ) from None

    def records(self, entity_name: str) -> list[Any]:
        """Every record of one kind, in its order (sessions, decisions…)."""
        with self._guard():
            return self._rows(ENTITIES[entity_name])

    def get(self, entity_name: str, key: Any = None) -> Any:
        """One record by its key (or the single record of a single-row entity)."""
        entity = ENTITIES[entity_name]
        with self._guard():
            row = self._fetch(entity, key)
        if row is None:
            raise self._not_found(entity, key)
        return self._decode(entity, row)

    def _fetch(self, entity: Entity, key: Any) -> dict[str, Any] | None:
        column = entity.key or "id"
        value = 1 if entity.key is None else key
        cursor = self.db.execute(f"SELECT * FROM [{entity.table}] WHERE [{column}] = ?", [value])
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def _not_found(self, entity: Entity, key: Any) -> NotFoundError:
        known = [str(r[0]) for r in self.db.execute(f"SELECT [{entity.key}] FROM [{entity.table}]")]
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        if close:
            return NotFoundError(
                f"no {entity.label} {key!r} in this project; did you mean {close[0]!r}?"
            )
        hint = ", ".join(known[:8]) + (", …" if len(known) > 8 else "")
        return NotFoundError(
            f"no {entity.label} {key!r} in this project" + (f" (known: {hint})" if hint else "")
        )

    def history(
        self,
        *,
        limit: int = 200,
        offset: int = 0,
        entity: str | None = None,
        key: str | None = None,
        field: str | None = None,
        by: str | None = None,
        text: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[HistoryEntry]:
        """The history, newest first, optionally filtered (``since``/``until``: ISO times,
        the changes made at or after / before them)."""
        where = []
        params: list[Any] = []
        if since:
            where.append("c.at >= ?")
            params.append(since)
        if until:
            where.append("c.at < ?")
            params.append(until)
        if entity:
            where.append("h.entity = ?")
            params.append(entity)
        if key:
            where.append("h.key = ?")
            params.append(key)
        if field:
            where.append("h.field = ?")
            params.append(field)
        if by:
            where.append("c.by = ?")
            params.append(by)
        if text:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append(
                "("
                + " OR ".join(
                    f"{column} LIKE ? ESCAPE '\\'"
                    for column in ("h.entity", "h.key", "h.field", "h.old", "h.new", "c.by")
                )
                + ")"
            )
            params.extend([pattern] * 6)
        sql = (
            "SELECT h.id, h.change, c.at, c.by, h.entity, h.key, h.field, h.old, h.new "
            "FROM history h JOIN changes c ON c.id = h.change"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY h.id DESC LIMIT ? OFFSET ?"
        )
        params += [limit, offset]
        with self._guard():
            rows = self.db.execute(sql, params).fetchall()
        return [
            HistoryEntry(
                id=r[0],
                change=r[1],
                at=r[2],
                by=r[3],
                entity=r[4],
                key=r[5],
                field=r[6],
                old=_unjson(r[7]),
                new=_unjson(r[8]),
            )
            for r in rows
        ]

    def changes_since(
        self, since: str, leave_out: str = ""
    ) -> tuple[dict[str, int], dict[str, int]]:
        """What changed at or after ``since``: the number of records changed of each kind
        (by entity name) and the number of changes each person made; changes to records
        of the kind ``leave_out`` (say, the sessions themselves) are not counted."""
        with self._guard():
            kinds = self.db.execute(
                "SELECT h.entity, count(DISTINCT h.key) FROM history h "
                "JOIN changes c ON c.id = h.change WHERE c.at >= ? AND h.entity != ? "
                "GROUP BY h.entity",
                [since, leave_out],
            ).fetchall()
            people = self.db.execute(
                "SELECT by, count(*) FROM changes WHERE at >= ? "
                "AND summary NOT LIKE 'created project%' AND id IN "
                "(SELECT change FROM history WHERE entity != ?) GROUP BY by",
                [since, leave_out],
            ).fetchall()
        return {k: int(n) for k, n in kinds}, {p: int(n) for p, n in people}

    def last_change_id(self) -> int:
        """The number of the newest change (0 in a project with none)."""
        with self._guard():
            return int(self.db.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0])

    def changes_after(self, marks: Sequence[int], leave_out: Sequence[str]) -> dict[int, int]:
        """For each change number in ``marks``, how many later changes touched records of
        a kind not in ``leave_out`` (a sign-off's "N changes since")."""
        holes = ", ".join("?" for _ in leave_out) or "''"
        sql = (
            "SELECT count(DISTINCT change) FROM history "
            f"WHERE change > ? AND entity NOT IN ({holes})"
        )
        with self._guard():
            return {
                mark: int(self.db.execute(sql, [mark, *leave_out]).fetchone()[0])
                for mark in dict.fromkeys(marks)
            }

    def history_count(self) -> int:
        with self._guard():
            return int(self.db.execute("SELECT count(*) FROM history").fetchone()[0])

    def last_change(self, by: str | None = None) -> Change | None:
        """The newest change that can still be undone (made by ``by``, if given)."""
        mine = "" if by is None else "AND by = ? "
        with self._guard():
            row = self.db.execute(
                "SELECT id, summary, by FROM changes WHERE undone = 0 AND undoes IS NULL "
                f"AND summary NOT LIKE 'created project%' {mine}ORDER BY id DESC LIMIT 1",
                [] if by is None else [by],
            ).fetchone()
        return Change(row[0], row[1], row[2]) if row else None

    # ----------------------------------------------------------------- writing

    @contextlib.contextmanager
    def group(self, by: str, summary: str) -> Iterator[None]:
        """Make several edits one change: one transaction, one history entry, one undo."""
        with self._guard(), self.write():
            outer = self._group
            if outer is None:
                self._group = self._new_change(by, summary)
            try:
                yield
            finally:
                self._group = outer

    def summarize_group(self, summary: str) -> None:
        """Say at the end what the change being made did (an import learns it as it goes)."""
        if self._group is not None:
            self.table("changes").update(self._group, {"summary": summary})

    def _new_change(self, by: str, summary: str, undoes: int | None = None) -> int:
        if self._group is not None:
            return self._group
        table = self.table("changes")
        table.insert({"at": now(), "by": by, "summary": summary, "undoes": undoes, "undone": 0})
        return int(table.last_rowid or 0)

    def _log(self, change: int, entity: str, key: Any, field: str, old: Any, new: Any) -> None:
        self.table("history").insert(
            {
                "change": change,
                "entity": entity,
                "key": "" if key is None else str(key),
                "field": field,
                "old": _json(old),
                "new": _json(new),
            }
        )

    def _write_all(self, data: ProjectData) -> None:
        def put(name: str, models: Sequence[BaseModel]) -> None:
            entity = ENTITIES[name]
            if models:
                self.table(entity.table).insert_all(
                    [_encode(entity, m) for m in models], replace=True
                )

        put("project", [data.project])
        put("item", data.checklist)
        put("threshold", data.thresholds)
        put("dataset", [data.dataset])
        put("pattern", data.rollout.patterns)
        put("stage", data.rollout.stages)
        put("rollout", [data.rollout.settings])
        put("alert", data.monitoring.alerts)
        put("signal", data.monitoring.signals)
        put("logging", [data.monitoring.logging])
        put("severity", data.incident_response.severity_levels)
        put("phase", data.incident_response.playbook)
        put("rollback", data.incident_response.rollback_options)
        put("on_call", data.incident_response.on_call)
        put("escalation", data.incident_response.escalation)
        put("measure", data.oversight.measures)
        put("decision", data.decisions)
        put("question", data.parking_lot)
        put("workshop", [data.workshop])
        put("session", data.sessions)
        put("signoff", data.signoffs)
        put("fixing", data.threshold_fixes)
        put("action", data.actions)

    def update(
        self,
        entity_name: str,
        key: Any,
        changes: dict[str, Any],
        by: str,
        *,
        expect: dict[str, Any] | None = None,
        summary: str | None = None,
    ) -> Any:
        """Change fields of one record, validated, in one transaction with its history.

        ``expect`` holds the values the caller last saw; if another process has
        changed one of those fields since, the edit is refused, not written over it.
        Returns the record as saved.
        """
        entity = ENTITIES[entity_name]
        with self._guard(), self.write():
            row = self._fetch(entity, key)
            if row is None and entity.key is not None:
                raise self._not_found(entity, key)
            current = entity.model() if row is None else _decode(entity, row)
            unknown = [f for f in changes if f not in type(current).model_fields]
            if unknown:
                raise InvalidValueError(f"a {entity.label} has no field {unknown[0]!r}")
            key_field = entity.key
            if key_field in changes and changes[key_field] != getattr(current, key_field):
                raise InvalidValueError(
                    f"the {key_field} of a {entity.label} cannot be changed; "
                    "remove it and add a new one"
                )
            before = current.model_dump(mode="json")
            if expect:
                for field, seen in expect.items():
                    if before.get(field) != _jsonable(seen):
                        named = f"{entity.label} {key}" if entity.key else entity.label
                        raise ConflictError(
                            f"{named}: {field} was changed by someone else; "
                            f"reload and try again (now {_brief(before.get(field))})"
                        )
            try:
                updated = entity.model.model_validate({**current.model_dump(), **changes})
            except ValidationError as error:
                raise InvalidValueError(describe_validation_error(error)) from None
            after = updated.model_dump(mode="json")
            diffs = [f for f in after if after[f] != before[f]]
            if not diffs:
                return updated
            label = f"{entity.label} {key}" if entity.key else entity.label
            change = self._new_change(by, summary or f"{label}: {', '.join(diffs)}")
            for field in diffs:
                self._log(change, entity.name, key, field, before[field], after[field])
            encoded = _encode(entity, updated)
            if row is None:
                self.table(entity.table).insert(encoded)
            else:
                self.table(entity.table).update(
                    key if entity.key else 1, {f: encoded[f] for f in diffs}
                )
            return updated

    def insert(self, entity_name: str, record: BaseModel, by: str, summary: str = "") -> Any:
        """Add one record; its key must be new."""
        entity = ENTITIES[entity_name]
        key = getattr(record, entity.key or "id", 1)
        try:  # (a record made with model_copy(update=…) has not been validated)
            record = entity.model.model_validate(record.model_dump())
        except ValidationError as error:
            raise InvalidValueError(describe_validation_error(error)) from None
        with self._guard(), self.write():
            if self._fetch(entity, key) is not None:
                raise InvalidValueError(f"{entity.label} {key!r} already exists")
            change = self._new_change(by, summary or f"added {entity.label} {key}")
            self._log(change, entity.name, key, "*", None, record.model_dump(mode="json"))
            self.table(entity.table).insert(_encode(entity, record))
        return record

    def delete(self, entity_name: str, key: Any, by: str, summary: str = "") -> None:
        entity = ENTITIES[entity_name]
        with self._guard(), self.write():
            row = self._fetch(entity, key)
            if row is None:
                raise self._not_found(entity, key)
            old = _decode(entity, row).model_dump(mode="json")
            change = self._new_change(by, summary or f"removed {entity.label} {key}")
            self._log(change, entity.name, key, "*", old, None)
            self.table(entity.table).delete(key)

    def next_id(self, entity_name: str) -> int:
        entity = ENTITIES[entity_name]
        with self._guard():
            row = self.db.execute(f"SELECT max([{entity.key}]) FROM [{entity.table}]").fetchone()
        return int(row[0] or 0) + 1

    def undo(self, by: str, theirs: bool = False) -> Change:
        """Reverse ``by``'s newest change that has not been undone (with ``theirs``, the
        newest change of anyone). Refuses if a later change touched the same record."""
        with self._guard(), self.write():
            last = self.last_change(None if theirs else by)
            if last is None:
                newest = self.last_change()
                if newest is None:
                    raise InvalidValueError("nothing to undo")
                raise NotYoursError(
                    f"nothing of yours ({by}) to undo; the last edit is {newest.by}'s: "
                    f"{newest.summary} (to undo it: undo --theirs)",
                    newest,
                )
            rows = self.db.execute(
                "SELECT entity, key, field, old, new FROM history "
                "WHERE change = ? ORDER BY id DESC",
                [last.id],
            ).fetchall()
            self._refuse_if_changed_since(last, rows)
            change = self._new_change(by, f"undid: {last.summary}", undoes=last.id)
            fields: dict[tuple[str, str], list[tuple[str, Any, Any]]] = {}
            for name, key_text, field, old_json, new_json in rows:
                if name == "run":
                    self._undo_run(change, int(key_text), _unjson(old_json), _unjson(new_json))
                    continue
                entity = ENTITIES[name]
                key = _typed_key(entity, key_text)
                old, new = _unjson(old_json), _unjson(new_json)
                table = self.table(entity.table)
                if field == "*":
                    row = self._fetch(entity, key)
                    if new is None and old is not None:  # undo a delete
                        table.insert(_encode(entity, entity.model.model_validate(old)))
                    elif row is not None:  # undo an insert
                        table.delete(key)
                    self._log(change, name, key, "*", new, old)
                    continue
                fields.setdefault((name, key_text), []).append((field, old, new))
            # A record's fields are put back together: one at a time, a record could pass
            # through a state its model refuses (an item "not applicable" with no reason).
            for (name, key_text), changed in fields.items():
                entity = ENTITIES[name]
                key = _typed_key(entity, key_text)
                row = self._fetch(entity, key)
                if row is None:
                    raise ConflictError(f"cannot undo: {entity.label} {key} no longer exists")
                current = _decode(entity, row)
                dumped = current.model_dump(mode="json")
                for field, _old, new in changed:
                    if dumped[field] != new:
                        raise ConflictError(
                            f"cannot undo: {entity.label} {key} {field} was changed again since"
                        )
                try:
                    restored = entity.model.model_validate(
                        {**current.model_dump(), **{f: old for f, old, _new in changed}}
                    )
                except ValidationError as error:
                    raise ConflictError(
                        f"cannot undo: {entity.label} {key} would be invalid "
                        f"({describe_validation_error(error)})"
                    ) from None
                encoded = _encode(entity, restored)
                table = self.table(entity.table)
                table.update(key if entity.key else 1, {f: encoded[f] for f, _o, _n in changed})
                for field, old, new in changed:
                    self._log(change, name, key, field, new, old)
            self.table("changes").update(last.id, {"undone": 1})
            return Change(change, f"undid: {last.summary}")

    def _refuse_if_changed_since(self, last: Change, rows: Sequence[Any]) -> None:
        """A later change (not undone) of a record this change touched: undoing it would
        throw that change away, so it is refused, naming who made it."""
        for name, key_text, field, _old, _new in rows:
            later = self.db.execute(
                "SELECT c.by, c.summary FROM history h JOIN changes c ON c.id = h.change "
                "WHERE h.change > ? AND h.entity = ? AND h.key = ? "
                "AND (h.field = ? OR h.field = '*' OR ? = '*') "
                "AND c.undone = 0 AND c.undoes IS NULL ORDER BY h.change DESC LIMIT 1",
                [last.id, name, key_text, field, field],
            ).fetchone()
            if later is not None:
                label = ENTITIES[name].label if name in ENTITIES else name
                raise ConflictError(
                    f"cannot undo {last.summary!r}: {later[0]} changed {label} {key_text} "
                    f"since ({later[1]}); undo that first or edit it by hand"
                )

    def _undo_run(self, change: int, run_id: int, old: Any, new: Any) -> None:
        if new is None:
            raise ConflictError(
                "cannot undo removing a run: its results are gone; import the file again"
            )
        self.db.execute("DELETE FROM results WHERE run_id = ?", [run_id])
        self.db.execute("DELETE FROM runs WHERE id = ?", [run_id])
        self._log(change, "run", run_id, "*", new, None)

    def record(self, by: str, summary: str, entity: str, key: Any, old: Any, new: Any) -> None:
        """Add a change to the history for work done outside ``update``/``insert`` (imports)."""
        with self._guard(), self.write():
            self._log(self._new_change(by, summary), entity, key, "*", old, new)

    # ----------------------------------------------------------- conveniences

    def replace_all(self, data: ProjectData, by: str, summary: str) -> None:
        """Replace the whole content (used by `new --from`); one change in the history."""
        with self._guard(), self.write():
            for entity in ENTITIES.values():
                self.db.execute(f"DELETE FROM [{entity.table}]")
            self._write_all(data)
            change = self._new_change(by, summary)
            self._log(change, "project", "", "*", None, data.project.name)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _typed_key(entity: Entity, text: str) -> Any:
    if entity.key is None:
        return None
    if (
        entity.key in ("week", "step", "id")
        and entity.model.model_fields[entity.key].annotation is not str
    ):
        try:
            return int(text)
        except ValueError:
            return text
    return text
