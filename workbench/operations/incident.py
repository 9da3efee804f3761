"""Incident response: how fast each severity is answered, the playbook's steps, when
each rollback was last tested, who is on call and the escalation path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from workbench.errors import InvalidValueError
from workbench.models import EscalationStep, OnCall, PlaybookPhase, RollbackOption, SeverityLevel
from workbench.operations.records import add_numbered, change, remove
from workbench.store import Store


def set_response_time(
    store: Store, by: str, level_id: str, minutes: int, *, seen: SeverityLevel | None
) -> SeverityLevel:
    return change(
        store, "severity", level_id, {"response_minutes": minutes}, by, seen=seen,
        summary=f"severity {level_id}: respond within {minutes} min",
    )  # fmt: skip


def set_playbook_steps(
    store: Store, by: str, phase_id: str, steps: list[str], *, seen: PlaybookPhase | None
) -> PlaybookPhase:
    """A playbook phase's steps, in order (edited as a whole: refused if someone else
    changed them meanwhile, rather than merged into an order nobody wrote)."""
    return change(
        store, "phase", phase_id, {"steps": steps}, by, seen=seen,
        summary=f"playbook {phase_id}: {len(steps)} steps",
    )  # fmt: skip


REHEARSAL_EXAMPLE = "switched 10% back to v1 in staging in 4 minutes"


def set_rollback_tested(
    store: Store,
    by: str,
    rollback_id: str,
    date: dt.date | None,
    tested_by: str = "",
    note: str = "",
    *,
    seen: RollbackOption | None,
) -> RollbackOption:
    """When a rollback was last rehearsed, by whom (``by`` unless said) and what the
    rehearsal did: a date needs the note, or the rollback would count as tested with
    nothing to show for it. No date clears all three (never tested)."""
    if date is None:
        changes: dict[str, object] = {"last_tested": None, "tested_by": "", "test_note": ""}
        said = "marked as never tested"
    else:
        note = note.strip()
        if not note:
            raise InvalidValueError(f"say what the rehearsal did, e.g. {REHEARSAL_EXAMPLE!r}")
        who = tested_by.strip() or by
        changes = {"last_tested": date, "tested_by": who, "test_note": note}
        said = f"tested on {date.isoformat()} by {who}"
    return change(
        store, "rollback", rollback_id, changes, by, seen=seen,
        summary=f"rollback {rollback_id} {said}",
    )  # fmt: skip


def set_on_call(store: Store, by: str, role: str, person: str, *, seen: OnCall | None) -> OnCall:
    return change(
        store, "on_call", role, {"person": person}, by, seen=seen,
        summary=f"on call as {role}: {person or 'nobody'}",
    )  # fmt: skip


def role_taken(roles: Sequence[OnCall], role: str) -> str | None:
    """Why ``role`` cannot be a new on-call role's name (another has it, case aside)."""
    taken = {o.role.casefold(): o.role for o in roles}
    existing = taken.get(role.strip().casefold())
    return f"there is already a role called {existing!r}" if existing else None


def add_on_call_role(store: Store, by: str, role: str, person: str = "") -> OnCall:
    """A new on-call role; its name must differ from every other's, case aside."""
    role = role.strip()
    if not role:
        raise InvalidValueError("name the role (for example: Model owner)")
    with store.write():
        problem = role_taken(store.load().incident_response.on_call, role)
        if problem:
            raise InvalidValueError(problem)
        return store.insert(
            "on_call", OnCall(role=role, person=person.strip()), by,
            summary=f"added on-call role {role}",
        )  # fmt: skip


def remove_on_call_role(store: Store, by: str, role: str) -> None:
    remove(store, "on_call", role, by, f"removed on-call role {role}")


def add_escalation_step(store: Store, by: str, contact: str, when: str = "") -> EscalationStep:
    """A new last step of the escalation path, numbered as it is saved."""
    return add_numbered(
        store,
        "escalation",
        lambda number: EscalationStep(step=number, contact=contact.strip(), when=when.strip()),
        by,
        lambda step: f"escalation step {step.step}: {step.contact}",
    )


def remove_escalation_step(store: Store, by: str, step: int) -> None:
    remove(store, "escalation", step, by, f"removed escalation step {step}")
