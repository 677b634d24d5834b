"""Rule kinds with Vale's field names and meanings: existence, substitution, occurrence, repetition,
capitalization, conditional and consistency.

A rule checks one piece of text (a copy field, or a whole file) and returns `Hit`s; the checker
turns them into findings with lines and columns. Each kind is a pydantic model, so a rule file
with an unknown key is rejected with the nearest valid key named.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from itertools import groupby, pairwise
from operator import itemgetter
from typing import Any, ClassVar, Literal, NamedTuple

from pydantic import Field, field_validator, model_validator

from dco.brand import scopes
from dco.brand.anchors import first_characters, literal_anchors
from dco.brand.case import case_test
from dco.brand.joined import finditer_each, separator_for
from dco.brand.matching import (
    Exceptions,
    Finder,
    bounded,
    compile_exceptions,
    compile_tokens,
    excepted,
    finder,
    found_in,
    split_separators,
    token_pattern,
    word_exceptions,
)
from dco.brand.sentences import sentences
from dco.channels.catalog import Channel, channel_names
from dco.errors import did_you_mean
from dco.models import DcoModel, FunnelStage, Level


class Hit(NamedTuple):
    """A rule's match: where (offsets into the text checked), what it says, and any fix.

    (A named tuple: rules make one per match, and a tuple is the cheapest immutable record.)
    """

    start: int
    end: int
    message: str
    match: str
    replacement: str | None = None


@dataclass(slots=True)
class Context:
    """What a rule may know beyond the text: which field, the whole asset, channel, stage, brand.

    Rules read it and never change it. (Not frozen: a frozen dataclass costs twice as much to
    build, and the checker builds one per field of every asset it checks.)
    """

    field: str = "text"
    asset: dict[str, str] = default(default_factory=dict)
    """Every field of the asset being checked, for rules that look across fields."""
    channel: Channel | None = None
    stage: FunnelStage | str | None = None
    claims: frozenset[str] = frozenset()
    """Claims the brand has substantiated (folded), which `claim` rules then allow."""
    formality: tuple[str, ...] = ()
    whole: str = ""
    """The asset's non-empty fields, a line each, when the checker has joined them already
    (several rules read the whole asset; see `asset_text`) ..."""
    first: str | None = None
    """... and the name of its first non-empty field, when the checker has found it."""


def only_text(checked: list[tuple[int, list[Hit]]]) -> list[Hit]:
    """The hits `check_each` found in the one text it was given: for kinds whose `check` is
    their `check_each` on one text."""
    return checked[0][1] if checked else []


def add_hit(checked: list[tuple[int, list[Hit]]], index: int, hit: Hit) -> None:
    """Add `hit` on the text at `index` to what `check_each` returns (hits come text by text)."""
    if checked and checked[-1][0] == index:
        checked[-1][1].append(hit)
    else:
        checked.append((index, [hit]))


def first_filled(fields: dict[str, str]) -> str | None:
    """The name of the first field with text in it: where a rule about the whole asset reports."""
    # A loop, not next() over a generator: it runs for every asset checked, at a third the cost.
    for name, text in fields.items():
        if text and not text.isspace():
            return name
    return None


def asset_text(context: Context, text: str) -> str:
    """The whole asset a rule checking `text` sees, its non-empty fields a line each (`text`
    alone when the context holds no asset): for rules that look across fields."""
    return context.whole or "\n".join(value for value in context.asset.values() if value) or text


class Compiled:
    """A rule's compiled patterns. Plain attributes: pydantic's private attributes cost a
    `__getattr__` call on every access, and rules run thousands of times a second."""

    def __init__(self) -> None:
        self.pattern: re.Pattern[str] | None = None
        self.exceptions: Exceptions | re.Pattern[str] | None = None
        """`matching.Exceptions`, or for kinds judging whole words, `word_exceptions`."""
        self.expected: list[str] = []
        self.conditions: re.Pattern[str] | None = None
        self.conditions_possible: Callable[[str], bool] | None = None
        """A quick test that `conditions` may match a text (see `anchors.anchor_test`)."""
        self.tree: Any = None
        self.pairs: list[tuple[re.Pattern[str], re.Pattern[str]]] = []
        self.test: Any = None
        self.find: Finder | None = None
        """What finds `pattern`'s matches in a text (see `matching.finder`)."""
        self.separator: str | None = None
        """What texts may be joined by to search them for `pattern` at once, if anything
        (see `joined.separator_for`)."""
        self.separators: str | None = None
        """For token patterns `str.split` can read (see `matching.split_separators`)."""
        self.missing: dict[str, Hit] = {}
        """For a `required` rule: its hit on a text that lacks the required text, by the
        text's first character (where it reports), made once."""


class Rule(DcoModel):
    """The header every rule shares (Vale's), plus `id`, which the loader sets."""

    model_config = DcoModel.model_config | {"frozen": False}
    kind: ClassVar[str] = ""
    reads_text_alone: ClassVar[bool] = False
    """See `text_alone`; kinds that look across fields keep the default."""

    extends: str
    message: str = ""
    description: str = ""
    level: Level = "suggestion"
    scope: str | list[str] = "text"
    """Vale's scope (see `dco.brand.scopes`): which fields of the copy the rule reads."""
    link: str | None = None
    limit: int | None = None
    channels: list[str] = Field(default_factory=list)
    """dco's own: only for copy in these channels (every channel when empty). A platform's
    editorial rule (no "!" in a Google Ads headline) names its channels; copy checked without
    a channel is not held to it."""
    # Accepted so that Vale rule files load unchanged; dco does not act on these yet.
    action: dict[str, Any] | None = None
    vocab: bool = True
    code: bool = False
    id: str = ""
    compiled: Any = Field(default=None, exclude=True, repr=False)

    @classmethod
    def _known_names(cls) -> frozenset[str]:
        return super()._known_names() - {"compiled"}

    @field_validator("scope")
    @classmethod
    def _known_scope(cls, scope: str | list[str]) -> str | list[str]:
        scopes.parse(scope)
        return scope

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, channels: list[str]) -> list[str]:
        known = channel_names()
        for name in channels:
            if name not in known:
                raise ValueError(
                    f"unknown channel {name!r}.{did_you_mean(name, known)} "
                    f"Channels: {', '.join(known)}."
                )
        return channels

    def anchors(self) -> tuple[str, ...] | None:
        """Casefolded text one of which must be in a text for this rule to find anything there,
        or None when the rule must always run (it looks for absence, or for any pattern)."""
        return None

    def gate(self) -> re.Pattern[str] | None:
        """For a rule without anchors: a pattern of one character class, one of whose
        characters a text must hold for the rule to find anything there, or None."""
        return None

    def relevant(self, field_name: str, channel: str | None) -> bool:
        """Whether the rule can apply to `field_name` of copy for `channel` at all."""
        return self.holds_in(channel) and self.applies_to(field_name)

    def per_asset(self) -> bool:
        """Whether the rule judges the asset as a whole, so that checking it once, with the
        first non-empty field as `text`, is enough (the checker then skips the other fields)."""
        return False

    def text_alone(self) -> bool:
        """Whether the rule's hits on a text follow from the text, its field's name and what
        every asset of a check shares (channel, stage, the brand) alone, not from the rest of
        the asset: a text repeated across assets then needs judging once."""
        return self.reads_text_alone

    def holds_in(self, channel: str | None) -> bool:
        """Whether copy for `channel` is held to this rule (copy without a channel is held
        only to rules that name no channels)."""
        return not self.channels or channel in self.channels

    def applies_to(self, field_name: str) -> bool:
        """Whether this rule's scope covers the copy field `field_name`."""
        return scopes.covers(scopes.parse(self.scope), field_name)

    def check(self, text: str, context: Context) -> list[Hit]:  # pragma: no cover - abstract
        raise NotImplementedError

    def check_each(
        self, texts: Sequence[str], contexts: Sequence[Context]
    ) -> list[tuple[int, list[Hit]]]:
        """`check` on each of `texts` with its context: (index, hits) for each text with hits,
        in order. Kinds that can judge many texts in one pass override it (a pass per text
        costs as much again in setting up each search as in searching)."""
        check = self.check
        return [(i, found) for i, text in enumerate(texts) if (found := check(text, contexts[i]))]

    def format(self, *values: str) -> str:
        """The message with Vale's `%s` placeholders filled in order."""
        return _filled(self.message or self.description or self.id, values)


@functools.lru_cache(maxsize=4096)
def _filled(message: str, values: tuple[str, ...]) -> str:
    """`message` with its `%s` placeholders filled in order. Cached: a brand's copy trips the
    same rules on the same words again and again."""
    for value in values:
        if "%s" not in message:
            break
        message = message.replace("%s", value, 1)
    return message


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

    @model_validator(mode="after")
    def _compile(self) -> Existence:
        self.compiled = Compiled()
        if self.append and self.raw:
            # Vale's `append`: the raw pattern follows each token instead of standing alone.
            tokens = [f"(?:{t}){''.join(self.raw)}" for t in self.tokens]
            self.compiled.pattern = compile_tokens(tokens, ignorecase=self.ignorecase, nonword=True)
        else:
            self.compiled.pattern = compile_tokens(
                self.tokens, ignorecase=self.ignorecase, nonword=self.nonword, raw=self.raw
            )
        self.compiled.exceptions = compile_exceptions(self.exceptions, ignorecase=self.ignorecase)
        self.compiled.separator = separator_for(self.compiled.pattern)
        if self.compiled.pattern is not None:
            self.compiled.find = finder(self.compiled.pattern)
        return self

    def anchors(self) -> tuple[str, ...] | None:
        if self.append:
            return literal_anchors(self.tokens)
        return literal_anchors([*self.tokens, "".join(self.raw)] if self.raw else self.tokens)

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
        exceptions, checked = self.compiled.exceptions, []
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
        for index, (observed, expected) in enumerate(self.swap.items()):
            pattern = token_pattern(str(observed))
            branches.append(f"(?P<s{index}>{pattern})")
            base = group + 1
            self.compiled.expected.append(
                _DOLLAR_GROUP.sub(lambda m, b=base: f"\\g<{b + int(m.group(1))}>", str(expected))
            )
            group = base + re.compile(pattern).groups
        flags = re.IGNORECASE if self.ignorecase else 0
        self.compiled.pattern = re.compile(bounded("|".join(branches), nonword=self.nonword), flags)
        self.compiled.separator = separator_for(self.compiled.pattern)
        self.compiled.find = finder(self.compiled.pattern)
        self.compiled.exceptions = compile_exceptions(self.exceptions, ignorecase=self.ignorecase)
        return self

    def anchors(self) -> tuple[str, ...] | None:
        return literal_anchors(list(self.swap))

    def check(self, text: str, context: Context) -> list[Hit]:
        return only_text(self.check_each([text], [context]))

    def check_each(
        self, texts: Sequence[str], contexts: Sequence[Context]
    ) -> list[tuple[int, list[Hit]]]:
        assert self.compiled.pattern is not None
        exceptions, checked = self.compiled.exceptions, []
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
            shown = " or ".join(f"'{o}'" for o in options) if len(options) > 1 else options[0]
            message = self.format(shown, observed)
            add_hit(checked, index, Hit(start, end, message, observed, replacement=options[0]))
        return checked

    def _preferred(self, expected: str, observed: str) -> bool:
        """Whether `observed` is already the preferred form, as Vale decides: a plain word
        must be written exactly so; anything else is a pattern `observed` must match whole
        (ignoring case with `ignorecase`), such as "email|e-mail"."""
        if expected.isalpha():
            return observed == expected
        try:
            flags = re.IGNORECASE if self.ignorecase else 0
            return re.fullmatch(expected, observed, flags) is not None
        except re.error:
            return observed == expected


_DOLLAR_GROUP = re.compile(r"\$(\d)")


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
            raise ValueError("an occurrence rule needs max or min")
        self.compiled.pattern = re.compile(self.token, re.IGNORECASE if self.ignorecase else 0)
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
                    start, end = found[0].span()
                hits.append(Hit(start, end, self.format(str(len(found))), text[start:end]))
        return hits


class Repetition(Rule):
    """Flags a token matched twice in a row ("the the", "정말 정말"), as Vale finds it: the
    tokens' matches are compared one with the next, and the pair is reported when it lies
    within one sentence, contains no exception, and repeats beyond `max`."""

    kind: ClassVar[str] = "repetition"
    reads_text_alone: ClassVar[bool] = True
    tokens: list[str] = Field(default_factory=lambda: [r"[^\s]+"])
    max: int = 0
    alpha: bool = False
    ignorecase: bool = False
    exceptions: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _compile(self) -> Repetition:
        self.compiled = Compiled()
        flags = re.IGNORECASE if self.ignorecase else 0
        self.compiled.pattern = re.compile("|".join(f"(?:{t})" for t in self.tokens), flags)
        self.compiled.exceptions = compile_exceptions(self.exceptions, ignorecase=self.ignorecase)
        self.compiled.separators = split_separators(self.compiled.pattern)
        return self

    def check(self, text: str, context: Context) -> list[Hit]:
        pattern = self.compiled.pattern
        assert pattern is not None
        if pattern.groups == 0 and not self._repeats(self._words(text)):
            return []  # the common case, decided on the matched strings alone
        hits, count = [], 0
        previous: re.Match[str] | None = None
        for match in pattern.finditer(text):
            if previous is not None and self._same(previous.group(), match.group()):
                count += 1
                start, end = previous.start(), match.end()
                if count > self.max and self._reportable(text, start, end):
                    word = match.group().strip()
                    hits.append(Hit(start, end, self.format(word), text[start:end]))
                    count = 0
            previous = match
        return hits

    def check_each(
        self, texts: Sequence[str], contexts: Sequence[Context]
    ) -> list[tuple[int, list[Hit]]]:
        separators = self.compiled.separators
        if self.compiled.pattern.groups or separators is None or len(texts) < 2:
            return super().check_each(texts, contexts)
        # Words are runs between separators and spaces: make every separator a space in all
        # the texts at once, then split each; only a text with a word next to itself is searched.
        joined = "\x00".join(texts)
        for separator in separators:
            joined = joined.replace(separator, " ")
        pieces = joined.split("\x00")
        if len(pieces) != len(texts):
            return super().check_each(texts, contexts)  # a text holds a NUL of its own
        checked = []
        for index, piece in enumerate(pieces):
            if self._repeats(piece.split()) and (
                found := self.check(texts[index], contexts[index])
            ):
                checked.append((index, found))
        return checked

    def _words(self, text: str) -> list[str]:
        """The tokens' matches in `text`, trimmed."""
        separators = self.compiled.separators
        if separators is not None:
            for separator in separators:
                text = text.replace(separator, " ")
            return text.split()
        return list(map(str.strip, self.compiled.pattern.findall(text)))

    def _repeats(self, words: list[str]) -> bool:
        """Whether any two neighbours of `words` compare the same (see `_key`)."""
        if self.ignorecase:
            words = list(map(str.casefold, words))
        if len(set(words)) == len(words):
            return False  # no word twice at all, the usual case: decided in C
        return any(a == b and a for a, b in pairwise(words))

    def _key(self, match: str) -> str:
        """What neighbouring matches are compared by: trimmed, and casefolded with ignorecase."""
        return match.strip().casefold() if self.ignorecase else match.strip()

    def _same(self, previous: str, current: str) -> bool:
        key = self._key(current)
        return (
            bool(key)
            and key == self._key(previous)
            and (not self.alpha or current.strip().isalpha())
        )

    def _reportable(self, text: str, start: int, end: int) -> bool:
        """Vale's guards: a pair across a sentence break ("about that. That is") is not a
        slip, nor is one inside an exception."""
        if len(sentences(text[start:end])) > 1:
            return False
        return not excepted(self.compiled.exceptions, text, start, end)


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
        self.compiled.pattern = re.compile(self.prefix) if self.prefix else None
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


class Conditional(Rule):
    """If `first` matches (an acronym), `second` (its definition) must appear too: a match of
    `first` passes when a group of some match of `second` captured it, or, when `second` has
    no groups, when `second` is anywhere in the asset."""

    kind: ClassVar[str] = "conditional"
    first: str
    second: str
    exceptions: list[str] = Field(default_factory=list)
    ignorecase: bool = False

    @model_validator(mode="after")
    def _compile(self) -> Conditional:
        self.compiled = Compiled()
        flags = re.IGNORECASE if self.ignorecase else 0
        self.compiled.pattern = re.compile(self.first, flags)
        self.compiled.conditions = re.compile(self.second, flags)
        self.compiled.exceptions = word_exceptions(self.exceptions)
        self.compiled.separator = separator_for(self.compiled.pattern)
        self.compiled.find = finder(self.compiled.pattern)
        return self

    def gate(self) -> re.Pattern[str] | None:
        # Only a match of `first` is ever flagged.
        return first_characters(self.compiled.pattern.pattern, self.compiled.pattern.flags)

    def check(self, text: str, context: Context) -> list[Hit]:
        return only_text(self.check_each([text], [context]))

    def check_each(
        self, texts: Sequence[str], contexts: Sequence[Context]
    ) -> list[tuple[int, list[Hit]]]:
        found = finditer_each(self.compiled.find, texts, self.compiled.separator)
        checked = []
        for index, uses in groupby(found, key=itemgetter(0)):
            hits = self._undefined(texts[index], contexts[index], uses)
            if hits:
                checked.append((index, hits))
        return checked

    def _undefined(
        self, text: str, context: Context, uses: Iterable[tuple[int, int, re.Match[str]]]
    ) -> list[Hit]:
        """Hits on the `uses` of `first` in `text` (index, offset, match) the asset does not
        define."""
        whole = asset_text(context, text)
        conditions = self.compiled.conditions
        defined: set[str] = set()
        if conditions.groups == 0:
            # Without a group to capture what it defines, `second` only has to be present.
            if conditions.search(whole):
                return []
        else:
            defined = {g for m in conditions.finditer(whole) for g in m.groups() if g}
        hits = []
        for _, offset, match in uses:
            term = match.group()
            if term not in defined and not found_in(self.compiled.exceptions, term):
                start, end = match.start() - offset, match.end() - offset
                hits.append(Hit(start, end, self.format(term), term))
        return hits


class Consistency(Rule):
    """Within one asset, only one of each pair in `either` may be used."""

    kind: ClassVar[str] = "consistency"
    reads_text_alone: ClassVar[bool] = True
    either: dict[str, str]
    ignorecase: bool = False
    nonword: bool = False

    @model_validator(mode="after")
    def _compile(self) -> Consistency:
        self.compiled = Compiled()
        flags = re.IGNORECASE if self.ignorecase else 0
        for one, other in self.either.items():
            first = re.compile(bounded(token_pattern(one), nonword=self.nonword), flags)
            second = re.compile(bounded(token_pattern(str(other)), nonword=self.nonword), flags)
            self.compiled.pairs.append((first, second))
        return self

    def anchors(self) -> tuple[str, ...] | None:
        return literal_anchors([str(k) for pair in self.either.items() for k in pair])

    def check(self, text: str, context: Context) -> list[Hit]:
        hits = []
        for first, second in self.compiled.pairs:
            a, b = list(first.finditer(text)), list(second.finditer(text))
            if a and b:
                later = b if b[0].start() > a[0].start() else a
                for match in later:
                    hits.append(Hit(match.start(), match.end(), self.format(match.group()),
                                    match.group()))  # fmt: skip
        return hits


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
