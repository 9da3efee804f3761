"""What a steering committee relies on beside the verdict: sign-offs (who approved which
content), the thresholds as they were fixed before the evidence (and every change made
after it), in one model the reports and ``workbench check`` read.

Pure functions: the project, its runs and the parts of its history they need in, the
record out. Nothing here is stored; a sign-off stores only what was signed (its digest).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from workbench.evaluation.evidence import Run, run_name, threshold_measure
from workbench.models import (
    FixedTarget,
    HistoryEntry,
    Model,
    ProjectData,
    Signoff,
    Threshold,
    ThresholdFix,
    compare,
)
from workbench.units import format_value

# Records whose changes leave the approved content as it was: the sign-offs themselves,
# the workshop's sittings and its place in the agenda.
NOT_CONTENT: tuple[str, ...] = ("signoff", "session", "workshop")
_NOT_CONTENT_FIELDS = {"signoffs", "sessions", "workshop"}
_BOOKKEEPING = {"updated_at", "updated_by"}  # (who touched an item last: not what it says)


def content_digest(data: ProjectData, runs: Sequence[Run]) -> str:
    """The sha256 of the project's content in a canonical form: every record but the
    sign-offs, the sessions and the workshop's place; no bookkeeping fields; each run
    by its number and the sha256 of its file. Equal content, equal digest."""
    body: dict[str, Any] = data.model_dump(mode="json", exclude=_NOT_CONTENT_FIELDS)
    body["checklist"] = [
        {k: v for k, v in item.items() if k not in _BOOKKEEPING} for item in body["checklist"]
    ]
    body["runs"] = [{"id": r.id, "sha256": r.sha256} for r in sorted(runs, key=lambda r: r.id)]
    return _sha256(body)


def targets_digest(targets: Sequence[FixedTarget]) -> str:
    return _sha256([t.model_dump(mode="json") for t in targets])


def fixed_targets(thresholds: Sequence[Threshold]) -> list[FixedTarget]:
    """The thresholds' targets and reasoning, as a fixing records them."""
    return [
        FixedTarget(
            metric=t.metric,
            name=t.name,
            comparator=t.comparator,
            target=t.target,
            reasoning=t.reasoning,
        )
        for t in thresholds
    ]


def _sha256(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SignoffState(Model):
    """A sign-off as a report shows it: stale when the content changed since."""

    id: int
    role: str
    by: str
    note: str = ""
    signed_at: str = ""
    digest: str = ""
    stale: bool = False
    changes_after: int = 0


class ThresholdChange(Model):
    """One change to a threshold made after the thresholds were fixed."""

    metric: str
    name: str
    at: str
    by: str
    field: str  # target, comparator, reasoning, added, removed
    old: str
    new: str
    run_seen: str = ""  # the latest run imported before the change ("" if none)
    loosened_after_miss: bool = False

    @property
    def words(self) -> str:
        if self.field == "added":
            what = f"added {self.name} ({self.new})"
        elif self.field == "removed":
            what = f"removed {self.name} (was {self.old})"
        elif self.field == "reasoning":
            what = f"{self.name}: reasoning rewritten"
        else:
            what = f"{self.name}: {self.field} {self.old} → {self.new}"
            if self.loosened_after_miss:
                what += " (loosened after a run missed the old target)"
        seen = f"after {self.run_seen} had been seen" if self.run_seen else "before any run"
        return f"{self.at[:10]}, {self.by}: {what}, {seen}"


class ThresholdRecord(Model):
    """When the thresholds were fixed, and what changed after."""

    fixed_at: str = ""
    fixed_by: str = ""
    how: str = ""
    digest: str = ""
    fixings: int = 0
    changes: list[ThresholdChange] = []

    @property
    def fixed(self) -> bool:
        return bool(self.fixed_at)

    @property
    def words(self) -> str:
        if not self.fixed:
            return "Thresholds not fixed yet: they are fixed when the first run is imported"
        head = f"Thresholds fixed on {self.fixed_at[:10]} by {self.fixed_by or 'unknown'}"
        head += f" ({self.how})" if self.how else ""
        if not self.changes:
            return head + "; not changed since"
        return head + f"; {len(self.changes)} change(s) after"


class Governance(Model):
    """Sign-offs and the thresholds' record, as every report shows them."""

    digest: str = ""
    required_roles: list[str] = []
    signoffs: list[SignoffState] = []
    missing_roles: list[str] = []  # required, and no sign-off of the content as it is
    thresholds: ThresholdRecord = ThresholdRecord()

    def current(self, role: str) -> SignoffState | None:
        """The newest sign-off in ``role`` that is not stale."""
        fresh = [s for s in self.signoffs if s.role.casefold() == role.casefold() and not s.stale]
        return fresh[-1] if fresh else None

    def latest(self, role: str) -> SignoffState | None:
        mine = [s for s in self.signoffs if s.role.casefold() == role.casefold()]
        return mine[-1] if mine else None


def governance(
    data: ProjectData,
    runs: Sequence[Run],
    *,
    required_roles: Sequence[str],
    threshold_history: Sequence[HistoryEntry],
    changes_after: Mapping[int, int],
) -> Governance:
    """The record of ``data``: ``threshold_history`` is the history of the thresholds
    (any order), ``changes_after`` maps a sign-off's number to the changes of content
    made after it."""
    digest = content_digest(data, runs)
    signoffs = [_state(s, digest, changes_after.get(s.id, 0)) for s in data.signoffs]
    record = Governance(
        digest=digest,
        required_roles=list(required_roles),
        signoffs=signoffs,
        thresholds=_threshold_record(data, runs, threshold_history),
    )
    record.missing_roles = [r for r in required_roles if record.current(r) is None]
    return record


def _state(signoff: Signoff, digest: str, after: int) -> SignoffState:
    stale = signoff.digest != digest
    return SignoffState(
        **signoff.model_dump(exclude={"change"}), stale=stale, changes_after=after if stale else 0
    )


def _threshold_record(
    data: ProjectData, runs: Sequence[Run], history: Sequence[HistoryEntry]
) -> ThresholdRecord:
    if not data.threshold_fixes:
        return ThresholdRecord()
    first: ThresholdFix = min(data.threshold_fixes, key=lambda f: f.id)
    fixed = {t.metric: t for t in first.targets}
    current = {t.metric: t for t in data.thresholds}
    ordered = sorted(runs, key=lambda r: (r.imported_at, r.id))
    changes: list[ThresholdChange] = []
    for entry in sorted(history, key=lambda e: e.id):
        if entry.change <= first.change or entry.entity != "threshold":
            continue
        if entry.field not in ("target", "comparator", "reasoning", "*"):
            continue
        threshold = current.get(entry.key)
        seen = [r for r in ordered if r.imported_at <= entry.at]
        change = _threshold_change(entry, threshold, fixed.get(entry.key), seen)
        if change is not None:
            changes.append(change)
    return ThresholdRecord(
        fixed_at=first.fixed_at,
        fixed_by=first.by,
        how=first.how,
        digest=first.digest,
        fixings=len(data.threshold_fixes),
        changes=changes,
    )


def _threshold_change(
    entry: HistoryEntry,
    threshold: Threshold | None,
    fixed: FixedTarget | None,
    seen: Sequence[Run],
) -> ThresholdChange | None:
    record = entry.new if isinstance(entry.new, dict) else entry.old
    record = record if isinstance(record, dict) else {}
    name = (threshold.name if threshold else record.get("name")) or (
        fixed.name if fixed else entry.key
    )
    unit = threshold.unit if threshold else record.get("unit", "rate")
    comparator = threshold.comparator if threshold else record.get("comparator", "")
    common = {
        "metric": entry.key,
        "name": name,
        "at": entry.at,
        "by": entry.by,
        "run_seen": run_name(seen[-1]) if seen else "",
    }
    if entry.field == "*":
        if entry.old is None and isinstance(entry.new, dict):
            words = f"{entry.new.get('comparator', '')} {_value(entry.new.get('target'), unit)}"
            return ThresholdChange(field="added", old="", new=words, **common)
        if entry.new is None and isinstance(entry.old, dict):
            words = f"{entry.old.get('comparator', '')} {_value(entry.old.get('target'), unit)}"
            return ThresholdChange(field="removed", old=words, new="", **common)
        return None
    if entry.field == "reasoning":
        return ThresholdChange(field="reasoning", old=str(entry.old), new=str(entry.new), **common)
    if entry.field == "comparator":
        return ThresholdChange(field="comparator", old=str(entry.old), new=str(entry.new), **common)
    old, new = entry.old, entry.new
    if not isinstance(old, int | float) or not isinstance(new, int | float):
        return None
    loosened = (new < old) if comparator in (">", ">=") else (new > old)
    missed = False
    if loosened and seen and threshold is not None:
        measured = threshold_measure(seen[-1].metrics, threshold)
        missed = (
            measured is not None
            and measured.value is not None
            and not compare(measured.value, comparator, float(old))
        )
    return ThresholdChange(
        field="target",
        old=f"{comparator} {_value(old, unit)}",
        new=f"{comparator} {_value(new, unit)}",
        loosened_after_miss=loosened and missed,
        **common,
    )


def _value(value: Any, unit: str) -> str:
    return format_value(float(value), unit) if isinstance(value, int | float) else str(value)
