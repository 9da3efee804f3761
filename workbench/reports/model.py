"""The report model: everything a readiness report shows, built once from the project.

Every format renders this one model, so the Markdown, HTML, JSON and TOML
reports can never disagree with each other or with ``workbench check``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from workbench.catalog import Template
from workbench.evaluation.evidence import (
    Evidence,
    Measured,
    latest_run,
    measure_threshold,
    run_name,
)
from workbench.governance import Governance
from workbench.models import (
    ChecklistItem,
    CompositionRow,
    Decision,
    HistoryEntry,
    IncidentResponse,
    Model,
    Monitoring,
    Oversight,
    ParkedQuestion,
    ProjectData,
    ProjectInfo,
    Rollout,
    Workshop,
    WorkshopSession,
    now,
)
from workbench.readiness import Readiness, assess

SCHEMA_VERSION = 1


class SectionSummary(Model):
    id: str
    title: str
    done: int
    not_applicable: int
    open: int
    total: int

    @property
    def complete(self) -> float:
        return (self.done + self.not_applicable) / self.total if self.total else 1.0


class ReportThreshold(Model):
    metric: str
    name: str
    definition: str
    comparator: str
    target: float
    unit: str
    reasoning: str
    measured: Measured


class ReportDataset(Model):
    """The test set's three figures: ``planned_size`` (the plan), ``actual_size`` (the
    cases built and documented: a person's figure) and ``latest_run_cases`` (measured:
    the cases in ``latest_run``, "run 2: smoke"; None and "" before the first run)."""

    risk: str
    minimum: int
    planned_size: int
    actual_size: int
    latest_run_cases: int | None
    latest_run: str
    edge_cases: int
    adversarial_cases: int
    composition: list[CompositionRow]
    notes: str


class ReportGuide(Model):
    """Reference figures from the template, so a report reads on its own."""

    template: str
    title: str
    risk_minimums: dict[str, int]


class SinceGroup(Model):
    title: str
    lines: list[str]


class ChangesSince(Model):
    """What changed since an earlier report (``export --since OLD.json``)."""

    report_generated_at: str
    groups: list[SinceGroup] = []


class Report(Model):
    # every key is always written, so the schema says every key is required
    model_config = ConfigDict(
        **Model.model_config, json_schema_serialization_defaults_required=True
    )

    schema_version: int = SCHEMA_VERSION
    generated_at: str
    project: ProjectInfo
    checklist: list[ChecklistItem]
    checklist_sections: list[SectionSummary]
    thresholds: list[ReportThreshold]
    dataset: ReportDataset
    rollout: Rollout
    monitoring: Monitoring
    incident_response: IncidentResponse
    oversight: Oversight
    decisions: list[Decision]
    parking_lot: list[ParkedQuestion]
    workshop: Workshop
    sessions: list[WorkshopSession]
    history: list[HistoryEntry]
    evidence: Evidence = Evidence()
    readiness: Readiness
    governance: Governance = Governance()
    since: ChangesSince | None = None
    guide: ReportGuide
    content: Annotated[ProjectData, Field(exclude=True)]


def build_report(
    data: ProjectData,
    template: Template,
    history: list[HistoryEntry],
    generated_at: str | None = None,
    evidence: Evidence | None = None,
    record: Governance | None = None,
) -> Report:
    """Assemble the report from the project's content, its template and its history;
    ``record`` holds its sign-offs and the thresholds' record (``project_record``)."""
    minimums: dict[str, int] = {level.id: level.min_test_cases for level in template.risk_levels}
    titles = {s.id: s.title for s in template.sections}
    sections: dict[str, list[ChecklistItem]] = {}
    for item in data.checklist:
        sections.setdefault(item.section, []).append(item)
    summaries = [
        SectionSummary(
            id=section,
            title=titles.get(section, section.replace("-", " ").title()),
            done=sum(i.status == "done" for i in items),
            not_applicable=sum(i.status == "na" for i in items),
            open=sum(i.status == "open" for i in items),
            total=len(items),
        )
        for section, items in sections.items()
    ]
    ds = data.dataset
    run = None if evidence is None else latest_run(evidence)
    return Report(
        generated_at=generated_at or now(),
        project=data.project,
        checklist=data.checklist,
        checklist_sections=summaries,
        thresholds=[
            ReportThreshold(
                metric=t.metric,
                name=t.name,
                definition=t.definition,
                comparator=t.comparator,
                target=t.target,
                unit=t.unit,
                reasoning=t.reasoning,
                measured=measure_threshold(t),
            )
            for t in data.thresholds
        ],
        dataset=ReportDataset(
            risk=data.project.risk,
            minimum=minimums.get(data.project.risk, 0),
            planned_size=ds.planned_size,
            actual_size=ds.actual_size,
            latest_run_cases=None if run is None else run.case_count,
            latest_run="" if run is None else run_name(run),
            edge_cases=ds.edge_cases,
            adversarial_cases=ds.adversarial_cases,
            composition=ds.composition,
            notes=ds.notes,
        ),
        rollout=data.rollout,
        monitoring=data.monitoring,
        incident_response=data.incident_response,
        oversight=data.oversight,
        decisions=data.decisions,
        parking_lot=data.parking_lot,
        workshop=data.workshop,
        sessions=data.sessions,
        history=history,
        evidence=evidence or Evidence(),
        readiness=assess(data, minimums, evidence, record),
        governance=record or Governance(),
        guide=ReportGuide(template=template.id, title=template.title, risk_minimums=minimums),
        content=data,
    )
