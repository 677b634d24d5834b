"""dco against a real model behind a real OpenAI-compatible server: what it returns, and what
dco makes of it, brief by brief.

    export OPENAI_API_KEY=local OPENAI_BASE_URL=http://127.0.0.1:8090/v1 DCO_MODEL=gemma-3-270m
    python benchmarks/real_model.py [--all] [--n 3] [--brand runfit] [--timeout 300]

A fixed set of Korean and English briefs, one per channel with the stages taken in turn
(`--all`: every channel at every stage, in both languages), each generated through the OpenAI
provider with the example brand's checks. For each brief it prints the requests, the tokens the
server counted, the seconds, how many variants came through, what was discarded and why, and
the variants with the warnings their reviewers will see. A small base model writes poor copy;
the point is that dco handles whatever comes back correctly and says what happened. For a
person to run by hand, never in CI.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

from dco.brand import Brand
from dco.channels.catalog import channel_names
from dco.errors import DcoError
from dco.generation import generate
from dco.models import Brief, FunnelStage
from dco.providers import get_provider

PRODUCTS = {
    "ko-KR": ("하프 마라톤 10주 코칭", "첫 주 무료", "처음 하프를 뛰는 30대 직장인"),
    "en-US": ("10-week half-marathon coaching", "first week free", "first-time half runners"),
}


def briefs(every: bool) -> list[tuple[Brief, FunnelStage]]:
    stages = list(FunnelStage)
    chosen = []
    for index, channel in enumerate(channel_names()):
        locales = list(PRODUCTS) if every else [list(PRODUCTS)[index % 2]]
        for locale in locales:
            product, offer, audience = PRODUCTS[locale]
            brief = Brief(product=product, offer=offer, audience=audience, channel=channel,
                          locale=locale)  # fmt: skip
            for stage in stages if every else [stages[index % len(stages)]]:
                chosen.append((brief, stage))
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every channel, stage and language")
    parser.add_argument("--n", type=int, default=3, help="variants per brief")
    parser.add_argument("--brand", default="runfit", help="brand folder or built-in name")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per reply")
    args = parser.parse_args()
    if not os.environ.get("OPENAI_BASE_URL"):
        sys.exit("set OPENAI_BASE_URL (and OPENAI_API_KEY, DCO_MODEL) to the server to try")
    provider = get_provider("openai", timeout=args.timeout)
    brand = Brand.load(args.brand)
    print(f"model {provider.model} at {os.environ['OPENAI_BASE_URL']}, n={args.n}\n")
    totals: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for brief, stage in briefs(args.all):
        started = time.perf_counter()
        head = f"{brief.locale} {brief.channel:17} {stage.value:13}"
        try:
            result = generate(brief, stage=stage, n=args.n, brand=brand, provider=provider)
        except DcoError as e:
            print(f"{head} FAILED {type(e).__name__}: {e}\n")
            totals.update(failed=1)
            continue
        seconds = time.perf_counter() - started
        spend = result.spend
        kinds = Counter(d.reason.split(":")[0].split(" of variant")[0] for d in result.discarded)
        reasons.update(kinds)
        totals.update(briefs=1, requests=spend.requests, prompt=spend.prompt_tokens,
                      completion=spend.completion_tokens, accepted=len(result),
                      discarded=len(result.discarded), unwritten=result.unwritten)  # fmt: skip
        totals["seconds"] += round(seconds)
        discarded = ", ".join(f"{n} {k}" for k, n in kinds.items()) or "none"
        print(
            f"{head} {spend.requests} req, {spend.prompt_tokens}+{spend.completion_tokens} tok, "
            f"{seconds:.0f} s: {len(result)}/{args.n} accepted; discarded: {discarded}"
            + (f"; never written: {result.unwritten}" if result.unwritten else "")
        )
        for variant in result:
            copy = variant.copy
            print(f"    + {copy.headline!r} / {copy.body!r} / {copy.cta!r}")
            for finding in variant.findings:  # kept, but with what its reviewer must weigh
                print(f"      {finding.level} [{finding.rule}] {finding.message}")
        for item in result.discarded[:4]:
            shown = repr(item.copy.headline) if item.copy else "(reply)"
            print(f"    - {shown}: {item.reason[:150]}")
        print()
    print(
        f"{totals['briefs']} briefs ({totals['failed']} failed): {totals['requests']} requests, "
        f"{totals['prompt']:,} + {totals['completion']:,} tokens, {totals['seconds']} s; "
        f"{totals['accepted']} variants accepted, {totals['discarded']} discarded, "
        f"{totals['unwritten']} never written (a reply short of what was asked)"
    )
    for reason, count in reasons.most_common():
        print(f"    {count:4}  {reason}")


if __name__ == "__main__":
    main()
