"""Sign-offs, fixing the thresholds before the evidence, and action items.

A sign-off records the digest of the content as it is when someone signs; fixing the
thresholds records their targets and reasoning (the first import does it by itself);
an action item gives an open point an owner and a due date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from workbench.errors import InvalidValueError, NotFoundError
from workbench.evaluation.runs import ImportReport, import_results, list_runs
from workbench.governance import content_digest, fixed_targets, targets_digest
from workbench.models import ActionItem, Signoff, ThresholdFix, now
from workbench.operations.project import project_state
from workbench.operations.records import add_numbered, change, remove
from workbench.readiness import Blocker
from workbench.store import Store


def sign_off(store: Store, role: str, by: str, note: str = "") -> Signoff:
    """``by`` approves the project as it is now, in ``role``."""
    role, name = " ".join(role.split()), " ".join(by.split())
    if not role:
        raise InvalidValueError("a sign-off needs a role: --role 'product owner'")
    if not name:
        raise InvalidValueError("a sign-off needs the name of who signs: --by NAME")
    with store.write():
        digest = content_digest(store.load(), list_runs(store))
        mark = store.last_change_id()
        signoff: Signoff = add_numbered(
            store,
            "signoff",
            lambda number: Signoff(
                id=number,
                role=role,
                by=name,
                note=note,
                signed_at=now(),
                digest=digest,
                change=mark,
            ),
            by,
            lambda s: f"signed off as {s.role}: {s.by}",
        )
    return signoff


def withdraw_signoff(store: Store, number: int, by: str) -> None:
    signoff = store.get("signoff", number)
    remove(store, "signoff", number, by, f"withdrew the sign-off of {signoff.by} ({signoff.role})")


def fix_thresholds(store: Store, by: str, how: str = "fixed by hand") -> ThresholdFix:
    """Record the thresholds' targets and reasoning as they are now, before the
    evidence (or again, on purpose: the report lists every fixing)."""
    with store.write():
        thresholds = store.records("threshold")
        if not thresholds:
            raise InvalidValueError("this project has no thresholds to fix yet")
        targets = fixed_targets(thresholds)
        mark = store.last_change_id()
        fix: ThresholdFix = add_numbered(
            store,
            "fixing",
            lambda number: ThresholdFix(
                id=number,
                fixed_at=now(),
                by=by,
                how=how,
                targets=targets,
                digest=targets_digest(targets),
                change=mark,
            ),
            by,
            lambda f: f"fixed {len(f.targets)} threshold(s): {f.how}",
        )
    return fix


def fix_thresholds_before_first_run(store: Store, by: str, label: str) -> None:
    """At the first import: the thresholds as they were before its evidence was seen
    (unless fixed already). Called inside the import's change: one edit with it."""
    if store.records("fixing") or not store.records("threshold"):
        return
    shown = label if len(label) <= 80 else label[:79] + "…"
    fix_thresholds(store, by, f"before the first run, {shown!r}, was imported")


def import_evidence(store: Store, path: Path, by: str, **options: Any) -> ImportReport:
    """Import a results file (``evaluation.runs.import_results``, same options); at the
    project's first run, the thresholds are fixed in the same change, so the record shows
    what they were before any evidence was seen."""
    # (the import names the change itself once it has checked the file's name)
    with store.write(), store.group(by, "imported results"):
        first = not list_runs(store)
        report = import_results(store, path, by, **options)
        if first and report.runs:
            fix_thresholds_before_first_run(store, by, report.runs[0].label)
        return report


def open_point(store: Store, which: str) -> Blocker:
    """A blocker or open point by its number in ``workbench actions`` (1, 2, …) or its key."""
    _data, _evidence, result = project_state(store)
    points = result.blockers + result.open_points
    if which.strip().isdigit():
        number = int(which)
        if not 1 <= number <= len(points):
            raise NotFoundError(
                f"no open point {number}: there are {len(points)} (see: workbench actions PATH)"
            )
        return points[number - 1]
    for point in points:
        if point.key == which.strip():
            return point
    raise NotFoundError(f"no open point {which!r} (see: workbench actions PATH)")


def parse_due(text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValueError(f"a due date looks like 2026-12-31, not {text.strip()!r}") from None


def assign(
    store: Store,
    point: str,
    by: str,
    *,
    owner: str | None = None,
    due: str | None = None,
    note: str | None = None,
    seen: ActionItem | None = None,
) -> ActionItem:
    """Give the open point ``point`` (its key) an owner, a due date (2026-12-31; "" clears
    it) and a note; a field left None keeps its value."""
    changes: dict[str, Any] = {}
    if owner is not None:
        changes["owner"] = " ".join(owner.split())
    if due is not None:
        changes["due"] = parse_due(due)
    if note is not None:
        changes["note"] = note
    summary = f"action item for {point}: {_words(changes)}"
    with store.write():
        try:
            store.get("action", point)
        except NotFoundError:
            return store.insert("action", ActionItem(point=point, **changes), by, summary)
        return change(store, "action", point, changes, by, seen=seen, summary=summary)


def unassign(store: Store, point: str, by: str) -> None:
    remove(store, "action", point, by, f"removed the action item for {point}")


def _words(changes: dict[str, Any]) -> str:
    parts = []
    if changes.get("owner"):
        parts.append(f"owner {changes['owner']}")
    if changes.get("due"):
        parts.append(f"due {changes['due']}")
    if "note" in changes:
        parts.append("note")
    return ", ".join(parts) or "cleared"
