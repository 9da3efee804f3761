"""Measured values as evidence: confidence intervals and threshold status.

Pure functions, no I/O. A threshold's status says how sure the team can be
that the system meets it:

* ``met_with_confidence``: the whole 95% interval is on the right side of the target;
* ``met``: only the point estimate is (or no interval can be computed);
* ``not_met``: the point estimate misses the target;
* ``unmeasured``: there is no measured value.
"""

from __future__ import annotations

import math
from typing import Literal

from workbench.models import Model, Threshold

ThresholdStatus = Literal["met_with_confidence", "met", "not_met", "unmeasured"]
Z_95 = 1.959963984540054


def z_for(confidence: float) -> float:
    """The two-sided normal quantile for a confidence level (0.95 -> 1.96)."""
    if not 0.5 <= confidence < 1.0:
        raise ValueError("confidence must be at least 0.5 and below 1")
    return _inverse_normal_cdf(0.5 + confidence / 2)


def _inverse_normal_cdf(p: float) -> float:
    # Acklam's rational approximation, refined by one Halley step (|error| < 1e-12).
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
         1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)  # fmt: skip
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
         6.680131188771972e01, -1.328068155288572e01)  # fmt: skip
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
         -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)  # fmt: skip
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
         3.754408661907416e00)  # fmt: skip
    if p < 0.02425:
        q = math.sqrt(-2 * math.log(p))
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        )
    elif p <= 1 - 0.02425:
        q = p - 0.5
        r = q * q
        x = (
            (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
            * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        )
    else:
        q = math.sqrt(-2 * math.log(1 - p))
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        )
    e = 0.5 * math.erfc(-x / math.sqrt(2)) - p
    u = e * math.sqrt(2 * math.pi) * math.exp(x * x / 2)
    return x - u / (1 + x * u / 2)


def wilson(successes: float, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``n``."""
    if n <= 0:
        raise ValueError("a rate needs at least one case")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # With no failures (or no successes) the bound is exactly 1 (or 0), not 1 - 1e-16.
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return low, high


class Measured(Model):
    """A threshold's measured value as the reports and the verdict see it."""

    value: float | None = None
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    source: str = ""
    at: str = ""
    status: ThresholdStatus = "unmeasured"


def measure_threshold(threshold: Threshold) -> Measured:
    """Status of a threshold from its measured value, with a 95% interval where possible."""
    m = threshold.measured
    if m is None:
        return Measured()
    low = high = None
    if m.ci_low is not None and m.ci_high is not None:
        low, high = m.ci_low, m.ci_high
    elif threshold.unit == "rate" and m.n:
        low, high = wilson(round(m.value * m.n), m.n)
    status: ThresholdStatus
    if not threshold.passes(m.value):
        status = "not_met"
    elif low is not None and high is not None:
        bound = low if threshold.comparator in (">", ">=") else high
        status = "met_with_confidence" if threshold.passes(bound) else "met"
    else:
        status = "met"
    return Measured(
        value=m.value,
        n=m.n,
        ci_low=low,
        ci_high=high,
        source=m.source,
        at=m.at,
        status=status,
    )
