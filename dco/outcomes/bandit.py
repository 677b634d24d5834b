"""Beta-Binomial arithmetic for choosing copy: posteriors, priors and credible intervals.

Each variant's rate (clicks per impression, or conversions per click) has a Beta posterior:
the prior Beta(a, b) updated by s successes in n trials is Beta(a + s, b + n − s).

>>> posterior(30, 1000, prior=(1.0, 1.0))
(31.0, 971.0)
>>> round(beta_mean(31.0, 971.0), 5)
0.03094
"""

from __future__ import annotations

import math


def posterior(successes: int, trials: int, prior: tuple[float, float]) -> tuple[float, float]:
    """The Beta posterior (alpha, beta) after `successes` in `trials` from `prior`."""
    if not 0 <= successes <= trials:
        raise ValueError(f"successes ({successes}) must be between 0 and trials ({trials})")
    return prior[0] + successes, prior[1] + trials - successes


def beta_mean(alpha: float, beta: float) -> float:
    return alpha / (alpha + beta)


def pooled_prior(successes: int, trials: int, strength: float) -> tuple[float, float]:
    """An empirical-Bayes prior: the pool's rate, worth `strength` trials (uniform when the pool
    has no trials yet). A new variant is then expected to do as well as its peers, with enough
    doubt that Thompson sampling tries it."""
    if trials <= 0:
        return 1.0, 1.0
    rate = min(max(successes / trials, 1e-6), 1 - 1e-6)
    return rate * strength, (1 - rate) * strength


def beta_interval(alpha: float, beta: float, level: float = 0.95) -> tuple[float, float]:
    """The equal-tailed credible interval of Beta(alpha, beta)."""
    tail = (1 - level) / 2
    return beta_quantile(tail, alpha, beta), beta_quantile(1 - tail, alpha, beta)


def beta_quantile(p: float, alpha: float, beta: float) -> float:
    """The `p` quantile of Beta(alpha, beta), by bisection on its distribution function."""
    low, high = 0.0, 1.0
    for _ in range(60):  # 2^-60: far below any rate worth telling apart
        middle = (low + high) / 2
        if regularized_beta(middle, alpha, beta) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the Beta distribution function, by Lentz's continued fraction."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    # The fraction converges fast on this side of the mean; use the symmetry on the other.
    if x > (a + 1) / (a + b + 2):
        return 1.0 - regularized_beta(1 - x, b, a)
    return math.exp(log_front) * _continued_fraction(x, a, b) / a


def _continued_fraction(x: float, a: float, b: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < 1e-12:
            break
    return result
