"""Redacting personal data before text reaches a prompt: e-mail, phones, 주민등록번호, cards.

Each match becomes a typed placeholder ([EMAIL], [PHONE], [RRN], [CARD]); callers record how many
were replaced, never what. Toll-free business numbers (080-…, used for 무료수신거부 opt-outs) and
1588-style representative numbers are not personal and are kept.

Numbers are found however they are typed: full-width digits (０１０), any dash (‐ – — − －) or a
spaced one (010 - 1234 - 5678) between the groups. Text is read with those folded to ASCII, one
character for one, so each match is replaced where it stands. An address may have a Korean
domain (홍길동@회사.한국) or hide its @ and dots as (at) and (dot). A card number is found even
with a CVC or another card right after it: the digits are read in runs and each stretch that
passes the Luhn check is a card.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

_FOLDED: dict[int, str] = {0xFF10 + d: str(d) for d in range(10)}
_FOLDED |= dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\uff0d\ufe63"), "-")
_FOLDED[0x3000] = " "
_FOLD = str.maketrans(_FOLDED)
"""Full-width digits, every dash and the ideographic space as ASCII, one character for one."""
_EMAIL = re.compile(
    r"[\w.%+-]{1,64}\s?(?:@|\(at\)|\[at\]|＠)\s?[\w-]{1,63}"
    r"(?:\s?(?:\.|\(dot\)|\[dot\])\s?[\w-]{1,63}){1,4}",
    re.IGNORECASE,
)
_SEP = r"(?:\s{0,2}[.-]\s{0,2}|\s)?"
"""Between a number's groups: nothing, a space, or a dot or dash with spaces around it."""
# 주민등록번호 / 외국인등록번호: YYMMDD-GNNNNNN, the 7th digit 1-8.
_RRN = re.compile(
    rf"(?<!\d)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]){_SEP}[1-8]\d{{6}}(?!\d)"
)
_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,}(?!\d)")
"""Thirteen or more digits in a row, spaces or dashes between them: where cards may be."""
_PHONE = re.compile(
    r"(?<![\d+])(?:"
    # international
    rf"\+\d{{1,3}}{_SEP}(?:\(\d{{1,4}}\){_SEP})?\d{{1,4}}(?:{_SEP}\d{{2,4}}){{1,3}}"
    rf"|\(?0\d{{1,2}}\)?{_SEP}\d{{3,4}}{_SEP}\d{{4}}"  # Korean mobile and landline
    rf"|\(\d{{3}}\)\s?\d{{3}}{_SEP}\d{{4}}"  # North American (555) 123-4567
    r")(?!\d)"
)
_SEVEN_DIGITS = re.compile(r"(?:\d\D{0,6}){7}")  # the shortest number redacted has 7 digits
_NOT_PERSONAL = re.compile(r"^\(?080")  # 080 toll-free numbers
_AT = re.compile(r"@|＠|\(at\)|\[at\]", re.IGNORECASE)


@dataclass(frozen=True)
class Redaction:
    """Redacted text and how many of each kind of personal data it held."""

    text: str
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def redact(text: str) -> Redaction:
    """Replace personal data in `text` with typed placeholders."""
    folded = text.translate(_FOLD)
    if not _AT.search(folded) and not _SEVEN_DIGITS.search(folded):
        return Redaction(text)  # no address, and too few digits for any number below
    counts: Counter[str] = Counter()
    spans: list[tuple[int, int, str]] = []
    taken = [False] * len(folded)

    def claim(start: int, end: int, kind: str) -> None:
        if any(taken[start:end]):
            return  # part of an earlier find: an e-mail's digits are not a phone
        taken[start:end] = [True] * (end - start)
        spans.append((start, end, kind))
        counts[kind] += 1

    for match in _EMAIL.finditer(folded):
        if _AT.search(match.group()):
            claim(*match.span(), "EMAIL")
    for match in _RRN.finditer(folded):
        claim(*match.span(), "RRN")
    for run in _DIGIT_RUN.finditer(folded):
        for start, end in _cards(folded, *run.span()):
            claim(start, end, "CARD")
    _claim_each(_PHONE, folded, lambda s: not _NOT_PERSONAL.match(s), claim, "PHONE")
    if not spans:
        return Redaction(text)
    pieces, position = [], 0
    for start, end, kind in sorted(spans):
        pieces += [text[position:start], f"[{kind}]"]
        position = end
    pieces.append(text[position:])
    return Redaction("".join(pieces), counts)


def _claim_each(
    pattern: re.Pattern[str],
    text: str,
    personal: Callable[[str], bool],
    claim: Callable[[int, int, str], None],
    kind: str,
) -> None:
    for match in pattern.finditer(text):
        if personal(match.group()):
            claim(*match.span(), kind)


def _cards(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The stretches of the digit run text[start:end] that are card numbers: whole groups of
    digits (as spaces or dashes part them), 13 to 19 digits in all, passing the Luhn check;
    the longest first from each group on, never overlapping. (A CVC or a second card after a
    card is a group of its own, so the card is still found.)"""
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(text, start, end)]
    found: list[tuple[int, int]] = []
    first = 0
    while first < len(groups):
        # A card has at most 19 digits, so at most 19 groups: the search stays linear.
        for last in range(min(len(groups) - 1, first + 18), first - 1, -1):
            digits = "".join(text[a:b] for a, b in groups[first : last + 1])
            if 13 <= len(digits) <= 19 and _luhn_valid(digits):
                found.append((groups[first][0], groups[last][1]))
                first = last + 1
                break
        else:
            first += 1
    return found


_GROUP = re.compile(r"\d+")


def _luhn_valid(candidate: str) -> bool:
    digits = [int(ch) for ch in candidate if ch.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def redact_values(value: Any) -> tuple[Any, int]:
    """`value` (a context: text, numbers, lists and mappings of them) with personal data in
    every string redacted, and how many pieces were."""
    if isinstance(value, str):
        redaction = redact(value)
        return redaction.text, redaction.total
    if isinstance(value, Mapping):
        pairs = [(key, redact_values(item)) for key, item in value.items()]
        return {key: item for key, (item, _) in pairs}, sum(n for _, (_, n) in pairs)
    if isinstance(value, list | tuple):
        items = [redact_values(item) for item in value]
        return [item for item, _ in items], sum(n for _, n in items)
    return value, 0
