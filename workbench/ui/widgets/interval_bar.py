"""A measured value, its 95% interval and the target, as one line of text.

    ──────━━━━━━●━━━━━│─────   88.2% ● 91.0% (95% 88.2–93.2)  target > 90%

The scale zooms to the interesting range (the interval and the target) so a
gap of a few points is visible on a projector.
"""

from __future__ import annotations

from workbench.ui.text import Text
from workbench.units import format_value


def interval_bar(
    value: float | None,
    low: float | None,
    high: float | None,
    target: float,
    *,
    unit: str = "rate",
    passed: bool = True,
    width: int = 28,
) -> Text:
    """The bar alone (``width`` cells); the caller adds the words."""
    if value is None:
        return Text("·" * width, style="dim")
    points = [value, target] + [v for v in (low, high) if v is not None]
    start, end = min(points), max(points)
    pad = max((end - start) * 0.15, 0.01 if unit == "rate" else 0.05)
    start, end = start - pad, end + pad
    if unit == "rate":
        start, end = max(start, 0.0), min(end, 1.0)
    span = (end - start) or 1.0

    def at(x: float) -> int:
        return max(0, min(width - 1, round((x - start) / span * (width - 1))))

    cells = ["─"] * width
    if low is not None and high is not None:
        for i in range(at(low), at(high) + 1):
            cells[i] = "━"
    cells[at(target)] = "│"
    cells[at(value)] = "●"
    text = Text()
    colour = "green" if passed else "red"
    for ch in cells:
        style = "bold" if ch == "│" else (colour if ch in "━●" else "dim")
        text.append(ch, style=style)
    return text


def interval_line(
    name: str,
    value: float | None,
    low: float | None,
    high: float | None,
    target: float,
    comparator: str,
    unit: str,
    status: str,
    *,
    n: int | None = None,
    bar_width: int = 28,
) -> Text:
    """Two lines: ``name — status`` and ``bar value (interval) n · target``.

    The status is said in words as well as colour, for projectors and colour-blind readers.
    """
    passed = status in ("met", "met_with_confidence")
    words = {
        "met_with_confidence": ("met with confidence", "bold green"),
        "met": ("met, not yet with confidence", "yellow"),
        "not_met": ("NOT MET", "bold red"),
        "unmeasured": ("not measured", "dim"),
    }
    label, style = words.get(status, (status, ""))
    line = Text()
    line.append(name, style="bold")
    line.append("  ")
    line.append(label, style=style)
    line.append("\n  ")
    line.append_text(
        interval_bar(value, low, high, target, unit=unit, passed=passed, width=bar_width)
    )
    line.append(f" {format_value(value, unit, 1)}")
    if low is not None and high is not None:
        line.append(f" ({format_value(low, unit, 1)}–{format_value(high, unit, 1)})", style="dim")
    if n:
        line.append(f" n={n}", style="dim")
    line.append(f" · target {comparator} {format_value(target, unit)}")
    return line
