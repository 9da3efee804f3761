"""The decision log and the parking lot of questions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import ValidationError

from workbench.errors import InvalidValueError, describe_validation_error
from workbench.models import (
    DECISION_STATUSES,
    Decision,
    ParkedQuestion,
    ProjectData,
)
from workbench.operations.records import (
    added_and_removed,
    change,
    change_list,
    refuse_if_changed,
    remove,
)
from workbench.store import Store

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def decision_date(text: str) -> str:
    """The date a person typed for a decision, as ``YYYY-MM-DD``; blank is today.

    A typed value that is not a real date is refused in one line."""
    text = text.strip()
    if not text:
        return dt.date.today().isoformat()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidValueError(
            f"date {text!r} is not a date: write it as YYYY-MM-DD, say "
            f"{dt.date.today().isoformat()}"
        ) from None


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
    consequences: str = "",
    owner: str = "",
    date: str = "",
    links: list[str] | None = None,
) -> Decision:
    """Add a decision to the log; superseding one marks the old one superseded.

    ``owner`` defaults to who decided, ``date`` (``YYYY-MM-DD``) to today."""
    if status not in DECISION_STATUSES:
        raise InvalidValueError(f"status must be one of {', '.join(DECISION_STATUSES)}")
    day = decision_date(date)
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
                consequences=consequences,
                owner=owner or by,
                date=day,
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
    if "date" in changes:
        changes["date"] = decision_date(changes["date"])
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
    store: Store,
    by: str,
    question_id: int,
    answer: str | bool,
    *,
    seen: ParkedQuestion | None,
) -> ParkedQuestion:
    """Resolve a parked question with its answer, recording who answered it.

    An answer is required. ``True`` and ``False`` only mark the question resolved or
    open again, keeping any answer it has (the Workshop screen's ``r`` key does so)."""
    if isinstance(answer, bool):
        said = "resolved" if answer else "reopened"
        return change(
            store, "question", question_id, {"resolved": answer}, by, seen=seen,
            summary=f"question {question_id} {said}",
        )  # fmt: skip
    text = answer.strip()
    if not text:
        raise InvalidValueError(
            f"question {question_id} is resolved with its answer: write what was found out"
        )
    return change(
        store, "question", question_id,
        {"resolved": True, "answer": text, "answered_by": by}, by, seen=seen,
        summary=f"question {question_id} answered: {text[:60]}",
    )  # fmt: skip


def question_context(question: ParkedQuestion, answer: str = "", answered_by: str = "") -> str:
    """A decision's context when it is made from a parked question: the question and
    its answer."""
    answer = answer or question.answer
    who = answered_by or question.answered_by
    context = f"Parked question {question.id}: {question.text}"
    if answer:
        context += f"\nAnswer{f' ({who})' if who else ''}: {answer}"
    return context


def question_to_decision(
    store: Store,
    by: str,
    question_id: int,
    *,
    title: str,
    decision: str,
    rationale: str,
    owner: str = "",
    date: str = "",
    status: str = "accepted",
    alternatives: str = "",
    consequences: str = "",
    context: str | None = None,
    links: list[str] | None = None,
    answer: str = "",
    seen: ParkedQuestion | None = None,
) -> Decision:
    """Make a parked question a decision, in one change (one history entry, one undo):
    the decision is added, with the question and its answer as its context (unless
    ``context`` is given), and the question is marked resolved, answered and pointing
    at the new decision.

    The answer is ``answer``, else the one the question already has, else the
    decision itself."""
    with store.write():
        question = store.get("question", question_id)
        if question.decision is not None:
            raise InvalidValueError(
                f"question {question_id} already became decision {question.decision}"
            )
        if seen is not None:
            for field in ("resolved", "answer", "answered_by", "decision"):
                refuse_if_changed(
                    f"question {question_id}: {field}",
                    getattr(question, field),
                    getattr(seen, field),
                )
        text = answer.strip()
        if text and text != question.answer:
            answered = {"answer": text, "answered_by": by}
        elif question.answer:
            answered = {}
        else:
            answered = {"answer": decision.strip() or title.strip(), "answered_by": by}
        who = answered.get("answered_by", question.answered_by)
        with store.group(by, f"question {question_id} became a decision: {title}"):
            record = decide(
                store,
                by,
                title=title,
                decision=decision,
                rationale=rationale,
                status=status,
                context=(
                    context
                    if context is not None
                    else question_context(question, answered.get("answer", ""), who)
                ),
                alternatives=alternatives,
                consequences=consequences,
                owner=owner,
                date=date,
                links=links,
            )
            change(
                store, "question", question_id,
                {"resolved": True, **answered, "decision": record.id}, by, seen=None,
                summary=f"question {question_id} became decision {record.id}",
            )  # fmt: skip
            store.summarize_group(f"question {question_id} became decision {record.id}: {title}")
        return record


def remove_decision(store: Store, by: str, decision_id: int) -> None:
    """Remove a decision added by mistake (undo brings it back); refused while another
    decision supersedes it or a parked question became it, which would then point at
    nothing."""
    with store.write():
        store.get("decision", decision_id)
        later = [d.id for d in store.records("decision") if d.supersedes == decision_id]
        if later:
            raise InvalidValueError(
                f"decision {decision_id} is superseded by decision {later[0]}: remove that "
                "one first, or keep both (the log shows what replaced what)"
            )
        questions = [q.id for q in store.records("question") if q.decision == decision_id]
        if questions:
            raise InvalidValueError(
                f"decision {decision_id} was made from parked question {questions[0]}: "
                "undo that change instead (ctrl+z), or keep the decision"
            )
        remove(store, "decision", decision_id, by, f"removed decision {decision_id}")


def remove_question(store: Store, by: str, question_id: int) -> None:
    remove(store, "question", question_id, by, f"removed parked question {question_id}")
