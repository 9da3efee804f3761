"""What an app process started by ``workbench serve`` may do: the rules, no Textual.

``workbench serve`` starts one ``workbench open`` process per browser tab and tells
it, through its environment, who is at that tab and whether they may edit:

- ``WORKBENCH_SERVED=1``: the person is remote; dialogs read files only from the
  project's folder, and error messages name no value taken from a file;
- ``WORKBENCH_USER``: the name they gave on joining; their edits are recorded under it
  (the workshop's "who is at the keyboard" does not change it);
- ``WORKBENCH_READ_ONLY=1``: an observer; every edit is refused.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from workbench.errors import WorkbenchError

SERVED = "WORKBENCH_SERVED"
USER = "WORKBENCH_USER"
READ_ONLY = "WORKBENCH_READ_ONLY"
READ_ONLY_MESSAGE = "read-only: observers cannot edit"


class ReadOnlyError(WorkbenchError):
    """An edit in a session opened read-only."""


def environment(participant: str, read_only: bool) -> dict[str, str]:
    """The variables ``workbench serve`` gives one participant's app process."""
    variables = {SERVED: "1", USER: participant}
    if read_only:
        variables[READ_ONLY] = "1"
    return variables


def is_served() -> bool:
    return os.environ.get(SERVED) == "1"


def is_read_only() -> bool:
    return os.environ.get(READ_ONLY) == "1"


def participant() -> str | None:
    """The name the remote participant gave, when this app serves a browser tab."""
    return (os.environ.get(USER) or None) if is_served() else None


def inside(folder: Path, path: Path) -> bool:
    """Whether ``path`` (links followed) is in ``folder`` or below it."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):  # (outside; a loop of links)
        return False
    return True


def outside_message(folder: Path, done: str = "read") -> str:
    return f"in the browser only files in the project's folder can be {done} ({folder})"


# 'quoted', "quoted" and (bracketed) parts of a message: where readers put what they
# found in a file (a header's cells, a value, a document's keys).
_FROM_FILE = re.compile(r"'[^']*'|\"[^\"]*\"|\([^()]*\)")


def without_file_contents(message: str) -> str:
    """The message with every quoted or bracketed part shown as …: a remote participant
    learns why a file was refused, never what is in it."""
    return _FROM_FILE.sub(lambda m: m[0][0] + "…" + m[0][-1], message)
