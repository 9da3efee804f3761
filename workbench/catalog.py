"""Checklist templates: the guide's content as validated TOML.

A template (``checklists/*.toml``) carries the checklist, the default
thresholds, the test-set minimums, the deployment patterns, the monitoring,
incident-response and oversight content. ``load_template`` validates one and
``new_project_data`` turns it into the content of a fresh project.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any

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
    Signal,
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
    # the roles whose sign-off a project at this level needs (none: no sign-off asked)
    signoffs: list[Annotated[str, Field(min_length=1, max_length=200)]] = []


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
    severity: Slug | None = None


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
    signals: list[Signal] = []
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
        signals = [s.id for s in self.signals]
        if len(set(signals)) != len(signals):
            raise ValueError("a signal id appears twice")
        levels = {level.id for level in self.severity_levels}
        for alert in self.alerts:
            if alert.severity is not None and alert.severity not in levels:
                raise ValueError(
                    f"alert {alert.id!r} pages severity {alert.severity!r}, not a level"
                )
        return self

    def min_test_cases(self, risk: str) -> int:
        """The guide's minimum test-set size for a risk level (0 if the template has none)."""
        for level in self.risk_levels:
            if level.id == risk:
                return level.min_test_cases
        return 0

    def pattern(self, pattern_id: str) -> TemplatePattern | None:
        return next((p for p in self.patterns if p.id == pattern_id), None)


# ------------------------------------------------------------------ TOML, bounded
#
# tomllib is quadratic in the parts of a dotted key (a 200 KB key of 100,000 parts took
# 24 GB) and recursive in nesting (deep arrays end in RecursionError). So a TOML file is
# checked before it is parsed: its size, how deeply its arrays and inline tables nest, and
# how many parts its keys have. Real templates and projects use a few of each.
MAX_TEMPLATE_BYTES = 1 << 20  # 1 MB: the shipped template is 22 KB
MAX_PROJECT_TOML_BYTES = 16 << 20  # 16 MB: an export of thousands of decisions fits
MAX_TOML_DEPTH = 32
MAX_KEY_PARTS = 8  # the deepest key a project export writes has 3 (incident_response.x.y)
# What the checks skip, as TOML reads it from left to right: strings (multi-line first;
# a multi-line string may end in one or two extra quotes) and comments.
_TOML_SKIPPED = re.compile(
    r'"""[^"\\]*(?:(?:\\[\s\S]|"{1,2}(?!"))[^"\\]*)*"{0,2}"""'
    r"|'''[^']*(?:'{1,2}(?!')[^']*)*'{0,2}'''"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
)
_BRACKETS = re.compile(r"[\[\]{}]")
_KEY_RUN = re.compile(r"[\w\-. \t]*\.[\w\-. \t]*")  # bare key parts and the dots between


def _size_text(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB"


def check_toml_shape(text: str, source: str) -> None:
    """Refuse TOML text nested more than ``MAX_TOML_DEPTH`` levels (arrays and inline
    tables) or with a key of more than ``MAX_KEY_PARTS`` dotted parts, before tomllib
    sees it; linear in the text, and the error names the line."""

    def skipped(match: re.Match[str]) -> str:
        return "\n" * match.group().count("\n")  # (a string or comment goes; its lines stay)

    structure = _TOML_SKIPPED.sub(skipped, text)
    depth = 0
    for number, line in enumerate(structure.split("\n"), 1):
        for bracket in _BRACKETS.findall(line):
            if bracket in "[{":
                depth += 1
                if depth > MAX_TOML_DEPTH:
                    raise TemplateError(
                        f"{source}: line {number}: nested more than {MAX_TOML_DEPTH} levels "
                        "deep ([ ] or { }); a template or project needs a few"
                    )
            else:
                depth = max(depth - 1, 0)
        if line.count(".") >= MAX_KEY_PARTS:
            parts = max(run.count(".") + 1 for run in _KEY_RUN.findall(line))
            if parts > MAX_KEY_PARTS:
                raise TemplateError(
                    f"{source}: line {number}: a key of {parts} dotted parts "
                    f"(at most {MAX_KEY_PARTS})"
                )


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """TOML text as a dict, its shape checked first; every failure is a ``TemplateError``
    naming ``source`` and the line."""
    import tomllib  # (only here: most commands read the template from the project)

    if not isinstance(text, str):  # (a project's stored template, edited by hand)
        raise TemplateError(f"{source}: not TOML text (a {type(text).__name__})")
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some editors write one
    check_toml_shape(text, source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TemplateError(f"{source}: not valid TOML: {error}") from None
    except RecursionError:  # (the shape check stops this first; never a traceback)
        raise TemplateError(f"{source}: nested too deeply to read") from None


def parse_template(text: str, source: str = "template") -> Template:
    """Validate template TOML text; errors name ``source`` and the line or field."""
    raw = parse_toml(text, source)
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
    """Read a UTF-8 TOML file (a ``"template"`` or a ``"project TOML"``), turning every
    failure into one clear line: at most ``MAX_TEMPLATE_BYTES`` (a template) or
    ``MAX_PROJECT_TOML_BYTES`` are read, a byte-order mark is dropped, and the TOML's
    shape is checked (``check_toml_shape``) before anything parses it."""
    limit = MAX_TEMPLATE_BYTES if what == "template" else MAX_PROJECT_TOML_BYTES
    most = f"at most {limit >> 20} MB"
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise TemplateError(f"{path}: too large ({_size_text(size)}; {most})")
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise TemplateError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise TemplateError(f"{path}: is a folder, not a {what} file") from None
    except OSError as error:
        raise TemplateError(f"{path}: cannot read it ({error.strerror})") from None
    if len(data) > limit:  # (not a regular file, whose size was not known)
        raise TemplateError(f"{path}: too large (more than {limit >> 20} MB; {most})")
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TemplateError(
            f"{path}: not UTF-8 text (bad byte at offset {error.start + 3 * bom}); save it as UTF-8"
        ) from None
    check_toml_shape(text, str(path))
    return text


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
            severity=a.severity or "",
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
            signals=[
                sig.model_copy(update={"position": i}) for i, sig in enumerate(template.signals, 1)
            ],
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
