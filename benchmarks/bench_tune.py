"""Tuning and statistics speed over a large decision log.

Builds a review database holding 100,000 standing decisions across 3 stages × 4 channels × 2
locales — 60 % approved, 25 % edited (recurring replacements and one-off changes), 15 % rejected
with reasons — then times `tune` (with the example brand checking candidate examples) and what
`dco stats` computes (the log read, overall and by stage, channel, locale, prompt version and
model). The log is bulk-loaded through the store, in the rows the queue itself writes, because
a hundred thousand one-transaction decisions would only time the loading.

    python benchmarks/bench_tune.py [--decisions 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from pathlib import Path

import dco
from dco.brand import Brand
from dco.generation import generate
from dco.models import Brief, FunnelStage, Variant
from dco.review import ReviewQueue
from dco.testing import FakeProvider
from dco.text.distance import copy_distance
from dco.tuning import tune
from dco.tuning.stats import summarise

CHANNELS = ("google_rsa", "naver_powerlink", "meta_feed", "kakao_friendtalk")
BRIEFS = {
    "ko-KR": Brief(product="하프 마라톤 10주 코칭", benefits=["맞춤 훈련 플랜", "매주 코치 피드백"],
                   offer="첫 주 무료", audience="첫 하프 마라톤을 준비하는 러너", locale="ko-KR"),
    "en-US": Brief(product="Half-marathon coaching", benefits=["a plan built around your week"],
                   offer="first week free", audience="first-time half marathoners",
                   locale="en-US"),
}  # fmt: skip
RECURRING = {
    "ko-KR": [
        ("저렴한", "합리적인"),
        ("신청하세요", "시작해요"),
        ("무료", "0원"),
        ("코칭", "코치 수업"),
    ],
    "en-US": [("cheap", "affordable"), ("Sign up", "Join"), ("free", "on us"), ("now", "today")],
}
REASONS = ("too-long", "wrong-tone", "off-brand", "inaccurate-claim", "duplicate", "other")
MODELS = ("gpt-4o-mini", "gpt-4.1-mini")


def base_variants() -> list[Variant]:
    """Distinct copy for every stage × channel × locale, written by the fake provider."""
    variants = []
    for brief in BRIEFS.values():
        for channel in CHANNELS:
            for stage in FunnelStage:
                for seed in range(4):
                    variants += generate(
                        brief.model_copy(update={"channel": channel}), stage=stage, n=5,
                        provider=FakeProvider(), seed=seed,
                    )  # fmt: skip
    return variants


def edited(copy: dict[str, str], locale: str, rng: random.Random) -> dict[str, str]:
    result = dict(copy)
    name = rng.choice(["headline", "body", "cta"])
    before, after = rng.choice(RECURRING[locale])
    if before in result[name] and rng.random() < 0.7:
        result[name] = result[name].replace(before, after)
    else:  # a one-off: one word swapped for another, or a word dropped
        words = result[name].split()
        index = rng.randrange(len(words))
        words[index] = rng.choice(["꼭", "함께", "really", "simply", ""]) or words[index][:-1]
        result[name] = " ".join(w for w in words if w)
    return result if result != copy else {**copy, "cta": copy["cta"] + "!"}


def build_log(path: Path, decisions: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    bases = base_variants()
    with ReviewQueue(path):
        pass  # the queue's tables, made as dco makes them; the rows go in below in one transaction
    with closing(sqlite3.connect(path)) as connection, connection as db:
        for i in range(decisions):
            base = bases[i % len(bases)]
            data = json.loads(base.model_dump_json(by_alias=True))
            variant_id = f"v_bench{i:07d}"
            data["id"] = variant_id
            version = f"p_bench{rng.randrange(6)}"
            db.execute(
                    "INSERT INTO variants (id, campaign, stage, channel, locale, prompt_version, "
                    "model, data, copy, submitted_at, status) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (variant_id, "bench", base.stage.value, base.channel, base.locale, version,
                     rng.choice(MODELS), json.dumps(data, ensure_ascii=False),
                     base.copy.model_dump_json(), float(i), "pending"),
                )  # fmt: skip
            roll = rng.random()
            copy = base.copy.fields()
            reviewer = f"reviewer{rng.randrange(8)}"
            at = f"2026-11-{1 + i % 28:02d}T09:00:00+00:00"
            if roll < 0.60:
                row = ("approve", None, None, None, "approved")
            elif roll < 0.85:
                after = edited(copy, base.locale, rng)
                row = ("edit", json.dumps(after, ensure_ascii=False), None,
                           copy_distance(copy, after), "edited")  # fmt: skip
            else:
                reasons = rng.sample(REASONS, rng.choice((1, 1, 2)))
                row = ("reject", None, json.dumps(reasons), None, "rejected")
            action, edited_json, reasons_json, distance, status = row
            cursor = db.execute(
                "INSERT INTO decisions (variant_id, action, reviewer, at, edited, reasons, "
                "distance) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (variant_id, action, reviewer, at, edited_json, reasons_json, distance),
            )
            db.execute(
                "UPDATE variants SET status = ?, decision_seq = ? WHERE id = ?",
                (status, cursor.lastrowid, variant_id),
            )


def timed(function, rounds: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result if rounds else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"dco {dco.__version__}\n")
    brand = Brand.load("runfit")
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "review.db"
        start = time.perf_counter()
        build_log(path, args.decisions)
        print(f"built a log of {args.decisions:,} decisions in {time.perf_counter() - start:.1f} s")
        with ReviewQueue(path) as queue:
            records = queue.decided()
            tune_time, profile = timed(lambda: tune(queue, brand=brand))

            def stats():
                counts = queue.decision_counts()
                return [summarise(counts)] + [
                    summarise(counts, (d,))
                    for d in ("stage", "channel", "locale", "prompt_version", "model")
                ]

            stats_time, _ = timed(stats)
        examples = sum(len(s.examples) for s in profile.sections)
        preferences = {k: len(v.preferences) for k, v in profile.locales.items()}
        print(f"tune over {len(records):,} decisions  [target < 5 s]: {tune_time:.2f} s "
              f"(best of 3; {len(profile.sections)} sections, {examples} examples, "
              f"preferences {preferences})")  # fmt: skip
        print(f"stats over {len(records):,} decisions, overall + 5 dimensions  [target < 1 s]: "
              f"{stats_time:.2f} s (best of 3)")  # fmt: skip
        edits = [r.distance for r in records if r.action == "edit"]
        print(f"    log: {len(edits):,} edits, mean edit distance {statistics.mean(edits):.3f}")


if __name__ == "__main__":
    main()
