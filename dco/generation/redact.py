"""Redacting personal data before text reaches a prompt: e-mail, phones, 주민등록번호, cards.

Each match becomes a typed placeholder ([EMAIL], [PHONE], [RRN], [CARD]); callers record how many
were replaced, never what. Toll-free business numbers (080-…, used for 무료수신거부 opt-outs) and
1588-style representative numbers are not personal and are kept.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# 주민등록번호 / 외국인등록번호: YYMMDD-GNNNNNN, the 7th digit 1-8.
_RRN = re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s?-?\s?[1-8]\d{6}(?!\d)")
# 13 to 19 digits, optionally grouped by spaces or dashes; confirmed with the Luhn checksum.
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_PHONE = re.compile(
    r"(?<![\d+])(?:"
    r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,3}"  # international
    r"|\(?0\d{1,2}\)?[ .-]?\d{3,4}[ .-]?\d{4}"  # Korean mobile and landline
    r"|\(\d{3}\)\s?\d{3}-\d{4}"  # North American (555) 123-4567
    r")(?!\d)"
)
_SEVEN_DIGITS = re.compile(r"(?:\d\D{0,4}){7}")  # the shortest number redacted has 7 digits
_NOT_PERSONAL = re.compile(r"^\(?080")  # 080 toll-free numbers


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
    if "@" not in text and not _SEVEN_DIGITS.search(text):
        return Redaction(text)  # no address, and too few digits for any number below
    counts: Counter[str] = Counter()

    def replace(kind: str, keep=None):
        def substitute(match: re.Match[str]) -> str:
            if keep is not None and keep(match.group()):
                return match.group()
            counts[kind] += 1
            return f"[{kind}]"

        return substitute

    text = _EMAIL.sub(replace("EMAIL"), text)
    text = _RRN.sub(replace("RRN"), text)
    text = _CARD.sub(replace("CARD", keep=lambda s: not _luhn_valid(s)), text)
    text = _PHONE.sub(replace("PHONE", keep=lambda s: bool(_NOT_PERSONAL.match(s))), text)
    return Redaction(text, counts)


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
