"""The TOML export: the project's editable content, which ``workbench new --from`` reads back."""

from __future__ import annotations

from typing import Any

import tomli_w

from workbench.models import ProjectData
from workbench.reports.model import SCHEMA_VERSION, Report


def _drop_none(value: Any) -> Any:
    # TOML has no null: a missing key reads back as the model's default (None).
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _has_crlf(value: Any) -> bool:
    if isinstance(value, str):
        return "\r\n" in value
    if isinstance(value, dict):
        return any(_has_crlf(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_crlf(v) for v in value)
    return False


def content_toml(data: ProjectData) -> str:
    body = _drop_none(data.model_dump(mode="json"))
    # tomli_w writes "\r\n" as "\n" in multi-line strings; text holding one stays escaped.
    multiline = not _has_crlf(body)
    return tomli_w.dumps({"schema_version": SCHEMA_VERSION, **body}, multiline_strings=multiline)


def render_toml(report: Report) -> str:
    name = "".join(ch for ch in " ".join(report.project.name.split()) if ch.isprintable())
    header = (
        f"# {name}: readiness project content, exported {report.generated_at}\n"
        "# Edit it, then start a project from it with: workbench new PATH --from THIS_FILE\n\n"
    )
    return header + content_toml(report.content)
