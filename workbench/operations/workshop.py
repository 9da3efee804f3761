"""The workshop itself: who is present and at the keyboard, where the agenda has got
to, and what the project is (its name, system, use, owner and risk level)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.errors import InvalidValueError
from workbench.models import ProjectData, ProjectInfo, Workshop, WorkshopSession, now
from workbench.operations.records import add_numbered, added_and_removed, change, change_list
from workbench.store import ENTITIES, Store

PROJECT_FIELDS = ("name", "system", "use", "owner", "risk")


def go_to_step(store: Store, by: str, step: str) -> Workshop:
    """Where the workshop is on its agenda (the facilitator's place: the last move wins)."""
    return change(store, "workshop", None, {"step": step}, by, seen=None)


def record_presence(
    store: Store,
    by: str,
    *,
    seen: Workshop | None,
    attendees: list[str] | None = None,
    editor: str | None = None,
) -> Workshop:
    """Who is present (names added and removed against the list as the person saw it,
    so a name someone else added meanwhile stays) and who is at the keyboard."""
    with store.write():
        if attendees is not None:
            added, removed = added_and_removed(seen.attendees if seen else [], attendees)
            if seen is None:  # (the command line gives the whole list)
                removed = [n for n in store.get("workshop").attendees if n not in attendees]
            said = f"{len(attendees)} present"
            change_list(
                store, "workshop", None, "attendees", by, add=added, remove=removed, summary=said
            )
        if editor is not None:
            change(store, "workshop", None, {"editor": editor}, by, seen=None)
        return store.get("workshop")


def edit_project(store: Store, by: str, *, seen: ProjectInfo | None, **changes: Any) -> ProjectInfo:
    """Change what the project is: any of its name, system, use, owner and risk level."""
    unknown = [field for field in changes if field not in PROJECT_FIELDS]
    if unknown:
        raise ValueError(f"not a project field: {unknown[0]}")
    summary = f"risk level → {changes['risk']}" if list(changes) == ["risk"] else None
    return change(store, "project", None, changes, by, seen=seen, summary=summary)


def open_session(sessions: list[WorkshopSession]) -> WorkshopSession | None:
    """The session under way (started, not ended), if any."""
    return next((s for s in reversed(sessions) if not s.ended_at), None)


def last_session_mark(data: ProjectData) -> tuple[WorkshopSession, str] | None:
    """Where "since the last session" starts: the end of the newest ended session (what
    owners did alone since), or, during the first session, its start."""
    ended = [s for s in data.sessions if s.ended_at]
    if ended:
        return ended[-1], ended[-1].ended_at
    if data.sessions:
        return data.sessions[0], data.sessions[0].started_at
    return None


def start_session(
    store: Store, by: str, facilitator: str = "", attendees: list[str] | None = None
) -> WorkshopSession:
    """A workshop session starts now, led by ``facilitator`` (default: the one at the
    keyboard), with the people present (default: those recorded on the Workshop screen)."""
    with store.write():
        running = open_session(store.records("session"))
        if running is not None:
            raise InvalidValueError(
                f"session {running.id} (started {running.started_at[:16].replace('T', ' ')} "
                "UTC) is still under way: end it first"
            )
        workshop = store.get("workshop")
        return add_numbered(
            store,
            "session",
            lambda number: WorkshopSession(
                id=number,
                started_at=now(),
                facilitator=facilitator or workshop.editor or by,
                attendees=list(attendees if attendees is not None else workshop.attendees),
            ),
            by,
            lambda made: f"workshop session {made.id} started",
        )


def end_session(store: Store, by: str, note: str = "") -> WorkshopSession:
    """The session under way ends now; who was there by then is kept with it."""
    with store.write():
        running = open_session(store.records("session"))
        if running is None:
            raise InvalidValueError("no workshop session is under way: start one first")
        attendees = store.get("workshop").attendees
        present = running.attendees + [n for n in attendees if n not in running.attendees]
        changes: dict[str, Any] = {"ended_at": now(), "attendees": present}
        if note:
            changes["note"] = note
        return change(
            store,
            "session",
            running.id,
            changes,
            by,
            seen=None,
            summary=f"workshop session {running.id} ended",
        )


@dataclass(frozen=True)
class SinceLastSession:
    """What changed since the last session: records by kind, changes by person."""

    session: WorkshopSession
    since: str
    kinds: dict[str, int]
    people: dict[str, int]

    def words(self) -> str:
        """One line: "Since session 1 ended (1 Dec 17:00 UTC): 14 changes by Lee (9) and
        Sam (5) · 5 checklist items, 2 thresholds"."""
        when = "ended" if self.since == self.session.ended_at else "started"
        stamp = self.since[:16].replace("T", " ")
        head = f"Since session {self.session.id} {when} ({stamp} UTC)"
        count = sum(self.people.values())
        if not count:
            return f"{head}: no changes."
        ranked = sorted(self.people.items(), key=lambda p: (-p[1], p[0]))
        who = ", ".join(f"{name or 'someone'} ({n})" for name, n in ranked[:4])
        if len(ranked) > 4:
            who += f" and {len(ranked) - 4} more"
        kinds = ", ".join(
            _counted(n, _LABELS.get(kind, kind))
            for kind, n in sorted(self.kinds.items(), key=lambda k: (-k[1], k[0]))
        )
        changes = "1 change" if count == 1 else f"{count} changes"
        return f"{head}: {changes} by {who}" + (f" · {kinds}" if kinds else "")


_LABELS = {name: entity.label for name, entity in ENTITIES.items()} | {"run": "evaluation run"}


def _counted(count: int, label: str) -> str:
    if count == 1:
        return f"1 {label}"
    plural = label if label.endswith("s") else label + "s"
    return f"{count} {plural}"


def since_last_session(store: Store, data: ProjectData) -> SinceLastSession | None:
    mark = last_session_mark(data)
    if mark is None:
        return None
    session, since = mark
    kinds, people = store.changes_since(since, leave_out="session")
    return SinceLastSession(session, since, kinds, people)
