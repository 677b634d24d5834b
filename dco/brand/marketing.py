"""Marketing rule kinds of dco's own: length, required, claim, formality and conditional-offer.

Their messages may use `%s` like Vale's, or named `{placeholders}` where a kind offers them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from dco.brand import scopes
from dco.brand.anchors import anchor_test, literal_anchors
from dco.brand.joined import finditer_each
from dco.brand.matching import compile_exceptions, compile_tokens, excepted
from dco.brand.patterns import compile_pattern
from dco.brand.rules import (
    Compiled,
    Context,
    Hit,
    Rule,
    add_hit,
    asset_text,
    first_filled,
    only_text,
)
from dco.brand.sentences import sentence_breaks
from dco.channels.catalog import get_channel
from dco.errors import UnencodableTextError
from dco.i18n import _
from dco.models import Formality as Register
from dco.models import Unit
from dco.text.units import fold, measure


class Length(Rule):
    """A field's length, in a channel's unit: the catalog's limit, or `max` in `unit`."""

    kind: ClassVar[str] = "length"
    reads_text_alone: ClassVar[bool] = True
    field: Literal["headline", "body", "cta", "text"] = "text"
    channel: str | None = None
    max: int | None = None
    unit: Unit = "chars"

    @model_validator(mode="after")
    def _limit_known(self) -> Length:
        if self.max is None and self.channel is None:
            raise ValueError(_("a length rule needs max (with unit) or a channel"))
        if self.channel is not None:
            get_channel(self.channel)  # unknown channels fail at load time
        return self

    def relevant(self, field_name: str, channel: str | None) -> bool:
        # Plain text (a line of a .txt file) is a whole message: what must open its headline
        # must open it, and what must close its body must close it.
        copy = scopes.copy_field(field_name)
        wanted = self.field in ("text", copy) or copy == "text"
        return wanted and super().relevant(field_name, channel)

    def check(self, text: str, context: Context) -> list[Hit]:
        field = scopes.COPY_FIELD_OF.get(context.field, context.field)
        if self.field not in ("text", field):
            return []
        limit, unit = self.max, self.unit
        channel = get_channel(self.channel) if self.channel else None
        if channel is not None and self.max is None and field in ("headline", "body", "cta"):
            bound = channel.limit_for(field)  # type: ignore[arg-type]
            if bound is None:
                return []
            limit, unit = bound
        if limit is None:
            return []
        try:
            length = measure(text, unit)
        except UnencodableTextError as e:
            return [Hit(e.index, e.index + 1, str(e), e.character)]
        if length <= limit:
            return []
        message = (self.message or "{field} is {length} {unit}; the limit is {limit}").format(
            field=field, length=length, unit=unit, limit=limit
        )
        return [Hit(0, len(text), message, text)]


class Required(Rule):
    """Text that must appear: anywhere in the asset, or exactly at the start (or end) of a field."""

    kind: ClassVar[str] = "required"
    pattern: str
    position: Literal["start", "end", "anywhere"] = "anywhere"
    field: Literal["headline", "body", "cta", "text"] = "text"
    literal: bool = False
    after: str | None = None
    """Text (written as is) the required text must directly follow at the field's start: the
    sender's name comes right after "(광고)"."""
    supplied_by: Literal["opt_out", "postal_address", "unsubscribe", "sender"] | None = None
    """The brand.yaml `contact` line that satisfies this rule, which the generator adds."""
    exact: bool = False
    """With `supplied_by`: when the brand gives its line, copy must carry that line itself,
    not just any text the pattern matches (a sender must be this brand)."""

    @model_validator(mode="after")
    def _compile(self) -> Required:
        self.compiled = Compiled()
        body = re.escape(self.pattern) if self.literal else self.pattern
        if self.after is not None:
            body = rf"\A{re.escape(self.after)}\s*(?:{body})"
        elif self.position == "start":
            body = rf"\A{body}"
        elif self.position == "end":
            body = rf"(?:{body})\s*\Z"
        self.compiled.pattern = compile_pattern(body)
        return self

    def for_line(self, line: str) -> Required:
        """This rule held to the brand's own contact `line` (see `exact`)."""
        data = self.model_dump(exclude={"compiled"})
        return type(self).model_validate({**data, "pattern": line, "literal": True, "id": self.id})

    def relevant(self, field_name: str, channel: str | None) -> bool:
        # Plain text (a line of a .txt file) is a whole message: what must open its headline
        # must open it, and what must close its body must close it.
        copy = scopes.copy_field(field_name)
        wanted = self.field in ("text", copy) or copy == "text"
        return wanted and super().relevant(field_name, channel)

    def per_asset(self) -> bool:
        return self.field == "text"

    def text_alone(self) -> bool:
        return self.field != "text"  # the whole asset is read when no field is named

    def check(self, text: str, context: Context) -> list[Hit]:
        if self.channels and (context.channel.id if context.channel else None) not in self.channels:
            return []  # as `holds_in` decides, without the call: this runs for every asset
        if self.field == "text":
            # The whole asset: check once, on its first non-empty field.
            first = context.first or first_filled(context.asset)
            if context.asset and context.field != first:
                return []
            haystack = asset_text(context, text)
        elif (
            self.field != scopes.COPY_FIELD_OF.get(context.field, context.field)
            and context.field != "text"
        ):
            return []
        else:
            haystack = text
        assert self.compiled.pattern is not None
        if self.position != "anywhere" or self.after is not None:
            haystack = haystack.strip()
        if self.after is not None and not haystack.startswith(self.after):
            return []  # what it follows is missing: the rule requiring that reports it
        if self.compiled.pattern.search(haystack):
            return []
        first = text[:1]
        hit = self.compiled.missing.get(first)
        if hit is None:
            hit = self.compiled.missing[first] = Hit(
                0, len(first), self.format(self.pattern), first
            )
        return [hit]


class Claim(Rule):
    """Superlatives and absolutes, allowed only where the brand lists the claim as substantiated."""

    kind: ClassVar[str] = "claim"
    reads_text_alone: ClassVar[bool] = True
    tokens: list[str]
    ignorecase: bool = True
    nonword: bool = False
    exceptions: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _compile(self) -> Claim:
        self.compiled = Compiled()
        self.compiled.pattern = compile_tokens(
            self.tokens, ignorecase=self.ignorecase, nonword=self.nonword
        )
        self.compiled.exceptions = compile_exceptions(self.exceptions, ignorecase=self.ignorecase)
        return self

    def anchors(self) -> tuple[str, ...] | None:
        return literal_anchors(self.tokens)

    def check(self, text: str, context: Context) -> list[Hit]:
        return only_text(self.check_each([text], [context]))

    def check_each(
        self, texts: Sequence[str], contexts: Sequence[Context]
    ) -> list[tuple[int, list[Hit]]]:
        assert self.compiled.pattern is not None
        exceptions = self.compiled.exceptions
        checked: list[tuple[int, list[Hit]]] = []
        made: list[str] = []
        """The substantiated claims the text `made_in` makes, for its matches to be checked
        against (found at the text's first match: most texts have none)."""
        made_in = -1
        for index, offset, match in finditer_each(
            self.compiled.find, texts, self.compiled.separator
        ):
            text = texts[index]
            start, end = match.start() - offset, match.end() - offset
            if excepted(exceptions, text, start, end):
                continue
            if made_in != index:
                claims, made_in = contexts[index].claims, index
                folded = fold(text) if claims else ""
                made = [claim for claim in claims if claim in folded]
            if made and any(fold(match.group()) in claim for claim in made):
                continue  # part of a claim the brand has substantiated
            add_hit(checked, index, Hit(start, end, self.format(match.group()), match.group()))
        return checked


_HANGUL = re.compile(r"[가-힣]")

# A sentence's last predicate and the register its ending belongs to: one search finds them all.
# Each alternative opens with a literal syllable, so the engine skips ahead in C to where an
# ending could start; which register an ending belongs to is then a lookup.
_CLOSE = r"[.!?~]+[\"'”’)]*(?=\s|$)|[\"'”’)]*$|[\"'”’)]*(?=\n)"
_ENDINGS = {
    **dict.fromkeys(["습니다", "ㅂ니다", "니다", "십시오", "습니까", "니까"], "hamnida"),
    **dict.fromkeys(["요", "세요", "죠"], "haeyo"),
    **dict.fromkeys(
        ["다", "해", "자", "어", "아", "야", "지", "거든", "잖아", "했어", "할게"], "banmal"
    ),
}
# Alternatives in the order above, which decides between endings that start at one place;
# "다" is banmal unless it closes 요다 or 니다 (the latter is hamnida's).
_ENDING = re.compile(
    "("
    + "|".join("다(?<![요니]다)" if ending == "다" else ending for ending in _ENDINGS)
    + f")(?:{_CLOSE})",
    re.MULTILINE,
)
_SENTENCE_BREAK = sentence_breaks(".!?~")


def register_of(sentence: str) -> str | None:
    """The Korean register a sentence ends in (haeyo, hamnida or banmal), or None."""
    endings = registers(sentence.strip())
    return endings[-1][2] if endings and endings[-1][1] == len(sentence.strip()) else None


def registers(text: str) -> list[tuple[int, int, str]]:
    """(sentence start, sentence end, register) for each sentence of `text` that ends in a
    Korean predicate; other sentences are left out."""
    return _sentences_ending(
        text, [(m.start(), m.end(), m.group(1)) for m in _ENDING.finditer(text)]
    )


def _sentences_ending(text: str, endings: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """`registers` of `text`, given the (start, end, ending) of each predicate found in it."""
    if not endings:
        return []
    breaks = [b.end() for b in _SENTENCE_BREAK.finditer(text)]
    found = []
    for ending_start, end, ending in endings:
        index = bisect_right(breaks, ending_start)
        start = breaks[index - 1] if index else 0
        while start < end and text[start].isspace():
            start += 1
        found.append((start, end, _ENDINGS[ending]))
    return found


def _endings_by_text(texts: Sequence[str]) -> dict[int, list[tuple[int, int, str]]]:
    """The (start, end, ending) of the predicates in each of `texts` that has any, by index.

    One search over the texts joined by line breaks finds what a search of each finds: an
    ending is Hangul closed by punctuation, a line's end or the text's end, none of which
    reaches across a line break; and a line break before an ending reads as a text's start.
    """
    joined = "\n".join(texts)
    starts = list(accumulate((len(text) + 1 for text in texts[:-1]), initial=0))
    found: dict[int, list[tuple[int, int, str]]] = {}
    for match in _ENDING.finditer(joined):
        start, end = match.span()
        index = bisect_right(starts, start) - 1
        offset = starts[index]
        if index in found:
            found[index].append((start - offset, end - offset, match.group(1)))
        else:
            found[index] = [(start - offset, end - offset, match.group(1))]
    return found


class Formality(Rule):
    """One Korean register per asset: sentences in another register than `allowed` (or than the
    asset's main one) are flagged."""

    kind: ClassVar[str] = "formality"
    reads_text_alone: ClassVar[bool] = True
    allowed: list[Register] = Field(default_factory=list)

    def check(self, text: str, context: Context) -> list[Hit]:
        if not _HANGUL.search(text):
            return []  # registers are Korean
        return self._judge(text, context, registers(text))

    def check_each(
        self, texts: Sequence[str], contexts: Sequence[Context]
    ) -> list[tuple[int, list[Hit]]]:
        checked: list[tuple[int, list[Hit]]] = []
        for index, endings in _endings_by_text(texts).items():
            text = texts[index]
            if found := self._judge(text, contexts[index], _sentences_ending(text, endings)):
                checked.append((index, found))
        return checked

    def _judge(self, text: str, context: Context, found: list[tuple[int, int, str]]) -> list[Hit]:
        """Hits on the sentences of `text` (`found`: their registers) in a register astray."""
        if not found:
            return []
        allowed: Sequence[str] = self.allowed or context.formality
        if not allowed:
            counts: dict[str, int] = {}
            for *_, register in found:
                counts[register] = counts.get(register, 0) + 1
            allowed = [max(counts, key=lambda r: counts[r])]
        astray = [(s, e, r) for s, e, r in found if r not in allowed]
        if not astray:
            return []
        wanted = ", ".join(_REGISTER_NAMES[r] for r in sorted(set(allowed)))
        return [Hit(s, e, self.format(_REGISTER_NAMES[r], wanted), text[s:e]) for s, e, r in astray]


_REGISTER_NAMES = {"haeyo": "해요체", "hamnida": "합니다체", "banmal": "반말"}


class ConditionalOffer(Rule):
    """An offer such as 무료 / free needs its conditions in the same asset."""

    kind: ClassVar[str] = "conditional-offer"
    tokens: list[str]
    conditions: list[str]
    ignorecase: bool = True

    @model_validator(mode="after")
    def _compile(self) -> ConditionalOffer:
        self.compiled = Compiled()
        self.compiled.pattern = compile_tokens(self.tokens, ignorecase=self.ignorecase)
        self.compiled.conditions = compile_pattern(
            "|".join(f"(?:{c})" for c in self.conditions), re.IGNORECASE
        )
        self.compiled.conditions_possible = anchor_test(self.conditions)
        return self

    def anchors(self) -> tuple[str, ...] | None:
        return literal_anchors(self.tokens)

    def check(self, text: str, context: Context) -> list[Hit]:
        return only_text(self.check_each([text], [context]))

    def check_each(
        self, texts: Sequence[str], contexts: Sequence[Context]
    ) -> list[tuple[int, list[Hit]]]:
        assert self.compiled.pattern is not None
        checked: list[tuple[int, list[Hit]]] = []
        stated: dict[str, bool] = {}
        """Whether each asset met states the conditions (an offer may sit in two fields)."""
        for index, offset, match in finditer_each(
            self.compiled.find, texts, self.compiled.separator
        ):
            whole = asset_text(contexts[index], texts[index])
            if whole not in stated:
                stated[whole] = self.conditions_stated(whole)
            if not stated[whole]:
                start, end, offer = match.start() - offset, match.end() - offset, match.group()
                add_hit(checked, index, Hit(start, end, self.format(offer), offer))
        return checked

    def conditions_stated(self, text: str) -> bool:
        """Whether `text` states one of the offer's conditions."""
        compiled = self.compiled
        assert compiled.conditions is not None
        if compiled.conditions_possible is not None and not compiled.conditions_possible(text):
            return False  # none of the conditions' anchors: the search would fail
        return compiled.conditions.search(text) is not None


MARKETING_KINDS: dict[str, type[Rule]] = {
    kind.kind: kind for kind in (Length, Required, Claim, Formality, ConditionalOffer)
}
