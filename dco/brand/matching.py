"""Compiling Vale-style tokens into patterns that also understand Korean.

English (and any non-Hangul) tokens are regular expressions bounded the way Vale bounds them:
ASCII word boundaries, so "free" does not match "carefree" but does match "free!" and the
"free" in "무료free". Hangul tokens written as plain words match inside compounds and with
particles or endings attached (최고의, 최고입니다 → 최고), and their spaces match any spacing
(무료 배송 = 무료배송); Korean has no word boundaries for `\\b` to find. Exceptions are regular
expressions too: a match lying inside an exception's match does not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from re import _constants, _parser  # the engine's own parser: what a pattern means, exactly

from dco.terms import PARTICLES

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_REGEX_SYNTAX = re.compile(r"[\\^$.|?*+()\[\]{}]")
_JOIN = "(?:" + "|".join(sorted(PARTICLES, key=len, reverse=True)) + r")?\s*"
_WORD = "A-Za-z0-9_"


def token_pattern(token: str) -> str:
    """The pattern for one token: Korean-aware for plain Hangul words, else the token itself."""
    if _HANGUL.search(token) and not _REGEX_SYNTAX.search(token):
        return _JOIN.join(re.escape(part) for part in token.split())
    return token


def bounded(pattern: str, *, nonword: bool) -> str:
    """Wrap `pattern` in Vale's default word boundaries unless `nonword` (ASCII boundaries)."""
    if nonword:
        return f"(?:{pattern})"
    return f"(?<![{_WORD}])(?:{pattern})(?![{_WORD}])"


def compile_tokens(
    tokens: Sequence[str],
    *,
    ignorecase: bool = False,
    nonword: bool = False,
    raw: Sequence[str] = (),
) -> re.Pattern[str] | None:
    """One pattern for `tokens` (each bounded) and `raw` fragments (used as written)."""
    parts = []
    if tokens:
        alternatives = "|".join(token_pattern(t) for t in sorted(tokens, key=len, reverse=True))
        parts.append(bounded(alternatives, nonword=nonword))
    if raw:
        parts.append("".join(raw))
    if not parts:
        return None
    flags = re.IGNORECASE if ignorecase else 0
    return re.compile("|".join(parts), flags)


def compile_exceptions(
    exceptions: Iterable[str], *, ignorecase: bool = False
) -> re.Pattern[str] | None:
    """A pattern for a rule's exceptions, or None when it has none."""
    exceptions = [e for e in exceptions if e]
    if not exceptions:
        return None
    alternatives = "|".join(token_pattern(e) for e in sorted(exceptions, key=len, reverse=True))
    return re.compile(bounded(alternatives, nonword=False), re.IGNORECASE if ignorecase else 0)


def excepted(exceptions: re.Pattern[str] | None, text: str, start: int, end: int) -> bool:
    """True when text[start:end] holds an exception, or lies inside one, as Vale tests it."""
    if exceptions is None:
        return False
    if exceptions.search(text[start:end].strip()):
        return True
    for match in exceptions.finditer(text, max(0, start - 40), min(len(text), end + 40)):
        if match.start() <= start and end <= match.end():
            return True
    return False


def word_exceptions(exceptions: Iterable[str]) -> re.Pattern[str] | None:
    """Exceptions as Vale compiles them for kinds that judge a whole word or match (case,
    conditional): one word-bounded pattern, longest first so that phrases win."""
    terms = sorted((e for e in exceptions if e), key=len, reverse=True)
    return re.compile(bounded("|".join(terms), nonword=False)) if terms else None


def found_in(exceptions: re.Pattern[str] | None, text: str) -> bool:
    """Whether `text` holds a match of `exceptions` (Vale's test for these kinds)."""
    return exceptions is not None and exceptions.search(text) is not None


def split_separators(pattern: re.Pattern[str]) -> str | None:
    """For a pattern matching runs of anything but whitespace and a few characters (`\\S+`,
    `[^\\s]+`, `[^\\s.,!?]+`: Vale's usual repetition tokens), those characters: with each
    replaced by a space, `str.split()` finds exactly the pattern's matches. None for any other
    pattern.

    `\\s` and `str.split` agree on what whitespace is (Unicode's), and splitting runs in C
    without building a match object per token: about a third of the cost of `findall`.
    """
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError):
        return None
    if parsed.state.flags & re.ASCII or len(parsed) != 1:
        return None  # an ASCII \s is narrower than str.split's whitespace
    op, value = parsed[0]
    if op is not _constants.MAX_REPEAT:
        return None
    low, high, body = value
    if low != 1 or high is not _constants.MAXREPEAT or len(body) != 1:
        return None
    op, items = body[0]
    if op is not _constants.IN:
        return None
    if items == [(_constants.CATEGORY, _constants.CATEGORY_NOT_SPACE)]:
        return ""
    space = (_constants.CATEGORY, _constants.CATEGORY_SPACE)
    if items[:1] != [(_constants.NEGATE, None)] or space not in items:
        return None
    separators = ""
    for op, code in items[1:]:
        if (op, code) == space:
            continue
        if op is not _constants.LITERAL:
            return None
        if parsed.state.flags & re.IGNORECASE and chr(code).lower() != chr(code).upper():
            return None  # a cased letter, whose other case separates too
        separators += chr(code)
    return separators
