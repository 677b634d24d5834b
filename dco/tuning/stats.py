"""Review statistics: approval, edit and rejection rates with Wilson intervals, and A/B comparison.

Rates are shares of *decided* variants (pending ones are not counted): approved as written,
edited (approved with changes), rejected. Each comes with a Wilson 95 % interval, which stays
honest for small counts and rates near 0 or 1, where the textbook normal interval does not.

>>> low, high = wilson(8, 10)
>>> f"{low:.3f}…{high:.3f}"
'0.490…0.943'
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dco.errors import StatsError
from dco.i18n import _

DIMENSIONS = ("stage", "channel", "locale", "prompt_version", "model", "campaign", "reviewer")
Z95 = 1.959963984540054
"""The standard normal quantile for a two-sided 95 % interval."""

MIN_EXPECTED = 5
"""Fewest approvals and non-approvals each side must expect under the pooled rate before the
two-proportion test's normal approximation is trusted (the usual rule, as for chi-square)."""


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion: (low, high); (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Rate:
    """A share of decided variants, with its count and Wilson 95 % interval."""

    count: int
    n: int

    @property
    def value(self) -> float:
        return self.count / self.n if self.n else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.count, self.n)

    def to_dict(self) -> dict[str, Any]:
        low, high = self.interval
        return {"rate": self.value, "count": self.count, "low": low, "high": high}


@dataclass
class Group:
    """The decisions of one group (all of them, or one stage, one prompt version, ...)."""

    key: dict[str, str | None]
    decided: int = 0
    approved: int = 0
    edited: int = 0
    rejected: int = 0
    distance_sum: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def approval(self) -> Rate:
        """Approved as written."""
        return Rate(self.approved, self.decided)

    @property
    def edit(self) -> Rate:
        return Rate(self.edited, self.decided)

    @property
    def rejection(self) -> Rate:
        return Rate(self.rejected, self.decided)

    @property
    def edit_distance(self) -> float | None:
        """The mean normalised edit distance of the edits (0 untouched … 1 rewritten)."""
        return self.distance_sum / self.edited if self.edited else None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.key,
            "decided": self.decided,
            "approval": self.approval.to_dict(),
            "edit": self.edit.to_dict(),
            "rejection": self.rejection.to_dict(),
            "edit_distance": self.edit_distance,
            "reasons": dict(self.reasons.most_common()),
        }


def summarise(records: Iterable[Any], by: Sequence[str] = ()) -> list[Group]:
    """Groups of `records` by the dimensions in `by`, largest first; with no dimensions, one
    group of everything.

    Records are `ReviewQueue.decision_counts()` rows (a `count` of decisions and the summed
    `distance` of their edits) or `ReviewQueue.decided()` rows (one decision each).
    """
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise StatsError(
            _("cannot group by {name!r}; use {known}").format(
                name=unknown[0], known=", ".join(DIMENSIONS)
            )
        )
    groups: dict[tuple, Group] = {}
    for record in records:
        values = tuple(getattr(record, d) for d in by)
        group = groups.get(values)
        if group is None:
            group = groups[values] = Group(dict(zip(by, values, strict=True)))
        count = record.count
        group.decided += count
        action = record.action
        if action == "approve":
            group.approved += count
        elif action == "edit":
            group.edited += count
            group.distance_sum += record.distance
        else:
            group.rejected += count
            for reason in record.reasons:
                group.reasons[reason] += count
    return sorted(groups.values(), key=lambda g: (-g.decided, [str(v) for v in g.key.values()]))


@dataclass(frozen=True)
class Comparison:
    """Whether prompt version B's approval rate differs from A's beyond chance."""

    a: Group
    b: Group
    z: float | None
    p_value: float | None
    enough_data: bool
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "difference": self.b.approval.value - self.a.approval.value,
            "z": self.z,
            "p_value": self.p_value,
            "enough_data": self.enough_data,
            "verdict": self.verdict,
        }


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """The pooled two-proportion z-test: (z, two-sided p-value) for p2 − p1."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0  # both all-approved or all-not: no difference to see
    z = (x2 / n2 - x1 / n1) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def compare(
    records: Iterable[Any], version_a: str, version_b: str, alpha: float = 0.05
) -> Comparison:
    """Compare the approval rates of two prompt versions with a two-proportion z-test."""
    groups = {g.key["prompt_version"]: g for g in summarise(records, ("prompt_version",))}
    missing = [v for v in (version_a, version_b) if v not in groups]
    if missing:
        known = ", ".join(str(v) for v in groups) or _("none yet")
        raise StatsError(
            _("no decided variants for prompt version {version!r} (known: {known})").format(
                version=missing[0], known=known
            )
        )
    a, b = groups[version_a], groups[version_b]
    pooled = (a.approved + b.approved) / (a.decided + b.decided)
    expected = min(n * share for n in (a.decided, b.decided) for share in (pooled, 1 - pooled))
    if expected < MIN_EXPECTED:
        verdict = _(
            "not enough data yet: at the pooled approval rate of {pooled}, each version should "
            "expect at least {least} approvals and {least} non-approvals; with {a} (A) and {b} "
            "(B) decided, the fewest expected is {expected:.1f}"
        ).format(
            pooled=f"{pooled:.0%}", least=MIN_EXPECTED, a=a.decided, b=b.decided,
            expected=expected,
        )  # fmt: skip
        return Comparison(a, b, None, None, False, verdict)
    z, p = two_proportion_test(a.approved, a.decided, b.approved, b.decided)
    figures = _("A {a_rate} of {a}, B {b_rate} of {b}; z = {z}, p = {p}").format(
        a_rate=f"{a.approval.value:.1%}", a=a.decided, b_rate=f"{b.approval.value:.1%}",
        b=b.decided, z=f"{z:.2f}", p=f"{p:.3g}",
    )  # fmt: skip
    if p >= alpha:
        verdict = _("no difference beyond chance at the {level} level ({figures})").format(
            level=f"{1 - alpha:.0%}", figures=figures
        )
    elif z > 0:
        verdict = _("B's approval rate is higher than A's beyond chance ({figures})").format(
            figures=figures
        )
    else:
        verdict = _("B's approval rate is lower than A's beyond chance ({figures})").format(
            figures=figures
        )
    return Comparison(a, b, z, p, True, verdict)


OUTCOME_DIMENSIONS = ("stage", "channel", "locale", "prompt_version", "model", "campaign", "tag")


@dataclass
class Performance:
    """How one group's served copy performed: CTR and CVR with Wilson intervals."""

    key: dict[str, str | None]
    variants: int = 0
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0

    @property
    def ctr(self) -> Rate:
        return Rate(self.clicks, self.impressions)

    @property
    def cvr(self) -> Rate:
        """Conversions per click."""
        return Rate(self.conversions, self.clicks)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.key, "variants": self.variants, "impressions": self.impressions,
            "clicks": self.clicks, "conversions": self.conversions,
            "ctr": self.ctr.to_dict(), "cvr": self.cvr.to_dict(),
        }  # fmt: skip


def summarise_outcomes(rows: Iterable[Any], by: Sequence[str] = ()) -> list[Performance]:
    """Performance of `ReviewQueue.outcome_rows()` grouped by `by`, most impressions first.
    By "tag", a variant counts once under each of its tags ("(untagged)" when it has none)."""
    unknown = [d for d in by if d not in OUTCOME_DIMENSIONS]
    if unknown:
        raise StatsError(
            _("cannot group outcomes by {name!r}; use {known}").format(
                name=unknown[0], known=", ".join(OUTCOME_DIMENSIONS)
            )
        )
    groups: dict[tuple, Performance] = {}
    for row in rows:
        keys: list[tuple[Any, ...]] = [()]
        for dimension in by:
            values = (
                (row.tags or ("(untagged)",)) if dimension == "tag" else (getattr(row, dimension),)
            )
            keys = [(*key, value) for key in keys for value in values]
        for key in keys:
            group = groups.get(key)
            if group is None:
                group = groups[key] = Performance(dict(zip(by, key, strict=True)))
            group.variants += 1
            group.impressions += row.impressions
            group.clicks += row.clicks
            group.conversions += row.conversions
    return sorted(groups.values(), key=lambda g: (-g.impressions, [str(v) for v in g.key.values()]))
