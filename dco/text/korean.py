"""Korean text facts shared by the classifier's lexicon terms and the brand's rules.

Korean attaches particles to the word before them, so a term written in two parts
(``가격 비교``) is also written with a particle between them (가격을 비교, 가격과 비교), or
with no space at all (가격비교). Both the lexicon and a brand's rule tokens match such terms
the same way: with `PARTICLE_JOIN` between their parts.
"""

from __future__ import annotations

import re

PARTICLES = (
    "을",
    "를",
    "이",
    "가",
    "은",
    "는",
    "의",
    "와",
    "과",
    "도",
    "로",
    "으로",
    "에",
    "에서",
    "만",
)
"""Particles that may sit between the parts of a multi-word Korean term."""

PARTICLE_JOIN = "(?:" + "|".join(sorted(PARTICLES, key=len, reverse=True)) + r")?\s*"
"""Pattern text between the parts of a multi-word term: an optional particle, then any space."""

HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
"""A Hangul syllable, jamo or compatibility jamo."""


def joined_parts(term: str) -> str:
    """The pattern for a plain multi-word Korean term: its parts escaped and joined by
    `PARTICLE_JOIN` (a one-word term is just itself, escaped)."""
    return PARTICLE_JOIN.join(re.escape(part) for part in term.split())
