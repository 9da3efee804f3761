"""Test-set sizing: margins, the sizes needed, and the sentences the test-set screen shows.

Every expected figure is computed here independently of workbench: the Wilson
interval written out from its formula, the zero-failure sizes by counting.
"""

from __future__ import annotations

import math
import subprocess
import sys
from statistics import NormalDist

import pytest

from workbench.evaluation.evidence import measure_threshold
from workbench.evaluation.sizing import (
    interval_at,
    margin_at,
    size_for_expected,
    successes_needed,
    what_it_shows,
    zero_failure_size,
)
from workbench.models import Measurement, Threshold

Z = NormalDist().inv_cdf(0.975)  # 1.959963984540054


def wilson_by_hand(p: float, n: int, z: float = Z) -> tuple[float, float]:
    """(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), clipped to [0, 1]."""
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def accuracy(target: float = 0.90, measured: Measurement | None = None) -> Threshold:
    return Threshold(
        metric="accuracy", name="Accuracy", comparator=">", target=target, measured=measured
    )


def hallucinations(target: float = 0.05) -> Threshold:
    return Threshold(
        metric="hallucination_rate", name="Hallucination rate", comparator="<", target=target
    )


# ----------------------------------------------------------------- margins


def test_margin_for_90_percent_on_240_cases_by_hand() -> None:
    # z² = 3.84146; denominator 1.016006; centre 0.893700; spread 0.038790 → 0.038179
    assert margin_at(240, 0.90) == pytest.approx(0.038179, abs=1e-6)
    low, high = interval_at(240, 0.90)
    assert (round(low, 4), round(high, 4)) == (0.8555, 0.9319)


@pytest.mark.parametrize(
    ("n", "rate"), [(50, 0.9), (200, 0.5), (240, 0.925), (500, 0.05), (1000, 0.99), (30, 1.0)]
)
def test_margin_is_half_the_wilson_width(n: int, rate: float) -> None:
    low, high = wilson_by_hand(rate, n)
    assert margin_at(n, rate) == pytest.approx((high - low) / 2, abs=1e-9)
    assert interval_at(n, rate) == pytest.approx((low, high), abs=1e-9)


def test_margin_narrows_as_the_set_grows() -> None:
    margins = [margin_at(n, 0.9) for n in (50, 200, 500, 2000)]
    assert margins == sorted(margins, reverse=True)


def test_a_wider_confidence_gives_a_wider_margin() -> None:
    assert margin_at(200, 0.9, confidence=0.99) > margin_at(200, 0.9) > margin_at(200, 0.9, 0.8)


@pytest.mark.parametrize(("n", "rate"), [(0, 0.9), (-5, 0.9), (10, 1.2), (10, -0.1)])
def test_margin_refuses_impossible_input(n: int, rate: float) -> None:
    with pytest.raises(ValueError):
        margin_at(n, rate)


# ----------------------------------------------------- zero-failure sizes


def test_zero_failure_sizes_of_the_rule_of_three() -> None:
    assert zero_failure_size(0.95) == 59  # 0.95**59 = 0.0485, 0.95**58 = 0.0510
    assert zero_failure_size(0.99) == 299  # 0.99**299 = 0.0495, 0.99**298 = 0.0500…
    assert zero_failure_size(0.90) == 29
    assert zero_failure_size(0.99, confidence=0.99) == 459


@pytest.mark.parametrize("target", [0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_zero_failure_size_is_the_first_n_by_counting(target: float, confidence: float) -> None:
    n = 1
    while target**n > 1 - confidence:
        n += 1
    assert zero_failure_size(target, confidence) == n


@pytest.mark.parametrize("target", [0.0, 1.0, 1.5, -0.2])
def test_zero_failure_size_needs_a_target_strictly_between_0_and_1(target: float) -> None:
    with pytest.raises(ValueError, match="target"):
        zero_failure_size(target)


# -------------------------------------------------- size for an expected rate


def first_size_by_scanning(target: float, expected: float) -> int:
    n = 1
    while wilson_by_hand(expected, n)[0] <= target:
        n += 1
    return n


@pytest.mark.parametrize(
    ("target", "expected"),
    [(0.90, 0.925), (0.90, 0.95), (0.95, 0.98), (0.95, 1.0), (0.5, 0.6), (0.99, 0.995)],
)
def test_size_for_expected_matches_a_scan(target: float, expected: float) -> None:
    n = size_for_expected(target, expected)
    assert n == first_size_by_scanning(target, expected)
    assert wilson_by_hand(expected, n)[0] > target
    assert wilson_by_hand(expected, n - 1)[0] <= target


def test_size_for_expected_with_no_failures_is_z_squared_over_the_gap() -> None:
    # At an expected 100% the lower bound is n / (n + z²): above 95% once n > 19 z².
    assert size_for_expected(0.95, 1.0) == math.floor(19 * Z * Z) + 1 == 73


def test_size_for_expected_refuses_an_expected_rate_at_or_below_the_target() -> None:
    with pytest.raises(ValueError, match="above the target"):
        size_for_expected(0.9, 0.9)
    with pytest.raises(ValueError, match="above the target"):
        size_for_expected(0.9, 0.8)


# ------------------------------------------------------ successes needed


@pytest.mark.parametrize(("n", "target"), [(240, 0.9), (200, 0.95), (50, 0.9), (500, 0.99)])
def test_successes_needed_matches_a_scan(n: int, target: float) -> None:
    expected = next((k for k in range(n + 1) if wilson_by_hand(k / n, n)[0] > target), None)
    assert successes_needed(n, target) == expected


def test_successes_needed_is_none_when_even_a_perfect_run_is_not_enough() -> None:
    assert successes_needed(20, 0.9) is None  # 20 / (20 + z²) = 0.839


def test_successes_needed_agrees_with_the_threshold_status() -> None:
    threshold = accuracy()
    k = successes_needed(240, 0.90)
    assert k == 226
    at = measure_threshold(
        threshold.model_copy(update={"measured": Measurement(value=k / 240, n=240)})
    )
    below = measure_threshold(
        threshold.model_copy(update={"measured": Measurement(value=(k - 1) / 240, n=240)})
    )
    assert at.status == "met_with_confidence"
    assert below.status == "met"


# ------------------------------------------------------------- sentences


def test_what_240_cases_show_about_90_percent_accuracy() -> None:
    sentences = what_it_shows(240, accuracy())
    low, high = wilson_by_hand(0.90, 240)
    assert sentences[0] == (
        "With 240 cases, a measured accuracy of 90% is known to within ±3.8 points "
        f"({low * 100:.1f}%–{high * 100:.1f}%)."
    )
    assert sentences[0].endswith("(85.6%–93.2%).")
    assert not any("cannot tell" in s for s in sentences)
    assert "must reach 94.2% (226 of 240)" in sentences[1]
    assert "The fewest cases that could show accuracy above 90% is 29" in sentences[2]


def test_50_cases_cannot_tell_90_percent_from_the_low_end_of_its_interval() -> None:
    sentences = what_it_shows(50, accuracy())
    low = wilson_by_hand(0.90, 50)[0]
    assert round(low * 100) == 79
    assert "50 cases cannot tell 90% accuracy from about 79%." in sentences


def test_a_lower_is_better_rate_is_read_from_the_top_of_its_interval() -> None:
    sentences = what_it_shows(240, hallucinations())
    high = wilson_by_hand(0.05, 240)[1]
    assert f"about {round(high * 100)}%" in sentences[1]
    assert sentences[1].startswith("240 cases cannot tell 5% hallucination rate")
    # at most 5 hallucinations in 240 keeps the interval's top below 5%
    assert wilson_by_hand(5 / 240, 240)[1] < 0.05 <= wilson_by_hand(6 / 240, 240)[1]
    assert any("must be at most 2.1% (5 of 240)" in s for s in sentences)
    assert any("could show hallucination rate below 5% is 59" in s for s in sentences)


def test_a_set_smaller_than_the_zero_failure_size_says_so() -> None:
    sentences = what_it_shows(20, accuracy())
    assert any("Even with every one of the 20 cases right" in s for s in sentences)
    assert any(
        "is 29, and only if not one of them fails; this set has only 20." in s for s in sentences
    )


def test_a_measured_rate_says_how_many_cases_it_needs() -> None:
    measured = Measurement(value=0.925, n=240)
    sentences = what_it_shows(240, accuracy(measured=measured))
    needed = first_size_by_scanning(0.90, 0.925)
    assert sentences[-1] == (
        f"If accuracy really is the measured 92.5%, it takes about {needed} cases "
        "for the 95% interval to clear 90%; this set has 240."
    )
    assert what_it_shows(1000, accuracy(measured=measured))[-1].endswith(
        "this set is large enough."
    )


def test_seconds_are_not_bounded_by_the_size() -> None:
    latency = Threshold(
        metric="latency", name="Response time", comparator="<", target=3, unit="seconds"
    )
    assert what_it_shows(240, latency) == [
        "Response time is measured in seconds, not as a share of the cases, "
        "so the size of the test set does not bound it."
    ]


def test_an_empty_test_set_shows_nothing() -> None:
    assert what_it_shows(0, accuracy()) == [
        "With no cases yet, the test set cannot show anything about accuracy."
    ]


def test_sizing_imports_without_textual() -> None:
    code = "import sys, workbench.evaluation.sizing; print('textual' in sys.modules)"
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"
