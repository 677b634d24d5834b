"""Batch API speed: a campaign's briefs to Batch JSONL, and the replies back through the checks.

python benchmarks/bench_batch.py [--briefs 100000] [--workers N]

The provider's side is played locally (the "upload" keeps the file; the "batch" answers every
line with two variants that pass the checks, the second with a warning for its reviewer, as
"주 3회" is no figure of its brief: dco.NotInBrief), so what is timed is dco's own work each
way: planning and rendering each brief's request and writing the input file; then reading the
output file, replaying each brief's generation on its reply, checking and accepting the
variants. Both ways run in one worker process per core unless --workers says otherwise. Peak
memory is read after each way, for this process and for the largest worker. Briefs, requests
and replies are streamed, never held whole; what grows with the campaign is collect's index of
where each reply sits in the downloaded files, 22 bytes a brief for each step (under 3 MB for
100,000 briefs answered in one round). Each figure is followed by what a brief cost in CPU, in
this process and in the workers, and the rate that allows on the cores this process may use.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

import dco
from dco.generation.batch_jobs import collect_batch, submit_batch
from dco.generation.workers import cores
from dco.models import Brief
from dco.providers.base import BatchStatus
from dco.providers.openai import OpenAIProvider


class LocalBatches(OpenAIProvider):
    """The OpenAI provider's request and reply handling, with the Batch API played on disk."""

    def __init__(self, folder: Path) -> None:
        super().__init__(model="gpt-4o-mini", api_key="sk-local")
        self.folder = folder
        self.seconds = 0.0
        """Time spent playing the provider's side, taken out of dco's figures."""

    def upload_batch_input(self, path, name):
        begin = time.perf_counter()
        file_id = f"local-{len(list(self.folder.glob('input-*.jsonl'))) + 1}"
        shutil.copy(path, self.folder / f"input-{file_id}.jsonl")
        (self.folder / f"name-{file_id}").write_text(name)
        self.seconds += time.perf_counter() - begin
        return file_id

    def has_file(self, file_id):
        return (self.folder / f"input-{file_id}.jsonl").exists()

    def find_file(self, name, size, since=None):
        for named in self.folder.glob("name-*"):
            file_id = named.name.removeprefix("name-")
            kept = self.folder / f"input-{file_id}.jsonl"
            if named.read_text() == name and kept.stat().st_size == size:
                return file_id
        return None

    def start_batch(self, input_file, metadata):
        return input_file  # the batch answers the file it was made of (see download)

    def find_batch(self, metadata, since=None):
        return None

    def batch_status(self, batch_id):
        return BatchStatus(batch_id, "completed", output_file=batch_id)

    def download(self, file_id, path, *, most_lines):
        begin = time.perf_counter()
        with (self.folder / f"input-{file_id}.jsonl").open(encoding="utf-8") as lines, \
                open(path, "w", encoding="utf-8") as out:  # fmt: skip
            for line in lines:
                request = json.loads(line)
                prompt = request["body"]["messages"][-1]["content"]
                number = prompt[prompt.find("코칭 ") + 3 :].split('"')[0]
                copy = {"variants": [
                    {"headline": f"마라톤 {number} 완성", "body": "코치와 함께 달려요.",
                     "cta": "신청하기"},
                    {"headline": f"{number}주 훈련 플랜", "body": "주 3회면 충분해요.",
                     "cta": "상담 받기"},
                ]}  # fmt: skip
                body = {"model": "gpt-4o-mini", "usage": {"prompt_tokens": 400,
                        "completion_tokens": 60}, "choices": [{"index": 0, "finish_reason":
                        "stop", "message": {"role": "assistant", "content":
                        json.dumps(copy, ensure_ascii=False)}}]}  # fmt: skip
                out.write(json.dumps({"custom_id": request["custom_id"], "response":
                                      {"status_code": 200, "body": body}},
                                     ensure_ascii=False) + "\n")  # fmt: skip
        self.seconds += time.perf_counter() - begin


def briefs(count: int):
    for number in range(count):
        yield Brief(product=f"하프 마라톤 코칭 {number}", offer="첫 주 무료", channel="google_rsa")


class Counter:
    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, variants) -> int:
        self.submitted += len(variants)
        return len(variants)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peak_mb() -> float:
    """The largest finished child's peak (the workers are forked from this process, so much
    of it is pages they share with it)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_seconds() -> tuple[float, float]:
    """CPU used so far by this process and by its finished workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime


def cpu_line(briefs: int, before: tuple[float, float], played: float) -> str:
    """What a brief cost in CPU, here and in the workers, and the most briefs a second that
    allows on the cores this process may use: the figure that carries to another machine."""
    (own_now, workers_now), (own_then, workers_then) = cpu_seconds(), before
    own = own_now - own_then - played  # the provider's side, played here, is not dco's work
    workers = workers_now - workers_then
    per_brief = (own + workers) / briefs
    return (
        f"  CPU a brief: {own / briefs * 1e6:,.0f} µs here + {workers / briefs * 1e6:,.0f} µs "
        f"in workers; at most {cores() / per_brief:,.0f}/s on {cores()} cores"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=100_000)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes that render the requests and check the replies (default: one per core)",
    )
    args = parser.parse_args()
    options = {"stage": "decision", "n": 2, "seed": 7}
    print(f"dco {dco.__version__}\n")
    with tempfile.TemporaryDirectory() as temp:
        provider = LocalBatches(Path(temp))
        start, cpu = time.perf_counter(), cpu_seconds()
        job = submit_batch(briefs(args.briefs), provider=provider, folder=Path(temp),
                           workers=args.workers, **options)  # fmt: skip
        elapsed = time.perf_counter() - start - provider.seconds
        print(
            f"{args.briefs:,} briefs to Batch JSONL, in {job.current.parts} "
            f"batch{'es' if job.current.parts > 1 else ''}  "
            f"[target >= 5,000/s]: {args.briefs / elapsed:,.0f}/s ({elapsed:.1f} s); "
            f"peak memory {peak_mb():,.0f} MB, largest worker {worker_peak_mb():,.0f} MB"
        )
        print(cpu_line(args.briefs, cpu, provider.seconds))
        provider.seconds = 0.0
        sink = Counter()
        start, cpu = time.perf_counter(), cpu_seconds()
        collected = collect_batch(job, provider=provider, sink=sink, workers=args.workers,
                                  **options)  # fmt: skip
        elapsed = time.perf_counter() - start - provider.seconds
        assert collected.done and sink.submitted == 2 * args.briefs, collected
        print(
            f"{args.briefs:,} replies through the checks  [target >= 5,000/s]: "
            f"{args.briefs / elapsed:,.0f}/s ({elapsed:.1f} s), {collected.accepted:,} "
            f"variants accepted; peak memory {peak_mb():,.0f} MB, "
            f"largest worker {worker_peak_mb():,.0f} MB"
        )
        print(cpu_line(args.briefs, cpu, provider.seconds))


if __name__ == "__main__":
    main()
