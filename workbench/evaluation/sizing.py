"""What a test set of a given size can and cannot show about a measured rate.

Pure functions, no I/O. Every interval is the Wilson score interval that
``workbench.evaluation.evidence`` uses for a threshold's status, so the sizes and margins
quoted here agree with what the thresholds screen and the reports say once a
value is measured.

* ``interval_at`` / ``margin_at``: how precisely ``n`` cases pin down a rate;
* ``zero_failure_size``: the fewest cases that can show a rate is above a target,
  and only if not one of them fails (``target ** n <= 1 - confidence``);
* ``size_for_expected``: how many cases a rate that really is ``expected`` needs
  before its interval clears the target;
* ``successes_needed``: at a given size, how many cases must succeed for the
  interval to clear the target;
* ``what_it_shows``: the above as sentences for one threshold.
"""

from __future__ import annotations

import math
from bisect import bisect_left

from workbench.evaluation.evidence import wilson, z_for
from workbench.models import MAX_WHOLE, Threshold
from workbench.units import COMPARATOR_WORDS, format_value

# A test set is too small to support a threshold when the far end of the 95%
# interval around the target lies more than this many points from it …
TOO_WIDE_POINTS = 0.05
# … or lets through more than this many extra failures, as a share of the failures
# the target already allows (0.5: a 10% error target cannot be told from 15%).
TOO_WIDE_SHARE = 0.5
SIZE_CAP = 10_000_000


def _check_n(n: int) -> None:
    if n < 1:
        raise ValueError("a test set needs at least one case")


def _check_rate(rate: float, what: str = "rate") -> None:
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"the {what} must be between 0 and 1 (0% to 100%), not {rate}")


def interval_at(n: int, rate: float, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson interval around a rate measured on ``n`` cases."""
    _check_n(n)
    _check_rate(rate)
    return wilson(rate * n, n, z_for(confidence))


def margin_at(n: int, rate: float, confidence: float = 0.95) -> float:
    """Half the width of the Wilson interval around ``rate`` measured on ``n`` cases.

    The Wilson interval is not symmetric around the measured rate, so this is
    the "give or take" a person reads, not the distance to either end.
    """
    low, high = interval_at(n, rate, confidence)
    return (high - low) / 2


def zero_failure_size(target: float, confidence: float = 0.95) -> int:
    """The fewest cases that, with no failure among them, show a rate above ``target``.

    The smallest ``n`` with ``target ** n <= 1 - confidence``: if the true rate were
    only ``target``, a run of ``n`` successes would happen at most ``1 - confidence``
    of the time. 59 cases for 95%, 299 for 99% (at 95% confidence).
    """
    if not 0.0 < target < 1.0:
        raise ValueError(f"the target must be above 0 and below 1 (0% to 100%), not {target}")
    z_for(confidence)  # refuses a confidence outside [0.5, 1)
    alpha = 1.0 - confidence
    n = max(1, math.ceil(math.log(alpha) / math.log(target)))
    while target**n > alpha:  # guard the logarithm's rounding either way
        n += 1
    while n > 1 and target ** (n - 1) <= alpha:
        n -= 1
    return n


def size_for_expected(target: float, expected: float, confidence: float = 0.95) -> int:
    """The fewest cases for a rate that really is ``expected`` to clear ``target`` with confidence.

    That is the smallest ``n`` whose Wilson lower bound for ``expected`` is above
    ``target``; the closer the two, the more cases it takes. Beyond ``MAX_WHOLE`` (the
    most cases a project counts) the search stops and says ``MAX_WHOLE + 1``: a rate a
    hair above the target would otherwise double ``n`` until floats overflow.
    """
    _check_rate(target, "target")
    _check_rate(expected, "expected rate")
    if expected <= target:
        raise ValueError(
            f"the expected rate ({expected}) must be above the target ({target}) "
            "for any number of cases to show it"
        )
    z = z_for(confidence)

    def clears(n: int) -> bool:
        return wilson(expected * n, n, z)[0] > target

    high = 1
    while not clears(high):
        if high > MAX_WHOLE:
            return MAX_WHOLE + 1
        high *= 2
    low = high // 2  # 0, or a size that does not clear
    while high - low > 1:  # the lower bound grows with n: bisect for the first that clears
        middle = (low + high) // 2
        if clears(middle):
            high = middle
        else:
            low = middle
    return high


def successes_needed(n: int, target: float, confidence: float = 0.95) -> int | None:
    """How many of ``n`` cases must succeed for the Wilson lower bound to clear ``target``.

    ``None`` when even ``n`` out of ``n`` is not enough.
    """
    _check_n(n)
    _check_rate(target, "target")
    z = z_for(confidence)
    k = bisect_left(range(n + 1), True, key=lambda s: wilson(s, n, z)[0] > target)
    return k if k <= n else None


def _name(threshold: Threshold) -> str:
    name = threshold.name
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        name = name[0].lower() + name[1:]
    return name


def _pct(value: float) -> str:
    return format_value(value, "rate", 1)


def _bound(value: float) -> str:
    """An interval's end, always to one decimal so the two ends line up."""
    return f"{value * 100:.1f}%"


def _about(value: float, target: float) -> str:
    """A rough percentage that still differs from the target's."""
    rough = format_value(value, "rate", 0)
    return rough if rough != format_value(target, "rate", 0) else _pct(value)


def _cases(n: int) -> str:
    return f"{n:,} case" if n == 1 else f"{n:,} cases"


def what_it_shows(n: int, threshold: Threshold, confidence: float = 0.95) -> list[str]:
    """Plain sentences on what ``n`` cases can and cannot show about ``threshold``.

    Rates only: a threshold in seconds, a count or a score is not a share of the
    cases, so its one sentence says the size does not bound it.
    """
    name = _name(threshold)
    if threshold.unit != "rate":
        return [
            f"{threshold.name} is measured in {threshold.unit}, not as a share of the cases, "
            "so the size of the test set does not bound it."
        ]
    if n < 1:
        return [f"With no cases yet, the test set cannot show anything about {name}."]
    target = threshold.target
    higher = threshold.comparator in (">", ">=")
    words = COMPARATOR_WORDS[threshold.comparator]
    low, high = interval_at(n, target, confidence)
    margin = (high - low) / 2
    sentences = [
        f"With {_cases(n)}, a measured {name} of {_pct(target)} is known to within "
        f"±{margin * 100:.1f} points ({_bound(low)}–{_bound(high)})."
    ]

    far = low if higher else high
    gap = abs(target - far)
    allowed = 1.0 - target if higher else target  # the failures the target already allows
    if gap > TOO_WIDE_POINTS or (allowed > 0 and gap > TOO_WIDE_SHARE * allowed):
        sentences.append(
            f"{_cases(n)} cannot tell {_pct(target)} {name} from about {_about(far, target)}."
        )

    # The success rate behind the threshold: for "below 5% hallucinations", 95% without.
    good = target if higher else 1.0 - target
    needed = successes_needed(n, good, confidence) if good < 1.0 else None
    if needed is None:
        sentences.append(
            f"Even with every one of the {_cases(n)} right, the {confidence:.0%} interval "
            f"cannot clear {_pct(target)}: at this size {name} cannot be shown {words} it."
        )
    elif higher:
        sentences.append(
            f"To meet the target with confidence at this size, the measured {name} must reach "
            f"{_pct(needed / n)} ({needed:,} of {n:,})."
        )
    else:
        sentences.append(
            f"To meet the target with confidence at this size, the measured {name} must be "
            f"at most {_pct((n - needed) / n)} ({n - needed:,} of {n:,})."
        )

    if 0.0 < good < 1.0:
        fewest = zero_failure_size(good, confidence)
        sentence = (
            f"The fewest cases that could show {name} {words} {_pct(target)} is {fewest:,}, "
            "and only if not one of them fails"
        )
        sentences.append(sentence + (f"; this set has only {n:,}." if fewest > n else "."))

    measured = threshold.measured
    if measured is not None and threshold.passes(measured.value):
        expected = measured.value if higher else 1.0 - measured.value
        if good < expected:
            size = size_for_expected(good, expected, confidence)
            need = f"more than {SIZE_CAP:,} cases" if size > SIZE_CAP else f"about {size:,} cases"
            verdict = "this set is large enough" if size <= n else f"this set has {n:,}"
            sentences.append(
                f"If {name} really is the measured {_pct(measured.value)}, it takes {need} "
                f"for the {confidence:.0%} interval to clear {_pct(target)}; {verdict}."
            )
    return sentences
