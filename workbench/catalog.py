"""Checklist templates: the guide's content as validated TOML.

A template (``checklists/*.toml``) carries the checklist, the default
thresholds, the test-set minimums, the deployment patterns, the monitoring,
incident-response and oversight content. ``load_template`` validates one and
``new_project_data`` turns it into the content of a fresh project.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, model_validator

from workbench.errors import InvalidValueError, TemplateError, describe_validation_error
from workbench.models import (
    AlertRule,
    Area,
    ChecklistItem,
    Comparator,
    IncidentResponse,
    LoggingPolicy,
    Model,
    Monitoring,
    OnCall,
    Oversight,
    OversightKind,
    OversightMeasure,
    Pattern,
    PlaybookPhase,
    ProjectData,
    ProjectInfo,
    Risk,
    RollbackOption,
    Rollout,
    RolloutSettings,
    RolloutStage,
    SeverityLevel,
    Slug,
    Threshold,
    Unit,
    now,
)

CHECKLISTS_DIR = Path(__file__).resolve().parent.parent / "checklists"
DEFAULT_TEMPLATE = "deploying-ai-safely"

Text = Annotated[str, Field(max_length=20_000)]


class TemplateItem(Model):
    id: Slug
    title: Annotated[str, Field(min_length=1, max_length=500)]
    help: Text = ""
    area: Area


class TemplateSection(Model):
    id: Slug
    title: Annotated[str, Field(min_length=1, max_length=200)]
    items: Annotated[list[TemplateItem], Field(min_length=1)]

    @model_validator(mode="after")
    def _item_ids_in_section(self) -> TemplateSection:
        for item in self.items:
            if not item.id.startswith(self.id + "."):
                raise ValueError(f"item id {item.id!r} must start with {self.id + '.'!r}")
        return self


class RiskLevel(Model):
    id: Risk
    title: str
    description: Text = ""
    min_test_cases: Annotated[int, Field(ge=1)]


class TemplateThreshold(Model):
    metric: Slug
    name: str
    definition: Text = ""
    comparator: Comparator
    target: float
    unit: Unit
    hint: Text = ""


class TestingKind(Model):
    id: Slug
    title: str
    question: Text = ""
    checks: list[Text] = []


class TestSetGuidance(Model):
    steps: list[Text] = []


class TemplatePattern(Model):
    id: Slug
    title: str
    summary: Text = ""
    how_it_works: list[Text] = []
    best_for: list[Text] = []
    duration: Text = ""
    remove_human_when: list[Text] = []
    benefits: list[Text] = []


class WhatToWatch(Model):
    performance: list[Text] = []
    quality: list[Text] = []
    business: list[Text] = []


class TemplateAlert(Model):
    id: Slug
    signal: str
    comparator: Comparator
    value: float
    unit: Unit
    window_minutes: Annotated[int, Field(ge=0)] = 0
    condition: Text = ""
    response: Text = ""


class TemplateLogging(Model):
    always: list[Text] = []
    optionally: list[Text] = []
    never: list[Text] = []
    retention_days: Annotated[int, Field(ge=0)] = 0
    retention_note: Text = ""


class TemplateOversight(Model):
    review_interface: list[Text] = []
    reviewer_training: list[Text] = []
    fatigue: list[Text] = []


class Guidance(Model):
    why_different: list[Text] = []
    lifecycle: list[Text] = []
    next_steps: list[Text] = []
    thresholds_note: Text = ""


class Template(Model):
    schema_: Annotated[int, Field(alias="schema", ge=1, le=1)] = 1
    id: Slug
    title: str
    description: Text = ""
    sections: Annotated[list[TemplateSection], Field(min_length=1)]
    risk_levels: list[RiskLevel] = []
    thresholds: list[TemplateThreshold] = []
    testing_kinds: list[TestingKind] = []
    test_set: TestSetGuidance = TestSetGuidance()
    patterns: list[TemplatePattern] = []
    rollout_stages: list[RolloutStage] = []
    monitoring: WhatToWatch = WhatToWatch()
    alerts: list[TemplateAlert] = []
    logging: TemplateLogging = TemplateLogging()
    severity_levels: list[SeverityLevel] = []
    playbook: list[PlaybookPhase] = []
    rollback_options: list[RollbackOption] = []
    oversight: TemplateOversight = TemplateOversight()
    guidance: Guidance = Guidance()

    @model_validator(mode="after")
    def _unique(self) -> Template:
        ids = [i.id for s in self.sections for i in s.items]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"checklist item id {dupes[0]!r} appears twice")
        metrics = [t.metric for t in self.thresholds]
        if len(set(metrics)) != len(metrics):
            raise ValueError("a threshold metric appears twice")
        return self

    def min_test_cases(self, risk: str) -> int:
        """The guide's minimum test-set size for a risk level (0 if the template has none)."""
        for level in self.risk_levels:
            if level.id == risk:
                return level.min_test_cases
        return 0

    def pattern(self, pattern_id: str) -> TemplatePattern | None:
        return next((p for p in self.patterns if p.id == pattern_id), None)


def parse_template(text: str, source: str = "template") -> Template:
    """Validate template TOML text; errors name ``source`` and the line or field."""
    import tomllib  # (only here: most commands read the template from the project)

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TemplateError(f"{source}: not valid TOML: {error}") from None
    try:
        template = Template.model_validate(raw)
    except ValidationError as error:
        raise TemplateError(f"{source}: {describe_validation_error(error)}") from None
    try:  # a value the template allows but a project cannot hold (a rate target of 2)
        new_project_data(template, "template check", "medium")
    except InvalidValueError as error:
        raise TemplateError(f"{source}: {error}") from None
    return template


def read_text_file(path: Path, what: str) -> str:
    """Read a UTF-8 text file, turning every failure into one clear line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TemplateError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise TemplateError(f"{path}: is a folder, not a {what} file") from None
    except OSError as error:
        raise TemplateError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TemplateError(
            f"{path}: not UTF-8 text (bad byte at offset {error.start}); save it as UTF-8"
        ) from None


def load_template(path: Path | str) -> Template:
    """Load and validate a template file."""
    path = Path(path)
    return parse_template(read_text_file(path, "template"), str(path))


@cache
def default_template() -> Template:
    """The template shipped with the workbench, carrying the guide."""
    return load_template(CHECKLISTS_DIR / f"{DEFAULT_TEMPLATE}.toml")


def new_project_data(
    template: Template, name: str, risk: Risk, owner: str = "", system: str = ""
) -> ProjectData:
    """The content of a fresh project started from ``template``: everything open.

    A name or owner the project cannot keep (too long, say), or a template value a
    project cannot hold, is an ``InvalidValueError`` that names the field.
    """
    try:
        return _new_project_data(template, name, risk, owner, system)
    except ValidationError as error:
        raise InvalidValueError(describe_validation_error(error)) from None


def _new_project_data(
    template: Template, name: str, risk: Risk, owner: str, system: str
) -> ProjectData:
    position = 0
    items = []
    for section in template.sections:
        for entry in section.items:
            position += 1
            items.append(
                ChecklistItem(
                    id=entry.id,
                    section=section.id,
                    title=entry.title,
                    help=entry.help,
                    area=entry.area,
                    position=position,
                )
            )
    thresholds = [
        Threshold(
            metric=t.metric,
            name=t.name,
            definition=t.definition,
            comparator=t.comparator,
            target=t.target,
            unit=t.unit,
            hint=t.hint,
            position=i,
        )
        for i, t in enumerate(template.thresholds, 1)
    ]
    alerts = [
        AlertRule(
            id=a.id,
            signal=a.signal,
            comparator=a.comparator,
            value=a.value,
            unit=a.unit,
            window_minutes=a.window_minutes,
            condition=a.condition,
            response=a.response,
            position=i,
        )
        for i, a in enumerate(template.alerts, 1)
    ]
    measures: list[OversightMeasure] = []
    kinds: tuple[OversightKind, ...] = ("review_interface", "reviewer_training", "fatigue")
    for kind in kinds:
        for i, text in enumerate(getattr(template.oversight, kind), 1):
            measures.append(
                OversightMeasure(
                    id=f"{kind.replace('_', '-')}-{i}",
                    kind=kind,
                    text=text,
                    position=len(measures) + 1,
                )
            )
    shadow = template.pattern("shadow")
    return ProjectData(
        project=ProjectInfo(
            name=name,
            risk=risk,
            owner=owner,
            system=system,
            template=template.id,
            created_at=now(),
        ),
        checklist=items,
        thresholds=thresholds,
        rollout=Rollout(
            patterns=[
                Pattern(id=p.id, title=p.title, summary=p.summary, position=i)
                for i, p in enumerate(template.patterns, 1)
            ],
            stages=[s.model_copy() for s in template.rollout_stages],
            settings=RolloutSettings(shadow_weeks=2 if shadow else 0),
        ),
        monitoring=Monitoring(
            alerts=alerts,
            logging=LoggingPolicy(
                always=list(template.logging.always),
                optionally=list(template.logging.optionally),
                never=list(template.logging.never),
                retention_days=template.logging.retention_days,
                retention_note=template.logging.retention_note,
            ),
        ),
        incident_response=IncidentResponse(
            severity_levels=[
                s.model_copy(update={"position": i})
                for i, s in enumerate(template.severity_levels, 1)
            ],
            playbook=[
                p.model_copy(update={"position": i}) for i, p in enumerate(template.playbook, 1)
            ],
            rollback_options=[
                r.model_copy(update={"position": i})
                for i, r in enumerate(template.rollback_options, 1)
            ],
            on_call=[OnCall(role="Primary on-call"), OnCall(role="Secondary on-call")],
        ),
        oversight=Oversight(measures=measures),
    )
