"""The funnel stage with a language model's second opinion where the offline classifier is unsure.

`dco.classify` is this module's `classify`: offline (the lexicon and the learned layer, as
`dco.funnel.classify`) unless given a `provider`, which is then asked about the customers the
offline classifier is least sure of (`ask_below`), or about every one (`always_ask`). The result's
`decided_by` says which answered. The asking itself (`SecondOpinion`) lives in `asking.py` and is
imported only when a provider is given, so offline classification stays light.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dco.funnel import Classifier, Lexicon, default_classifier
from dco.models import Signals, StageResult

if TYPE_CHECKING:
    from dco.opinion.asking import SecondOpinion
    from dco.providers.base import Provider


def classify(
    signals: Signals | str,
    *,
    lexicon: Lexicon | None = None,
    provider: Provider | str | None = None,
    ask_below: float = 0.6,
    always_ask: bool = False,
) -> StageResult:
    """Classify a customer's signals, or a bare search text, into a funnel stage.

    Offline by default. With a `provider` (a `Provider`, or a name such as "openai/gpt-4o-mini"),
    a language model gives a second opinion when the offline confidence is below `ask_below`, or
    always with `always_ask`. With a custom `lexicon`, each call compiles it; to classify many,
    use `classify_many` or build a `dco.Classifier` once.

    >>> classify("하프 마라톤 목표 설정 방법").stage
    <FunnelStage.AWARENESS: 'awareness'>
    """
    return classify_many([signals], lexicon=lexicon, provider=provider, ask_below=ask_below,
                         always_ask=always_ask)[0]  # fmt: skip


def classify_many(
    items: Iterable[Signals | str],
    *,
    lexicon: Lexicon | None = None,
    provider: Provider | str | None = None,
    ask_below: float = 0.6,
    always_ask: bool = False,
) -> list[StageResult]:
    """Classify a batch, compiling the lexicon once, and with a `provider` asking the model about
    the customers the offline classifier is unsure of (as `classify` does)."""
    classifier = default_classifier() if lexicon is None else Classifier(lexicon)
    if provider is None:
        return classifier.classify_many(items)
    opinion = second_opinion(provider, ask_below=ask_below, always_ask=always_ask)
    return Asking(classifier, opinion).classify_many(items)


@dataclass(frozen=True)
class Asking:
    """An offline classifier, and a language model asked where it is unsure: classifies as
    `dco.Classifier` does."""

    offline: Classifier
    opinion: SecondOpinion

    def classify(self, signals: Signals | str) -> StageResult:
        """The offline answer, or the model's where the offline one is unsure."""
        signals = Signals(text=signals) if isinstance(signals, str) else signals
        result = self.offline.classify(signals)
        return self.opinion.ask(signals, result) if self.opinion.wanted(result) else result

    def classify_many(self, items: Iterable[Signals | str]) -> list[StageResult]:
        """`classify` for each of `items`."""
        return [self.classify(item) for item in items]


def second_opinion(
    provider: Provider | str, *, ask_below: float = 0.6, always_ask: bool = False
) -> SecondOpinion:
    """A `SecondOpinion` from `provider` (a `Provider`, or a name for `get_provider`)."""
    from dco.opinion.asking import SecondOpinion
    from dco.providers import get_provider

    model = get_provider(provider) if isinstance(provider, str) else provider
    return SecondOpinion(model, below=ask_below, always=always_ask)


__all__ = ["Asking", "classify", "classify_many", "second_opinion"]
