"""`workbench sizing`: how many cases show a rate meets a target, checked by brute force.

Every expected size is found here by trying n = 1, 2, 3, … : the zero-failure size is
the first n with target**n ≤ 1 - confidence, the size for an expected rate the first n
whose Wilson bound (written out in results_support.py) clears the target.
"""

from __future__ import annotations

from statistics import NormalDist

import pytest
from core_support import Runner
from results_support import json_out, one_line_error, wilson_by_hand


def first_zero_failure_n(target: float, confidence: float = 0.95) -> int:
    n = 1
    while target**n > 1 - confidence:
        n += 1
    return n


def first_n_at_least(target: float, expected: float, confidence: float = 0.95) -> int:
    """The first n at which the Wilson lower bound for ``expected`` is above ``target``."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    n = 1
    while wilson_by_hand(expected * n, n, z)[0] <= target:
        n += 1
    return n


def first_n_at_most(target: float, expected: float) -> int:
    """The first n at which the Wilson upper bound for ``expected`` is below ``target``."""
    n = 1
    while wilson_by_hand(expected * n, n)[1] >= target:
        n += 1
    return n


def test_zero_failures_for_95_and_99_percent(cli: Runner) -> None:
    result = cli("sizing", "--target", "0.95")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "To show a rate is at least 95.0% with 95% confidence:\n  with zero failures: 59 cases\n"
    )
    assert "with zero failures: 299 cases" in cli("sizing", "--target", "99%").out
    assert (first_zero_failure_n(0.95), first_zero_failure_n(0.99)) == (59, 299)


@pytest.mark.parametrize("target", ["0.8", "0.9", "0.975", "0.995"])
@pytest.mark.parametrize("confidence", ["0.9", "0.95", "0.99"])
def test_zero_failures_match_a_brute_force_search(
    cli: Runner, target: str, confidence: str
) -> None:
    found = json_out(cli("sizing", "--target", target, "--confidence", confidence, "--json"))
    expected = first_zero_failure_n(float(target), float(confidence))
    assert found["zero_failures"] == expected


@pytest.mark.parametrize(
    ("target", "expected"), [("0.95", "0.97"), ("0.90", "0.93"), ("0.9", "1"), ("0.5", "0.6")]
)
def test_the_size_for_an_expected_rate_matches_a_brute_force_search(
    cli: Runner, target: str, expected: str
) -> None:
    n = first_n_at_least(float(target), float(expected))
    result = cli("sizing", "--target", target, "--expected", expected)
    assert result.code == 0
    assert result.out.splitlines()[-1] == (
        f"  if the true rate is {float(expected):.1%}: {n} cases "
        "(the Wilson bound of the interval then clears the target)"
    )
    assert json_out(cli("sizing", "--target", target, "--expected", expected, "--json")) == {
        "target": float(target),
        "direction": "at_least",
        "confidence": 0.95,
        "zero_failures": first_zero_failure_n(float(target)),
        "expected": float(expected),
        "with_expected": n,
    }


def test_the_95_97_case_by_hand(cli: Runner) -> None:
    found = json_out(cli("sizing", "--target", "0.95", "--expected", "0.97", "--json"))
    n = found["with_expected"]
    assert n == 457
    assert wilson_by_hand(0.97 * n, n)[0] > 0.95 >= wilson_by_hand(0.97 * (n - 1), n - 1)[0]


def test_a_higher_confidence_needs_more_cases(cli: Runner) -> None:
    found = json_out(
        cli("sizing", "--target", "0.9", "--expected", "0.95", "--confidence", "0.99", "--json")
    )
    assert found["with_expected"] == first_n_at_least(0.9, 0.95, 0.99)
    assert found["zero_failures"] == first_zero_failure_n(0.9, 0.99) == 44


def test_at_most(cli: Runner) -> None:
    result = cli("sizing", "--target", "0.05", "--at-most", "--expected", "0.02")
    assert result.code == 0
    n = first_n_at_most(0.05, 0.02)
    assert result.out.splitlines() == [
        "To show a rate is at most 5.0% with 95% confidence:",
        "  with zero hallucinations: 59 cases",
        f"  if the true rate is 2.0%: {n} cases "
        "(the Wilson bound of the interval then clears the target)",
    ]
    found = json_out(cli("sizing", "--target", "5%", "--at-most", "--expected", "2%", "--json"))
    assert found == {
        "target": 0.05,
        "direction": "at_most",
        "confidence": 0.95,
        "zero_failures": 59,
        "expected": 0.02,
        "with_expected": n,
    }


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--target", "0"], "--target must be a rate between 0 and 1"),
        (["--target", "1"], "--target must be a rate between 0 and 1"),
        (["--target", "150%"], "--target must be a rate between 0 and 1"),
        (["--target", "abc"], "'abc' is not a number"),
        ([], "the following arguments are required: --target"),
        (["--target", "0.95", "--confidence", "1"], "confidence must be at least 0.5 and below 1"),
        (["--target", "0.95", "--confidence", "0.3"], "confidence must be at least 0.5"),
        (["--target", "0.95", "--expected", "1.5"], "--expected must be a rate between 0 and 1"),
        (
            ["--target", "0.95", "--expected", "0.9"],
            "--expected (90.0%) must be above the target (95.0%) for any number of cases",
        ),
        (
            ["--target", "0.95", "--expected", "0.95"],
            "--expected (95.0%) must be above the target (95.0%)",
        ),
        (
            ["--target", "0.05", "--at-most", "--expected", "0.08"],
            "--expected (8.0%) must be below the target (5.0%) for any number of cases",
        ),
        (["--target", "0.05", "--at-most", "--expected", "-0.1"], "--expected must be a rate"),
    ],
)
def test_bad_input_is_one_line(cli: Runner, args: list[str], says: str) -> None:
    assert says in one_line_error(cli("sizing", *args))
