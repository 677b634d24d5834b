"""Offers and figures in copy that its brief does not give, as findings for the reviewer.

A model writes what sells: asked for copy about "첫 주 무료", it may promise "20% 할인" or "두 달
무료" of its own accord, and a team that runs it has advertised an offer it does not make. Copy
is flagged (rule `dco.NotInBrief`, a warning the reviewer sees beside it) for each number no
field of its brief holds, and for each word of an offer kind (free, discount, coupon, …; listed
in `dco/data/offers.yaml`) when no field of its brief uses a word of that kind.

It flags, it does not repair: "7일" for a brief's "일주일" is the same offer in other words, which
only a reader can tell. The prompt asks for the brief's offers alone; this shows where a model
went past them.

Each text, of the brief and of its copy alike, is read once for what it claims (`_claims`):
its numbers by value, its offer words by kind. A check that runs on every variant of a campaign
must cost little: most texts claim nothing, and a campaign repeats its texts (the brief's
offer and audience in every brief, the same calls to action in many variants), so a text's
reading is kept for the next time it comes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import NamedTuple

from dco.i18n import _
from dco.models import COPY_FIELDS, Copy, Finding
from dco.resources import data_error, load_data

RULE = "dco.NotInBrief"

_SIGNS = frozenset("$₩€£¥")
"""Currency signs, shown with the number after them."""
_UNIT = re.compile(r"\s?%|-?[^\W\d_]{1,6}")
"""What follows a number as its unit (20%, 10,000원, 2주, 11-month), shown with it."""
_LATIN = frozenset("abcdefghijklmnopqrstuvwxyz")
_KEPT_UP_TO = 300
"""The longest text whose reading is kept (a headline, a body, a brief's offer): what the
cache holds stays small however long a brief's notes are."""

Claims = tuple[tuple[str, int, int], ...]
"""What a text claims, in its order: (claim, start, end). A claim is a number by its value
("#10000" for "10,000원") or a kind of offer ("discount" for "20% 할인"'s "할인")."""


class _Offers(NamedTuple):
    """The offer words of `offers.yaml`, read once."""

    kind_of: dict[str, str]
    """Each word, casefolded, and its kind."""
    claims: re.Pattern[str]
    """Any of the words or a number (see `_alternation`)."""


@functools.cache
def _offers() -> _Offers:
    document = load_data("offers.yaml")
    kinds = document.data.get("kinds") if isinstance(document.data, dict) else None
    if not isinstance(kinds, dict) or not kinds:
        raise data_error(document, ("kinds",), "no kinds of offer listed")
    kind_of: dict[str, str] = {}
    for kind, words in kinds.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise data_error(document, ("kinds", kind), "each kind lists its words")
        kind_of.update((word.casefold(), str(kind)) for word in words)
    return _Offers(kind_of, _alternation(list(kind_of)))


def _alternation(words: list[str]) -> re.Pattern[str]:
    """Any of `words`, or a number: the longest word first ("free gift" is a giveaway before
    "free" is), and every word before a number ("1+1" is a bundle before it is the number 1).

    Each alternative starts with a plain character, so that the regex engine leaps from one
    possible first character to the next instead of trying every alternative at every
    position (three times faster on a headline, twenty on a paragraph): a number is spelled as
    one alternative for each digit it may start with, ASCII or full-width."""
    ordered = sorted(words, key=len, reverse=True)
    numbers = [rf"{digit}\d*(?:[.,]\d+)*" for digit in "0123456789０１２３４５６７８９"]
    return re.compile("|".join([*map(re.escape, ordered), *numbers]))


def _claims(text: str) -> Claims:
    """What `text` claims (see `Claims`); kept for the texts that come again."""
    return _kept_claims(text) if len(text) <= _KEPT_UP_TO else _read_claims(text)


def _read_claims(text: str) -> Claims:
    folded = text.casefold()
    offers = _offers()
    claims = []
    for match in offers.claims.finditer(folded):
        kind = offers.kind_of.get(match[0])
        if kind is None:
            claims.append(("#" + match[0].replace(",", ""), *match.span()))
        elif _whole(match, folded):
            claims.append((kind, *match.span()))
    return tuple(claims)


_kept_claims = functools.lru_cache(maxsize=4096)(_read_claims)


def _whole(match: re.Match[str], folded: str) -> bool:
    """Whether a word found in casefolded text stands whole there: a word written in Latin
    letters must ("sale" is not in "salesman"); Korean particles attach to a word anywhere."""
    found, start, end = match[0], match.start(), match.end()
    return not (
        (found[0] in _LATIN and start and folded[start - 1] in _LATIN)
        or (found[-1] in _LATIN and end < len(folded) and folded[end] in _LATIN)
    )


class OfferCheck:
    """What copy for one brief may promise: the numbers and kinds of offer in the `given` texts
    (its brief's fields, and text the channel requires word for word), read once for all the
    brief's copy. Called with a copy, a warning for each field that promises more."""

    def __init__(self, given: Iterable[str]) -> None:
        self._given = {claim for text in given for claim, _start, _end in _claims(text)}

    def __call__(self, copy: Copy) -> list[Finding]:
        given = self._given
        findings = []
        for name in COPY_FIELDS:
            text = getattr(copy, name)
            claims = _claims(text)
            if claims and (beyond := [c for c in claims if c[0] not in given]):
                findings.append(_finding(name, _as_written(text, beyond)))
        return findings


def _as_written(text: str, claims: list[tuple[str, int, int]]) -> list[str]:
    """What each claim in `text` is as the text writes it, once each; a number with its
    currency sign and its unit ("20%", "$5", "10,000원")."""
    folded = text.casefold()
    if len(folded) != len(text):
        text = folded  # the claims' spans are the casefolded text's ("ß" became "ss")
    shown = []
    for claim, start, end in claims:
        if claim.startswith("#"):
            if start and text[start - 1] in _SIGNS:
                start -= 1
            if unit := _UNIT.match(text, end):
                end = unit.end()
        shown.append(text[start:end])
    return list(dict.fromkeys(shown))


def _finding(field: str, beyond: list[str]) -> Finding:
    message = _(
        "{field} promises {what}, which its brief does not: make sure the offer is real before "
        "approving"
    ).format(field=field, what=", ".join(map(repr, beyond)))
    return Finding.trusted(
        rule=RULE, level="warning", message=message, field=field, line=1, column=1, span=None,
        match=beyond[0], replacement=None, link=None,
    )  # fmt: skip


def offer_findings(copy: Copy, given: Iterable[str]) -> list[Finding]:
    """A warning for each field of `copy` that holds a number, or a word of an offer kind, that
    none of the `given` texts (its brief's fields, and text the channel requires) holds."""
    return OfferCheck(given)(copy)
