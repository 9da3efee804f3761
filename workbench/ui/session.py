"""The UI's handle on the open project: one store, used from worker threads only.

Screens never touch the store directly: they ask the app to run a read
(``snapshot``) or an edit (an ``operations`` function) in a worker thread, and
this class serialises those calls with a lock. No Textual here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from workbench.ui import served

if TYPE_CHECKING:  # the core is imported by the first read, in a worker thread
    from workbench.catalog import Template
    from workbench.evaluation.evidence import Evidence
    from workbench.models import HistoryEntry, ProjectData
    from workbench.operations import SinceLastSession
    from workbench.readiness import Readiness
    from workbench.store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """Everything a screen shows, read in one go."""

    data: ProjectData
    readiness: Readiness
    evidence: Evidence
    template: Template
    editor: str
    history_count: int
    version: int
    progress: list[tuple[str, int]]
    # The order the snapshots were read in (under the session's lock): two reads in
    # flight can reach a screen in the other order, and the older must not win.
    serial: int = 0
    since_last: SinceLastSession | None = None  # what changed since the last session


# Where each kind of record sits in ProjectData: a list (by its key) or a single one.
_PLACES_IN_DATA: dict[str, tuple[tuple[str, ...], str | None]] = {
    "ProjectInfo": (("project",), None),
    "ChecklistItem": (("checklist",), "id"),
    "Threshold": (("thresholds",), "metric"),
    "DatasetPlan": (("dataset",), None),
    "Pattern": (("rollout", "patterns"), "id"),
    "RolloutStage": (("rollout", "stages"), "week"),
    "RolloutSettings": (("rollout", "settings"), None),
    "AlertRule": (("monitoring", "alerts"), "id"),
    "LoggingPolicy": (("monitoring", "logging"), None),
    "SeverityLevel": (("incident_response", "severity_levels"), "id"),
    "PlaybookPhase": (("incident_response", "playbook"), "id"),
    "RollbackOption": (("incident_response", "rollback_options"), "id"),
    "OnCall": (("incident_response", "on_call"), "role"),
    "EscalationStep": (("incident_response", "escalation"), "step"),
    "OversightMeasure": (("oversight", "measures"), "id"),
    "Decision": (("decisions",), "id"),
    "ParkedQuestion": (("parking_lot",), "id"),
    "Workshop": (("workshop",), None),
}


def with_saved(snapshot: Snapshot, record: Any) -> bool:
    """Put a record an edit just saved into the snapshot a screen shows, so the screen
    can draw the edit at once; the full read (the verdict, the bars) follows. False
    when the record is not one the snapshot holds (a run, a removal's None).

    A threshold's measured value and the test set's size may be the latest run's
    rather than the file's (``evidence.apply_runs``): those two wait for the read."""
    place = _PLACES_IN_DATA.get(type(record).__name__)
    if place is None or type(record).__name__ in ("Threshold", "DatasetPlan"):
        return False
    path, key = place
    holder: Any = snapshot.data
    for name in path[:-1]:
        holder = getattr(holder, name)
    if key is None:
        setattr(holder, path[-1], record)
        return True
    records = getattr(holder, path[-1])
    wanted = getattr(record, key)
    for index, old in enumerate(records):
        if getattr(old, key) == wanted:
            records[index] = record
            return True
    records.append(record)
    return True


class ProjectSession:
    def __init__(self, path: Path, editor: str | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._store: Store | None = None
        # a browser participant (``workbench serve``) edits under the name they gave
        self._participant = served.participant()
        self._editor = self._participant or editor
        self.read_only = served.is_read_only()
        self.version = 0  # bumped by every edit made here
        self._data_version: int | None = None
        self._cached: Snapshot | None = None
        self._cached_key: tuple[int, int, str | None] | None = None
        self._serial = 0
        self._state = threading.Lock()  # guards the two below
        self._snapshots_running = 0
        self._closing = False
        self._gone = False  # the file was deleted, and that has been said

    def open(self) -> None:
        from workbench.store import Store

        with self._lock:
            if self._store is None:
                self._store = Store.open(self.path)
                self._data_version = self._read_data_version()

    @property
    def store(self) -> Store:
        if self._store is None:
            self.open()
        assert self._store is not None
        return self._store

    def close(self) -> None:
        """Close the file. An edit still running is waited for (it is saved); a read
        still running is not: it closes the file when it is done. So quitting never
        waits for a read of a large project, only for an edit."""
        with self._state:
            self._closing = True
            if self._snapshots_running:
                return
        self._close_store()

    def _close_store(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    @property
    def cached(self) -> Snapshot | None:
        """The last snapshot read, without reading (it may be out of date)."""
        return self._cached

    @property
    def editor(self) -> str:
        from workbench.operations import default_user

        return self._editor or default_user()

    def snapshot(self) -> Snapshot | None:
        """The project as it is now; the same object again while nothing has changed
        (None once the session is closing).

        Switching screens then costs no database work at all: only an edit (here or
        in another process) makes the next call read the file again.
        """
        with self._state:
            if self._closing:
                return None
            self._snapshots_running += 1
        try:
            return self._snapshot()
        finally:
            with self._state:
                self._snapshots_running -= 1
                close_now = self._closing and not self._snapshots_running
            if close_now:
                self._close_store()

    def _snapshot(self) -> Snapshot:
        from workbench.operations import project_state, since_last_session
        from workbench.progress import checklist_progress

        with self._lock:
            store = self.store
            key = (
                self.version,
                int(store.db.execute("PRAGMA data_version").fetchone()[0]),
                self._editor,
            )
            if self._cached is not None and self._cached_key == key:
                return self._cached
            data, evidence, readiness = project_state(store)
            template = store.template()
            if not self._editor and data.workshop.editor:
                self._editor = data.workshop.editor
            snapshot = Snapshot(
                data=data,
                readiness=readiness,
                evidence=evidence,
                template=template,
                editor=self.editor,
                history_count=store.history_count(),
                version=self.version,
                progress=checklist_progress(
                    data, store.history(entity="item", field="status", limit=2000)
                ),
                serial=self._serial + 1,
                since_last=since_last_session(store, data),
            )
            self._serial += 1
            self._cached, self._cached_key = snapshot, key
            return snapshot

    def edit(self, action: Callable[[Store, str], T]) -> T:
        """Run one edit (an operations function) as the current editor."""
        if self.read_only:
            raise served.ReadOnlyError(served.READ_ONLY_MESSAGE)
        with self._lock:
            result = action(self.store, self.editor)
            self.version += 1
            self._data_version = self._read_data_version()
            return result

    def read(self, action: Callable[[Store], T]) -> T:
        with self._lock:
            return action(self.store)

    def history(self, **filters: Any) -> list[HistoryEntry]:
        with self._lock:
            return self.store.history(**filters)

    def set_editor(self, name: str) -> None:
        if not self._participant:  # (a participant's edits stay under their own name)
            self._editor = name

    def _read_data_version(self) -> int:
        assert self._store is not None
        return int(self._store.db.execute("PRAGMA data_version").fetchone()[0])

    def changed_elsewhere(self) -> str:
        """What happened to the file since we last looked: "" (nothing), "changed"
        (another process committed to it), "replaced" (a restore put another file under
        its name: it is opened instead) or "deleted" (said once; edits are refused)."""
        with self._lock:
            if self._store is None:
                return ""
            state = self._store.file_state()
            if state == "replaced":
                self._close_store()
                self._cached = self._cached_key = None
                self._gone = False
                self.open()
                return "replaced"
            if state == "deleted":
                if self._gone:
                    return ""
                self._gone = True
                return "deleted"
            self._gone = False
            current = self._read_data_version()
            changed = self._data_version is not None and current != self._data_version
            self._data_version = current
            return "changed" if changed else ""
