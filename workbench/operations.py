"""The edits a person can make, shared by the command line and the terminal UI.

Each function validates its input, makes one edit through the store (one
transaction, recorded in the history) and returns what was saved. The UI's
key presses and the CLI's commands call these same functions.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workbench.catalog import (
    CHECKLISTS_DIR,
    DEFAULT_TEMPLATE,
    Template,
    default_template,
    new_project_data,
    parse_template,
    read_text_file,
)
from workbench.errors import InvalidValueError, TemplateError, describe_validation_error
from workbench.evaluation.evidence import (
    Evidence,
    RunComparison,
    apply_runs,
    compare_runs,
    summarize,
)
from workbench.evaluation.runs import case_flips, list_runs
from workbench.models import (
    DECISION_STATUSES,
    Decision,
    Measurement,
    ParkedQuestion,
    ProjectData,
    ProjectInfo,
    Risk,
    Threshold,
    now,
)
from workbench.readiness import Readiness, assess
from workbench.store import Store


def default_user() -> str:
    """Who is editing when nobody says: the login name."""
    for variable in ("WORKBENCH_USER", "USER", "LOGNAME"):
        if os.environ.get(variable):
            return os.environ[variable]
    try:
        return getpass.getuser()
    except Exception:  # no login name on some containers
        return "unknown"


def minimums(template: Template) -> dict[str, int]:
    return {level.id: level.min_test_cases for level in template.risk_levels}


def project_state(store: Store, compare: bool = False) -> tuple[ProjectData, Evidence, Readiness]:
    """The project as the evidence shows it, what the runs show, and the computed verdict.

    Every front end (status, check, export, the UI) reads the project through this.
    ``compare`` adds the latest run's comparison with the one before it, cases matched
    (the reports show it; it reads both runs' rows).
    """
    data = store.load()
    runs = list_runs(store)
    data = apply_runs(data, runs)
    evidence = summarize(data, runs)
    if compare and len(runs) > 1 and evidence.latest is not None:
        ordered = sorted(runs, key=lambda r: (r.imported_at, r.id))
        before, after = ordered[-2], ordered[-1]
        evidence.comparison = RunComparison(
            before=before.id,
            before_label=before.label,
            after=after.id,
            after_label=after.label,
            changes=compare_runs(before.metrics, after.metrics),
            cases=case_flips(store, before.id, after.id),
        )
    return data, evidence, assess(data, minimums(store.template()), evidence)


def readiness(store: Store) -> Readiness:
    """The computed verdict for an open project."""
    return project_state(store)[2]


# --------------------------------------------------------------------- creating


def read_template(path: Path | None) -> tuple[Template, str]:
    """The template at ``path`` (or the shipped one), with its text to store in the project."""
    path = path or CHECKLISTS_DIR / f"{DEFAULT_TEMPLATE}.toml"
    text = read_text_file(path, "template")
    return parse_template(text, str(path)), text


def read_project_toml(path: Path) -> ProjectData:
    """A project exported as TOML, validated; errors name the file and the field."""
    text = read_text_file(path, "project TOML")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TemplateError(f"{path}: not valid TOML: {error}") from None
    raw.pop("schema_version", None)
    raw.pop("exported_at", None)
    try:
        return ProjectData.model_validate(raw)
    except ValidationError as error:
        raise TemplateError(f"{path}: {describe_validation_error(error)}") from None


def create_project(
    path: Path,
    *,
    name: str | None,
    risk: Risk | None,
    by: str,
    checklist: Path | None = None,
    from_toml: Path | None = None,
    owner: str = "",
    system: str = "",
) -> Store:
    """Create a project file from a template, or from an exported TOML project."""
    template, template_text = read_template(checklist)
    if from_toml is not None:
        data = read_project_toml(from_toml)
        changes: dict[str, Any] = {}
        if name:
            changes["name"] = name
        if risk:
            changes["risk"] = risk
        if changes:  # validated: model_copy alone would let a too-long name into the file
            try:
                data.project = ProjectInfo.model_validate({**data.project.model_dump(), **changes})
            except ValidationError as error:
                raise InvalidValueError(describe_validation_error(error)) from None
        if not data.project.created_at:
            data.project.created_at = now()
    else:
        if not name or not name.strip():
            raise InvalidValueError("a new project needs a name: --name NAME")
        data = new_project_data(template, name.strip(), risk or "medium", owner, system)
    return Store.create(path, data, template_text, by)


# ---------------------------------------------------------------------- editing


def tick(
    store: Store,
    item_id: str,
    status: str,
    by: str,
    *,
    evidence: str | None = None,
    reason: str | None = None,
    owner: str | None = None,
    expect: dict[str, Any] | None = None,
) -> Any:
    """Set a checklist item's status (and its evidence, reason or owner).

    ``expect`` holds the values the person saw (say ``{"status": "open"}``): if someone
    else has changed one since, the edit is refused with a ``ConflictError``.
    """
    changes: dict[str, Any] = {"status": status, "updated_by": by, "updated_at": now()}
    if evidence is not None:
        changes["evidence"] = evidence
    if reason is not None:
        changes["reason"] = reason
    elif status != "na":
        changes["reason"] = ""
    if owner is not None:
        changes["owner"] = owner
    return store.update(
        "item", item_id, changes, by, expect=expect, summary=f"{item_id} → {status}"
    )


def edit_item(
    store: Store, item_id: str, by: str, *, expect: dict[str, Any] | None = None, **fields: Any
) -> Any:
    fields = {**fields, "updated_by": by, "updated_at": now()}
    return store.update("item", item_id, fields, by, expect=expect)


def measure(
    store: Store,
    metric: str,
    value: float,
    by: str,
    *,
    n: int | None = None,
    source: str = "",
    expect: dict[str, Any] | None = None,
) -> Any:
    """Record a measured value for a threshold (rates as fractions, times in seconds)."""
    if n is not None and n < 1:
        raise InvalidValueError("--n must be a whole number of cases, at least 1")
    try:
        measurement = Measurement(value=value, n=n, source=source or f"entered by {by}", at=now())
    except ValidationError as error:
        raise InvalidValueError(f"{metric}: {describe_validation_error(error)}") from None
    return store.update(
        "threshold",
        metric,
        {"measured": measurement.model_dump()},
        by,
        expect=expect,
        summary=f"measured {metric} = {value:g}" + (f" (n={n})" if n else ""),
    )


def clear_measurement(store: Store, metric: str, by: str) -> Any:
    return store.update("threshold", metric, {"measured": None}, by)


def add_threshold(
    store: Store,
    by: str,
    *,
    metric: str,
    name: str,
    comparator: str,
    target: float,
    unit: str,
    reasoning: str,
    definition: str = "",
) -> Threshold:
    """Add a custom metric with its target and the reasoning behind it."""
    if not reasoning.strip():
        raise InvalidValueError("write down the reasoning behind the threshold")
    position = len(store.load().thresholds) + 1
    try:
        threshold = Threshold(
            metric=metric,
            name=name,
            definition=definition,
            comparator=comparator,
            target=target,
            unit=unit,
            reasoning=reasoning,
            position=position,
        )
    except ValidationError as error:
        raise InvalidValueError(describe_validation_error(error)) from None
    store.insert("threshold", threshold, by, summary=f"added threshold {metric}")
    return threshold


def decide(
    store: Store,
    by: str,
    *,
    title: str,
    decision: str,
    rationale: str,
    status: str = "accepted",
    supersedes: int | None = None,
    context: str = "",
    alternatives: str = "",
    owner: str = "",
    links: list[str] | None = None,
) -> Decision:
    """Add a decision to the log; superseding one marks the old one superseded."""
    if status not in DECISION_STATUSES:
        raise InvalidValueError(f"status must be one of {', '.join(DECISION_STATUSES)}")
    # Read, number and save in one transaction: a decision another process adds
    # meanwhile cannot take the same number, nor supersede the same one.
    with store.write():
        data = store.load()
        known_links = {f"threshold:{t.metric}" for t in data.thresholds} | {
            f"item:{i.id}" for i in data.checklist
        }
        for link in links or []:
            if link not in known_links:
                raise InvalidValueError(
                    f"cannot link {link!r}: use threshold:METRIC or item:ITEM_ID of this project"
                )
        if supersedes is not None:
            old = next((d for d in data.decisions if d.id == supersedes), None)
            if old is None:
                raise InvalidValueError(f"there is no decision {supersedes} to supersede")
            if old.status == "superseded":
                later = next((d.id for d in data.decisions if d.supersedes == supersedes), None)
                raise InvalidValueError(
                    f"decision {supersedes} is already superseded"
                    + (f" by decision {later}; supersede that one instead" if later else "")
                )
        try:
            record = Decision(
                id=store.next_id("decision"),
                title=title,
                decision=decision,
                rationale=rationale,
                status=status,
                supersedes=supersedes,
                context=context,
                alternatives=alternatives,
                owner=owner or by,
                date=dt.date.today().isoformat(),
                links=links or [],
            )
        except ValidationError as error:
            raise InvalidValueError(describe_validation_error(error)) from None
        with store.group(by, f"decision {record.id}: {title}"):
            store.insert("decision", record, by, summary=f"decision {record.id}: {title}")
            if supersedes is not None:
                store.update(
                    "decision",
                    supersedes,
                    {"status": "superseded"},
                    by,
                    summary=f"decision {supersedes} superseded by {record.id}",
                )
        return record


def park_question(store: Store, text: str, by: str, step: str = "") -> ParkedQuestion:
    with store.write():  # numbered and saved in one transaction, like decisions
        try:
            question = ParkedQuestion(
                id=store.next_id("question"), text=text, raised_by=by, step=step
            )
        except ValidationError as error:
            raise InvalidValueError(describe_validation_error(error)) from None
        store.insert("question", question, by, summary=f"parked: {text[:60]}")
    return question


def template_for(store: Store) -> Template:
    try:
        return store.template()
    except TemplateError:
        return default_template()
