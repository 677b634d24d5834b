"""What a run cost: its spend in requests and tokens, priced from `dco/data/prices.yaml`."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from dco.generation.pipeline import Spend
from dco.i18n import _, counted
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


@functools.cache
def batch_share() -> float:
    """The share of the direct price that the Batch API charges for the same tokens."""
    document = load_data("prices.yaml")
    share = document.data.get("batch_discount", 0.5) if isinstance(document.data, dict) else 0.5
    return float(share)


def spend_line(spend: Spend, accepted: int, model: str, *, batch: bool = False) -> str:
    """One line on what a run cost, for the end of `dco generate` (`batch`: at the Batch API's
    price, with the direct price for the same tokens beside it), in the language in use."""
    line = _("{requests} ({repairs}, {retries} retried), {prompt} prompt + {completion} "
             "completion tokens").format(
        requests=counted(spend.requests, "request"),
        repairs=counted(spend.repairs, "repair round"),
        retries=spend.retries,
        prompt=f"{spend.prompt_tokens:,}",
        completion=f"{spend.completion_tokens:,}",
    )  # fmt: skip
    if accepted:
        line += _(", {tokens} per accepted variant").format(
            tokens=f"{round(spend.tokens / accepted):,}"
        )
    price = price_of(model)
    if price is not None and batch:
        priced = _("; {batch_price} at {model}'s Batch API price ({direct_price} sent directly)")
        line += priced.format(
            batch_price=f"${price.of(spend) * batch_share():,.4f}", model=model,
            direct_price=f"${price.of(spend):,.4f}",
        )  # fmt: skip
    elif price is not None:
        line += _("; {price} at {model}'s price").format(
            price=f"${price.of(spend):,.4f}", model=model
        )
    elif spend.tokens:
        line += _(" (no price for {model} in dco/data/prices.yaml)").format(model=model)
    return line


def spend_data(spend: Spend, model: str, *, batch: bool = False) -> dict[str, object]:
    """What a run cost, for JSON: the counts, and the price in US dollars (None when
    `prices.yaml` has none for `model`); `batch`: at the Batch API's price, with the direct
    price for the same tokens beside it."""
    price = price_of(model)
    direct = price.of(spend) if price is not None else None
    data: dict[str, object] = {
        "requests": spend.requests, "repairs": spend.repairs, "retries": spend.retries,
        "prompt_tokens": spend.prompt_tokens, "completion_tokens": spend.completion_tokens,
    }  # fmt: skip
    if batch:
        data["usd"] = direct * batch_share() if direct is not None else None
        data["usd_sent_directly"] = direct
    else:
        data["usd"] = direct
    return data
