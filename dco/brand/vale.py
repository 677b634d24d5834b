"""Vale's rule kinds with its field names and meanings: existence, substitution, occurrence and
capitalization here, repetition, conditional and consistency in `dco.brand.relations`.

Each judges as Vale does (see the README for where dco's reading differs, and why); the shared
rule base is `dco.brand.rules`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from dco.brand.anchors import first_characters, literal_anchors
from dco.brand.case import case_test
from dco.brand.joined import finditer_each
from dco.brand.matching import (
    bounded,
    compile_exceptions,
    compile_tokens,
    excepted,
    token_pattern,
)
from dco.brand.patterns import compile_pattern
from dco.brand.relations import Conditional, Consistency, Repetition
from dco.brand.rules import Compiled, Context, Hit, Rule, add_hit, filled, only_text
from dco.brand.sentences import sentences
from dco.i18n import _


class Existence(Rule):
    """Flags any of `tokens` (or the `raw` pattern) that appears."""

    kind: ClassVar[str] = "existence"
    reads_text_alone: ClassVar[bool] = True
    tokens: list[str] = Field(default_factory=list)
    raw: list[str] = Field(default_factory=list)
    append: bool = False
    ignorecase: bool = False
    nonword: bool = False
    exceptions: list[str] = Field(default_factory=list)

    @field_validator("tokens", "raw", mode="before")
    @classmethod
    def _one_is_a_list(cls, value: object) -> object:
        """Vale reads `raw: ^.*$` as a list of one."""
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _compile(self) -> Existence:
        self.compiled = Compiled()
        self.compiled.pattern = compile_tokens(
            self.tokens,
            ignorecase=self.ignorecase,
            nonword=self.nonword,
            raw=self.raw,
            append=self.append,
        )
        self.compiled.exceptions = compile_exceptions(self.exceptions, ignorecase=self.ignorecase)
        return self

    def anchors(self) -> tuple[str, ...] | None:
        # A match holds a token whenever there are tokens (the raw pattern only extends it).
        return literal_anchors(self.tokens if self.tokens else ["".join(self.raw)])

    def gate(self) -> re.Pattern[str] | None:
        pattern = self.compiled.pattern
        return first_characters(pattern.pattern, pattern.flags) if pattern else None

    def check(self, text: str, context: Context) -> list[Hit]:
        return only_text(self.check_each([text], [context]))

    def check_each(
        self, texts: Sequence[str], contexts: Sequence[Context]
    ) -> list[tuple[int, list[Hit]]]:
        if self.compiled.pattern is None:
            return []
        exceptions = self.compiled.exceptions
        checked: list[tuple[int, list[Hit]]] = []
        for index, offset, match in finditer_each(
            self.compiled.find, texts, self.compiled.separator
        ):
            start, end = match.start() - offset, match.end() - offset
            if start == end or excepted(exceptions, texts[index], start, end):
                continue
            add_hit(checked, index, Hit(start, end, self.format(match.group()), match.group()))
        return checked


class Substitution(Rule):
    """Suggests the preferred form for each observed one in `swap` (observed: expected)."""

    kind: ClassVar[str] = "substitution"
    reads_text_alone: ClassVar[bool] = True
    swap: dict[str, str]
    ignorecase: bool = False
    nonword: bool = False
    capitalize: bool = False
    exceptions: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _compile(self) -> Substitution:
        self.compiled = Compiled()
        branches = []
        group = 0  # each key sits in a group of ours: its own groups are numbered after it
        # The longest key first, so that 'MPL 2.0' is found whole where 'MPL' also matches.
        swaps = sorted(self.swap.items(), key=lambda item: len(str(item[0])), reverse=True)
        for index, (observed, expected) in enumerate(swaps):
            pattern = token_pattern(str(observed))
            branches.append(f"(?P<s{index}>{pattern})")
            base = group + 1
            self.compiled.expected.append(
                _DOLLAR_GROUP.sub(functools.partial(_shifted_group, base), str(expected))
            )
            group = base + compile_pattern(pattern).groups
        flags = re.IGNORECASE if self.ignorecase else 0
        self.compiled.pattern = compile_pattern(
            bounded("|".join(branches), nonword=self.nonword), flags
        )
        self.compiled.exceptions = compile_exceptions(self.exceptions, ignorecase=self.ignorecase)
        self.compiled.quotes_options = _replaces(self.action)
        if self.compiled.quotes_options:
            self.compiled.message = _quoted_once(self.message or self.description or self.id)
        return self

    def anchors(self) -> tuple[str, ...] | None:
        return literal_anchors(list(self.swap))

    def check(self, text: str, context: Context) -> list[Hit]:
        return only_text(self.check_each([text], [context]))

    def check_each(
        self, texts: Sequence[str], contexts: Sequence[Context]
    ) -> list[tuple[int, list[Hit]]]:
        assert self.compiled.pattern is not None
        exceptions = self.compiled.exceptions
        checked: list[tuple[int, list[Hit]]] = []
        for index, offset, match in finditer_each(
            self.compiled.find, texts, self.compiled.separator
        ):
            start, end = match.start() - offset, match.end() - offset
            observed = match.group()
            if start == end or excepted(exceptions, texts[index], start, end):
                continue
            name = match.lastgroup
            assert name is not None
            template = self.compiled.expected[int(name[1:])]
            # Parsing a template costs more than the rest of a hit; most replacements are
            # plain words, with no group reference or escape to expand.
            expected = match.expand(template) if "\\" in template else template
            if self._preferred(expected, observed.strip()):
                continue
            options = expected.split("|")
            if self.capitalize and observed[:1].isupper():
                options = [o[:1].upper() + o[1:] for o in options]
            if self.compiled.quotes_options:  # as Vale words a `replace` action's options
                message = filled(self.compiled.message, (_as_sentence(options), observed.strip()))
            else:
                shown = " or ".join(f"'{o}'" for o in options) if len(options) > 1 else options[0]
                message = self.format(shown, observed.strip())
            add_hit(checked, index, Hit(start, end, message, observed, replacement=options[0]))
        return checked

    def _preferred(self, expected: str, observed: str) -> bool:
        """Whether `observed` is already the preferred form, as Vale decides: a plain word
        must be written exactly so; anything else is a pattern `observed` must match whole
        ("email|e-mail"), in its case (Vale suggests "mutual TLS" for "Mutual TLS", and with
        `ignorecase` "MPL 2.0" for "mpl 2.0"), but for the first letter under `ignorecase`,
        which takes "Sign up" opening a sentence for "sign up"."""
        if expected.isalpha():
            return observed == expected
        try:
            forms = [observed]
            if self.ignorecase:
                forms.append(observed[:1].swapcase() + observed[1:])
            return any(re.fullmatch(expected, form) for form in forms)
        except re.error:
            return observed == expected


_DOLLAR_GROUP = re.compile(r"\$(\d)")


def _replaces(action: dict[str, Any] | None) -> bool:
    """Whether a rule's `action` replaces the match with the swap's options (Vale then quotes
    them in the message itself)."""
    return action is not None and action.get("name") == "replace" and not action.get("params")


def _quoted_once(message: str) -> str:
    """`message` with the first of two quoted `%s` unquoted, as Vale rewrites it for options it
    quotes itself ("Use '%s' instead of '%s'" → "Use %s instead of '%s'")."""
    for quoted in ("'%s'", '"%s"'):
        if message.count(quoted) == 2:
            message = message.replace(quoted, "%s", 1)
    return message


def _as_sentence(options: list[str]) -> str:
    """'a', 'a' or 'b', 'a', 'b' or 'c': options quoted and joined as Vale joins them."""
    quoted = [f"'{option}'" for option in options]
    if len(quoted) < 3:
        return " or ".join(quoted)
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _shifted_group(base: int, match: re.Match[str]) -> str:
    """A swap's `$n` as a reference to the n-th group after `base` in the joined pattern."""
    return f"\\g<{base + int(match.group(1))}>"


class Occurrence(Rule):
    """Flags a scope (the field, or each sentence) where `token` occurs more than `max` or fewer
    than `min` times (0, as in Vale, sets no bound), at the first occurrence (or, when there
    is none, the scope's start)."""

    kind: ClassVar[str] = "occurrence"
    reads_text_alone: ClassVar[bool] = True
    token: str
    max: int | None = None
    min: int | None = None
    ignorecase: bool = False

    @model_validator(mode="after")
    def _compile(self) -> Occurrence:
        self.compiled = Compiled()
        if self.max is None and self.min is None:
            raise ValueError(_("an occurrence rule needs max or min"))
        self.compiled.pattern = compile_pattern(self.token, re.IGNORECASE if self.ignorecase else 0)
        return self

    def anchors(self) -> tuple[str, ...] | None:
        # Too many occurrences needs the token present; too few must be checked everywhere.
        if self.min:
            return None
        return literal_anchors([self.token])

    def check(self, text: str, context: Context) -> list[Hit]:
        assert self.compiled.pattern is not None
        units = sentences(text) if self.scope == "sentence" else [(0, len(text))]
        hits = []
        for start, end in units:
            found = list(self.compiled.pattern.finditer(text, start, end))
            too_many = self.max is not None and 0 < self.max < len(found)
            too_few = self.min is not None and len(found) < self.min and end > start
            if too_many or too_few:
                if found:
                    # At the first match outside code (which reads as `*`s), as Vale reports.
                    shown = next((m for m in found if m.group().strip("*`")), found[0])
                    start, end = shown.span()
                hits.append(Hit(start, end, self.format(str(len(found))), text[start:end]))
        return hits


class Capitalization(Rule):
    """Checks a field's case: `$title`, `$sentence`, `$lower`, `$upper`, or a regular expression
    (found anywhere in the text, as Vale finds it), passing text where the share of words in
    the right case reaches `threshold` (see `dco.brand.case`)."""

    kind: ClassVar[str] = "capitalization"
    reads_text_alone: ClassVar[bool] = True
    match: str
    style: Literal["AP", "Chicago"] = "AP"
    exceptions: list[str] = Field(default_factory=list)
    indicators: list[str] = Field(default_factory=lambda: [":"])
    threshold: float = Field(default=0.8, ge=0, le=1)
    prefix: str | None = None
    """A pattern for what may open the text and is not judged (a list marker such as "a. ")."""

    @model_validator(mode="after")
    def _compile(self) -> Capitalization:
        self.compiled = Compiled()
        self.compiled.pattern = compile_pattern(self.prefix) if self.prefix else None
        self.compiled.test = case_test(
            self.match, style=self.style, exceptions=self.exceptions,
            indicators=self.indicators, threshold=self.threshold,
        )  # fmt: skip
        return self

    def check(self, text: str, context: Context) -> list[Hit]:
        opening = self.compiled.pattern.match(text) if self.compiled.pattern else None
        if self.compiled.test(text[opening.end() :] if opening else text):
            return []
        return [Hit(0, len(text), self.format(text.strip()), text)]


VALE_KINDS: dict[str, type[Rule]] = {
    kind.kind: kind
    for kind in (
        Existence,
        Substitution,
        Occurrence,
        Repetition,
        Capitalization,
        Conditional,
        Consistency,
    )
}


def accepting(rule: Rule, terms: Sequence[str]) -> Rule:
    """`rule` with the brand's accepted `terms` among its exceptions, as Vale adds the terms of
    its vocabulary: to existence, substitution and capitalization rules that read it
    (`vocab`, the default), and of existence rules only to those about words (a `nonword`
    pattern's match may merely contain a term, and would be silenced by it)."""
    if not terms or not rule.vocab:
        return rule
    if isinstance(rule, Substitution | Capitalization) or (
        isinstance(rule, Existence) and not rule.nonword
    ):
        data = rule.model_dump(exclude={"compiled"})
        data["exceptions"] = [*rule.exceptions, *terms]
        return type(rule).model_validate(data)
    return rule
