"""What every report says about approval, in words all formats share: the one-page
summary's lines, sign-offs (and whether they are stale), action items, the thresholds
as fixed before the evidence and every change made after, and history one line a change.

The renderers lay these strings out; none holds wording of its own."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from workbench.governance import Governance, SignoffState
from workbench.models import HistoryEntry
from workbench.readiness import Blocker, Readiness
from workbench.reports.model import Report, ReportThreshold
from workbench.reports.wording import (
    HISTORY_LIMIT,
    NONE,
    SECTIONS,
    THRESHOLD_STATUS_WORDS,
    area_title,
    brief,
    describe_measured,
    describe_target,
    readable_time,
)
from workbench.store import ENTITIES

SINCE_TITLE = "Changes since the last report"
SUMMARY_POINTS = 10  # open points the one-page summary lists (blockers: all of them)

# ------------------------------------------------------------------ action items


def action_words(point: Blocker) -> str:
    """``owner Dev Patel, due 2026-11-30 (overdue)``; "" when nobody owns it."""
    parts = []
    if point.owner:
        parts.append(f"owner {point.owner}")
    if point.due is not None:
        parts.append(f"due {point.due.isoformat()}" + (", OVERDUE" if point.overdue else ""))
    return ", ".join(parts)


def point_text(point: Blocker) -> str:
    """A blocker or open point with its action item: ``reason (owner X, due D)``."""
    action = action_words(point)
    return f"{point.reason} ({action})" if action else point.reason


ACTION_COLUMNS = ("Point", "Owner", "Due")


def action_rows(readiness: Readiness) -> list[tuple[str, str, str]]:
    """Every blocker and open point that has an owner or a due date."""
    return [
        (
            f"{area_title(p.area)}: {p.reason}",
            p.owner or "nobody yet",
            (p.due.isoformat() + (" (OVERDUE)" if p.overdue else "")) if p.due else NONE,
        )
        for p in readiness.blockers + readiness.open_points
        if p.owner or p.due
    ]


def unassigned_count(readiness: Readiness) -> int:
    return sum(not p.owner for p in readiness.blockers + readiness.open_points)


# ------------------------------------------------------------------ sign-offs


def signoff_status(signoff: SignoffState) -> str:
    if not signoff.stale:
        return "current: the content is as signed"
    if not signoff.changes_after:  # (a project made from a copy: its history starts anew)
        return "STALE: the content differs from what was signed"
    return f"STALE: {signoff.changes_after} change(s) since it was signed"


def signoff_line(signoff: SignoffState) -> str:
    """``Dana Ruiz (product owner), 2026-12-04 10:00 UTC, content 1a2b3c4d…: current``."""
    text = (
        f"{signoff.by} ({signoff.role}), {readable_time(signoff.signed_at)}, "
        f"content sha256 {signoff.digest[:12]}…: {signoff_status(signoff)}"
    )
    return text + (f"; note: {signoff.note}" if signoff.note else "")


SIGNOFF_COLUMNS = ("Role", "Signed by", "When", "Content (sha256)", "Status")


def signoff_rows(record: Governance) -> list[tuple[str, str, str, str, str]]:
    """Each sign-off, then each required role nobody has signed for."""
    rows = [
        (
            s.role,
            s.by + (f" ({s.note})" if s.note else ""),
            readable_time(s.signed_at),
            s.digest[:16] + "…",
            signoff_status(s),
        )
        for s in record.signoffs
    ]
    signed = {s.role.casefold() for s in record.signoffs}
    rows += [
        (role, NONE, NONE, NONE, "NOT SIGNED (required at this risk level)")
        for role in record.required_roles
        if role.casefold() not in signed
    ]
    return rows


def signoff_summary(record: Governance) -> str:
    """One sentence: who must still sign, or that every required sign-off is current."""
    if not record.required_roles and not record.signoffs:
        return "No sign-off is required at this risk level, and none has been made."
    if record.missing_roles:
        stale = [r for r in record.missing_roles if record.latest(r) is not None]
        unsigned = [r for r in record.missing_roles if r not in stale]
        parts = []
        if unsigned:
            parts.append("not signed yet by the " + ", ".join(unsigned))
        if stale:
            parts.append("to be signed again (stale) by the " + ", ".join(stale))
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."
    return "Every required sign-off is current: the content is as they signed it."


def digest_words(record: Governance) -> str:
    return f"This report's content has the sha256 {record.digest}."


# ------------------------------------------------------------------ thresholds fixed


def fixed_words(record: Governance) -> str:
    """Whether the thresholds were fixed before the evidence, in one sentence."""
    t = record.thresholds
    if not t.fixed:
        return (
            "The thresholds have not been fixed yet: they are recorded when the first run is "
            "imported (or with workbench fix-thresholds)."
        )
    when = t.fixed_at[:10]
    how = f" ({t.how})" if t.how else ""
    if not t.changes:
        return f"Thresholds fixed before the evidence, on {when}{how}; not changed since."
    loosened = sum(c.loosened_after_miss for c in t.changes)
    extra = f", {loosened} of them loosened after a run missed the target" if loosened else ""
    return (
        f"Thresholds fixed on {when}{how}; changed {len(t.changes)} time(s) since{extra}, "
        "listed below with the run that had been seen."
    )


THRESHOLD_CHANGE_COLUMNS = ("When", "Who", "Threshold", "Change", "Run seen")


def threshold_change_rows(record: Governance) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for c in record.thresholds.changes:
        if c.field in ("added", "removed"):
            change = f"{c.field}: {c.new or c.old}"
        elif c.field == "reasoning":
            change = f"reasoning: {brief(c.old, 60)} → {brief(c.new, 60)}"
        else:
            change = f"{c.field} {c.old} → {c.new}"
            if c.loosened_after_miss:
                change += " (LOOSENED after a miss)"
        rows.append(
            (readable_time(c.at), c.by, c.name, change, c.run_seen or "none yet (before any run)")
        )
    return rows


# ------------------------------------------------------------------ the summary page


def evidence_line(t: ReportThreshold) -> str:
    """``target > 90%; measured 92% (n = 300; 95% CI …); Met; from run 2: v3``."""
    text = (
        f"target {describe_target(t.comparator, t.target, t.unit)}; "
        f"measured {describe_measured(t.measured, t.unit)}; "
        f"{THRESHOLD_STATUS_WORDS[t.measured.status]}"
    )
    return text + (f"; from {t.measured.source}" if t.measured.source else "")


def summary_points(report: Report) -> tuple[list[Blocker], list[Blocker], int]:
    """The blockers (all), the open points the summary lists (those with an action item
    first), and how many it leaves for the Open points section."""
    r = report.readiness
    ordered = sorted(r.open_points, key=lambda p: (not (p.owner or p.due), p.due is None))
    shown = ordered[:SUMMARY_POINTS]
    return r.blockers, shown, len(r.open_points) - len(shown)


# ------------------------------------------------------------------ history

_BOOKKEEPING = {"updated_at", "updated_by", "position"}


def _label(entry: HistoryEntry) -> str:
    entity = ENTITIES.get(entry.entity)
    label = entity.label if entity else entry.entity
    return f"{label} {entry.key}".strip()


def _field_words(entry: HistoryEntry) -> str:
    if entry.field == "*":
        if entry.old is None:
            return f"added {_label(entry)}: {brief(entry.new, 60)}"
        if entry.new is None:
            return f"removed {_label(entry)} (was {brief(entry.old, 60)})"
        return f"replaced {_label(entry)}"
    field = entry.field.replace("_", " ")
    return f"{field} {brief(entry.old, 40)} → {brief(entry.new, 40)}"


HISTORY_COLUMNS = ("When", "Who", "What changed")


def history_rows(history: Sequence[HistoryEntry]) -> list[tuple[str, str, str]]:
    """One line a change, newest first: who, when, and what in words (old → new);
    bookkeeping fields left out. The JSON report keeps every field."""
    rows: list[tuple[str, str, str]] = []
    entries = sorted(history, key=lambda h: h.id, reverse=True)
    for _change, group in groupby(entries, key=lambda h: h.change):
        items = [e for e in group if e.field not in _BOOKKEEPING]
        if not items:
            continue
        items.reverse()
        parts: list[str] = []
        for _record, fields in groupby(items, key=lambda e: (e.entity, e.key)):
            fields_list = list(fields)
            if fields_list[0].field == "*":
                parts += [_field_words(e) for e in fields_list]
            else:
                label = _label(fields_list[0])
                parts.append(f"{label}: " + "; ".join(_field_words(e) for e in fields_list))
        first = items[0]
        rows.append((readable_time(first.at), first.by, "; ".join(parts)))
        if len(rows) == HISTORY_LIMIT:
            break
    return rows


def since_words(report: Report) -> str:
    assert report.since is not None
    when = readable_time(report.since.report_generated_at) or "an earlier report"
    if not report.since.groups:
        return f"Nothing changed since the report of {when}."
    return f"What changed since the report of {when}:"


def sections(report: Report) -> list[tuple[str, str]]:
    """The report's sections in order: with "Changes since the last report" after the
    sign-off when the report was made with ``--since``."""
    out = list(SECTIONS)
    if report.since is not None:
        at = [anchor for anchor, _ in out].index("signoffs") + 1
        out.insert(at, ("since", SINCE_TITLE))
    return out
