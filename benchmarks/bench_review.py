"""Review queue speed: submitting variants, and decisions from several reviewer processes at once.

python benchmarks/bench_review.py [--variants 100000] [--decisions 10000] [--processes 4]
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from pathlib import Path

import dco
from dco.models import Brief, Copy, FunnelStage, Provenance, Variant
from dco.review import ReviewQueue


def make_variants(count: int, tag: str) -> list[Variant]:
    brief = Brief(product="하프 마라톤 10주 코칭", benefits=["맞춤 훈련 플랜"], offer="첫 주 무료",
                  channel="google_rsa", campaign=f"bench-{tag}")  # fmt: skip
    provenance = Provenance(provider="fake", model="fake-copywriter", prompt_version="p_bench")
    return [
        Variant(copy=Copy(headline=f"하프 마라톤 {i} 완성", body="코치가 짜 주는 맞춤 훈련이에요.",
                          cta="상담 신청하기"),
                brief=brief, stage=FunnelStage.DECISION, channel="google_rsa",
                provenance=provenance)
        for i in range(count)
    ]  # fmt: skip


def reviewer(path: str, name: str, quota: int, counter) -> None:
    with ReviewQueue(path) as queue:
        done = 0
        while done < quota and (claimed := queue.claim(name)) is not None:
            queue.approve(claimed.variant.id, name)
            done += 1
        with counter.get_lock():
            counter.value += done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--app-variants", type=int, default=10_000)
    args = parser.parse_args()
    print(f"dco {dco.__version__}\n")
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "review.db"
        variants = make_variants(args.variants, "submit")
        with ReviewQueue(path) as queue:
            start = time.perf_counter()
            for i in range(0, len(variants), 1000):
                queue.submit(variants[i : i + 1000])
            elapsed = time.perf_counter() - start
        print(f"submit {args.variants:,} variants (batches of 1,000)  [target >= 20,000/s]: "
              f"{args.variants / elapsed:,.0f}/s ({elapsed:.2f} s)")  # fmt: skip

        path = Path(temp) / "decisions.db"
        with ReviewQueue(path) as queue:
            queue.submit(make_variants(args.decisions, "decide"))
        counter = multiprocessing.Value("i", 0)
        quota = -(-args.decisions // args.processes)
        workers = [
            multiprocessing.Process(target=reviewer, args=(str(path), f"r{i}", quota, counter))
            for i in range(args.processes)
        ]
        start = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - start
        with ReviewQueue(path) as queue:
            stats = queue.stats()
        lost = counter.value - stats["approved"]
        print(f"{counter.value:,} decisions (claim + approve) from {args.processes} processes  "
              f"[target >= 1,000/s]: {counter.value / elapsed:,.0f}/s ({elapsed:.2f} s); "
              f"recorded {stats['approved']:,}, lost {lost}")  # fmt: skip
    app_keypress(args.app_variants)


def app_keypress(count: int) -> None:
    """Open the review app on a queue of `count` variants and time keypresses (move, approve).

    Driven headless by Textual's Pilot, whose own cost per key (press, wait for idle) is measured
    with a key the app does not bind and subtracted: what remains is the app's work for the key,
    from the key event to the repainted screen.
    """
    import asyncio
    import statistics as stats

    from dco.review.app import create_app

    with tempfile.TemporaryDirectory() as temp, ReviewQueue(Path(temp) / "app.db") as queue:
        queue.submit(make_variants(count, "app"))
        app = create_app(queue, "bench")

        async def timed(pilot, key: str, times: int = 30) -> float:
            samples = []
            for _ in range(times):
                begin = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                samples.append(time.perf_counter() - begin)
            return stats.median(samples) * 1000

        async def run() -> tuple[float, float, float, float]:
            started = time.perf_counter()
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                opened = time.perf_counter() - started
                baseline = await timed(pilot, "x")  # not bound: Pilot's own cost
                move = await timed(pilot, "j")
                approve = await timed(pilot, "a")
                return opened, baseline, move, approve

        opened, baseline, move, approve = asyncio.run(run())
    print(
        f"app on a {count:,}-variant queue: opened in {opened:.2f} s; per key, beyond Pilot's "
        f"own {baseline:.0f} ms  [target < 50 ms]: move {move - baseline:.1f} ms, "
        f"approve {approve - baseline:.1f} ms (medians of 30)"
    )


if __name__ == "__main__":
    main()
