"""Readiness reports: one report model, four formats (Markdown, HTML, JSON, TOML)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from workbench.reports.model import Report, build_report

FORMATS: tuple[str, ...] = ("md", "html", "json", "toml")
EXTENSIONS: dict[str, str] = {"md": ".md", "html": ".html", "json": ".json", "toml": ".toml"}


def renderer(fmt: str) -> Callable[[Report], str]:
    """The function that renders a report in ``fmt`` (imported only when needed)."""
    if fmt == "md":
        from workbench.reports.markdown import render_markdown

        return render_markdown
    if fmt == "html":
        from workbench.reports.html import render_html

        return render_html
    if fmt == "json":
        from workbench.reports.json import render_json

        return render_json
    if fmt == "toml":
        from workbench.reports.toml import render_toml

        return render_toml
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render(report: Report, fmt: str) -> str:
    return renderer(fmt)(report)


def default_filename(project_path: Path, fmt: str) -> str:
    return f"{project_path.stem}-readiness{EXTENSIONS[fmt]}"


__all__ = ["EXTENSIONS", "FORMATS", "Report", "build_report", "default_filename", "render"]
