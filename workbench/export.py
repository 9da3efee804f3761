"""Exporting reports to files: shared by ``workbench export`` and the UI's export screen."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from workbench.files import ExportError, check_target, write_atomic
from workbench.operations import project_state
from workbench.reports import FORMATS, build_report, default_filename, render
from workbench.reports.changes import TOPIC_TITLES, load_report, report_changes
from workbench.reports.model import ChangesSince, SinceGroup
from workbench.reports.wording import HISTORY_LIMIT
from workbench.store import Store


def export_reports(
    store: Store,
    formats: Sequence[str],
    *,
    output: Path | None = None,
    output_dir: Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    paper: str = "a4",
    since: Path | None = None,
) -> list[tuple[str, Path]]:
    """Render the report in each format and write it atomically; returns (format, path) pairs.

    ``since`` names an earlier JSON report: every format then says what changed since.

    ``output`` names the file (one format only); otherwise each file goes into
    ``output_dir`` (default: the current folder) under a name made from the project's.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ExportError(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    if output is not None and len(formats) > 1:
        raise ExportError("-o names one file; for several formats use --output-dir DIR")
    if output is not None and output_dir is not None:
        raise ExportError("give either -o FILE or --output-dir DIR, not both")
    folder = output_dir or Path(".")
    made = None
    if output_dir is not None and not output_dir.is_dir():
        if os.path.lexists(output_dir):
            raise ExportError(f"{output_dir}: is not a folder; give a folder for --output-dir")
        made = _make_folder(output_dir)
    try:
        old = None if since is None else load_report(since)
        return _export(store, formats, output, folder, output_dir, progress, paper, old)
    except BaseException:
        if made is not None:  # (a folder made for reports that were not written goes too)
            with contextlib.suppress(OSError):
                made.rmdir()
        raise


def _make_folder(folder: Path) -> Path:
    """Create ``folder`` (its parent must exist); returns it, for removal if need be."""
    try:
        folder.mkdir()
    except FileNotFoundError:
        raise ExportError(f"{folder}: its parent folder does not exist; create it first") from None
    except OSError as error:
        raise ExportError(f"{folder}: cannot create the folder ({error.strerror})") from None
    return folder


def _export(
    store: Store,
    formats: Sequence[str],
    output: Path | None,
    folder: Path,
    output_dir: Path | None,
    progress: Callable[[int, int, str], None] | None,
    paper: str = "a4",
    old: dict[str, Any] | None = None,
) -> list[tuple[str, Path]]:
    project_path = store.path or Path("project.sqlite")
    data, evidence, result = project_state(store, compare=True)
    # (the JSON report carries the whole history; the others show only the latest changes,
    # one line a change: a change can be several entries)
    limit = 100_000 if "json" in formats else HISTORY_LIMIT * 5
    report = build_report(
        data,
        store.template(),
        store.history(limit=limit),
        evidence=evidence,
        record=result.governance,
    )
    if old is not None:
        changes = report_changes(old, report.model_dump(mode="json"))
        report.since = ChangesSince(
            report_generated_at=changes.old_generated_at,
            groups=[SinceGroup(title=TOPIC_TITLES[g.topic], lines=g.lines) for g in changes.groups],
        )
    targets = [
        (fmt, output if output is not None else folder / default_filename(project_path, fmt))
        for fmt in formats
    ]
    inside = None if output is not None else folder
    for _, target in targets:  # every target is checked before the first is written
        if target.resolve() == project_path.resolve():
            raise ExportError(f"{target}: is the project file itself; choose another name")
        check_target(target, inside)
    written = []
    for index, (fmt, target) in enumerate(targets):
        if progress:
            progress(index, len(formats), fmt)
        write_atomic(target, render(report, fmt, paper), inside)
        written.append((fmt, target))
    if progress:
        progress(len(formats), len(formats), "")
    return written
