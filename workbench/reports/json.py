"""The JSON report: the whole report model, for CI and other tools."""

from __future__ import annotations

import json
from typing import Any

from workbench.reports.model import Report


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the JSON report (``workbench schema`` prints it)."""
    return Report.model_json_schema(mode="serialization")


def render_json(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
