"""Errors that carry a one-line message for the person at the keyboard.

Every failure a user can cause (a bad file, an unknown id, a value out of
range) is raised as a ``WorkbenchError``; the CLI prints its message and exits
with status 2, the UI shows it in the status line. Anything else is a bug.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError


class WorkbenchError(Exception):
    """A problem the user can fix; ``str(error)`` is one line that says how."""


class ProjectFileError(WorkbenchError):
    """The project file cannot be opened or written."""


class TemplateError(WorkbenchError):
    """A checklist template or project TOML is malformed."""


class NotFoundError(WorkbenchError):
    """An item, metric or decision id that the project does not have."""


class InvalidValueError(WorkbenchError):
    """A value that fails validation (a rate above 100%, an empty title)."""


class NotYoursError(InvalidValueError):
    """An undo found no edit of the person's own; the newest edit is someone else's."""

    def __init__(self, message: str, newest: Any) -> None:
        super().__init__(message)
        self.newest = newest  # the Change an undo with ``theirs`` would reverse


class ConflictError(WorkbenchError):
    """Someone else changed the same field first."""


def describe_validation_error(error: ValidationError, prefix: str = "") -> str:
    """Turn a pydantic error into one line naming the field and what is wrong."""
    parts = []
    for item in error.errors()[:3]:
        loc = ""
        for piece in item["loc"]:
            if isinstance(piece, int):
                loc += f"[{piece + 1}]"
            else:
                loc += ("." if loc else "") + str(piece)
        message = item["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if item["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        where = f"{prefix}{loc}" if loc else prefix.rstrip(".: ")
        parts.append(f"{where}: {message}" if where else message)
    more = len(error.errors()) - 3
    text = "; ".join(parts)
    if more > 0:
        text += f" (and {more} more)"
    return text.replace("\n", " ")
