"""The project's data, as pydantic models.

Everything a workshop produces is one of these models. Values that come from a
person, a TOML file or the command line are validated here, and the error names
the field. The store reads and writes these models; the readiness rules and the
reports read them. Nothing here touches a file or the terminal.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Risk = Literal["low", "medium", "high"]
RISKS: tuple[Risk, ...] = ("low", "medium", "high")
ItemStatus = Literal["open", "done", "na"]
ITEM_STATUSES: tuple[ItemStatus, ...] = ("open", "done", "na")
Comparator = Literal[">", ">=", "<", "<="]
COMPARATORS: tuple[Comparator, ...] = (">", ">=", "<", "<=")
Unit = Literal["rate", "seconds", "count", "score", "x baseline"]
StageStatus = Literal["pending", "active", "passed", "failed"]
STAGE_STATUSES: tuple[StageStatus, ...] = ("pending", "active", "passed", "failed")
DecisionStatus = Literal["proposed", "accepted", "rejected", "superseded"]
DECISION_STATUSES: tuple[DecisionStatus, ...] = ("proposed", "accepted", "rejected", "superseded")
MeasureStatus = Literal["planned", "in_place"]
OversightKind = Literal["review_interface", "reviewer_training", "fatigue"]
OVERSIGHT_KINDS: tuple[OversightKind, ...] = ("review_interface", "reviewer_training", "fatigue")
LogTier = Literal["always", "optionally", "never"]

# Areas the readiness verdict scores, in the order the guide walks through them.
AREAS: tuple[str, ...] = (
    "testing",
    "thresholds",
    "dataset",
    "rollout",
    "monitoring",
    "incident_response",
    "oversight",
    "documentation",
)
Area = Literal[
    "testing",
    "thresholds",
    "dataset",
    "rollout",
    "monitoring",
    "incident_response",
    "oversight",
    "documentation",
]

Slug = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9][a-z0-9_.\-]*$")]
MAX_SOURCE = 500  # (a measurement's source, and every ShortText)
ShortText = Annotated[str, Field(max_length=MAX_SOURCE)]
LongText = Annotated[str, Field(max_length=200_000)]
# The largest whole number a project keeps: far beyond any real count, and well inside
# the 64-bit integers a SQLite column holds (a larger one could not be saved at all).
MAX_WHOLE = 10**12
Whole = Annotated[int, Field(ge=0, le=MAX_WHOLE)]
Position = Annotated[int, Field(ge=-MAX_WHOLE, le=MAX_WHOLE)]


class Model(BaseModel):
    """Base for every model: unknown fields are errors, strings are stripped."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        validate_assignment=True,
        allow_inf_nan=False,
        defer_build=True,  # build validators on first use: a faster start for the UI and CLI
    )


def now() -> str:
    """The current time as an ISO 8601 string in UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# The largest value a threshold or an alert keeps in seconds, a count, a score or a
# multiple of the baseline (a rate stops at 1): as for whole numbers, far beyond any real
# measurement, and small enough to be printed as the number it is.
MAX_VALUE = float(MAX_WHOLE)
_UNIT_WORDS = {"seconds": " seconds", "count": "", "score": "", "x baseline": " x baseline"}


def _check_rate(value: float, unit: str, what: str) -> float:
    """A value in its unit's range: a rate 0–1, seconds, counts and multiples 0–10¹², a
    score ±10¹²; the error names ``what``."""
    if unit == "rate" and not 0.0 <= value <= 1.0:
        raise ValueError(f"{what} is a rate and must be between 0 and 1 (0% to 100%), not {value}")
    if unit in ("seconds", "count", "x baseline") and value < 0:
        raise ValueError(f"{what} cannot be negative, not {value}")
    if abs(value) > MAX_VALUE:
        side = "at most " if value > 0 else "at least -"
        raise ValueError(
            f"{what} must be {side}{MAX_WHOLE}{_UNIT_WORDS.get(unit, '')}, not {value:g}"
        )
    return value


class ProjectInfo(Model):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    system: LongText = ""
    use: LongText = ""
    risk: Risk = "medium"
    owner: ShortText = ""
    template: ShortText = ""
    created_at: str = ""


class ChecklistItem(Model):
    id: Slug
    section: Slug
    title: Annotated[str, Field(min_length=1, max_length=500)]
    help: LongText = ""
    area: Area = "documentation"
    status: ItemStatus = "open"
    reason: LongText = ""
    owner: ShortText = ""
    evidence: LongText = ""
    updated_by: ShortText = ""
    updated_at: str = ""
    position: Position = 0

    @model_validator(mode="after")
    def _na_needs_reason(self) -> ChecklistItem:
        if self.status == "na" and not self.reason:
            raise ValueError(
                f"item {self.id}: 'not applicable' needs a reason (say why it does not apply)"
            )
        return self


class Measurement(Model):
    """A measured value for a threshold, entered by hand or taken from a run."""

    value: float
    n: Whole | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    source: ShortText = ""
    at: str = ""

    @model_validator(mode="after")
    def _interval_holds_value(self) -> Measurement:
        if (self.ci_low is None) != (self.ci_high is None):
            raise ValueError("a confidence interval needs both ci_low and ci_high")
        if (
            self.ci_low is not None
            and self.ci_high is not None
            and not self.ci_low <= self.value <= self.ci_high
        ):
            raise ValueError(
                f"the interval {self.ci_low:g}–{self.ci_high:g} must contain the value "
                f"{self.value:g}"
            )
        return self


class Threshold(Model):
    metric: Slug
    name: Annotated[str, Field(min_length=1, max_length=200)]
    definition: LongText = ""
    comparator: Comparator = ">="
    target: float
    unit: Unit = "rate"
    reasoning: LongText = ""
    hint: LongText = ""
    measured: Measurement | None = None
    position: Position = 0

    @model_validator(mode="after")
    def _check_ranges(self) -> Threshold:
        _check_rate(self.target, self.unit, f"the target of {self.metric}")
        if self.measured is not None:
            _check_rate(self.measured.value, self.unit, f"the measured value of {self.metric}")
            for end in (self.measured.ci_low, self.measured.ci_high):
                if end is not None and abs(end) > MAX_VALUE:
                    _check_rate(end, "score", f"the interval of {self.metric}")
        return self

    def passes(self, value: float) -> bool:
        """Whether ``value`` is on the right side of the target."""
        return compare(value, self.comparator, self.target)


def compare(value: float, comparator: str, target: float) -> bool:
    if comparator == ">":
        return value > target
    if comparator == ">=":
        return value >= target
    if comparator == "<":
        return value < target
    return value <= target


class CompositionRow(Model):
    category: Annotated[str, Field(min_length=1, max_length=200)]
    planned: Whole = 0
    actual: Whole = 0


class DatasetPlan(Model):
    planned_size: Whole = 0
    actual_size: Whole = 0
    edge_cases: Whole = 0
    adversarial_cases: Whole = 0
    notes: LongText = ""
    composition: list[CompositionRow] = []
    max_group_gap: Annotated[float, Field(ge=0.0, le=1.0)] = 0.05

    @field_validator("composition")
    @classmethod
    def _unique_categories(cls, rows: list[CompositionRow]) -> list[CompositionRow]:
        seen: set[str] = set()
        for row in rows:
            if row.category in seen:
                raise ValueError(f"category {row.category!r} is listed twice")
            seen.add(row.category)
        return rows


class Pattern(Model):
    id: Slug
    title: Annotated[str, Field(min_length=1, max_length=200)]
    summary: LongText = ""
    chosen: bool = False
    notes: LongText = ""
    position: Position = 0


class StageCheck(Model):
    """A criterion to proceed that a measurement can decide: a signal against a value
    ("error-rate < 2%"), or, with no comparator and value, a threshold's own target
    (``metric`` names the threshold). Every sample in the stage's window must meet it."""

    metric: Slug
    comparator: Comparator | None = None
    value: float | None = None
    unit: Unit = "rate"

    @model_validator(mode="after")
    def _both_or_neither(self) -> StageCheck:
        if (self.comparator is None) != (self.value is None):
            raise ValueError(f"the check on {self.metric} needs both a comparator and a value")
        if self.value is not None:
            _check_rate(self.value, self.unit, f"the check on {self.metric}")
        return self


class RolloutStage(Model):
    week: Annotated[int, Field(ge=1, le=520)]
    traffic: Annotated[float, Field(gt=0.0, le=1.0)]
    criterion: LongText = ""
    status: StageStatus = "pending"
    checks: list[StageCheck] = []
    window_start: ShortText = ""  # (ISO date-times, UTC: when the stage ran, for its evidence)
    window_end: ShortText = ""


class RolloutSettings(Model):
    shadow_weeks: Annotated[int, Field(ge=0, le=52)] = 0
    shadow_comparison: LongText = ""
    hitl_approval_target: Annotated[float, Field(ge=0.0, le=1.0)] = 0.95
    hitl_notes: LongText = ""
    flag_tool: ShortText = ""
    flag_key: ShortText = ""  # (the kill switch's flag key; empty: made from the project's name)
    reviews_per_day_limit: Annotated[int, Field(ge=0, le=100_000)] = 0  # (0: no limit set)
    reviews_in_a_row_limit: Annotated[int, Field(ge=0, le=100_000)] = 0


class Signal(Model):
    """What a signal is in production: the PromQL expression that measures it, which the
    alert rules and the rollout's analysis use. ``id`` is the alert's id, a threshold's
    metric or a stage check's metric; ``$window`` in the query stands for the window."""

    id: Slug
    query: Annotated[str, Field(max_length=4000)] = ""
    note: LongText = ""
    position: Position = 0


class AlertRule(Model):
    id: Slug
    signal: Annotated[str, Field(min_length=1, max_length=200)]
    comparator: Comparator = ">"
    value: float
    unit: Unit = "rate"
    window_minutes: Whole = 0
    condition: ShortText = ""
    response: LongText = ""
    owner: ShortText = ""
    enabled: bool = True
    severity: ShortText = ""  # (the incident severity level it pages, by id; "": not chosen)
    position: Position = 0

    @model_validator(mode="after")
    def _check_value(self) -> AlertRule:
        _check_rate(self.value, self.unit, f"the alert value of {self.id}")
        return self


class LoggingPolicy(Model):
    always: list[ShortText] = []
    optionally: list[ShortText] = []
    never: list[ShortText] = []
    retention_days: Annotated[int, Field(ge=0, le=36500)] = 0
    retention_note: LongText = ""


class SeverityLevel(Model):
    id: Slug
    title: Annotated[str, Field(min_length=1, max_length=200)]
    definition: LongText = ""
    response_minutes: Annotated[int, Field(ge=1, le=MAX_WHOLE)]
    example: LongText = ""
    position: Position = 0


class PlaybookPhase(Model):
    id: Slug
    title: Annotated[str, Field(min_length=1, max_length=200)]
    window: ShortText = ""
    steps: list[LongText] = []
    position: Position = 0


class RollbackOption(Model):
    id: Slug
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: LongText = ""
    speed: ShortText = ""
    best_for: LongText = ""
    last_tested: dt.date | None = None
    tested_by: ShortText = ""
    test_note: LongText = ""
    position: Position = 0

    @property
    def tested(self) -> bool:
        """Tested for the record: a date and a note of what the test was."""
        return self.last_tested is not None and bool(self.test_note)


class OnCall(Model):
    role: Annotated[str, Field(min_length=1, max_length=200)]
    person: ShortText = ""


class EscalationStep(Model):
    step: Annotated[int, Field(ge=1, le=MAX_WHOLE)]
    contact: Annotated[str, Field(min_length=1, max_length=200)]
    when: LongText = ""


class IncidentResponse(Model):
    severity_levels: list[SeverityLevel] = []
    playbook: list[PlaybookPhase] = []
    rollback_options: list[RollbackOption] = []
    on_call: list[OnCall] = []
    escalation: list[EscalationStep] = []


class OversightMeasure(Model):
    id: Slug
    kind: OversightKind
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    status: MeasureStatus = "planned"
    notes: LongText = ""
    position: Position = 0


class Decision(Model):
    id: Annotated[int, Field(ge=1, le=MAX_WHOLE)]
    title: Annotated[str, Field(min_length=1, max_length=500)]
    context: LongText = ""
    decision: LongText = ""
    rationale: LongText = ""
    alternatives: LongText = ""
    consequences: LongText = ""
    owner: ShortText = ""
    date: str = ""
    status: DecisionStatus = "proposed"
    supersedes: Annotated[int, Field(ge=1, le=MAX_WHOLE)] | None = None
    links: list[ShortText] = []

    @field_validator("links")
    @classmethod
    def _check_links(cls, links: list[str]) -> list[str]:
        for link in links:
            kind, _, target = link.partition(":")
            if kind not in ("threshold", "item") or not target:
                raise ValueError(f"link {link!r} must look like threshold:METRIC or item:ITEM_ID")
        return links


class ParkedQuestion(Model):
    id: Annotated[int, Field(ge=1, le=MAX_WHOLE)]
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    raised_by: ShortText = ""
    step: ShortText = ""
    resolved: bool = False
    answer: LongText = ""
    answered_by: ShortText = ""
    decision: Annotated[int, Field(ge=1, le=MAX_WHOLE)] | None = None


class Workshop(Model):
    """Who is in the room and where the guided workshop has got to."""

    attendees: list[ShortText] = []
    editor: ShortText = ""
    step: ShortText = ""


class WorkshopSession(Model):
    """One sitting of the workshop: when it started and ended, who led it, who came."""

    id: Annotated[int, Field(ge=1, le=MAX_WHOLE)]
    started_at: str
    ended_at: str = ""
    facilitator: ShortText = ""
    attendees: list[ShortText] = []
    note: LongText = ""


Name = Annotated[str, Field(min_length=1, max_length=200)]
Digest = Annotated[str, Field(pattern=r"^([0-9a-f]{64})?$")]


class Signoff(Model):
    """Someone approving the project as it stood: who, in which role, when, and the
    digest of the content they approved (so a later edit shows the sign-off as stale).
    ``change`` is the last change in the history when they signed."""

    id: Annotated[int, Field(ge=1, le=MAX_WHOLE)]
    role: Name
    by: Name
    note: LongText = ""
    signed_at: str = ""
    digest: Digest = ""
    change: Whole = 0


class FixedTarget(Model):
    """One threshold's target and reasoning as they were fixed."""

    metric: Slug
    name: ShortText = ""
    comparator: Comparator
    target: float
    reasoning: LongText = ""


class ThresholdFix(Model):
    """The thresholds' targets and reasoning recorded before evidence was seen (at the
    first import, or on purpose), with their digest and the change it was made at."""

    id: Annotated[int, Field(ge=1, le=MAX_WHOLE)]
    fixed_at: str = ""
    by: ShortText = ""
    how: ShortText = ""
    targets: list[FixedTarget] = []
    digest: Digest = ""
    change: Whole = 0


class ActionItem(Model):
    """Who will close an open point of a conditional go, and by when. ``point`` is the
    open point's key (``Check.key``: where it is and what it checks)."""

    point: Annotated[str, Field(min_length=1, max_length=1000)]
    owner: ShortText = ""
    due: dt.date | None = None
    note: LongText = ""


class HistoryEntry(Model):
    id: int
    change: int
    at: str
    by: str
    entity: str
    key: str
    field: str
    old: Any = None
    new: Any = None


class Monitoring(Model):
    alerts: list[AlertRule] = []
    signals: list[Signal] = []
    logging: LoggingPolicy = LoggingPolicy()


class Oversight(Model):
    measures: list[OversightMeasure] = []


class Rollout(Model):
    patterns: list[Pattern] = []
    stages: list[RolloutStage] = []
    settings: RolloutSettings = RolloutSettings()


class ProjectData(Model):
    """The whole editable content of a project: what the TOML export holds."""

    project: ProjectInfo
    checklist: list[ChecklistItem] = []
    thresholds: list[Threshold] = []
    dataset: DatasetPlan = DatasetPlan()
    rollout: Rollout = Rollout()
    monitoring: Monitoring = Monitoring()
    incident_response: IncidentResponse = IncidentResponse()
    oversight: Oversight = Oversight()
    decisions: list[Decision] = []
    parking_lot: list[ParkedQuestion] = []
    workshop: Workshop = Workshop()
    sessions: list[WorkshopSession] = []
    signoffs: list[Signoff] = []
    threshold_fixes: list[ThresholdFix] = []
    actions: list[ActionItem] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> ProjectData:
        def check(kind: str, keys: list[Any]) -> None:
            seen: set[Any] = set()
            for key in keys:
                if key in seen:
                    raise ValueError(f"{kind} {key!r} appears twice")
                seen.add(key)

        check("checklist item", [i.id for i in self.checklist])
        check("threshold", [t.metric for t in self.thresholds])
        check("rollout week", [s.week for s in self.rollout.stages])
        check("pattern", [p.id for p in self.rollout.patterns])
        check("alert", [a.id for a in self.monitoring.alerts])
        check("severity level", [s.id for s in self.incident_response.severity_levels])
        check("playbook phase", [p.id for p in self.incident_response.playbook])
        check("rollback option", [r.id for r in self.incident_response.rollback_options])
        check("on-call role", [o.role for o in self.incident_response.on_call])
        check("escalation step", [e.step for e in self.incident_response.escalation])
        check("oversight measure", [m.id for m in self.oversight.measures])
        check("decision", [d.id for d in self.decisions])
        check("parked question", [q.id for q in self.parking_lot])
        check("workshop session", [s.id for s in self.sessions])
        check("sign-off", [s.id for s in self.signoffs])
        check("threshold fixing", [f.id for f in self.threshold_fixes])
        check("action item", [a.point for a in self.actions])
        ids = {d.id for d in self.decisions}
        for d in self.decisions:
            if d.supersedes is not None and d.supersedes not in ids:
                raise ValueError(
                    f"decision {d.id} supersedes decision {d.supersedes}, which does not exist"
                )
        return self
