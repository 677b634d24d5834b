"""Normalising and measuring text in the units channels count in.

Four units, each the way a real channel counts:

``chars``
    Code points after NFC normalisation (Naver, Meta, Kakao count this way).
``google_width``
    Google Ads: a double-width character (Hangul, CJK, full-width forms, emoji) counts 2, anything
    else 1. Counted per user-perceived character (grapheme cluster), so a combining accent adds
    nothing and a flag or a skin-toned emoji is one double-width character, not several.
``cp949_bytes``
    Korean SMS/LMS: bytes in the cp949 (UHC) encoding. A character cp949 cannot carry, such as an
    emoji, raises `UnencodableTextError` naming it; it is never silently miscounted.
``graphemes``
    User-perceived characters (Unicode extended grapheme clusters).

Everything is NFC-normalised first: decomposed jamo would otherwise inflate every count.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final, get_args

from dco.errors import UnencodableTextError
from dco.i18n import _, unknown_name
from dco.models import Unit

if TYPE_CHECKING:
    import regex

UNITS: Final[tuple[str, ...]] = get_args(Unit)

_HANGUL_OR_ASCII = re.compile("[\x00-\x7f\uac00-\ud7a3]*")
_EMOJI_PRESENTATION = "\ufe0f"
_REGIONAL_INDICATORS = (0x1F1E6, 0x1F1FF)


def nfc(text: str) -> str:
    """Return `text` in Unicode normal form C (cheap when it already is)."""
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
"""Full-width ASCII (Ｆｒｅｅ, ！, ％) and the ideographic space."""


def fold_width(text: str) -> str:
    """`text` with full-width ASCII and the ideographic space as their half-width forms, one
    character for one, so that every position still points at the same character."""
    if text.isascii():
        return text  # the cheap answer for English copy
    return text.translate(_HALF_WIDTH) if FULL_WIDTH.search(text) else text


def fold(text: str) -> str:
    """Fold text for matching, never for measuring: NFKC (full-width → half-width) and casefold."""
    return unicodedata.normalize("NFKC", text).casefold()


def measure(text: str, unit: Unit | str = "chars") -> int:
    """Length of `text` in `unit` (see the module docstring for what each unit counts).

    >>> measure("하프 마라톤", "google_width")
    11
    >>> measure("하프 마라톤", "cp949_bytes")
    11
    """
    try:
        measurer = _MEASURERS[unit]
    except (KeyError, TypeError):
        raise unknown_name("unit", str(unit), UNITS) from None
    return measurer(nfc(text))


def surely_within(text: str, unit: Unit | str, limit: int) -> bool:
    """Whether `text` is sure to measure at most `limit` in `unit`, told without measuring it:
    NFC text whose every character, counted at the most `unit` counts one, stays within the
    limit. False says only "measure it". Never True in cp949_bytes, which may refuse a
    character however short the text. (Most copy is well within its limits: checking every
    variant of a campaign against its channel need not measure them.)"""
    most = _MOST_A_CHARACTER.get(unit)
    return most is not None and len(text) * most <= limit and unicodedata.is_normalized("NFC", text)


_MOST_A_CHARACTER: Final[dict[str, int]] = {"chars": 1, "graphemes": 1, "google_width": 2}
"""The most one code point of NFC text counts in each unit that takes every character: a
grapheme cluster holds one or more, and counts 1 (2 in google_width)."""


def cp949_unencodable(text: str) -> list[tuple[int, str]]:
    """Positions and characters of `text` (after NFC) that cp949 cannot encode."""
    text = nfc(text)
    bad: list[tuple[int, str]] = []
    for index, char in enumerate(text):
        try:
            char.encode("cp949")
        except UnicodeEncodeError:
            bad.append((index, char))
    return bad


@functools.cache
def _grapheme_pattern() -> regex.Pattern[str]:
    # Imported here: ASCII and Hangul never need it, and importing it costs every run.
    import regex

    return regex.compile(r"\X")


def _clusters(text: str) -> list[str]:
    """`text`'s grapheme clusters, in order (`\\X`, which only the `regex` module knows)."""
    return _grapheme_pattern().findall(text)


def graphemes(text: str) -> list[str]:
    """Split `text` (after NFC) into user-perceived characters."""
    return _clusters(nfc(text))


def _chars(text: str) -> int:
    return len(text)


def _cp949_bytes(text: str) -> int:
    try:
        return len(text.encode("cp949"))
    except UnicodeEncodeError as e:
        char = text[e.start]
        raise UnencodableTextError(
            _(
                "character {char!r} (U+{code:04X}) at position {position} cannot be sent in cp949 "
                "(Korean SMS/LMS); remove or replace it"
            ).format(char=char, code=ord(char), position=e.start + 1),
            character=char,
            index=e.start,
            unit="cp949_bytes",
        ) from e


def _graphemes(text: str) -> int:
    if text.isascii():
        return len(text) - text.count("\r\n")
    return len(_clusters(text))


def _google_width(text: str) -> int:
    if text.isascii():
        # In ASCII only CR LF forms a two-code-point cluster.
        return len(text) - text.count("\r\n")
    if _HANGUL_OR_ASCII.fullmatch(text):
        # The common Korean case: each syllable is 3 UTF-8 bytes against ASCII's 1, so the byte
        # surplus halved is the number of syllables, and each syllable adds 1 to the width.
        hangul = (len(text.encode()) - len(text)) // 2
        return len(text) + hangul - text.count("\r\n")
    tables = _width_tables()
    astral = max(text) > "\uffff"
    if not (tables.joiners_astral if astral else tables.joiners_bmp).search(text):
        # Every code point is its own cluster: the width is one per character plus one per wide one.
        wide = tables.wide_astral if astral else tables.wide_bmp
        return 2 * len(text) - len(wide.sub("", text))
    return sum(_cluster_width(cluster, tables) for cluster in _clusters(text))


def _cluster_width(cluster: str, tables: _WidthTables) -> int:
    if len(cluster) == 1:
        return 2 if tables.wide_astral.match(cluster) else 1
    if (
        tables.wide_astral.search(cluster)
        or _EMOJI_PRESENTATION in cluster
        or _REGIONAL_INDICATORS[0] <= ord(cluster[0]) <= _REGIONAL_INDICATORS[1]
    ):
        return 2
    return 1


_MEASURERS: Final[dict[str, Callable[[str], int]]] = {
    "chars": _chars,
    "google_width": _google_width,
    "cp949_bytes": _cp949_bytes,
    "graphemes": _graphemes,
}


class _WidthTables:
    """Compiled character classes for `google_width`, built once on first use (about 20 ms)."""

    def __init__(self) -> None:
        wide, joiners = _scan_unicode()
        # Separate BMP-only classes keep the common (Korean) case on re's fast bitmap lookup.
        self.wide_bmp = re.compile(_char_class(r for r in wide if r[0] <= 0xFFFF) + "+")
        self.wide_astral = re.compile(_char_class(wide) + "+")
        self.joiners_bmp = re.compile(_char_class(r for r in joiners if r[0] <= 0xFFFF))
        self.joiners_astral = re.compile(_char_class(joiners))


@functools.cache
def _width_tables() -> _WidthTables:
    return _WidthTables()


# Code points that can join the next or previous one into a single grapheme cluster and are not
# marks or format characters: Hangul conjoining jamo (L, V, T), regional indicators, emoji skin-tone
# modifiers, half-width katakana voicing marks, and the Prepend letters of a few Indic scripts.
_JOINING_LETTERS: Final = (
    (0x000D, 0x000D),
    (0x0D4E, 0x0D4E),
    (0x0E33, 0x0E33),
    (0x0EB3, 0x0EB3),
    (0x1100, 0x11FF),
    (0xA960, 0xA97F),
    (0xD7B0, 0xD7FF),
    (0xFF9E, 0xFF9F),
    (0x111C2, 0x111C3),
    (0x11A3A, 0x11A3A),
    (0x11A84, 0x11A89),
    (0x11D46, 0x11D46),
    (0x1F1E6, 0x1F1FF),
    (0x1F3FB, 0x1F3FF),
    (0xE0000, 0xE0FFF),  # tags and variation selectors supplement
)
# Categories whose members extend or join clusters; unassigned code points are included because
# the grapheme segmenter may know characters newer than this Python's Unicode tables.
_JOINING_CATEGORIES: Final = frozenset({"Mn", "Me", "Mc", "Cf", "Cn", "Cs"})
_SCAN_END: Final = 0x20000  # planes 2 and 3 hold only wide CJK ideographs, added as a whole


def _scan_unicode() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    east_asian_width = unicodedata.east_asian_width
    category = unicodedata.category
    wide: list[tuple[int, int]] = []
    joiners: list[tuple[int, int]] = list(_JOINING_LETTERS)
    for cp in range(_SCAN_END):
        char = chr(cp)
        cat = category(char)
        if cat in _JOINING_CATEGORIES:
            _extend(joiners, cp)
        elif east_asian_width(char) in "WF":
            _extend(wide, cp)
    wide.append((0x20000, 0x3FFFD))
    return wide, sorted(joiners)


def _extend(ranges: list[tuple[int, int]], cp: int) -> None:
    if ranges and ranges[-1][1] == cp - 1:
        ranges[-1] = (ranges[-1][0], cp)
    else:
        ranges.append((cp, cp))


def _char_class(ranges: Iterable[tuple[int, int]]) -> str:
    parts = []
    for low, high in ranges:
        parts.append(_escape(low) if low == high else f"{_escape(low)}-{_escape(high)}")
    return "[" + "".join(parts) + "]"


def _escape(cp: int) -> str:
    return f"\\U{cp:08x}"


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` code points without splitting a grapheme cluster.

    Cuts at the last whitespace in the final tenth of the allowance when there is one, so a word
    is not cut in half.
    """
    if len(text) <= limit:
        return text
    clusters = _clusters(text[: limit + 8])
    kept, total = [], 0
    for cluster in clusters:
        if total + len(cluster) > limit:
            break
        kept.append(cluster)
        total += len(cluster)
    head = "".join(kept)
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= limit - max(1, limit // 10):
        head = head[:space]
    return head
