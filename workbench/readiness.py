"""The readiness verdict: a pure function of the project.

Readiness is a list of checks. Each check belongs to one area, passes or fails,
and a failing check is either a blocker or an open point:

* any blocker                       -> ``no_go``
* no blocker, but open points       -> ``conditional``
* every check passes                -> ``go``

An area's score is the share of its checks that pass. Nothing here is stored:
the overview, the reports and ``workbench check`` all call ``assess``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field

from workbench.evaluation.evidence import Evidence, Measured, latest_run, measure_threshold
from workbench.governance import Governance
from workbench.models import AREAS, Model, ProjectData
from workbench.plan_facts import plan_facts
from workbench.units import format_value

Verdict = Literal["go", "conditional", "no_go"]

AREA_TITLES: dict[str, str] = {
    "testing": "Testing",
    "thresholds": "Quality thresholds",
    "dataset": "Test set",
    "rollout": "Rollout",
    "monitoring": "Monitoring",
    "incident_response": "Incident response",
    "oversight": "Human oversight",
    "documentation": "Documentation",
}


class Check(Model):
    area: str
    title: str
    passed: bool
    blocker: bool = False
    reason: str = ""
    where: str = ""

    @property
    def key(self) -> str:
        """What names this check across edits (an action item is kept under it)."""
        return f"{self.where}: {self.title}"


class AreaScore(Model):
    area: str
    title: str
    score: float
    passed: int
    total: int


class Blocker(Model):
    """A failing check as the verdict lists it, with its action item (if one is set)."""

    area: str
    reason: str
    where: str
    key: str = ""
    owner: str = ""
    due: dt.date | None = None
    overdue: bool = False


class Readiness(Model):
    verdict: Verdict
    scores: list[AreaScore]
    blockers: list[Blocker]
    open_points: list[Blocker]
    checks: list[Check]
    # sign-offs and the thresholds' record the checks read (the report writes it apart)
    governance: Annotated[Governance, Field(exclude=True)] = Governance()

    def score(self, area: str) -> AreaScore:
        return next(s for s in self.scores if s.area == area)


def _checks(
    data: ProjectData,
    minimums: Mapping[str, int],
    evidence: Evidence | None,
    record: Governance | None = None,
) -> list[Check]:
    risk = data.project.risk
    checks: list[Check] = []

    def add(area: str, title: str, passed: bool, reason: str, where: str, blocker: bool = False):
        checks.append(
            Check(
                area=area,
                title=title,
                passed=passed,
                blocker=blocker and not passed,
                reason="" if passed else reason,
                where=where,
            )
        )

    # Checklist items: done with evidence, or not applicable with its reason, passes.
    # An item the plan answers (a rollback rehearsed, people on call…) is held to it.
    facts = plan_facts(data)
    for item in data.checklist:
        fact = facts.get(item.id)
        if item.status == "open":
            passed, reason = False, f"checklist item open: {item.title}"
            if fact is not None and fact.met:
                reason += f" (the plan records it: {fact.words}; close the item)"
        elif item.status == "done" and fact is not None and not fact.met:
            passed, reason = False, f"{item.title} is ticked, but {fact.words}"
        elif item.status == "done" and not item.evidence:
            passed, reason = False, f"{item.title} is ticked with no evidence: attach what shows it"
        else:
            passed, reason = True, ""
        add(item.area, item.title, passed, reason, f"checklist:{item.id}")

    # Thresholds: defined (reasoning written down) and measured against the target.
    for threshold in data.thresholds:
        where = f"thresholds:{threshold.metric}"
        add(
            "thresholds",
            f"{threshold.name}: reasoning recorded",
            bool(threshold.reasoning),
            f"{threshold.name} has no written reasoning, so the threshold is not defined",
            where,
            blocker=True,
        )
        measured = measure_threshold(threshold)
        if measured.status == "not_met":
            add(
                "thresholds",
                f"{threshold.name}: target met",
                False,
                f"{threshold.name} measured {format_value(measured.value, threshold.unit)}, "
                f"which misses the target {threshold.comparator} "
                f"{format_value(threshold.target, threshold.unit)}",
                where,
                blocker=True,
            )
        elif measured.status == "unmeasured":
            add(
                "thresholds",
                f"{threshold.name}: target met",
                False,
                f"{threshold.name} has not been measured yet",
                where,
            )
        elif measured.status == "met" and risk == "high" and measured.ci_low is not None:
            add(
                "thresholds",
                f"{threshold.name}: target met with confidence",
                False,
                f"{threshold.name} meets its target, but its 95% interval still crosses it "
                "(a high-risk system needs more cases)",
                where,
            )
        elif measured.status == "met" and risk == "high" and threshold.unit == "rate":
            add(
                "thresholds",
                f"{threshold.name}: target met with confidence",
                False,
                f"{threshold.name} meets its target, but without the number of cases there is "
                "no 95% interval (a high-risk system needs one: measure with --n)",
                where,
            )
        else:
            add("thresholds", f"{threshold.name}: target met", True, "", where)

    # Test set: the cases built (the plan, until some are) at least the risk level's
    # minimum; the latest run measured the cases built, no fewer and no more. A run's
    # count never stands in for the built figure (a smoke run is not a small test set).
    minimum = minimums.get(risk, 0)
    ds = data.dataset
    size = ds.actual_size or ds.planned_size
    run = None if evidence is None else latest_run(evidence)
    if size == 0:
        add(
            "dataset",
            "Test set size recorded",
            False,
            "no test set size recorded (plan one on the test-set screen)",
            "dataset",
            blocker=True,
        )
    else:
        which = f"has {size:,} cases built" if ds.actual_size else f"is planned at {size:,} cases"
        add(
            "dataset",
            f"Test set of at least {minimum} cases",
            size >= minimum,
            f"the test set {which}, below the minimum of {minimum:,} for {risk} risk",
            "dataset",
            blocker=True,
        )
    if run is not None and run.case_count > ds.actual_size:
        built = f"{ds.actual_size:,} are" if ds.actual_size else "none are"
        add(
            "dataset",
            "Cases built recorded for the latest run",
            False,
            f"the latest run {run.label!r} has {run.case_count:,} cases but {built} recorded "
            "as built: update the figure",
            "dataset",
        )
    elif ds.actual_size == 0 and size:
        add(
            "dataset",
            "Test set built",
            False,
            f"the test set is planned ({ds.planned_size:,} cases) but not built yet",
            "dataset",
        )
    elif run is not None and run.case_count < ds.actual_size:
        add(
            "dataset",
            "The latest run covered the test set",
            False,
            f"the latest run {run.label!r} covered {run.case_count:,} of the "
            f"{ds.actual_size:,} cases built: run the whole set before measuring",
            "dataset",
        )

    # Evidence: no unexplained accuracy gap between user groups; a balanced test set.
    if evidence is not None and evidence.bias is not None:
        gap = evidence.bias
        # (over the maximum: at high risk a blocker; not settled: an open point, never a
        # pass, since groups too small to tell prove nothing either way)
        add(
            "testing",
            "No accuracy gap between user groups",
            gap.outcome == "within",
            f"accuracy differs between groups {gap.best_group!r} and {gap.worst_group!r} "
            f"by {gap.gap:.1%}: {gap.reason}",
            "dataset",
            blocker=risk == "high" and gap.outcome == "over",
        )
    if evidence is not None and evidence.composition:
        thin = [c for c in evidence.composition if c.flagged]
        add(
            "dataset",
            "Categories and groups represented as planned",
            not thin,
            "under-represented in the latest run: "
            + "; ".join(f"{c.dimension} {c.name} ({c.reason})" for c in thin[:4]),
            "dataset",
        )

    # Rollout: a pattern chosen; no stage failed its gate.
    chosen = [p for p in data.rollout.patterns if p.chosen]
    add(
        "rollout",
        "Deployment pattern chosen",
        bool(chosen),
        "no deployment pattern chosen",
        "rollout",
    )
    for stage in data.rollout.stages:
        if stage.status == "failed":
            add(
                "rollout",
                f"Week {stage.week} gate",
                False,
                f"rollout week {stage.week} ({stage.traffic:.0%}) failed its gate: "
                f"{stage.criterion}",
                "rollout",
                blocker=True,
            )

    # Monitoring: alerts with owners; a retention period.
    alerts = [a for a in data.monitoring.alerts if a.enabled]
    add("monitoring", "Alerts configured", bool(alerts), "no alert rule is enabled", "monitoring")
    unowned = [a.signal for a in alerts if not a.owner]
    add(
        "monitoring",
        "Every alert has an owner",
        not unowned,
        f"alerts without an owner: {', '.join(unowned)}",
        "monitoring",
    )
    add(
        "monitoring",
        "Log retention set",
        data.monitoring.logging.retention_days > 0,
        "no log retention period set",
        "monitoring",
    )

    # Incident response: a tested rollback (a date and a note of what the rehearsal
    # did: a date alone is no record), on-call and escalation.
    tested = [r for r in data.incident_response.rollback_options if r.tested]
    undocumented = [
        r.title for r in data.incident_response.rollback_options if r.last_tested and not r.tested
    ]
    add(
        "incident_response",
        "A rollback option has been tested",
        bool(tested),
        "no rollback option has been tested"
        + (" (required at high risk)" if risk == "high" else "")
        + (
            f"; a date but no note of what was tested: {', '.join(undocumented)}"
            if undocumented
            else ""
        ),
        "incident_response",
        blocker=risk == "high",
    )
    staffed = [o for o in data.incident_response.on_call if o.person]
    add(
        "incident_response",
        "On-call assigned",
        bool(staffed),
        "nobody is assigned on call",
        "incident_response",
    )
    add(
        "incident_response",
        "Escalation path defined",
        bool(data.incident_response.escalation),
        "no escalation path defined",
        "incident_response",
    )

    # Oversight: something in place for each kind of measure the project lists.
    kinds = {
        "review_interface": "review interface",
        "reviewer_training": "reviewer training",
        "fatigue": "fatigue management",
    }
    for kind, label in kinds.items():
        measures = [m for m in data.oversight.measures if m.kind == kind]
        if measures:
            add(
                "oversight",
                f"{label.capitalize()} in place",
                any(m.status == "in_place" for m in measures),
                f"no {label} measure is in place yet",
                "oversight",
            )

    # Documentation: the decision log holds at least one accepted decision.
    accepted = [d for d in data.decisions if d.status == "accepted"]
    add(
        "documentation",
        "Decisions recorded",
        bool(accepted),
        "the decision log has no accepted decision",
        "decisions",
    )
    if record is not None:
        _governance_checks(data, record, add)
    return checks


def _governance_checks(data: ProjectData, record: Governance, add: Any) -> None:
    """A required sign-off missing or stale; a target loosened after a run missed it
    (until restored, or explained by an accepted decision linked to the threshold)."""
    for role in record.required_roles:
        latest = record.latest(role)
        if latest is None:
            reason = f"no sign-off by the {role} yet (workbench signoff --role {role!r})"
        else:
            since = (
                f"{latest.changes_after} change(s) since"
                if latest.changes_after
                else "the content differs from what was signed"
            )
            reason = (
                f"the {role}'s sign-off by {latest.by} ({latest.signed_at[:10]}) is stale: "
                f"{since}; sign again"
            )
        add("documentation", f"Signed off by the {role}", record.current(role) is not None,
            reason, "signoffs")  # fmt: skip

    def explained(metric: str, since: str) -> bool:
        """An accepted decision linked to the threshold, dated on or after ``since``."""
        return any(
            d.status == "accepted" and f"threshold:{metric}" in d.links and d.date >= since
            for d in data.decisions
        )

    current = {t.metric: t for t in data.thresholds}
    flagged: set[str] = set()
    for change in record.thresholds.changes:
        if not change.loosened_after_miss or change.metric in flagged:
            continue
        threshold = current.get(change.metric)
        restored = (
            threshold is not None
            and f"{threshold.comparator} " + format_value(threshold.target, threshold.unit)
            == change.old
        )
        if restored:
            continue
        flagged.add(change.metric)
        add(
            "thresholds",
            f"{change.name}: target kept after the evidence",
            explained(change.metric, change.at[:10]),
            f"the target of {change.name} was loosened from {change.old} to {change.new} "
            f"after {change.run_seen} missed it ({change.by}, {change.at[:10]}): restore it, "
            f"or record why in an accepted decision linked to threshold:{change.metric}",
            f"thresholds:{change.metric}",
        )


def assess(
    data: ProjectData,
    minimums: Mapping[str, int],
    evidence: Evidence | None = None,
    record: Governance | None = None,
    today: dt.date | None = None,
) -> Readiness:
    """The verdict, a score per area and the blockers, from the project alone.

    ``minimums`` maps a risk level to its minimum test-set size (from the template);
    ``evidence`` adds the bias and composition checks of the latest run; ``record``
    (sign-offs, the thresholds as fixed) adds a check per required sign-off and one per
    target loosened after a miss. Action items are matched to the failing checks, and
    one past its due date on ``today`` is overdue.
    """
    checks = _checks(data, minimums, evidence, record)
    actions = {a.point: a for a in data.actions}
    today = today or dt.date.today()

    def listed(c: Check) -> Blocker:
        action = actions.get(c.key)
        due = action.due if action else None
        return Blocker(
            area=c.area,
            reason=c.reason,
            where=c.where,
            key=c.key,
            owner=action.owner if action else "",
            due=due,
            overdue=due is not None and due < today,
        )

    scores = []
    for area in AREAS:
        mine = [c for c in checks if c.area == area]
        passed = sum(c.passed for c in mine)
        scores.append(
            AreaScore(
                area=area,
                title=AREA_TITLES[area],
                score=passed / len(mine) if mine else 1.0,
                passed=passed,
                total=len(mine),
            )
        )
    blockers = [listed(c) for c in checks if c.blocker]
    open_points = [listed(c) for c in checks if not c.passed and not c.blocker]
    verdict: Verdict = "no_go" if blockers else "conditional" if open_points else "go"
    return Readiness(
        verdict=verdict,
        scores=scores,
        blockers=blockers,
        open_points=open_points,
        checks=checks,
        governance=record or Governance(),
    )


def threshold_statuses(data: ProjectData) -> dict[str, Measured]:
    return {t.metric: measure_threshold(t) for t in data.thresholds}
