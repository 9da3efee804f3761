"""What a reader makes of a results file: its rows, and what it says about the file.

Every reader (one a tool: ``csv_results``, ``jsonl_results``, ``promptfoo``,
``inspect_ai``, ``deepeval``, ``lm_eval``) returns a ``Reading``: the file's rows in
batches, the systems they belong to (a promptfoo file can compare several providers),
the tool and its version as the file says, and notes on what was done with each part of
the file, which the import's summary repeats. Nothing is guessed silently: where a
reader chooses (which scorer gives ``correct``, how repeats are counted), it says so in
a note.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from workbench.evaluation.rows import Batch


@dataclass
class SystemInfo:
    """One system a file holds results of: a provider and prompt, a model on a task."""

    label: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reading:
    """A results file as read. ``systems``, ``notes`` and ``ignored`` are complete once
    ``batches`` has been read to its end (a stream learns them on the way)."""

    tool: str
    format: str
    batches: Iterator[Batch]
    version: str = ""
    systems: dict[str, SystemInfo] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def system(self, key: str, label: str, **details: Any) -> None:
        if key not in self.systems:
            self.systems[key] = SystemInfo(label, {k: v for k, v in details.items() if v})


@dataclass
class Source:
    """The file being read: its path, an open binary handle at its start, its first bytes."""

    path: Path
    handle: IO[bytes]
    head: bytes
    size: int
    document: Any = None  # a JSON document, where detecting the format parsed it already
