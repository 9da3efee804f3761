"""Find anything in a project by its words, and where to go to see it.

A pure function of the project: ``find(data, "rollback")`` lists the records that
have every word of the query in one of their fields (ignoring case), the records
whose title has them first. Each result says where it lives as the app's
navigation target (``checklist:infrastructure.rollback-tested``, ``decisions:3``):
the same strings the readiness findings use, so the front end jumps to it the same
way. ``Index`` reads the project once for a search repeated at each key press.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from workbench.models import ProjectData
from workbench.units import percent

SNIPPET_WIDTH = 60  # characters of context around a match, at most (plus two "…")
BEFORE_MATCH = 16  # of them, before the match


@dataclass(frozen=True)
class Found:
    """One record that matched: what it is, its title, the words around the match, and
    the navigation target that shows it (``thresholds:accuracy``)."""

    kind: str
    title: str
    snippet: str
    where: str


class _Entry(NamedTuple):
    text: str  # the title, every other field and the kind, one a line, in lower case
    title_lower: str
    order: int  # the record's place in the project: kinds in screen order, then position
    kind: str
    title: str
    details: Sequence[str]  # the record's other searched fields, in order
    where: str
    prefix: str  # of where: the screen's records (``checklist``)


def _entry(order: int, kind: str, title: str, details: Sequence[str], where: str) -> _Entry:
    text = "\n".join((title, *details, kind)).lower()
    title_lower = _one_line(title).lower()
    prefix = where.partition(":")[0]
    return _Entry(text, title_lower, order, kind, title, details, where, prefix)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _records(data: ProjectData) -> Iterator[tuple[str, str, Sequence[str], str]]:
    """(kind, title, other fields, where) for every searchable record, in the order
    of the screens that show them."""
    for item in data.checklist:
        details: tuple[str, ...] = (item.id, item.evidence, item.owner, item.reason)
        yield "checklist item", item.title, details, f"checklist:{item.id}"
    for threshold in data.thresholds:
        details = (threshold.metric, threshold.reasoning, threshold.definition)
        yield "threshold", threshold.name, details, f"thresholds:{threshold.metric}"
    for row in data.dataset.composition:
        yield "test-set category", row.category, (), f"dataset:{row.category}"
    for stage in sorted(data.rollout.stages, key=lambda s: s.week):
        traffic = percent(stage.traffic)
        title = f"Week {stage.week}: {traffic} of traffic"
        yield "rollout stage", title, (stage.criterion, stage.status), f"rollout:{stage.week}"
    for alert in data.monitoring.alerts:
        details = (alert.response, alert.owner, alert.condition, alert.id)
        yield "alert", alert.signal, details, f"monitoring:{alert.id}"
    incident = data.incident_response
    for option in incident.rollback_options:
        details = (option.description, option.best_for, option.test_note, option.tested_by)
        yield "rollback option", option.title, details, f"incident_response:rollback:{option.id}"
    for on_call in incident.on_call:
        yield (
            "on-call role",
            on_call.role,
            (on_call.person,),
            f"incident_response:on-call:{on_call.role}",
        )
    for step in incident.escalation:
        title = f"Step {step.step}: {step.contact}"
        yield "escalation step", title, (step.when,), f"incident_response:escalation:{step.step}"
    for level in incident.severity_levels:
        details = (level.definition, level.example)
        yield "severity level", level.title, details, f"incident_response:severity:{level.id}"
    for phase in incident.playbook:
        yield (
            "playbook phase",
            phase.title,
            (phase.window, *phase.steps),
            f"incident_response:playbook:{phase.id}",
        )
    for measure in data.oversight.measures:
        yield "oversight measure", measure.text, (measure.notes,), f"oversight:{measure.id}"
    for decision in data.decisions:
        details = (
            decision.decision,
            decision.rationale,
            decision.context,
            decision.alternatives,
            decision.consequences,
            decision.owner,
        )
        yield "decision", decision.title, details, f"decisions:{decision.id}"
    for question in data.parking_lot:
        # (the Decisions screen shows the parking lot under the log)
        details = (question.answer, question.raised_by)
        yield "parked question", question.text, details, f"decisions:q{question.id}"


def _title_rank(entry: _Entry, phrase: str, words: Sequence[str]) -> int:
    """0: the title is the query; 1: it starts with it; 2: it has every word; 3: some;
    4: none (the words are in the other fields)."""
    title = entry.title_lower
    if title == phrase:
        return 0
    if title.startswith(phrase):
        return 1
    if len(words) == 1:
        return 2 if phrase in title else 4
    in_title = sum(w in title for w in words)
    return 2 if in_title == len(words) else 3 if in_title else 4


def _snippet(entry: _Entry, phrase: str, words: Sequence[str]) -> str:
    """The words around the match outside the title (in the field with the most of the
    query's words, at the whole query if it is there); if every word is in the title,
    the start of the record's first other field."""
    details = [_one_line(d) for d in entry.details if d and not d.isspace()]
    best, best_count, best_at = "", 0, 0
    for detail in details:
        lower = detail.lower()
        count = sum(w in lower for w in words)
        if count > best_count:
            at = lower.find(phrase)
            if at < 0:
                at = min(lower.find(w) for w in words if w in lower)
            best, best_count, best_at = detail, count, at
    if best_count:
        return _cut(best, max(0, best_at - BEFORE_MATCH))
    return _cut(details[0], 0) if details else ""


def _cut(text: str, start: int) -> str:
    if start and len(text) - start < SNIPPET_WIDTH:
        start = max(0, len(text) - SNIPPET_WIDTH)  # (near the end: show more before it)
    end = start + SNIPPET_WIDTH
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


class Index:
    """A project's searchable records, read once: ``find`` at every key press costs a
    pass over the words, not a walk over the project. (Typing narrows a search: the
    records that matched the last query are the only ones the next one, with its
    words grown, can match.)"""

    def __init__(self, data: ProjectData) -> None:
        self._entries = [_entry(n, *record) for n, record in enumerate(_records(data))]
        self._last: tuple[list[str], list[_Entry]] = ([], self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, query: str, limit: int = 50, prefer: str = "") -> list[Found]:
        """The records with every word of ``query``: those of the navigation prefix
        ``prefer`` first (the screen being looked at), then title matches, then the
        rest, each group in the order the screens show them."""
        words = query.lower().split()
        if not words or limit <= 0:
            return []
        matched = self._matching(words)
        phrase = " ".join(words)

        def rank(entry: _Entry) -> tuple[bool, int, int]:
            return entry.prefix != prefer, _title_rank(entry, phrase, words), entry.order

        best = heapq.nsmallest(limit, matched, key=rank)
        return [
            Found(e.kind, _one_line(e.title), _snippet(e, phrase, words), e.where) for e in best
        ]

    def _matching(self, words: list[str]) -> list[_Entry]:
        last_words, last_matched = self._last
        narrower = bool(last_words) and all(any(o in w for w in words) for o in last_words)
        candidates = last_matched if narrower else self._entries
        if len(words) == 1:
            word = words[0]
            matched = [e for e in candidates if word in e.text]
        else:
            matched = [e for e in candidates if all(w in e.text for w in words)]
        self._last = (words, matched)
        return matched


def find(data: ProjectData, query: str, limit: int = 50, prefer: str = "") -> list[Found]:
    """The records of ``data`` with every word of ``query`` in their fields (see
    ``Index.find``)."""
    return Index(data).find(query, limit, prefer)
