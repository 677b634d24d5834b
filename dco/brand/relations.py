"""Vale's kinds that relate matches to one another: repetition (a token and the next one),
conditional (a use and its definition) and consistency (one spelling or the other, not both).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import groupby, pairwise
from operator import itemgetter
from typing import ClassVar

from pydantic import Field, model_validator

from dco.brand.anchors import first_characters, literal_anchors
from dco.brand.joined import finditer_each
from dco.brand.matching import (
    bounded,
    compile_exceptions,
    excepted,
    found_in,
    split_separators,
    token_pattern,
    word_exceptions,
)
from dco.brand.patterns import compile_pattern
from dco.brand.rules import Compiled, Context, Hit, Rule, asset_text, only_text
from dco.brand.sentences import sentences


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
        self.compiled.pattern = compile_pattern("|".join(f"(?:{t})" for t in self.tokens), flags)
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
        self.compiled.pattern = compile_pattern(self.first, flags)
        self.compiled.conditions = compile_pattern(self.second, flags)
        self.compiled.exceptions = word_exceptions(self.exceptions)
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
    """Within one text, only one of each pair in `either` may be used."""

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
            first = compile_pattern(bounded(token_pattern(one), nonword=self.nonword), flags)
            second = compile_pattern(
                bounded(token_pattern(str(other)), nonword=self.nonword), flags
            )
            self.compiled.pairs.append((first, second))
        return self

    def anchors(self) -> tuple[str, ...] | None:
        return literal_anchors([str(k) for pair in self.either.items() for k in pair])

    def check(self, text: str, context: Context) -> list[Hit]:
        # As Vale reports it: once per pair, naming the spelling used last, at its first use
        # (so that mixed quotes in a paragraph are one finding, not one per quote).
        hits = []
        for first, second in self.compiled.pairs:
            a, b = first.search(text), second.search(text)
            if a is None or b is None:
                continue
            last = max((*first.finditer(text), *second.finditer(text)), key=lambda m: m.start())
            at = text.index(last.group())
            hits.append(Hit(at, at + len(last.group()), self.format(last.group()), last.group()))
        return hits
