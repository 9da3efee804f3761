"""Values as people type them and read them back: ``93%``, ``0.93``, ``2.5s``, ``800ms``.

Shared by the command line and the UI, so both read a value the same way. The
range checks (a rate between 0 and 100%) stay with the models, which name the field.
"""

from __future__ import annotations

import math

UNIT_HINTS = {
    "rate": "a rate: 93% or 0.93",
    "seconds": "seconds: 2.5 or 2.5s (800ms also works)",
    "count": "a number",
    "score": "a number",
    "x baseline": "a multiple of the baseline: 200% or 2",
}


def parse_value(text: str, unit: str) -> float:
    """A value as a person types it: ``93%`` or ``0.93`` for a rate, ``2.5s`` for seconds.

    Raises ``ValueError`` with a sentence saying what to type instead. The range
    (a rate between 0 and 100%) is left to the model, which names the field.
    """
    raw = text.strip().lower().replace(" ", "")
    if not raw:
        raise ValueError(f"enter a value ({UNIT_HINTS.get(unit, 'a number')})")
    scale = 1.0
    percent = raw.endswith("%")
    if percent and unit in ("rate", "x baseline"):
        raw, scale = raw[:-1], 0.01
    elif unit == "seconds":
        for suffix, factor in (("ms", 0.001), ("seconds", 1.0), ("sec", 1.0), ("s", 1.0)):
            if raw.endswith(suffix):
                raw, scale = raw[: -len(suffix)], factor
                break
    elif unit == "x baseline" and raw.endswith("x"):
        raw = raw[:-1]
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(
            f"{text.strip()!r} is not a number ({UNIT_HINTS.get(unit, 'a number')})"
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()!r} is not a number ({UNIT_HINTS.get(unit, 'a number')})")
    if unit == "rate" and not percent and value > 1:
        raise ValueError(
            f"{text.strip()} is more than 1: a rate is between 0 and 1 (0% to 100%); "
            f"write {value:g}% or {value / 100:g}"
        )
    return value * scale


def input_text(value: float | None, unit: str) -> str:
    """A stored value as it is typed back into a dialog."""
    if value is None:
        return ""
    if unit in ("rate", "x baseline"):
        return f"{round(value * 100, 6):g}%"
    return f"{value:g}"


def percent(fraction: float) -> str:
    """0.2 -> "20%"."""
    return f"{round(fraction * 100, 4):g}%"


def parse_percent(text: str) -> float:
    """ "20" or "20%" -> 0.2; raises ValueError with a message for the person typing."""
    raw = text.strip().removesuffix("%").strip()
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(
            f"{text.strip() or 'nothing'!r} is not a number (write 20 or 20%)"
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("write a percentage between 0 and 100")
    return value / 100


def parse_whole(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(
            f"{what} must be a whole number (not {text.strip() or 'nothing'!r})"
        ) from None
