"""Brand checking and `dco lint` speed.

1. Variant checks per second on one core, with the example brand, every built-in pack, and extra
   rules (existence, substitution, occurrence, claim; Korean and English) bringing it to at
   least 200 rules, as a brand with a full style guide would have; 2,000 distinct assets.
2. `dco lint` over a 10,000-line copy file, wall time including interpreter start-up, its
   JSON report written to a file as a CI job keeps it.
3. `dco lint` of hostile Markdown, emphasis nested ever deeper (`***…***text***…***`), at
   doubling sizes: the time must grow as the input does, not as its square.

    python benchmarks/bench_lint.py [--rules 200] [--lines 10000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

import dco
from dco.brand import Brand, available_packs
from dco.models import Copy
from dco.resources import bundled_dir

COPIES = [
    Copy(headline="하프 마라톤 10주 완성", body="코치가 짜 주는 맞춤 훈련으로 첫 하프를 완주해요.",
         cta="무료 상담 신청하기"),
    Copy(headline="업계 최고의 러닝 코칭", body="저렴한 가격에 대박 혜택! 지금 신청하세요!!",
         cta="지금 신청"),
    Copy(headline="(광고) 첫 주 무료", body="러닝 코칭을 오늘 시작해요.",
         cta="무료수신거부 080-123-4567"),
    Copy(headline="Your first half marathon in 10 weeks",
         body="A coach-built plan, three runs a week, for your strongest finish.",
         cta="Start your free week"),
    Copy(headline="The Best Running Coach In Seoul", body="Free coaching, guaranteed results.",
         cta="Sign up"),
]  # fmt: skip
KO_TERMS = [
    "가성비",
    "강추",
    "꿀팁",
    "역대급",
    "초특가",
    "파격",
    "할인폭탄",
    "무한",
    "완전",
    "초강력",
    "초고속",
    "레전드",
    "핵심",
    "필수",
    "진짜",
    "찐",
    "갓성비",
    "혜자",
    "알짜",
    "득템",
]
EN_TERMS = [
    "amazing",
    "incredible",
    "revolutionary",
    "unbeatable",
    "ultimate",
    "awesome",
    "insane",
    "epic",
    "massive",
    "killer",
    "crazy",
    "unreal",
    "stunning",
    "magical",
    "perfect",
    "flawless",
    "effortless",
    "instant",
    "miracle",
    "secret",
]


def build_brand(folder: Path, rules: int) -> Brand:
    shutil.copytree(bundled_dir("brand_guidelines") / "runfit", folder)
    spec = yaml.safe_load((folder / "brand.yaml").read_text(encoding="utf-8"))
    spec["packs"] = available_packs()
    (folder / "brand.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    existing = len(Brand.load(folder).rules)
    terms = [(t, "ko") for t in KO_TERMS] + [(t, "en") for t in EN_TERMS]
    for index in range(max(0, rules - existing)):
        term, language = terms[index % len(terms)]
        kind = ("existence", "substitution", "occurrence")[index % 3]
        rule = {"extends": kind, "message": f"Rule {index}: '%s'", "level": "warning"}
        if kind == "existence":
            rule |= {"tokens": [f"{term}{index}" if index >= len(terms) else term],
                     "ignorecase": language == "en"}  # fmt: skip
        elif kind == "substitution":
            rule |= {"swap": {f"{term}{index}": term}, "ignorecase": language == "en"}
        else:
            rule |= {"token": term, "max": 2}
        path = folder / "rules" / f"Extra{index:03d}.yml"
        path.write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    return Brand.load(folder)


def distinct_copies(count: int, *, every_field: bool = False) -> list[Copy]:
    """`count` different assets made from COPIES (a number worked into each headline and
    body), so that no cache keyed on the text can make repeated checks look cheap. Their calls
    to action repeat, as a campaign's do, unless `every_field` is distinct too (a batch judges
    a repeated field's text once by the rules that read only the text)."""
    made = []
    for index in range(count):
        copy = COPIES[index % len(COPIES)]
        body = f"{index}명이 함께한 {copy.body}" if index % 2 else f"{copy.body} ({index})"
        cta = f"{copy.cta} {index}" if every_field else copy.cta
        made.append(Copy(headline=f"{copy.headline} {index}", body=body, cta=cta))
    return made


def checks_per_second(
    brand: Brand, batch: int, seconds: float = 5.0, rounds: int = 5, *, every_field: bool = False
) -> tuple[float, float]:
    """Best and median rate of `brand.check_many` on batches of `batch` assets (1: `check`)."""
    copies = distinct_copies(2_000, every_field=every_field)
    for copy in copies[:50]:
        brand.check(copy, channel="sms")
    if batch == 1:
        step = 100

        def run(chunk: list[Copy]) -> None:
            for copy in chunk:
                brand.check(copy, channel="sms")
    else:
        step = batch

        def run(chunk: list[Copy]) -> None:
            brand.check_many(chunk, channel="sms")

    rates = []
    for _ in range(rounds):
        done, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / rounds:
            start_at = done % len(copies)
            run(copies[start_at : start_at + step])
            done += step
        rates.append(done / elapsed)
    return max(rates), statistics.median(rates)


def lint_wall(
    brand_dir: Path, lines: int, workdir: Path, channel: str | None = None
) -> tuple[float, int]:
    path = workdir / "copy.txt"
    texts = [c for copy in COPIES for c in copy.fields().values()]
    path.write_text("\n".join(texts[i % len(texts)] for i in range(lines)) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "dco", "lint", str(path), "--brand", str(brand_dir),
               "--format", "json", *(["--channel", channel] if channel else [])]  # fmt: skip
    report = workdir / "report.json"
    walls = []
    for _ in range(3):
        # Written to a file, as a CI job keeps its report: a pipe read by this process would
        # time this process's reading too.
        with report.open("w", encoding="utf-8") as out:
            start = time.perf_counter()
            done = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True)
            walls.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(done.stderr)
    return min(walls), report.stat().st_size


def lint_once(path: Path, brand_dir: Path) -> float:
    """One `dco lint` of `path`, its JSON report discarded: the wall time."""
    command = [sys.executable, "-m", "dco", "lint", str(path), "--brand", str(brand_dir),
               "--format", "json"]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return time.perf_counter() - start


def nesting_walls(brand_dir: Path, workdir: Path, depths: tuple[int, ...]) -> list[float]:
    """`dco lint` of Markdown whose emphasis opens `depth` deep around one line of copy, for
    each depth: the best of 3 wall times."""
    walls = []
    for depth in depths:
        path = workdir / f"nested-{depth}.md"
        path.write_text("*" * depth + "업계 최고의 코칭" + "*" * depth + "\n", encoding="utf-8")
        walls.append(min(lint_once(path, brand_dir) for _ in range(3)))
    return walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else None
    if cores:
        os.sched_setaffinity(0, {min(cores)})  # checks per second on one core
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "brand"
        brand = build_brand(folder, args.rules)
        packs = ", ".join(available_packs())
        print(
            f"dco {dco.__version__}: brand with {len(brand.rules)} rules "
            f"(example brand + packs {packs} + extra rules)\n"
        )
        print("variant checks/s (headline+body+cta, channel sms)  [target >= 18,000]:")
        runs = (
            (100, False, "check_many, batches of 100"),
            (100, True, "  the same, no field repeated"),
            (1, False, "check, one at a time"),
        )
        for batch, every_field, how in runs:
            best, median = checks_per_second(brand, batch, every_field=every_field)
            print(f"    {how:30} best {best:,.0f}  median {median:,.0f}")
        if cores:
            os.sched_setaffinity(0, cores)  # `dco lint` as a user runs it, the machine's cores free
        for channel in (None, "sms"):
            wall, size = lint_wall(folder, args.lines, Path(temp), channel)
            held = f", --channel {channel} (its limits checked too)" if channel else ""
            print(
                f"dco lint, {args.lines:,}-line file, JSON out{held}  [target < 1 s]: "
                f"{wall:.2f} s wall including start-up (best of 3; {size:,} bytes of output)"
            )
            print(f"    = {args.lines / wall:,.0f} lines/s")
        depths = (25_000, 50_000, 100_000)
        walls = nesting_walls(folder, Path(temp), depths)
        shown = "; ".join(f"{d:,} deep {w:.2f} s" for d, w in zip(depths, walls, strict=True))
        print(f"dco lint, Markdown emphasis nested ever deeper (best of 3, start-up included): "
              f"{shown}; x4 the input took x{walls[-1] / walls[0]:.1f} the time "
              "[target: about x4 or less]")  # fmt: skip


if __name__ == "__main__":
    main()
