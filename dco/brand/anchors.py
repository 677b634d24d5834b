"""Anchors: plain text that every match of a rule's pattern must contain; and gates, the
character class every match starts with, for patterns with no such text.

A rule set looks for its rules' anchors in a text (all at once) and runs only the rules whose
anchor is present, so a brand of hundreds of rules costs little per text; a rule may test a
costly pattern of its own the same way before searching (`anchor_test`). Finding an anchor
means reading a regular expression's structure just enough: escapes, character classes,
groups, alternation and optional quantifiers. A gate is read off the regex engine's own parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from re import _constants, _parser  # type: ignore[attr-defined]  # no stubs for the engine's own modules  # the engine's own parser: what a pattern means, exactly

from ahocorasick_rs import AhoCorasick

_CLASS_ESCAPES = frozenset("sSdDwWbBAZzGnrtfv0123456789")
_CODE_ESCAPES = {"x": 2, "u": 4, "U": 8}
"""Escapes naming a character by its code, and how many hex digits follow."""
_NAMED_ESCAPES = frozenset("NpP")
"""Escapes followed by a name in braces: N{...} (a character by name), p{...} (a property)."""


_DOTTED_AND_DOTLESS_I = str.maketrans({"ı": "i", "İ": "i"})


def fold_case(text: str) -> str:
    """`text` with case folded as anchors are compared: casefolded, with the Turkish İ and ı
    read as i. The regex engine ignoring case takes either for an i while `str.casefold`
    keeps them apart; of all Unicode, these are the only characters on which the two differ.
    """
    if not text.isascii() and ("ı" in text or "İ" in text):
        text = text.translate(_DOTTED_AND_DOTLESS_I)
    return text.casefold()


def literal_anchors(tokens: list[str]) -> tuple[str, ...] | None:
    """For each token, plain text (case folded by `fold_case`) one of which any match of it
    must contain; None when a token has none (the rule must then run on every text)."""
    anchors: list[str] = []
    for token in tokens:
        texts = required_texts(token)
        if texts is None:
            return None
        anchors += texts
    return tuple(dict.fromkeys(anchors)) or None


def anchor_test(patterns: Sequence[str]) -> Callable[[str], bool] | None:
    """A quick test that a text may hold a match of one of `patterns` (case ignored): whether
    it contains one of their anchors; None when some pattern has no anchor to test for.

    A failing search through many alternatives costs the regex engine a try of each at every
    position, while one automaton pass finds every anchor: texts without one skip the search.
    """
    anchors = literal_anchors(list(patterns))
    if anchors is None or not all(anchors):
        return None  # no anchor, or an empty one, which every text holds
    find_anchors = AhoCorasick(anchors).find_matches_as_indexes

    def holds_an_anchor(text: str) -> bool:
        return bool(find_anchors(fold_case(text)))

    return holds_an_anchor


def required_texts(pattern: str) -> list[str] | None:
    """Plain text one of which every match of `pattern` contains: a piece per top-level
    alternative (a pattern wrapped whole in a group is unwrapped first), or None."""
    pattern = _unwrap(pattern)
    alternatives = _top_level_alternatives(pattern)
    if len(alternatives) > 1:
        found = [required_texts(a) for a in alternatives]
        if any(f is None for f in found):
            return None
        return [text for texts in found for text in texts or ()]
    # Plain text outside groups, or the alternatives of a group every match passes through
    # ("(?:의사|약사) 추천" → 추천; "(?:의사|약사)(?:가)? (?:추천|개발)" → 의사, 약사):
    # whichever choice has the longest shortest anchor, as rarer text skips more rules.
    text = _required_text(pattern)
    choices = [[text]] if text else []
    for group in _mandatory_groups(pattern):
        inner = required_texts(group)
        if inner:
            choices.append(inner)
    if not choices:
        return None
    return max(choices, key=lambda texts: (min(map(len, texts)), -len(texts)))


_GROUP_PREFIXES = ("(?:", "(?P<", "(?i:", "(?a:", "(?u:", "(?s:", "(?m:", "(?x:")
"""Groups whose content must match where the group does; lookarounds, comments,
backreferences and conditionals are not among them."""


def _mandatory_groups(pattern: str) -> list[str]:
    """The contents of the top-level groups every match of `pattern` passes through: groups
    not followed by ?, * or a {0,...} quantifier, and not lookarounds."""
    groups, opened = [], -1
    for index, char, depth in _structure(pattern):
        if char == "(" and depth == 0:
            opened = index
        elif char == ")" and depth == 1 and opened >= 0:
            following = pattern[index + 1 : index + 3]
            if following[:1] in ("?", "*") or following in ("{0", "{,"):
                continue
            head = pattern[opened : opened + 4]
            if head.startswith("(?") and not head.startswith(_GROUP_PREFIXES):
                continue
            if head.startswith("(?P<"):
                start = pattern.index(">", opened) + 1
            elif head.startswith("(?"):
                start = pattern.index(":", opened) + 1
            else:
                start = opened + 1  # a plain capturing group
            groups.append(pattern[start:index])
    return groups


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth before it) for each character outside escapes and
    character classes."""
    depth, i = 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            close = pattern.find("]", i + 2)
            i = close + 1 if close != -1 else len(pattern)
            continue
        yield i, char, depth
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        i += 1


def _unwrap(pattern: str) -> str:
    while pattern.startswith("(?:") and _closing(pattern) == len(pattern) - 1:
        pattern = pattern[3:-1]
    return pattern


def _closing(pattern: str) -> int:
    """Index of the parenthesis closing the group that opens `pattern`, or -1."""
    for index, char, depth in _structure(pattern):
        if char == ")" and depth == 1:
            return index
    return -1


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, start = [], 0
    for index, char, depth in _structure(pattern):
        if char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return parts


def _required_text(pattern: str) -> str | None:
    """The longest run of plain characters every match of `pattern` (without top-level
    alternation) contains, or None. Only text outside groups counts: a group may be optional,
    alternative or a lookaround. Spaces, classes and optional quantifiers end a run."""
    runs: list[str] = []
    run: list[str] = []
    depth, i = 0, 0

    def end_run() -> None:
        nonlocal run
        runs.append("".join(run))
        run = []

    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if escaped in _CODE_ESCAPES or escaped in _NAMED_ESCAPES:
                # A character given by code or name (or a property): not plain text here, and
                # it may be followed by a quantifier, so the run ends.
                end_run()
                if escaped in _CODE_ESCAPES:
                    i += 2 + _CODE_ESCAPES[escaped]
                else:
                    close = pattern.find("}", i)
                    i = close + 1 if close != -1 and pattern[i + 2 : i + 3] == "{" else i + 2
                continue
            if depth or escaped in _CLASS_ESCAPES:
                end_run()
            else:
                run.append(escaped)
            i += 2
            continue
        if char == "[":
            end_run()
            close = pattern.find("]", i + 2)
            i = close + 1 if close != -1 else len(pattern)
            continue
        if char == "(":
            depth += 1
            end_run()
        elif char == ")":
            depth -= 1
        elif depth:
            pass
        elif char in "?*{":
            if run:
                run.pop()  # the character before an optional quantifier may be absent
            end_run()
            if char == "{":
                close = pattern.find("}", i)
                i = close if close != -1 else len(pattern)
        elif char in ".^$+" or char.isspace():
            end_run()
        else:
            run.append(char)
        i += 1
    end_run()
    # Longest first; of equal length, letters and digits over punctuation (rarer in copy).
    best = max(runs, key=lambda r: (len(r), any(c.isalnum() for c in r)), default="")
    return fold_case(best) or None


def first_characters(pattern: str, flags: int = 0) -> re.Pattern[str] | None:
    """A pattern of one character class, one of whose characters every non-empty match of
    `pattern` starts with (`\\b([A-Z]{3,5})\\b` → `[A-Z]`), or None when there is none to
    tell (a match may start with any character, or be empty).

    For rules with no plain text to anchor on: one search for the class (in C, without
    backtracking) tells which texts the rule can skip.
    """
    try:
        parsed = _parser.parse(pattern, flags)
    except (re.error, RecursionError):
        return None
    items = _first_set(list(parsed))
    if not items:
        return None
    # The pattern's flags, with those it sets itself ("(?i)..."): case and what \w means.
    return re.compile(f"[{''.join(items)}]", parsed.state.flags & (re.IGNORECASE | re.ASCII))


_ZERO_WIDTH = {_constants.AT, _constants.ASSERT, _constants.ASSERT_NOT}
_REPEATS = {_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT}
_CATEGORIES = {
    _constants.CATEGORY_DIGIT: r"\d", _constants.CATEGORY_NOT_DIGIT: r"\D",
    _constants.CATEGORY_SPACE: r"\s", _constants.CATEGORY_NOT_SPACE: r"\S",
    _constants.CATEGORY_WORD: r"\w", _constants.CATEGORY_NOT_WORD: r"\W",
}  # fmt: skip


def _first_set(sequence: list) -> list[str] | None:
    """Class items (as pattern text) for the first character `sequence` consumes, or None."""
    for op, value in sequence:
        if op in _ZERO_WIDTH:
            continue  # assertions consume nothing: the match starts at what follows
        if op in _REPEATS:
            low, _, item = value
            if low == 0:
                return None  # the item may be absent: the first character is anything after
            return _first_set(list(item))
        if op is _constants.SUBPATTERN:
            _, add_flags, del_flags, inner = value
            if add_flags or del_flags:
                return None  # "(?i:...)": flags of its own for part of the pattern
            return _first_set(list(inner))
        if op is _constants.BRANCH:
            found = [_first_set(list(alternative)) for alternative in value[1]]
            if any(f is None for f in found):
                return None
            return [item for items in found for item in items or ()]
        if op is _constants.LITERAL:
            return [_class_char(value)]
        if op is _constants.IN:
            return _class_items(value)
        return None  # any character, a negated literal, a backreference, a conditional
    return None  # the pattern can match empty


def _class_items(items: list) -> list[str] | None:
    if items and items[0][0] is _constants.NEGATE:
        return None  # "anything but": nearly every text has one
    out = []
    for op, value in items:
        if op is _constants.LITERAL:
            out.append(_class_char(value))
        elif op is _constants.RANGE:
            out.append(f"{_class_char(value[0])}-{_class_char(value[1])}")
        elif op is _constants.CATEGORY and value in _CATEGORIES:
            out.append(_CATEGORIES[value])
        else:
            return None
    return out


def _class_char(code: int) -> str:
    return f"\\U{code:08x}"
