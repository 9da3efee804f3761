"""Typed messages the app and its screens exchange."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.ui.session import Snapshot

from dataclasses import dataclass

from textual.message import Message


@dataclass
class SnapshotLoaded(Message):
    """A fresh read of the project is ready for the current screen."""

    snapshot: Snapshot


@dataclass
class EditFailed(Message):
    """An edit was refused; nothing was saved."""

    reason: str


@dataclass
class Navigate(Message):
    """Go to the place a blocker or agenda step points at (``thresholds:accuracy``)."""

    where: str
