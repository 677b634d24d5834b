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
from collections.abc import Callable, Iterable, Iterator, Sequence
from re import _constants, _parser  # type: ignore[attr-defined]  # no stubs for the engine's own modules  # the engine's own parser: what a pattern means, exactly

from dco.brand.patterns import TimedPattern, compile_pattern
from dco.text.korean import HANGUL, joined_parts

_REGEX_SYNTAX = re.compile(r"[\\^$.|?*+()\[\]{}]")
_WORD = "A-Za-z0-9_"


def token_pattern(token: str) -> str:
    """The pattern for one token: Korean-aware for plain Hangul words, else the token itself."""
    if HANGUL.search(token) and not _REGEX_SYNTAX.search(token):
        return joined_parts(token)
    return token


def literal_token(word: str) -> str:
    """`word` as a token that matches it as written: escaped where it holds pattern syntax
    ("(주)", "C++"); a plain word stays as it is, so Hangul keeps its Korean-aware pattern."""
    return re.escape(word) if _REGEX_SYNTAX.search(word) else word


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
    append: bool = False,
) -> re.Pattern[str] | None:
    """One pattern for `tokens` (any of them, bounded as words unless `nonword`) and the `raw`
    fragments joined as written, as Vale joins them: the raw pattern, then a token (or with
    `append`, a token, then the raw pattern); the raw pattern alone when there are no tokens."""
    joined_raw = "".join(raw)
    # Multiline, as Vale compiles every pattern of tokens: `^` and `$` hold at each line.
    flags = re.MULTILINE | (re.IGNORECASE if ignorecase else 0)
    if not tokens:
        return compile_pattern(joined_raw, flags) if joined_raw else None
    alternatives = "|".join(token_pattern(t) for t in sorted(tokens, key=len, reverse=True))
    pattern = bounded(alternatives, nonword=nonword)
    if joined_raw:
        pattern = f"{pattern}{joined_raw}" if append else f"{joined_raw}{pattern}"
    return compile_pattern(pattern, flags)


Finder = Callable[[str], Iterator[re.Match[str]]]
"""What finds a pattern's matches in a text, in order (a `re.Pattern.finditer`, or faster)."""

_BEFORE = f"(?<![{_WORD}])"
"""How `bounded` opens: the boundary before a token."""


def finder(pattern: re.Pattern[str]) -> Finder:
    """`pattern.finditer`, or for a pattern that opens with `bounded`'s boundary before
    tokens which all start with a character of their own, the same matches found faster.

    The regex engine skips ahead in C to where a match can start only when a pattern starts
    with text it knows (a character, or one of the first characters of its alternatives);
    a boundary first makes it try the whole pattern at every position instead, which costs a
    failing search of a Korean field about four times as much. Searching without the boundary,
    then testing the character before each match, finds the same matches: where the boundary
    fails no match can start, and where it holds the engine matches as it would with it. An
    English token ignoring case gives the engine no such start, and keeps the boundary first.
    """
    if isinstance(pattern, TimedPattern):
        return pattern.finditer  # no faster search: it would run without the time budget
    unbounded = _unbounded(pattern)
    if unbounded is None:
        return pattern.finditer
    search = unbounded.search
    in_word = re.compile(f"[{_WORD}]", pattern.flags).match

    def find(text: str) -> Iterator[re.Match[str]]:
        position = 0
        while (match := search(text, position)) is not None:
            start = match.start()
            if start and in_word(text, start - 1):
                position = start + 1  # no token starts here: the one before is a word
            else:
                yield match
                position = match.end()  # never empty: the tokens' least width is above 0

    return find


def _unbounded(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """`pattern` without the boundary `bounded` opens it with, when that lets the engine
    scan ahead (see `finder`) and the rest cannot match empty; else None."""
    if not pattern.pattern.startswith(_BEFORE):
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError):
        return None
    if len(parsed) < 2 or parsed[0][0] is not _constants.ASSERT_NOT:
        return None  # the boundary is one branch of an alternation, not the start
    rest = _parser.SubPattern(parsed.state, list(parsed)[1:])
    if rest.getwidth()[0] == 0 or not _opens_known(list(rest), parsed.state.flags):
        return None
    return re.compile(pattern.pattern[len(_BEFORE) :], pattern.flags)


def _opens_known(items: list, flags: int) -> bool:
    """Whether the parsed pattern `items` starts with a character the engine can scan for:
    a literal, or a literal opening each alternative (ignoring case, only uncased ones)."""
    while items and items[0][0] is _constants.SUBPATTERN and not any(items[0][1][1:3]):
        items = list(items[0][1][3])  # a group without flags of its own: look inside
    if not items:
        return False
    op, value = items[0]
    if op is _constants.BRANCH:
        return all(branch and _known_literal(branch[0], flags) for branch in value[1])
    return _known_literal((op, value), flags)


def _known_literal(item: tuple, flags: int) -> bool:
    op, value = item
    if op is not _constants.LITERAL:
        return False
    char = chr(value)
    return not flags & re.IGNORECASE or char.lower() == char == char.upper()


class Exceptions:
    """A rule's exceptions: their pattern, and what screens texts for them first."""

    __slots__ = ("_screen", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self._screen = _unbounded(pattern) or pattern
        """A pattern matching wherever `pattern` does (and maybe elsewhere), found faster:
        most text near a rule's match holds no exception at all."""

    def cover(self, text: str, start: int, end: int) -> bool:
        """True when text[start:end] holds an exception, or lies inside one, as Vale tests it."""
        matched = text[start:end].strip()
        if self._screen.search(matched) and self.pattern.search(matched):
            return True
        low, high = max(0, start - 40), min(len(text), end + 40)
        if not self._screen.search(text, low, high):
            return False
        for match in self.pattern.finditer(text, low, high):
            if match.start() <= start and end <= match.end():
                return True
        return False


def compile_exceptions(exceptions: Iterable[str], *, ignorecase: bool = False) -> Exceptions | None:
    """A rule's exceptions, or None when it has none."""
    exceptions = [e for e in exceptions if e]
    if not exceptions:
        return None
    alternatives = "|".join(token_pattern(e) for e in sorted(exceptions, key=len, reverse=True))
    flags = re.IGNORECASE if ignorecase else 0
    return Exceptions(compile_pattern(bounded(alternatives, nonword=False), flags))


def excepted(exceptions: Exceptions | None, text: str, start: int, end: int) -> bool:
    """True when text[start:end] holds an exception, or lies inside one, as Vale tests it."""
    return exceptions is not None and exceptions.cover(text, start, end)


def word_exceptions(exceptions: Iterable[str]) -> re.Pattern[str] | None:
    """Exceptions as Vale compiles them for kinds that judge a whole word or match (case,
    conditional): one word-bounded pattern, longest first so that phrases win."""
    terms = sorted((e for e in exceptions if e), key=len, reverse=True)
    return compile_pattern(bounded("|".join(terms), nonword=False)) if terms else None


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
