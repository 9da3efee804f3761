"""The guided workshop's agenda: the steps in the guide's order, as plain data.

Each step names the screen that holds its work (a UI mode), a one-line goal for
the room and a default timebox. ``guidance`` picks the template's advice for a
step, so the facilitator can read it out. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.catalog import Template
from workbench.models import ProjectData
from workbench.units import condition_words, duration


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    mode: str  # the screen that opens for this step
    goal: str
    minutes: int  # default timebox

    @property
    def short(self) -> str:
        """The title in at most 20 characters, for a narrow agenda (80 columns)."""
        return SHORT_TITLES.get(self.id, self.title)[:20]


SHORT_TITLES = {
    "system": "System and risk",
    "rollout": "Pattern and rollout",
    "monitoring": "Monitoring and logs",
    "incident": "Incidents, rollback",
}


AGENDA: tuple[Step, ...] = (
    Step(
        "system",
        "The AI system and its risk level",
        "workshop",
        "Agree what the system does, who uses it, who owns it and how risky it is.",
        10,
    ),
    Step(
        "testset",
        "Test set",
        "testset",
        "Size the test set for the risk level and plan its composition.",
        15,
    ),
    Step(
        "thresholds",
        "Quality thresholds",
        "thresholds",
        "Set a target for each metric and write down why.",
        20,
    ),
    Step(
        "rollout",
        "Deployment pattern and rollout",
        "rollout",
        "Choose the deployment patterns and the stages to widen the rollout.",
        15,
    ),
    Step(
        "monitoring",
        "Monitoring, alerts and logging",
        "monitoring",
        "Decide what to watch, who answers each alert and what is logged.",
        15,
    ),
    Step(
        "incident",
        "Incident response and rollback",
        "incident",
        "Agree severity levels, the playbook, on-call and a tested rollback.",
        15,
    ),
    Step(
        "oversight",
        "Human oversight",
        "oversight",
        "Plan the review interface, reviewer training and fatigue measures.",
        10,
    ),
    Step(
        "checklist",
        "Checklist review",
        "checklist",
        "Walk the go-live checklist: tick what is done, give owners to the rest.",
        20,
    ),
    Step(
        "decisions",
        "Decisions",
        "decisions",
        "Record the choices made today and the reasons for them.",
        10,
    ),
    Step(
        "report",
        "Report",
        "export",
        "Export the readiness report and agree the next steps.",
        5,
    ),
)

STEP_IDS: tuple[str, ...] = tuple(step.id for step in AGENDA)


def step_index(step_id: str) -> int:
    """The position of ``step_id`` in the agenda; an unknown or empty id is the first step."""
    try:
        return STEP_IDS.index(step_id)
    except ValueError:
        return 0


def step_by_id(step_id: str) -> Step:
    return AGENDA[step_index(step_id)]


def step_title(step_id: str) -> str:
    """A step's title for people (``rollout`` -> its title); an unknown id as it is."""
    return AGENDA[STEP_IDS.index(step_id)].title if step_id in STEP_IDS else step_id


def _pct(value: float) -> str:
    return f"{value * 100:g}%"


def guidance(step: Step, template: Template, data: ProjectData) -> list[str]:
    """The template's advice for ``step``, one point a line, with this project's figures."""
    risk = data.project.risk
    minimum = template.min_test_cases(risk)
    lines: list[str] = []
    if step.id == "system":
        lines += [
            f"{level.title} risk ({level.description}): at least {level.min_test_cases} test cases"
            for level in template.risk_levels
        ]
        lines += template.guidance.why_different
    elif step.id == "testset":
        if minimum:
            lines.append(
                f"This project is {risk} risk: the test set needs at least {minimum} cases"
            )
        lines += template.test_set.steps
        lines += [f"{kind.title}: {kind.question}" for kind in template.testing_kinds]
    elif step.id == "thresholds":
        if template.guidance.thresholds_note:
            lines.append(template.guidance.thresholds_note)
        for t in template.thresholds:
            target = _pct(t.target) if t.unit == "rate" else f"{t.target:g} {t.unit}"
            lines.append(f"{t.name} {t.comparator} {target}: {t.definition}")
    elif step.id == "rollout":
        lines += [f"{p.title}: {p.summary}" for p in template.patterns]
        lines += [
            f"Week {s.week}: {_pct(s.traffic)} of traffic. To go further: {s.criterion}"
            for s in template.rollout_stages
        ]
    elif step.id == "monitoring":
        watch = template.monitoring
        for label, points in (
            ("Performance", watch.performance),
            ("Quality", watch.quality),
            ("Business", watch.business),
        ):
            if points:
                lines.append(f"{label}: " + "; ".join(points))
        lines += [
            f"Alert: {a.signal} {condition_words(a.comparator, a.value, a.unit, a.window_minutes)}"
            for a in template.alerts
        ]
        if template.logging.retention_note:
            lines.append(template.logging.retention_note)
    elif step.id == "incident":
        lines += [
            f"{s.title}: {s.definition} (respond within {duration(s.response_minutes)})"
            for s in template.severity_levels
        ]
        lines += [f"{p.title} ({p.window}): " + "; ".join(p.steps) for p in template.playbook]
        lines += [
            f"Rollback option: {r.title} ({r.speed.lower()}); best for: {r.best_for}"
            for r in template.rollback_options
        ]
    elif step.id == "oversight":
        for label, points in (
            ("Review interface", template.oversight.review_interface),
            ("Reviewer training", template.oversight.reviewer_training),
            ("Fatigue", template.oversight.fatigue),
        ):
            if points:
                lines.append(f"{label}: " + "; ".join(points))
    elif step.id == "checklist":
        for section in template.sections:
            lines.append(f"{section.title}: " + "; ".join(i.title for i in section.items))
    elif step.id == "decisions":
        lines += [
            item.help
            for section in template.sections
            for item in section.items
            if item.id.endswith("decision-log")
        ]
    elif step.id == "report":
        lines += template.guidance.next_steps
    return [" ".join(line.split()) for line in lines if line.strip()]
