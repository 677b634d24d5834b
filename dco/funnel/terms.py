"""Finding lexicon terms in Korean and English text, tolerant of particles and spacing.

A lexicon writes each term once, as a person would:

- A **Korean** term matches inside compounds and with particles or endings attached, since Korean
  attaches them to the word (노트북추천 holds 추천; 최저가로 holds 최저가). A term written with a
  space matches with or without it, and with a particle between its parts: ``가격 비교`` matches
  가격비교, 가격 비교 and 가격을 비교.
- An **English** term matches whole words only, case-insensitively, with an optional plural
  ``s``/``es``; a trailing ``*`` matches any ending (``compar*``: compare, comparison, comparing).
- A term given as ``re:PATTERN`` is a regular expression over the folded text.
- **Exceptions** are words, matched as plain text, in which a term does not count: 비교적 holds
  비교 but means "relatively"; 따뜻 holds 뜻 but means "warm".

Matching happens on folded text (NFKC + casefold), so full-width Ｂｅｓｔ and half-width best are
the same. Where literal terms overlap, the one starting first wins, and of those the longest; a
regular expression counts only where no literal term matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from ahocorasick_rs import AhoCorasick, MatchKind

from dco.errors import ConfigError
from dco.i18n import _
from dco.text.korean import HANGUL, joined_parts
from dco.text.units import fold

_WORD_CHAR = "a-z0-9"  # English words end where ASCII letters and digits end; Hangul may follow
_REGEX_PREFIX = "re:"


class TermMatch(NamedTuple):
    """One occurrence of a term: which term (its index in the lexicon) and where, in folded text.

    A named tuple rather than a frozen dataclass: a classification makes several, and a tuple is
    built several times faster."""

    term: int
    start: int
    end: int
    text: str


class TermMatcher:
    """Compiled lexicon: finds the non-overlapping term occurrences in a text.

    Literal terms are found by their first word (one Aho-Corasick pass), so a scan tries only the
    few terms that can start where one of those words does (the lexicon can grow without slowing
    every position down); regular-expression terms are searched separately and take what the
    literal terms left.
    """

    def __init__(self, terms: Sequence[str], exceptions: Sequence[str] = ()) -> None:
        self.terms = tuple(terms)
        literals: list[_Literal] = []
        expressions: list[str] = []
        for index, term in enumerate(self.terms):
            pattern = term_pattern(term)
            if term.startswith(_REGEX_PREFIX):
                expressions.append(f"(?P<t{index}>{pattern})")
            else:
                folded = fold(term).strip()
                head = folded.split()[0].rstrip("*")
                literals.append(_Literal(-len(folded), index, head, re.compile(pattern)))
        # Where some term's head starts: one Aho-Corasick pass in compiled code finds every such
        # position, so the scan visits only those instead of every character of the text, and
        # tries there only the terms of the heads found, longest first.
        by_head: dict[str, list[_Literal]] = {}
        for literal in literals:
            by_head.setdefault(literal.head, []).append(literal)
        heads = sorted(by_head)
        self._heads = AhoCorasick(heads) if heads else None
        self._by_head = [tuple(sorted(by_head[head])) for head in heads]
        # One pass finds every regular-expression term; `lastgroup` says which matched.
        self._expressions = re.compile("|".join(expressions)) if expressions else None
        words = sorted({fold(e).strip() for e in exceptions if e.strip()})
        self._exceptions = (
            AhoCorasick(words, matchkind=MatchKind.LeftmostLongest) if words else None
        )

    def finditer(self, folded: str) -> Iterator[TermMatch]:
        """Occurrences of terms in `folded` (already passed through `dco.text.fold`), in order."""
        blocked = self._blocked(folded)
        taken: list[TermMatch] = []
        heads_at: dict[int, list[int]] = {}
        if self._heads is not None:
            for head, start, _ in self._heads.find_matches_as_indexes(folded, overlapping=True):
                heads_at.setdefault(start, []).append(head)
        position = 0
        for start in sorted(heads_at):
            if start < position:
                continue  # inside a term already taken
            heads = heads_at[start]
            candidates = (
                self._by_head[heads[0]]
                if len(heads) == 1
                else sorted(literal for head in heads for literal in self._by_head[head])
            )
            for literal in candidates:
                match = literal.pattern.match(folded, start)
                if match and not (blocked and _overlaps(blocked, start, match.end())):
                    taken.append(TermMatch(literal.term, start, match.end(), match.group()))
                    position = match.end()
                    break
        if self._expressions is not None:
            literal_spans = [(t.start, t.end) for t in taken]
            found = False
            for match in self._expressions.finditer(folded):
                start, end = match.span()
                if start == end or (blocked and _overlaps(blocked, start, end)):
                    continue
                if not _overlaps(literal_spans, start, end):
                    index = int(match.lastgroup[1:])  # type: ignore[index]
                    taken.append(TermMatch(index, start, end, match.group()))
                    found = True
            if found:
                taken.sort(key=lambda t: t.start)
        return iter(taken)

    def find(self, text: str) -> list[TermMatch]:
        """Occurrences of terms in raw `text` (folded here)."""
        return list(self.finditer(fold(text)))

    def _blocked(self, folded: str) -> list[tuple[int, int]]:
        if self._exceptions is None:
            return []
        return [(start, end) for _, start, end in self._exceptions.find_matches_as_indexes(folded)]


class _Literal(NamedTuple):
    order: int  # minus the term's length: sorting puts the longest first
    term: int
    head: str  # the term's first word, which the text must start with for the pattern to match
    pattern: re.Pattern[str]


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def term_pattern(term: str) -> str:
    """The regular expression one lexicon term compiles to (see the module docstring)."""
    if term.startswith(_REGEX_PREFIX):
        pattern = term[len(_REGEX_PREFIX) :]
        try:
            re.compile(pattern)
        except re.error as e:
            raise ConfigError(
                _("lexicon term {term!r} is not a valid regular expression: {why}").format(
                    term=term, why=e
                )
            ) from e
        return pattern
    folded = fold(term).strip()
    if not folded:
        raise ConfigError(_("empty lexicon term {term!r}").format(term=term))
    if HANGUL.search(folded):
        return joined_parts(folded)
    prefix = folded.endswith("*")
    words = folded.rstrip("*").split()
    body = r"[\s-]+".join(re.escape(word) for word in words)
    ending = f"[{_WORD_CHAR}]*" if prefix else "(?:s|es)?"
    if not words[-1][-1:].isalnum():
        ending = ""  # "no.1", "1+1": punctuation ends the term, no plural
    start = f"(?<![{_WORD_CHAR}])" if words[0][:1].isalnum() else ""
    return f"{start}{body}{ending}(?![{_WORD_CHAR}])"
