"""What the reports say, in words both formats share: section titles, status words,
targets and measured values, alert conditions, decisions' headings, history lines.

The Markdown and HTML renderers lay these strings out; neither holds wording of its
own, so the two formats always say the same things."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from workbench.evaluation.evidence import (
    BUILT_WORDS,
    IN_RUN_WORDS,
    NO_RUN_WORDS,
    PLANNED_WORDS,
    Measured,
)
from workbench.models import Decision, HistoryEntry, ParkedQuestion, RollbackOption, WorkshopSession
from workbench.readiness import AREA_TITLES, Readiness
from workbench.reports.model import ReportDataset, ReportThreshold
from workbench.units import COMPARATOR_WORDS, condition_words, duration, format_value
from workbench.vocab import VERDICT_TITLES

HISTORY_LIMIT = 50

# The report's sections, in order: (anchor, heading). Both formats use these headings.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("blockers", "Blockers"),
    ("open-points", "Open points"),
    ("signoffs", "Sign-off"),
    ("scores", "Area scores"),
    ("checklist", "Checklist"),
    ("thresholds", "Quality thresholds"),
    ("evidence", "Evidence"),
    ("test-set", "Test set"),
    ("rollout", "Rollout"),
    ("monitoring", "Monitoring"),
    ("incident-response", "Incident response"),
    ("oversight", "Human oversight"),
    ("decisions", "Decision log"),
    ("parking-lot", "Parking lot"),
    ("workshop", "Workshop"),
    ("history", "History"),
)
SECTION_TITLES: dict[str, str] = dict(SECTIONS)

ITEM_STATUS_WORDS: dict[str, str] = {"open": "Open", "done": "Done", "na": "Not applicable"}
THRESHOLD_STATUS_WORDS: dict[str, str] = {
    "met_with_confidence": "Met with confidence",
    "met": "Met",
    "not_met": "Not met",
    "unmeasured": "Not measured",
}
STAGE_STATUS_WORDS: dict[str, str] = {
    "pending": "Pending",
    "active": "Active",
    "passed": "Passed",
    "failed": "Failed",
}
MEASURE_STATUS_WORDS: dict[str, str] = {"planned": "Planned", "in_place": "In place"}
OVERSIGHT_KIND_TITLES: dict[str, str] = {
    "review_interface": "Review interface",
    "reviewer_training": "Reviewer training",
    "fatigue": "Fatigue management",
}
DECISION_STATUS_WORDS: dict[str, str] = {
    "proposed": "Proposed",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "superseded": "Superseded",
}
NONE = "—"

# --------------------------------------------------------------------- escaping


def verdict_title(readiness: Readiness) -> str:
    return VERDICT_TITLES[readiness.verdict]


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def verdict_summary(readiness: Readiness) -> str:
    """One sentence that says why the verdict is what it is."""
    blockers = len(readiness.blockers)
    points = len(readiness.open_points)
    if readiness.verdict == "go":
        return "Every readiness check passes."
    if readiness.verdict == "conditional":
        return f"No blockers, but {plural(points, 'open point')} to close or accept."
    return (
        f"{plural(blockers, 'blocker')} must be resolved before going live "
        f"(and {plural(points, 'open point')})."
    )


def cases(count: int) -> str:
    return f"{count:,} case" if count == 1 else f"{count:,} cases"


def test_set_figures(ds: ReportDataset) -> list[tuple[str, str]]:
    """The test set's three figures as (label, words), as the test-set screen names them:
    planned, built (both a person's) and in the latest run (measured, with the run)."""
    return [
        (PLANNED_WORDS, cases(ds.planned_size) if ds.planned_size else "not planned yet"),
        (BUILT_WORDS, cases(ds.actual_size) if ds.actual_size else "not built yet"),
        (
            IN_RUN_WORDS,
            NO_RUN_WORDS
            if ds.latest_run_cases is None
            else f"{cases(ds.latest_run_cases)} ({ds.latest_run})",
        ),
    ]


def area_title(area: str) -> str:
    return AREA_TITLES.get(area, area.replace("_", " ").capitalize())


def describe_target(comparator: str, target: float, unit: str) -> str:
    """``> 90%``: the comparator and the target as people read them."""
    return f"{comparator} {format_value(target, unit)}"


def describe_interval(measured: Measured, unit: str) -> str:
    if measured.ci_low is None or measured.ci_high is None:
        return ""
    return f"{format_value(measured.ci_low, unit)} to {format_value(measured.ci_high, unit)}"


def describe_measured(measured: Measured, unit: str) -> str:
    """``92% (n = 300; 95% CI 88.4% to 94.9%)``, or ``—`` when not measured."""
    if measured.value is None:
        return NONE
    details = []
    if measured.n is not None:
        details.append(f"n = {measured.n}")
    interval = describe_interval(measured, unit)
    if interval:
        details.append(f"95% CI {interval}")
    text = format_value(measured.value, unit)
    return f"{text} ({'; '.join(details)})" if details else text


def describe_threshold(threshold: ReportThreshold) -> str:
    """A sentence for screen readers and chart labels."""
    m = threshold.measured
    target = (
        f"target {COMPARATOR_WORDS.get(threshold.comparator, threshold.comparator)} "
        f"{format_value(threshold.target, threshold.unit)}"
    )
    if m.value is None:
        return f"{threshold.name}: not measured yet; {target}."
    interval = describe_interval(m, threshold.unit)
    return (
        f"{threshold.name}: measured {format_value(m.value, threshold.unit)}"
        + (f" (95% interval {interval})" if interval else "")
        + f"; {target}; {THRESHOLD_STATUS_WORDS[m.status].lower()}."
    )


def describe_minutes(minutes: int) -> str:
    return duration(minutes)


def rollback_tested(option: RollbackOption) -> str:
    """When a rollback was last rehearsed, who did it and what the rehearsal did (a date
    with no note of what was tested does not count as tested, and says so)."""
    if option.last_tested is None:
        return "never tested"
    date = option.last_tested.isoformat()
    if not option.tested:
        return f"{date}, what was tested not recorded"
    who = f" by {option.tested_by}" if option.tested_by else ""
    return f"{date}{who}: {option.test_note}"


def describe_alert_condition(comparator: str, value: float, unit: str, window: int) -> str:
    """When an alert fires, worded from its values (never from words stored beside them)."""
    return condition_words(comparator, value, unit, window)


def superseded_by(decisions: Sequence[Decision]) -> dict[int, int]:
    """Decision id -> the id of the decision that superseded it."""
    return {d.supersedes: d.id for d in decisions if d.supersedes is not None}


def decision_heading(decision: Decision, replaced_by: dict[int, int]) -> str:
    heading = f"Decision {decision.id}: {decision.title}"
    if decision.status == "superseded":
        later = replaced_by.get(decision.id)
        return heading + (f" (superseded by decision {later})" if later else " (superseded)")
    return heading


def made_from_question(questions: Sequence[ParkedQuestion]) -> dict[int, int]:
    """Decision id -> the id of the parked question it was made from."""
    return {q.decision: q.id for q in questions if q.decision is not None}


def answered_questions(questions: Sequence[ParkedQuestion]) -> list[ParkedQuestion]:
    """The resolved questions with an answer or a decision to show (ones resolved
    before answers were recorded are only counted)."""
    return [q for q in questions if q.resolved and (q.answer or q.decision is not None)]


def question_outcome(question: ParkedQuestion) -> str:
    """``answered by Ana: The CISO signs it off; became decision 4``."""
    parts = []
    if question.answer:
        who = f" by {question.answered_by}" if question.answered_by else ""
        parts.append(f"answered{who}: {question.answer}")
    if question.decision is not None:
        parts.append(f"became decision {question.decision}")
    return "; ".join(parts)


def latest_history(history: Sequence[HistoryEntry]) -> list[HistoryEntry]:
    """The newest ``HISTORY_LIMIT`` entries, newest first."""
    return sorted(history, key=lambda h: h.id, reverse=True)[:HISTORY_LIMIT]


# Fields that name a record, tried in order, to show an added or removed record briefly.
_NAMING_FIELDS = ("title", "name", "text", "signal", "contact", "role", "category", "value")


def brief(value: Any, limit: int = 80) -> str:
    """A history value on one short line."""
    if value is None or value == "":
        return NONE
    if isinstance(value, dict):
        named = next((value[k] for k in _NAMING_FIELDS if value.get(k) not in (None, "")), None)
        if named is not None:
            return brief(named, limit)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_change(entry: HistoryEntry) -> tuple[str, str, str]:
    """(what changed, old value, new value) for one history entry."""
    what = f"{entry.entity} {entry.key}".strip()
    if entry.field == "*":
        if entry.old is None and entry.new is not None:
            return (f"added {what}" if entry.key else f"created {what}", NONE, brief(entry.new))
        if entry.new is None:
            return f"removed {what}", brief(entry.old), NONE
        return f"replaced {what}", brief(entry.old), brief(entry.new)
    return f"{what}: {entry.field}", brief(entry.old), brief(entry.new)


def readable_time(stamp: str) -> str:
    """``2024-05-03T10:00:00+00:00`` as ``2024-05-03 10:00 UTC``; anything else unchanged."""
    try:
        parsed = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if parsed.utcoffset() == dt.timedelta(0):
        return parsed.strftime("%Y-%m-%d %H:%M UTC")
    return parsed.isoformat(sep=" ", timespec="minutes")


def stage_traffic(traffic: float) -> str:
    return format_value(traffic, "rate")


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


SESSION_COLUMNS = ("#", "Held", "Led by", "Present", "What it settled")


def session_row(session: WorkshopSession) -> tuple[str, str, str, str, str]:
    """A workshop session as a table row: number, when (start–end, UTC), who led it,
    who was there and its note."""
    start = readable_time(session.started_at)
    if session.ended_at:
        same_day = session.ended_at[:10] == session.started_at[:10]
        end = session.ended_at[11:16] if same_day else readable_time(session.ended_at)
        held = f"{start.removesuffix(' UTC')}–{end}" + (" UTC" if same_day else "")
    else:
        held = f"{start}, not ended"
    return (
        str(session.id),
        held,
        session.facilitator or NONE,
        ", ".join(session.attendees) or NONE,
        session.note or NONE,
    )


# ------------------------------------------------------------------- Markdown
