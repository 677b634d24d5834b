"""Vale's case tests for `capitalization` rules: sentence case, title case, upper, lower, a pattern.

Vale does not ask for every word to be right: it splits the text into words, counts those that
are, and passes text whose share of right words reaches the rule's `threshold` (0.8 unless set).
That is what lets "Train with the Seoul running club" pass as sentence case although "Seoul" is
capitalised. Exceptions are whole words (or phrases) that always count as right; `indicators`
are suffixes (":" by default) after which the next word may start with a capital.

Title case follows the converter Vale uses: every word capitalised except the small words of
the style (AP: articles, short conjunctions and prepositions; Chicago: those and every
preposition) when they are neither first nor last. Vale's AP converter also capitalises "to"
before a noun, which needs a part-of-speech tagger; here "to" is always a small word, and the
threshold absorbs the difference as it does in Vale for any one word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from dco.brand.matching import found_in, word_exceptions
from dco.brand.patterns import compile_pattern

CaseTest = Callable[[str], bool]
"""Whether a text passes a rule's case test."""

_WORDS = r"(?:[^\W_]|\*)+\S*"
"""Vale's words for case tests: letters, digits or `*`, then anything up to a space."""

_TITLE_WORDS = re.compile(r"[^\W_]+[^\s\-/]*")
"""The title converter's words: they also end at hyphens and slashes."""

AP_SMALL_WORDS = frozenset([
    "a", "an", "and", "as", "at", "but", "by", "en", "for", "if", "in", "nor", "of", "on", "or",
    "per", "the", "to", "vs", "vs.", "via", "v", "v.",
])  # fmt: skip
CHICAGO_PREPOSITIONS = frozenset([
    "with", "from", "into", "during", "including", "until", "against", "among", "throughout",
    "despite", "towards", "upon", "concerning", "about", "over", "through", "before", "between",
    "after", "since", "without", "under", "within", "along", "following", "across", "beyond",
    "around", "down", "near", "above",
])  # fmt: skip

# The converter looks at neighbouring characters with typographic quotes and dashes made ASCII,
# one character for one so that positions stay put.
_PLAIN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "."})


def case_test(
    match: str,
    *,
    style: str = "AP",
    exceptions: Sequence[str] = (),
    indicators: Sequence[str] = (":",),
    threshold: float = 0.8,
) -> CaseTest:
    """The test a `capitalization` rule applies to a text, from the rule's fields."""
    excepted = word_exceptions(exceptions)
    words = compile_pattern(f"{excepted.pattern}|{_WORDS}" if excepted else _WORDS)
    threshold = threshold or 0.8  # as in Vale: a threshold of 0 would never fail anything
    if match == "$sentence":
        suffixes = tuple(indicators)
        return lambda text: in_sentence_case(text, words, excepted, suffixes, threshold)
    if match == "$title":
        small = AP_SMALL_WORDS if style != "Chicago" else AP_SMALL_WORDS | CHICAGO_PREPOSITIONS
        return lambda text: in_title_case(text, words, excepted, small, threshold)
    if match == "$lower":
        return lambda text: text == text.lower() or found_in(excepted, text)
    if match == "$upper":
        return lambda text: text == text.upper() or found_in(excepted, text)
    pattern = compile_pattern(match)
    return lambda text: pattern.search(text) is not None or found_in(excepted, text)


_NUMBERING = re.compile(r"\d+[.)]")


def in_sentence_case(
    text: str,
    words: re.Pattern[str],
    excepted: re.Pattern[str] | None,
    indicators: tuple[str, ...],
    threshold: float,
) -> bool:
    """Whether the first word is capitalised and enough of the others are not."""
    if text == text.upper():
        return True  # no word has a lower-case letter (Korean, digits, capitals): all count
    text = text.rstrip("?!.:")
    first = words.search(text)
    # Numbering ("1.", "2)") opens a heading or item without being its first word (a bare
    # number, "1 this", is one, as in Vale).
    if first is not None and _NUMBERING.fullmatch(first.group()):
        first = words.search(text, first.end())
    if first is None:
        return True
    if not _opens_right(first.group(), excepted):
        return False
    rest = text[first.end() :]
    if rest == rest.lower():
        return True  # every later word is in lower case, so right: the usual case
    tokens = words.findall(text, first.end())
    right = 1
    for index, token in enumerate(tokens):
        word = _first_part(token)
        # A later word counts as right when it is in lower case, all capitals, follows an
        # indicator, or is an exception; the exception search, the costly test, comes last.
        if (
            word == word.lower()
            or word == word.upper()
            or (tokens[index - 1] if index else first.group()).endswith(indicators)
            or found_in(excepted, token)
        ):
            right += 1
    return right / (len(tokens) + 1) >= threshold


def _opens_right(token: str, excepted: re.Pattern[str] | None) -> bool:
    """Whether a sentence's first word is as sentence case asks: capitalised (or all
    capitals), or an exception."""
    word = _first_part(token)
    lowered = word.lower()
    # Without separators inside, Go's Title changes the first letter alone.
    titled = lowered[:1].upper() + lowered[1:] if lowered.isalnum() else _go_title(lowered)
    return word == word.upper() or word == titled or found_in(excepted, token)


def in_title_case(
    text: str,
    words: re.Pattern[str],
    excepted: re.Pattern[str] | None,
    small_words: frozenset[str],
    threshold: float,
) -> bool:
    """Whether enough words are as the title-case converter would write them."""
    if text == text.upper():
        return True
    expected = words.findall(title_case(text, small_words))
    tokens = words.findall(text)
    right = 0
    for index, token in enumerate(tokens):
        as_expected = index >= len(expected) or token == expected[index]
        if as_expected or token == token.upper() or found_in(excepted, token):
            right += 1
    return not tokens or right / len(tokens) >= threshold


def title_case(text: str, small_words: frozenset[str]) -> str:
    """`text` in title case: each word's first letter capitalised (the rest left as written),
    except small words that are neither first nor last and follow a space, hyphen or slash."""
    plain = text.translate(_PLAIN)
    end = len(plain)

    def at(index: int) -> str:
        return plain[index] if 0 <= index < end else plain[0]

    def convert(match: re.Match[str]) -> str:
        word, start, stop = match.group(), match.start(), match.end()
        bounding = start == 0 or stop == end
        if (
            not bounding
            and word.lower() in small_words
            and at(start - 1) in " -/"
            and at(start - 2) not in ":-"
            and (at(stop) != "-" or at(start - 1) == "-")
        ):
            return word.lower()
        return word[:1].upper() + word[1:]

    return _TITLE_WORDS.sub(convert, text)


def _first_part(token: str) -> str:
    """What Vale judges of a compound: Top-level by "Top", Client's by "Client"."""
    if token.isalnum():
        return token  # a plain word, as most are
    for separator in "-'’":
        if separator in token:
            return token.split(separator, 1)[0]
    return token


def _go_title(word: str) -> str:
    """`word` with the first letter of each part capitalised, parts split as Go's
    strings.Title splits them (at ASCII punctuation and spaces, not at other letters)."""
    out, after_separator = [], True
    for char in word:
        out.append(char.upper() if after_separator else char)
        if ord(char) <= 0x7F:
            after_separator = not (char.isalnum() or char == "_")
        else:
            after_separator = char.isspace()
    return "".join(out)
