"""Reading a project (its state and computed verdict) and creating one."""

from __future__ import annotations

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
    Run,
    RunComparison,
    apply_runs,
    compare_runs,
    summarize,
)
from workbench.evaluation.runs import case_flips, list_runs
from workbench.governance import NOT_CONTENT, Governance, governance
from workbench.models import (
    ProjectData,
    ProjectInfo,
    Risk,
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
    stored = store.load()
    runs = list_runs(store)
    template = store.template()
    record = project_record(store, stored, runs, template)
    data = apply_runs(stored, runs)
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
    return data, evidence, assess(data, minimums(template), evidence, record)


def required_signoffs(template: Template, risk: str) -> list[str]:
    """The roles whose sign-off the template asks for at ``risk``."""
    return next((level.signoffs for level in template.risk_levels if level.id == risk), [])


def project_record(
    store: Store, data: ProjectData, runs: list[Run], template: Template
) -> Governance:
    """Sign-offs (stale or not) and the thresholds' record of the project as stored."""
    fixes = data.threshold_fixes
    history = store.history(entity="threshold", limit=100_000) if fixes and data.thresholds else []
    after = store.changes_after([s.change for s in data.signoffs], NOT_CONTENT)
    return governance(
        data,
        runs,
        required_roles=required_signoffs(template, data.project.risk),
        threshold_history=history,
        changes_after={s.id: after[s.change] for s in data.signoffs},
    )


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


def template_for(store: Store) -> Template:
    try:
        return store.template()
    except TemplateError:
        return default_template()
