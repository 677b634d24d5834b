"""The rule base every kind shares: `Rule`, the `Context` a rule reads, the `Hit`s it returns.

A rule checks one piece of text (a copy field, or a whole file) and returns `Hit`s; the checker
turns them into findings with lines and columns. Each kind is a pydantic model, so a rule file
with an unknown key is rejected with the nearest valid key named. Vale's kinds are in
`dco.brand.vale` (and `dco.brand.metric`), dco's own in `dco.brand.marketing`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any, ClassVar, NamedTuple

from pydantic import ConfigDict, Field, field_validator

from dco.brand import scopes
from dco.brand.joined import separator_for
from dco.brand.matching import Exceptions, Finder, finder
from dco.channels.catalog import Channel, channel_names
from dco.i18n import _, did_you_mean
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
    structure: Mapping[str, int] = default(default_factory=dict)
    """How many blocks of each kind the document holds (`heading.h1`, `list`, `pre`, ...),
    when the text checked is part of one: what `metric` formulas may count besides words."""


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


def known_channels(channels: list[str]) -> list[str]:
    """`channels`, each one the catalog knows; a typo is an error naming the nearest."""
    known = channel_names()
    for name in channels:
        if name not in known:
            raise ValueError(
                _("unknown channel {name!r}.{hint} Channels: {known}.").format(
                    name=name, hint=did_you_mean(name, known), known=", ".join(known)
                )
            )
    return channels


def _finds_nothing(text: str) -> Iterator[re.Match[str]]:
    return iter(())


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
        self.separators: str | None = None
        """For token patterns `str.split` can read (see `matching.split_separators`)."""
        self.message = ""
        """The message a kind words its hits with when it rewords the rule's own."""
        self.quotes_options = False
        """For a substitution: whether its message quotes the options itself (see Vale's
        `replace` action)."""
        self.missing: dict[str, Hit] = {}
        """For a `required` rule: its hit on a text that lacks the required text, by the
        text's first character (where it reports), made once."""

    # `find` and `separator` are worked out on first use: each costs parsing the pattern
    # again (and `find` may compile a second one), and most of a large brand's rules never
    # search a text, their anchors being absent from it.

    @functools.cached_property
    def find(self) -> Finder:
        """What finds `pattern`'s matches in a text (see `matching.finder`)."""
        if self.pattern is None:
            return _finds_nothing
        return finder(self.pattern)

    @functools.cached_property
    def separator(self) -> str | None:
        """What texts may be joined by to search them for `pattern` at once, if anything
        (see `joined.separator_for`)."""
        return separator_for(self.pattern)


class Rule(DcoModel):
    """The header every rule shares (Vale's), plus `id`, which the loader sets."""

    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)
    kind: ClassVar[str] = ""
    reads_text_alone: ClassVar[bool] = False
    """See `text_alone`; kinds that look across fields keep the default."""

    extends: str
    message: str = ""
    description: str = ""
    level: Level = "warning"  # as in Vale, for a rule that names no level
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
        return known_channels(channels)

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
        return filled(self.message or self.description or self.id, values)


@functools.lru_cache(maxsize=4096)
def filled(message: str, values: tuple[str, ...]) -> str:
    """`message` with its `%s` placeholders filled in order, a line break in a value read as
    a space (a message is one line, as Vale prints it). Cached: a brand's copy trips the same
    rules on the same words again and again."""
    for value in values:
        if "%s" not in message:
            break
        message = message.replace("%s", value.replace("\n", " ") if "\n" in value else value, 1)
    return message
