"""Values as people type them and read them back: ``93%``, ``0.93``, ``2.5s``, ``800ms``,
and the words for comparators and durations.

Shared by the command line, the UI and the reports, so all of them read a value the
same way and say it in the same words. The range checks (a rate between 0 and 100%)
stay with the models, which name the field.
"""

from __future__ import annotations

import math
import re

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
    if unit == "rate" and not percent and value > 100:
        raise ValueError(f"{text.strip()} is not a rate: a rate is between 0% and 100% (0 and 1)")
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


# ------------------------------------------------------------------- in words

COMPARATOR_WORDS: dict[str, str] = {">": "above", ">=": "at least", "<": "below", "<=": "at most"}


def format_value(value: float | None, unit: str, digits: int = 2) -> str:
    """A value as people read it: rates as percentages, times in seconds."""
    if value is None:
        return "—"
    if unit == "rate":
        text = f"{value * 100:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0%}"
        return text if digits == 0 else f"{text}%"
    if unit == "seconds":
        text = f"{value:.{max(digits, 1)}f}".rstrip("0").rstrip(".")
        return f"{text} s"
    if unit == "x baseline":
        return f"{value * 100:g}% of baseline"
    return f"{value:g}"


def duration(minutes: int) -> str:
    """15 → "15 min", 60 → "1 hour", 90 → "1 hour 30 min", 1440 → "1 day"."""
    days, rest = divmod(minutes, 1440)
    if days and not rest:
        return "1 day" if days == 1 else f"{days} days"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return ("1 hour" if hours == 1 else f"{hours} hours") + (f" {rest} min" if rest else "")


def condition_words(comparator: str, value: float, unit: str, window_minutes: int) -> str:
    """An alert's condition, always from its values: "above 5% over 15 min"."""
    text = f"{COMPARATOR_WORDS.get(comparator, comparator)} {format_value(value, unit)}"
    return text + (f" over {duration(window_minutes)}" if window_minutes else "")


DURATION_PATTERN = re.compile(
    r"^(?:(?P<hours>\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours))?\s*"
    r"(?:(?P<minutes>\d+)\s*(?:m|min|mins|minute|minutes)?)?$"
)


def parse_minutes(text: str) -> int:
    """ "90", "90 min", "4h", "1 h 30 min" -> minutes; raises ValueError with the reason."""
    raw = text.strip().lower()
    match = DURATION_PATTERN.match(raw) if raw else None
    if match is None or not (match["hours"] or match["minutes"]):
        raise ValueError(f"write minutes (90) or hours (4 h), not {text.strip() or 'nothing'!r}")
    total = float(match["hours"] or 0) * 60 + int(match["minutes"] or 0)
    if total != int(total):
        raise ValueError("the response time must come to whole minutes")
    if total < 1:
        raise ValueError("the response time must be at least 1 minute")
    return int(total)
