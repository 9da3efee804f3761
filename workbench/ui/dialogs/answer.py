"""Resolving a parked question (with its answer, perhaps as a decision) or removing it.

The Workshop and the Decisions screens both show the parking lot, and ``r`` does the
same on both: this is that one flow. (A question that became a decision stays
resolved; a resolved one is opened again.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import ValidationError

from workbench import operations
from workbench.errors import describe_validation_error
from workbench.models import ParkedQuestion
from workbench.ui.dialogs.form import FormDialog, FormField, Values

if TYPE_CHECKING:
    from workbench.ui.screens.base import AreaScreen

THEN_OPTIONS = [
    ("Record the answer", "answer"),
    ("Record it and make it a decision", "decide"),
]


def resolve_parked_question(
    screen: AreaScreen, question: ParkedQuestion, decide: Callable[[str], None]
) -> None:
    """Ask for ``question``'s answer and save it, or hand it to ``decide`` (which opens
    the decision dialog prefilled from the question)."""
    if question.decision is not None:
        screen.workbench.show_status(
            f"Question {question.id} became decision {question.decision}", error=True
        )
        screen.app.bell()
        return
    if question.resolved:
        screen.edit(
            lambda store, by: operations.resolve_question(
                store, by, question.id, False, seen=question
            ),
            f"question {question.id} reopened",
        )
        return

    def check(values: Values) -> str | None:
        if not values["answer"].strip():
            return "write the answer down: a question is resolved with its answer"
        try:
            ParkedQuestion.model_validate({**question.model_dump(), "answer": values["answer"]})
        except ValidationError as error:
            return describe_validation_error(error)
        return None

    def save(values: Values | None) -> None:
        if values is None:
            return
        answer = values["answer"].strip()
        if values["then"] == "decide":
            decide(answer)
            return
        screen.edit(
            lambda store, by: operations.resolve_question(
                store, by, question.id, answer, seen=question
            ),
            f"question {question.id} answered",
        )

    asked = " ".join(question.text.split())
    if len(asked) > 60:
        asked = asked[:59] + "…"
    screen.app.push_screen(
        FormDialog(
            f"Resolve question {question.id}",
            [
                FormField("answer", f"Answer to: {asked}", question.answer),
                FormField("then", "Then", "answer", "select", THEN_OPTIONS),
            ],
            check,
        ),
        save,
    )


def remove_parked_question(screen: AreaScreen, question: ParkedQuestion) -> None:
    """Remove ``question`` after asking, naming it (ctrl+z brings it back)."""
    asked = " ".join(question.text.split())
    screen.remove_after_asking(
        f"Remove parked question {question.id} ({asked[:60]})?",
        lambda store, by: operations.remove_question(store, by, question.id),
        f"question {question.id} removed",
    )
