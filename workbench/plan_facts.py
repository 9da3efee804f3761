"""What the plan records that answers a checklist item: the fact another screen holds.

"Rollback rehearsed" is answered by a rollback option tested (a date and a note of
what was done), "On-call duties assigned" by the on-call roles, and so on. The checklist
shows the fact beside the item, closing the item takes the fact as its evidence, and
the readiness rules point out an item ticked that the plan does not bear out (or a fact
recorded whose item is still open). Pure: the project in, the facts out.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.models import ProjectData


@dataclass(frozen=True)
class PlanFact:
    met: bool
    words: str  # what the plan shows, or what it lacks
    where: str  # the screen that records it


def _rollback(data: ProjectData) -> PlanFact:
    tested = [r for r in data.incident_response.rollback_options if r.tested]
    if not tested:
        return PlanFact(
            False,
            "no rollback rehearsal is recorded (Incidents: the date, who and what was done)",
            "incident_response",
        )
    latest = max(tested, key=lambda r: str(r.last_tested))
    who = f" by {latest.tested_by}" if latest.tested_by else ""
    return PlanFact(
        True,
        f"{latest.title}: rehearsed {latest.last_tested}{who}: {latest.test_note}",
        "incident_response",
    )


def _on_call(data: ProjectData) -> PlanFact:
    roles = data.incident_response.on_call
    staffed = [o for o in roles if o.person]
    if not staffed:
        lack = "nobody is named on call" if roles else "no on-call roles are listed"
        return PlanFact(False, f"{lack} (Incidents)", "incident_response")
    words = "on call: " + "; ".join(f"{o.role}: {o.person}" for o in staffed)
    empty = [o.role for o in roles if not o.person]
    if empty:
        words += f" (nobody yet for {', '.join(empty)})"
    return PlanFact(True, words, "incident_response")


def _escalation(data: ProjectData) -> PlanFact:
    steps = data.incident_response.escalation
    if not steps:
        return PlanFact(False, "no escalation path is recorded (Incidents)", "incident_response")
    return PlanFact(
        True, "escalation: " + " → ".join(s.contact for s in steps), "incident_response"
    )


def _thresholds(data: ProjectData) -> PlanFact:
    total = len(data.thresholds)
    reasoned = [t for t in data.thresholds if t.reasoning]
    if not total or len(reasoned) < total:
        missing = [t.name for t in data.thresholds if not t.reasoning]
        lack = f"no reasoning yet for {', '.join(missing[:3])}" + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        return PlanFact(
            False, f"thresholds: {lack if total else 'none recorded'} (Thresholds)", "thresholds"
        )
    return PlanFact(True, f"all {total} thresholds recorded with their reasoning", "thresholds")


def _decision_log(data: ProjectData) -> PlanFact:
    accepted = [d for d in data.decisions if d.status == "accepted"]
    if not accepted:
        return PlanFact(False, "the decision log has no accepted decision (Decisions)", "decisions")
    latest = max(accepted, key=lambda d: (d.date, d.id))
    when = f", the latest on {latest.date}" if latest.date else ""
    return PlanFact(
        True,
        f"{len(data.decisions)} decisions logged ({len(accepted)} accepted{when})",
        "decisions",
    )


_FACTS = {
    "infrastructure.rollback-tested": _rollback,
    "process.on-call": _on_call,
    "process.escalation-paths": _escalation,
    "documentation.thresholds-recorded": _thresholds,
    "documentation.decision-log": _decision_log,
}

ANSWERED_BY_PLAN = frozenset(_FACTS)


def plan_fact(data: ProjectData, item_id: str) -> PlanFact | None:
    """The fact the plan records for one checklist item, if the item has one."""
    fact = _FACTS.get(item_id)
    return None if fact is None else fact(data)


def plan_facts(data: ProjectData) -> dict[str, PlanFact]:
    """The fact for every checklist item of the project that has one."""
    ids = {item.id for item in data.checklist}
    return {item_id: fact(data) for item_id, fact in _FACTS.items() if item_id in ids}
