"""Readiness reports: one report model, six formats (Markdown, HTML, PDF, Word, JSON, TOML)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from workbench.reports.model import Report, build_report

FORMATS: tuple[str, ...] = ("md", "html", "pdf", "docx", "json", "toml")
EXTENSIONS: dict[str, str] = {
    "md": ".md",
    "html": ".html",
    "pdf": ".pdf",
    "docx": ".docx",
    "json": ".json",
    "toml": ".toml",
}
PAPERS: tuple[str, ...] = ("a4", "letter")


def renderer(fmt: str, paper: str = "a4") -> Callable[[Report], str | bytes]:
    """The function that renders a report in ``fmt`` (imported only when needed); PDF and
    Word give bytes, the others text. ``paper`` is the PDF's page size."""
    if fmt == "pdf":
        from workbench.reports.pdf import render_pdf

        return lambda report: render_pdf(report, paper=paper)
    if fmt == "docx":
        from workbench.reports.docx import render_docx

        return render_docx
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


def render(report: Report, fmt: str, paper: str = "a4") -> str | bytes:
    return renderer(fmt, paper)(report)


def default_filename(project_path: Path, fmt: str) -> str:
    return f"{project_path.stem}-readiness{EXTENSIONS[fmt]}"


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "PAPERS",
    "Report",
    "build_report",
    "default_filename",
    "render",
]
