"""Classifier, training and measurer throughput on one core.

Prints classifications per second over mixed Korean/English signals (the labelled sets: search
texts, event mixes, both) with the learned layer and with the lexicon alone; the time to train
the learned layer on 100,000 labelled rows (read, observe, fit: what `dco classify --train
--folds 0` does); and `dco.measure` calls per second on short strings, per unit.

    python benchmarks/bench_classify.py [--seconds 2] [--train-rows 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import dco
from dco.funnel import Classifier, default_classifier
from dco.funnel.evaluation import read_labelled
from dco.funnel.training import fit, observe_all

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TRAINING = ROOT / "training" / "funnel" / "train.jsonl"

SHORT_STRINGS = [
    "하프 마라톤 10주 완성 프로그램",
    "Your first half marathon in 10 weeks",
    "첫 주 무료 코칭",
    "Start your free week",
    "(광고) 러닝 코칭 20% 할인",
    "코치가 짜 주는 주 3회 훈련",
    "Coach-built plans, 3 runs a week",
    "지금 신청하세요",
]


def rate(label: str, items: list, call: Callable, seconds: float, rounds: int = 5) -> float:
    """Calls per second of `call(item)` over `items`: the best and the median of `rounds` rounds.

    The best round is the figure to compare (other load on the machine only ever slows a round
    down); the median shows how steady the figure was.
    """
    for item in items:  # warm caches (compiled tables, lexicon) outside the timing
        call(item)
    rates = []
    for _ in range(rounds):
        done, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / rounds:
            for item in items:
                call(item)
            done += len(items)
        rates.append(done / elapsed)
    best, median = max(rates), statistics.median(rates)
    print(f"{label:<60} best {best:>11,.0f} /s   median {median:>11,.0f} /s")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--train-rows", type=int, default=100_000, help="rows to train on")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rows = read_labelled(DATA / "funnel_dev.jsonl") + read_labelled(DATA / "funnel_holdout.jsonl")
    signals = [row.signals for row in rows]
    texts = [s.text for s in signals if s.text]
    raw_rows = [json.loads(line) for line in (DATA / "funnel_dev.jsonl").read_text().splitlines()]
    for row in raw_rows:
        row.pop("stage")
    classifier = default_classifier()

    print(f"dco {dco.__version__}, Python {platform.python_version()}, one core")
    print(f"{len(signals)} signals ({len(texts)} with text), {len(SHORT_STRINGS)} short strings\n")
    rate(
        "classify(Signals), lexicon + learned  [target >= 20,000/s]",
        signals,
        classifier.classify,
        args.seconds,
    )
    rate("classify(Signals), lexicon alone", signals, Classifier(model=None).classify, args.seconds)
    rate("classify(str)", texts, classifier.classify, args.seconds)
    rate(
        "classify(Signals.model_validate(dict))  incl. parsing",
        raw_rows,
        lambda row: classifier.classify(dco.Signals.model_validate(row)),
        args.seconds,
    )
    print()
    train(args.train_rows)
    print()
    for unit in ("google_width", "chars", "graphemes", "cp949_bytes"):
        target = "  [target >= 500,000/s]" if unit == "google_width" else ""
        rate(
            f"measure(short, {unit!r}){target}",
            SHORT_STRINGS,
            lambda s, u=unit: dco.measure(s, u),
            args.seconds,
        )


def train(rows: int) -> None:
    """Time training on `rows` labelled rows: the shipped training set, repeated to that size."""
    lines = [line for line in TRAINING.read_text(encoding="utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "labelled.jsonl"
        path.write_text("\n".join(lines[i % len(lines)] for i in range(rows)) + "\n", "utf-8")
        started = time.perf_counter()
        labelled = read_labelled(path)
        read = time.perf_counter()
        observations = observe_all(Classifier(model=None), labelled)
        observed = time.perf_counter()
        model = fit(observations, [row.stage for row in labelled])
        done = time.perf_counter()
    print(
        f"train on {rows:,} rows  [target < 30 s]: {done - started:.1f} s "
        f"(read {read - started:.1f} s, observe {observed - read:.1f} s, "
        f"fit {done - observed:.1f} s; {len(model.features):,} features)"
    )


if __name__ == "__main__":
    main()
