"""Selection speed: choosing the variant to serve among 10,000 approved ones with outcomes.

Fills a queue with 10,000 approved variants, tagged as the runfit context rules tag copy (indoor,
outdoor, commute, …), with a week of outcomes for most of them (some in two audience segments; a
tenth new, with none). Then times `Selector.select` — the classification of each customer's
signals, the context rules, the tag preference and a Thompson draw over the pool — for a mix of
Korean and English customers in varied situations, two ways:

- campaigns: the 10,000 spread over 5 campaigns × 2 channels × 2 locales × 3 stages, requests
  going round the 20 selectors (one per campaign, channel and locale);
- one pool: all 10,000 in one campaign, channel and locale (3,333 per stage), the worst case:
  every request draws from thousands of posteriors.

Building a selector (one read of the queue) is timed apart: it is paid once, not per request.

    python benchmarks/bench_select.py [--variants 10000] [--selections 20000]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

import dco
from dco.brand import Brand
from dco.models import Brief, Copy, FunnelStage, Provenance, Signals, Variant
from dco.outcomes.values import Outcome
from dco.review import ReviewQueue
from dco.serving.selection import Selector

TAGS = [("indoor", "rainy-day"), ("outdoor",), ("commute",), ("weekend", "long-run"), ()]
CUSTOMERS = [
    Signals(text="하프 마라톤 훈련 방법", context={"weather": "rain"}),
    Signals(text="러닝 코칭 후기 비교", context={"weather": "clear", "device": "mobile"}),
    Signals(text="하프 마라톤 코칭 가격", events=["page_view:pricing"],
            context={"time": "2026-11-23T08:10+09:00"}),
    Signals(text="", events=["add_to_cart@1h"], context={"weather": "snow"}),
    Signals(text="how to train for a half marathon", context={"time": "2026-11-28T07:00+09:00"}),
]  # fmt: skip


POOLS = [(campaign, channel, locale) for campaign in ("c1", "c2", "c3", "c4", "c5")
         for channel in ("google_rsa", "meta_feed") for locale in ("ko-KR", "en-US")]  # fmt: skip


def fill(
    queue: ReviewQueue, count: int, rng: random.Random, pools: list, outcomes: bool = True
) -> None:
    provenance = Provenance(provider="fake", model="fake-copywriter", prompt_version="p_bench")
    stages = list(FunnelStage)
    variants = []
    for i in range(count):
        campaign, channel, locale = pools[(i // 3) % len(pools)]
        brief = Brief(product=f"하프 마라톤 코칭 {i}", offer="첫 주 무료", channel=channel,
                      locale=locale, campaign=campaign)  # fmt: skip
        copy = Copy(headline=f"하프 마라톤 {i}주 완성", body="코치가 짜 주는 맞춤 훈련이에요.",
                    cta="상담 신청하기")  # fmt: skip
        variants.append(
            Variant(
                copy=copy,
                brief=brief,
                stage=stages[i % 3],
                channel=channel,
                provenance=provenance,
                tags=TAGS[(i // 3) % len(TAGS)],
                locale=locale,
            )
        )
    queue.submit(variants)
    for variant in variants:
        queue.approve(variant.id, "bench")
    if not outcomes:
        return
    recorded = []
    for variant in variants:
        if rng.random() < 0.1:
            continue  # new copy: no outcomes yet
        ctr = rng.uniform(0.005, 0.06)
        for day in range(1, 8):
            for segment in ("mobile", "desktop") if rng.random() < 0.3 else ("all",):
                impressions = rng.randint(50, 400)
                clicks = min(impressions, round(impressions * ctr * rng.uniform(0.7, 1.3)))
                recorded.append(Outcome(variant.id, impressions, clicks, 0, segment,
                                        f"2026-11-{day:02d}"))  # fmt: skip
    queue.record_outcomes(recorded)


def rate(selectors: list[Selector], selections: int) -> list[float]:
    segments = [None, "mobile", "desktop"]
    for selector in selectors:  # warm the per-stage, per-tag and per-segment caches
        for customer in CUSTOMERS:
            for segment in segments:
                selector.select(customer, segment=segment)
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        for i in range(selections):
            selectors[i % len(selectors)].select(CUSTOMERS[i % len(CUSTOMERS)],
                                                 segment=segments[i % 3])  # fmt: skip
        rates.append(selections / (time.perf_counter() - start))
    return rates


def run(label: str, pools: list, args: argparse.Namespace, rules) -> None:
    with tempfile.TemporaryDirectory() as temp, ReviewQueue(Path(temp) / "review.db") as queue:
        fill(queue, args.variants, random.Random(1), pools)
        start = time.perf_counter()
        selectors = [
            Selector(queue, channel=channel, locale=locale, campaign=campaign,
                     context_rules=rules, seed=1)
            for campaign, channel, locale in pools
        ]  # fmt: skip
        built = (time.perf_counter() - start) / len(selectors)
    sizes = sorted(len(p.ids) for s in selectors for p in s.pools.values())
    rates = rate(selectors, args.selections)
    print(f"{label}: {len(selectors)} selector(s), pools of {sizes[0]:,}–{sizes[-1]:,} variants, "
          f"each built in {built:.2f} s")  # fmt: skip
    print(f"    selections/s, one core  [target >= 5,000]: best {max(rates):,.0f}  "
          f"(rounds: {', '.join(f'{r:,.0f}' for r in rates)})")  # fmt: skip


def bandit(rng_seed: int = 7) -> None:
    """The seeded simulation the tests run: 5 variants with known CTRs, 10,000 impressions."""
    true_ctrs = [0.02, 0.03, 0.05, 0.035, 0.01]
    with tempfile.TemporaryDirectory() as temp, ReviewQueue(Path(temp) / "review.db") as queue:
        fill(queue, 15, random.Random(1), [("sim", "google_rsa", "ko-KR")], outcomes=False)
        selector = Selector(queue, channel="google_rsa", locale="ko-KR", seed=42)
    ids = selector.pools[FunnelStage.DECISION].ids
    ctr = dict(zip(ids, true_ctrs, strict=True))
    best = max(ctr, key=ctr.get)
    world = random.Random(rng_seed)
    served, regret = [], 0.0
    for _ in range(10_000):
        chosen = selector.select("하프 마라톤 코칭 가격").variant_id
        selector.observe(chosen, impressions=1, clicks=int(world.random() < ctr[chosen]))
        served.append(chosen)
        regret += ctr[best] - ctr[chosen]
    share = served[-1000:].count(best) / 1000
    print(f"seeded simulation, 5 variants with CTRs {true_ctrs}, 10,000 impressions: the best "
          f"got {share:.1%} of the last 1,000 [target >= 90 %]; cumulative regret "
          f"{regret:.1f} clicks")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--selections", type=int, default=20_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"dco {dco.__version__}: {args.variants:,} approved variants with outcomes\n")
    rules = Brand.load("runfit").context_rules
    run("campaigns", POOLS, args, rules)
    run("one pool", [("c1", "google_rsa", "ko-KR")], args, rules)
    bandit()


if __name__ == "__main__":
    main()
