"""Compiling the patterns of rules: fast where that is safe, on a time budget where it is not.

Python's `re` runs most rule patterns fastest, but cannot be stopped once it runs, and it lacks
some of what Vale's patterns use. So a pattern goes to the `regex` module, whose searches can
be given a time budget, when

- `re` cannot compile it, but `regex` can: a look-behind of varying width (`(?<=\\bMr|\\bMrs)`),
  Unicode classes (`\\p{Lu}`), which Vale accepts; or
- it may backtrack without bound: a repeat inside a repeat (`(a+)+$`), or an alternation or
  back-reference under a repeat (`(a|aa)*`), the shapes behind runaway matching.

Such a search that passes its budget raises `TimeoutError`; the checker turns it into an error
finding that names the rule (see `dco.brand.check`), so that a rule cannot hang a CI job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from re import _compiler, _constants, _parser  # type: ignore[attr-defined]  # the engine's own
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import regex

BUDGET_SECONDS = 1.0
"""How long one search of one text may run for a pattern on a budget."""

_REPEATED_GROUP = re.compile(r"\)[*+{]")
"""A group followed by a repeat, as written (a quick test before parsing the pattern)."""
_REPEATS = (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT)
_SINGLE = (
    _constants.LITERAL, _constants.NOT_LITERAL, _constants.IN, _constants.ANY,
    _constants.CATEGORY, _constants.GROUPREF,
)  # fmt: skip
"""What matches one way each time it is repeated (a character, a class, a back-reference)."""


def compile_pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """`source` compiled for checking copy: by `re`, or by `regex` on a time budget (see the
    module's docstring). A pattern neither can compile raises `re.error` with `re`'s message.

    A `TimedPattern` is typed as the `re.Pattern` it stands in for: the rules call only the
    methods both have, and typing every rule's pattern as a union would say nothing more."""
    try:
        compiled = re.compile(source, flags)
    except re.error as error:
        try:
            return cast(re.Pattern[str], _timed(source, flags))
        except (ValueError, OverflowError):  # regex cannot read it either
            raise error from None
    if runaway_risk(source, flags):
        return cast(re.Pattern[str], _timed(source, flags))
    return compiled


def _timed(source: str, flags: int) -> TimedPattern:
    """`source` on the `regex` module; a ValueError when it cannot read it."""
    import regex  # here: most brands never need it, and importing it costs every CLI run

    try:
        return TimedPattern(regex.compile(source, _regex_flags(flags)), source, flags)
    except regex.error as e:
        raise ValueError(str(e)) from e


def runaway_risk(source: str, flags: int = 0) -> bool:
    """Whether `source` has a shape that can make a search backtrack without bound: a repeat
    of more than one (`+`, `*`, `{2,}`) around another such repeat, an alternation, or a
    back-reference."""
    if not _REPEATED_GROUP.search(source):
        return False  # each of those shapes needs a group with a repeat after it
    try:
        parsed = _parser.parse(source, flags)
    except (re.error, RecursionError):
        return True
    return _risky(list(parsed), under_repeat=False)


def _risky(items: list[Any], *, under_repeat: bool) -> bool:
    for op, value in items:
        if op in _REPEATS:
            _, high, body = value
            repeats = high is _constants.MAXREPEAT or high > 1
            if repeats and under_repeat:
                return True
            if len(body) == 1 and body[0][0] in _SINGLE:
                continue  # `a+`, `[a-z]*`, `\1+`: one way to match each repetition
            if _risky(list(body), under_repeat=under_repeat or repeats):
                return True
        elif op is _constants.BRANCH:
            if under_repeat and len(value[1]) > 1 and not _one_way(value[1]):
                return True
            if any(_risky(list(branch), under_repeat=under_repeat) for branch in value[1]):
                return True
        elif op is _constants.GROUPREF and under_repeat:
            return True
        elif op is _constants.SUBPATTERN:
            if _risky(list(value[3]), under_repeat=under_repeat):
                return True
        elif op in (_constants.ASSERT, _constants.ASSERT_NOT):
            if _risky(list(value[1]), under_repeat=under_repeat):
                return True
        elif op is _constants.ATOMIC_GROUP:
            continue  # no backtracking into it
    return False


def _one_way(branches: list[Any]) -> bool:
    r"""Whether alternatives are single characters of which any character matches one at most
    (`[^\W_]|\*`): a class in effect, with one way to match. Two classes, or a literal one of
    them holds, may both match (`\w|\d`), and repeated, that doubles the ways each time."""
    items = [list(branch) for branch in branches]
    if not all(len(item) == 1 and item[0][0] in _SINGLE[:-1] for item in items):
        return False
    literals = [chr(item[0][1]) for item in items if item[0][0] is _constants.LITERAL]
    classes = [item for item in items if item[0][0] is not _constants.LITERAL]
    if len(literals) != len(set(literals)) or len(classes) > 1:
        return False
    if not classes:
        return True
    state = _parser.State()
    matches = _compiler.compile(_parser.SubPattern(state, classes[0])).fullmatch
    return not any(matches(literal) for literal in literals)


def _regex_flags(flags: int) -> int:
    """`re` flags as `regex` reads them, in `regex`'s compatibility mode (VERSION0)."""
    import regex

    translated = regex.VERSION0
    for ours, theirs in (
        (re.IGNORECASE, regex.IGNORECASE), (re.MULTILINE, regex.MULTILINE),
        (re.DOTALL, regex.DOTALL), (re.VERBOSE, regex.VERBOSE), (re.ASCII, regex.ASCII),
    ):  # fmt: skip
        if flags & ours:
            translated |= theirs
    return translated


class TimedPattern:
    """A `regex` pattern that reads like an `re` one, each search on `BUDGET_SECONDS`."""

    def __init__(self, compiled: regex.Pattern[str], source: str, flags: int) -> None:
        self._compiled = compiled
        self.pattern = source
        self.flags = flags
        """The `re` flags it was compiled with (what code reading `re` patterns expects)."""
        self.groups = compiled.groups
        self.groupindex = compiled.groupindex

    def __repr__(self) -> str:
        return f"TimedPattern({self.pattern!r})"

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None) -> Iterator[Any]:
        end = len(string) if endpos is None else endpos
        return self._compiled.finditer(string, pos, end, timeout=BUDGET_SECONDS)

    def findall(self, string: str, pos: int = 0, endpos: int | None = None) -> list[Any]:
        end = len(string) if endpos is None else endpos
        return self._compiled.findall(string, pos, end, timeout=BUDGET_SECONDS)

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        end = len(string) if endpos is None else endpos
        return self._compiled.search(string, pos, end, timeout=BUDGET_SECONDS)

    def match(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        end = len(string) if endpos is None else endpos
        return self._compiled.match(string, pos, end, timeout=BUDGET_SECONDS)

    def fullmatch(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        end = len(string) if endpos is None else endpos
        return self._compiled.fullmatch(string, pos, end, timeout=BUDGET_SECONDS)

    def sub(self, repl: str | Callable[[Any], str], string: str, count: int = 0) -> str:
        return self._compiled.sub(repl, string, count, timeout=BUDGET_SECONDS)

    def split(self, string: str, maxsplit: int = 0) -> list[Any]:
        return self._compiled.split(string, maxsplit, timeout=BUDGET_SECONDS)
