"""The checklist's progress over time as a chart that reads the same with two days of
data as with two hundred: a bar a day while the days fit, a column chart beyond."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from textual.widgets import Static

from workbench.ui.text import Text

EIGHTHS = " ▁▂▃▄▅▆▇█"


def _day(iso: str) -> str:
    """``2026-12-01`` as ``1 Dec``."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day.strftime('%b')}"


def progress_lines(
    days: Sequence[tuple[str, int]], total: int, width: int, height: int
) -> list[str]:
    """The chart as ``height`` lines of at most ``width`` characters.

    Heights are out of the whole checklist (``total``), not out of the best day: a
    chart that is half full means half the items are closed."""
    width = max(width, 20)
    if not days:
        return ["No item closed yet."]
    total = max(total, max(n for _, n in days), 1)
    if height <= 1:
        first, last = days[0], days[-1]
        if len(days) == 1:
            return [f"{last[1]} of {total} closed on {_day(last[0])}"[:width]]
        return [
            f"{first[1]} → {last[1]} of {total} closed, {_day(first[0])} → {_day(last[0])}"[:width]
        ]
    if len(days) <= height:
        label = max(len(_day(d)) for d, _ in days)
        figure = len(f"{total}/{total}")
        bar = max(width - label - figure - 2, 4)
        lines = []
        for day, count in days:
            filled = round(bar * count / total)
            figure_text = f"{count:>{len(str(total))}}/{total}"
            lines.append(f"{_day(day):<{label}} {'█' * filled}{'░' * (bar - filled)} {figure_text}")
        return lines
    # A column chart: the days shared out over the columns (the last day of each).
    rows = height - 1
    axis = len(str(total))
    columns = max(width - axis - 1, 4)
    if len(days) <= columns:
        picked = list(days)
    else:
        picked = [
            days[min(len(days) - 1, (i + 1) * len(days) // columns - 1)] for i in range(columns)
        ]
    levels = [count * rows * 8 / total for _, count in picked]
    wide = max(columns // len(picked), 1)  # few days: each takes several columns
    lines = []
    for row in range(rows, 0, -1):
        line = ""
        for level in levels:
            part = level - (row - 1) * 8
            line += (EIGHTHS[8] if part >= 8 else EIGHTHS[max(int(part), 0)]) * wide
        mark = str(total) if row == rows else ("0" if row == 1 and rows > 1 else "")
        lines.append(f"{mark:>{axis}}│{line}")
    start, end = _day(picked[0][0]), _day(picked[-1][0])
    gap = max(len(picked) * wide - len(start) - len(end), 1)
    lines.append(" " * (axis + 1) + start + " " * gap + end)
    return [line[:width] for line in lines]


class ProgressChart(Static):
    """Draws ``progress_lines`` at the widget's own size."""

    DEFAULT_CSS = "ProgressChart { height: 4; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self._days: list[tuple[str, int]] = []
        self._total = 0

    def set_days(self, days: Sequence[tuple[str, int]], total: int) -> None:
        self._days, self._total = list(days), total
        self.refresh(layout=False)

    def render(self) -> Text:
        width, height = self.content_size
        lines = progress_lines(self._days, self._total, width or 40, height or 4)
        return Text("\n".join(lines), no_wrap=True, overflow="crop")
