"""What a run cost: its spend in requests and tokens, priced from `dco/data/prices.yaml`."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from dco.generation.pipeline import Spend
from dco.resources import load_data


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens, in and out."""

    input: float
    output: float

    def of(self, spend: Spend) -> float:
        return (spend.prompt_tokens * self.input + spend.completion_tokens * self.output) / 1e6


@functools.cache
def _prices() -> dict[str, Price]:
    document = load_data("prices.yaml")
    models = document.data.get("models", {}) if isinstance(document.data, dict) else {}
    return {str(name): Price(float(p["input"]), float(p["output"])) for name, p in models.items()}


def price_of(model: str) -> Price | None:
    """The price of `model`: its own entry, or the longest listed name it starts with."""
    prices = _prices()
    for name in sorted(prices, key=len, reverse=True):
        if model == name or model.startswith(f"{name}-"):
            return prices[name]
    return None


def spend_line(spend: Spend, accepted: int, model: str) -> str:
    """One line on what a run cost, for the end of `dco generate`."""
    line = (
        f"{spend.requests} request{'s' if spend.requests != 1 else ''} "
        f"({spend.repairs} repair round{'s' if spend.repairs != 1 else ''}, {spend.retries} "
        f"retried), {spend.prompt_tokens:,} prompt + {spend.completion_tokens:,} completion "
        f"tokens"
    )
    if accepted:
        line += f", {round(spend.tokens / accepted):,} per accepted variant"
    price = price_of(model)
    if price is not None:
        line += f"; ${price.of(spend):,.4f} at {model}'s price"
    elif spend.tokens:
        line += f" (no price for {model} in dco/data/prices.yaml)"
    return line
