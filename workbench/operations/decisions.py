"""The decision log and the parking lot of questions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from workbench.errors import InvalidValueError, describe_validation_error
from workbench.models import (
    DECISION_STATUSES,
    Decision,
    ParkedQuestion,
    ProjectData,
)
from workbench.operations.records import added_and_removed, change, change_list, remove
from workbench.store import Store


def decide(
    store: Store,
    by: str,
    *,
    title: str,
    decision: str,
    rationale: str,
    status: str = "accepted",
    supersedes: int | None = None,
    context: str = "",
    alternatives: str = "",
    owner: str = "",
    links: list[str] | None = None,
) -> Decision:
    """Add a decision to the log; superseding one marks the old one superseded."""
    if status not in DECISION_STATUSES:
        raise InvalidValueError(f"status must be one of {', '.join(DECISION_STATUSES)}")
    # Read, number and save in one transaction: a decision another process adds
    # meanwhile cannot take the same number, nor supersede the same one.
    with store.write():
        data = store.load()
        _refuse_unknown_links(data, links or [])
        if supersedes is not None:
            old = next((d for d in data.decisions if d.id == supersedes), None)
            if old is None:
                raise InvalidValueError(f"there is no decision {supersedes} to supersede")
            if old.status == "superseded":
                later = next((d.id for d in data.decisions if d.supersedes == supersedes), None)
                raise InvalidValueError(
                    f"decision {supersedes} is already superseded"
                    + (f" by decision {later}; supersede that one instead" if later else "")
                )
        try:
            record = Decision(
                id=store.next_id("decision"),
                title=title,
                decision=decision,
                rationale=rationale,
                status=status,
                supersedes=supersedes,
                context=context,
                alternatives=alternatives,
                owner=owner or by,
                date=dt.date.today().isoformat(),
                links=links or [],
            )
        except ValidationError as error:
            raise InvalidValueError(describe_validation_error(error)) from None
        with store.group(by, f"decision {record.id}: {title}"):
            store.insert("decision", record, by, summary=f"decision {record.id}: {title}")
            if supersedes is not None:
                store.update(
                    "decision",
                    supersedes,
                    {"status": "superseded"},
                    by,
                    summary=f"decision {supersedes} superseded by {record.id}",
                )
        return record


def park_question(store: Store, text: str, by: str, step: str = "") -> ParkedQuestion:
    with store.write():  # numbered and saved in one transaction, like decisions
        try:
            question = ParkedQuestion(
                id=store.next_id("question"), text=text, raised_by=by, step=step
            )
        except ValidationError as error:
            raise InvalidValueError(describe_validation_error(error)) from None
        store.insert("question", question, by, summary=f"parked: {text[:60]}")
    return question


def edit_decision(
    store: Store, by: str, decision_id: int, *, seen: Decision | None, **changes: Any
) -> Decision:
    """Change a decision's fields. Its links are added and removed one by one against
    the decision as the person saw it: a link someone else added meanwhile stays."""
    links = changes.pop("links", None)
    named = [*changes, *(["links"] if links is not None else [])]
    with store.write(), store.group(by, f"decision {decision_id}: {', '.join(named)} updated"):
        if changes:
            change(store, "decision", decision_id, changes, by, seen=seen)
        if links is not None:
            current = seen.links if seen is not None else store.get("decision", decision_id).links
            added, removed = added_and_removed(current, links)
            _check_links(store, added)
            change_list(store, "decision", decision_id, "links", by, add=added, remove=removed)
        return store.get("decision", decision_id)


def link_decision(store: Store, by: str, decision_id: int, link: str) -> Decision:
    """Link a decision to a threshold (``threshold:METRIC``) or an item (``item:ID``)."""
    with store.write():
        _check_links(store, [link])
        return change_list(
            store, "decision", decision_id, "links", by, add=[link],
            summary=f"decision {decision_id} linked to {link}",
        )  # fmt: skip


def unlink_decision(store: Store, by: str, decision_id: int, link: str) -> Decision:
    return change_list(
        store, "decision", decision_id, "links", by, remove=[link],
        summary=f"decision {decision_id} no longer linked to {link}",
    )  # fmt: skip


def _check_links(store: Store, links: list[str]) -> None:
    if links:
        _refuse_unknown_links(store.load(), links)


def _refuse_unknown_links(data: ProjectData, links: list[str]) -> None:
    """A decision links to a threshold or a checklist item of this project, nothing else."""
    known = {f"threshold:{t.metric}" for t in data.thresholds} | {
        f"item:{i.id}" for i in data.checklist
    }
    for link in links:
        if link not in known:
            raise InvalidValueError(
                f"cannot link {link!r}: use threshold:METRIC or item:ITEM_ID of this project"
            )


def resolve_question(
    store: Store, by: str, question_id: int, resolved: bool, *, seen: ParkedQuestion | None
) -> ParkedQuestion:
    said = "resolved" if resolved else "reopened"
    return change(
        store, "question", question_id, {"resolved": resolved}, by, seen=seen,
        summary=f"question {question_id} {said}",
    )  # fmt: skip


def remove_question(store: Store, by: str, question_id: int) -> None:
    remove(store, "question", question_id, by, f"removed parked question {question_id}")
