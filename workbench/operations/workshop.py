"""The workshop itself: who is present and at the keyboard, where the agenda has got
to, and what the project is (its name, system, use, owner and risk level)."""

from __future__ import annotations

from typing import Any

from workbench.models import ProjectInfo, Workshop
from workbench.operations.records import added_and_removed, change, change_list
from workbench.store import Store

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
