"""Measured values as evidence: the Wilson interval and a threshold's status."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from workbench.evaluation.evidence import Z_95, measure_threshold, wilson, z_for
from workbench.models import Measurement, Threshold


def wilson_by_quadratic(successes: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson bounds as the roots of (p̂ - p)² = z² p (1 - p) / n, solved for p."""
    p_hat = successes / n
    a = 1 + z * z / n
    b = -(2 * p_hat + z * z / n)
    c = p_hat * p_hat
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


@pytest.mark.parametrize(("successes", "n"), [(93, 200), (186, 200), (0, 10), (10, 10), (1, 1)])
def test_wilson_matches_the_quadratic_solution(successes: int, n: int) -> None:
    low, high = wilson(successes, n)
    expected_low, expected_high = wilson_by_quadratic(successes, n, NormalDist().inv_cdf(0.975))
    assert low == pytest.approx(max(0.0, expected_low), abs=1e-9)
    assert high == pytest.approx(min(1.0, expected_high), abs=1e-9)
    assert 0.0 <= low <= successes / n <= high <= 1.0


def test_wilson_for_93_of_200_by_hand() -> None:
    # p = 0.465, z² = 3.84146: centre = 0.47460 / 1.01921 = 0.46566, half = 0.06847
    z = 1.959963984540054
    p, n = 93 / 200, 200
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low, high = wilson(93, 200)
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-12)
    assert (round(low, 4), round(high, 4)) == (0.3972, 0.5341)


def test_wilson_published_values_for_none_and_all() -> None:
    # 0/10 and 10/10: the well-known Wilson bounds 0.2775 and 0.7225.
    assert wilson(0, 10)[0] == 0.0
    assert wilson(0, 10)[1] == pytest.approx(0.2775, abs=5e-5)
    assert wilson(10, 10)[0] == pytest.approx(0.7225, abs=5e-5)
    assert wilson(10, 10)[1] == 1.0


def test_wilson_needs_at_least_one_case() -> None:
    with pytest.raises(ValueError, match="at least one case"):
        wilson(0, 0)


@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
def test_z_matches_the_standard_library(confidence: float) -> None:
    assert z_for(confidence) == pytest.approx(NormalDist().inv_cdf(0.5 + confidence / 2), rel=1e-9)


def test_z_95_constant_and_bad_confidence() -> None:
    assert z_for(0.95) == pytest.approx(Z_95, rel=1e-12)
    with pytest.raises(ValueError):
        z_for(1.0)


def threshold(
    comparator: str, target: float, value: float | None, n: int | None = None, unit: str = "rate"
) -> Threshold:
    measured = None if value is None else Measurement(value=value, n=n)
    return Threshold.model_validate(
        {
            "metric": "m",
            "name": "M",
            "comparator": comparator,
            "target": target,
            "unit": unit,
            "measured": measured,
        }
    )


@pytest.mark.parametrize(
    ("comparator", "target", "value", "n", "status"),
    [
        (">", 0.90, None, None, "unmeasured"),
        (">", 0.90, 0.88, 500, "not_met"),
        (">", 0.90, 0.93, 100, "met"),  # the interval reaches below 90%
        (">", 0.90, 0.95, 1000, "met_with_confidence"),
        (">", 0.90, 0.95, None, "met"),  # no sample size, no interval
        ("<", 0.05, 0.04, 100, "met"),  # upper bound above 5%
        ("<", 0.05, 0.01, 1000, "met_with_confidence"),
        ("<", 0.05, 0.05, 1000, "not_met"),
    ],
)
def test_threshold_status(
    comparator: str, target: float, value: float | None, n: int | None, status: str
) -> None:
    assert measure_threshold(threshold(comparator, target, value, n)).status == status


def test_measured_interval_is_the_wilson_interval_of_the_rounded_count() -> None:
    measured = measure_threshold(threshold(">", 0.9, 0.93, 200))
    assert (measured.ci_low, measured.ci_high) == pytest.approx(wilson(186, 200))
    assert measured.n == 200


def test_times_have_no_computed_interval() -> None:
    measured = measure_threshold(threshold("<", 3.0, 2.1, 500, unit="seconds"))
    assert measured.status == "met"
    assert measured.ci_low is None and measured.ci_high is None
