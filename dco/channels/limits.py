"""The checks every generated variant gets: channel limits as findings, and near-duplicate tests."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise
from typing import Protocol

from dco.channels.catalog import Channel
from dco.models import Copy, Finding, FunnelStage
from dco.text.units import fold

LENGTH_RULE = "dco.Length"
ENCODING_RULE = "dco.Encoding"


class Checker(Protocol):
    """Anything that finds problems in copy, such as a brand's guidelines."""

    def check(
        self, copy: Copy, *, channel: str | None = None, stage: FunnelStage | None = None
    ) -> list[Finding]:
        """Findings for `copy` in `channel` at `stage`."""
        ...


def length_findings(copy: Copy, channel: Channel) -> list[Finding]:
    """A finding for each channel field the copy overflows or cannot be encoded in."""
    findings = []
    for m in channel.overflows(copy):
        field = m.copy_fields[0] if len(m.copy_fields) == 1 else "+".join(m.copy_fields)
        if m.length is None:
            findings.append(
                Finding(rule=ENCODING_RULE, level="error", field=field, message=m.problem or "")
            )
            continue
        level = "error" if m.kind == "hard" else "warning"
        findings.append(
            Finding(
                rule=LENGTH_RULE,
                level=level,
                field=field,
                message=(
                    f"{field} is {m.length} {m.unit}; the {channel.id} {m.field} "
                    f"{'limit' if m.kind == 'hard' else 'recommended length'} is {m.limit}"
                ),
            )
        )
    return findings


_NOT_WORD = re.compile(r"[\W_]+")


def copy_key(copy: Copy) -> str:
    """The copy's text folded and stripped of spaces and punctuation, for duplicate tests."""
    return _NOT_WORD.sub("", fold(f"{copy.headline} {copy.body} {copy.cta}"))


Bigrams = frozenset[tuple[str, str] | str]
"""A copy key's character bigrams (the key itself when it is shorter than two characters)."""


def bigrams(key: str) -> Bigrams:
    """Character bigrams of a copy key."""
    # Pairs of characters rather than two-character strings: pairwise builds them in C.
    return frozenset(pairwise(key)) or frozenset({key})


def is_near_duplicate(
    key: str, grams: Bigrams, seen: Iterable[tuple[str, Bigrams]], threshold: float
) -> bool:
    """True when `key` equals a seen key or shares `threshold` of its bigrams with one (Jaccard)."""
    for other_key, other_grams in seen:
        if key == other_key:
            return True
        shared = len(grams & other_grams)
        union = len(grams) + len(other_grams) - shared
        if union and shared / union >= threshold:
            return True
    return False
