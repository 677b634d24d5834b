"""Collecting a batch in worker processes: the real `openai` SDK against the local Batch API
mock, with the replies replayed in forked workers a few briefs at a time."""

import multiprocessing
import os

import pytest

from dco.errors import ConfigError, OptionError, WorkerError
from dco.generation import batch_replay, workers
from dco.generation.batch_jobs import collect_batch, submit_batch
from dco.models import Brief
from tests.batch_server import batch_server
from tests.generation.test_batch_jobs import OPTIONS, briefs, copywriter, provider

pytestmark = pytest.mark.skipif(
    not workers.can_fork(),
    reason="workers are forked; without fork, collecting runs in one process",
)


class Kept:
    """A sink that keeps what it is given, in order."""

    def __init__(self):
        self.ids = []

    def submit(self, variants):
        self.ids += [v.id for v in variants]
        return len(variants)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of two briefs, so six briefs cross processes in several chunks."""
    monkeypatch.setattr(workers, "CHUNK", 2)


def collect(server, folder, workers, **options):
    """Submit six briefs (one refused, each needing a repair) and collect them once."""
    llm = provider(server)
    job = submit_batch(briefs(6), provider=llm, folder=folder, **OPTIONS)
    sink, heard = Kept(), []
    collected = collect_batch(
        job, provider=llm, sink=sink, workers=workers,
        on_result=lambda index, result, failure: heard.append(index), **OPTIONS, **options,
    )  # fmt: skip
    return job, collected, sink, heard


def test_workers_give_what_one_process_gives_in_brief_order(tmp_path, small_chunks):
    answer = copywriter(refuse="수영 강습", long_first_round=True)
    with batch_server(answer, polls=1) as server:
        outcomes = {w: collect(server, tmp_path / str(w), w) for w in (1, 3)}
    (job_one, one, _, heard_one), (job_three, three, _, heard_three) = outcomes[1], outcomes[3]
    assert heard_three == heard_one == [2]  # the refused brief; the others go to repair
    failed = [(f.index, f.error) for f in one.failures]
    assert [(f.index, f.error) for f in three.failures] == failed and len(failed) == 1

    def carried(job):
        lines = (job.folder / "round-2.input.jsonl").read_text(encoding="utf-8").splitlines()
        return [line.split('"custom_id": "')[1].split('"')[0] for line in lines]

    assert carried(job_three) == carried(job_one) and len(carried(job_one)) == 5


def test_repaired_briefs_come_back_in_order_from_workers(tmp_path, small_chunks):
    with batch_server(copywriter(long_first_round=True), polls=1) as server:
        results = {}
        for count in (1, 2):
            llm = provider(server)
            job = submit_batch(briefs(6), provider=llm, folder=tmp_path / str(count), **OPTIONS)
            collect_batch(job, provider=llm, workers=count, **OPTIONS)  # round 1: repairs
            sink, heard = Kept(), []
            final = collect_batch(job, provider=llm, sink=sink, workers=count, **OPTIONS,
                                  on_result=lambda i, r, f, to=heard: to.append(i))  # fmt: skip
            results[count] = (final.done, final.accepted, sink.ids, heard)
    assert results[2] == results[1]
    done, accepted, ids, heard = results[2]
    assert done and accepted == 12 and heard == list(range(6)) and len(set(ids)) == 12


def test_direct_repairs_of_briefs_replayed_in_workers_are_asked_once(tmp_path, small_chunks):
    with batch_server(copywriter(long_first_round=True), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(6), provider=llm, folder=tmp_path, **OPTIONS)
        sink = Kept()
        collected = collect_batch(job, provider=llm, sink=sink, direct=True, workers=2,
                                  **OPTIONS)  # fmt: skip
        assert collected.done and collected.accepted == 12 and server.direct == 6
        again = collect_batch(job, provider=llm, sink=Kept(), direct=True, workers=2, **OPTIONS)
        assert again.accepted == 12 and server.direct == 6  # read from direct.jsonl
        assert len(server.created) == 1


def test_a_worker_that_dies_loses_nothing_and_collecting_again_finishes(
    tmp_path, small_chunks, monkeypatch
):
    parent = os.getpid()
    replay = batch_replay.Replayer.__call__

    def dies_on_the_fourth(self, index, line):
        if index == 3 and os.getpid() != parent:
            os._exit(9)  # as a worker killed by the system would
        return replay(self, index, line)

    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(6), provider=llm, folder=tmp_path, **OPTIONS)
        monkeypatch.setattr(batch_replay.Replayer, "__call__", dies_on_the_fourth)
        with pytest.raises(WorkerError, match="nothing is lost, collect again"):
            collect_batch(job, provider=llm, sink=Kept(), workers=2, **OPTIONS)
        monkeypatch.setattr(batch_replay.Replayer, "__call__", replay)
        sink = Kept()
        collected = collect_batch(job, provider=llm, sink=sink, workers=2, **OPTIONS)
    assert collected.done and collected.accepted == 12 and len(set(sink.ids)) == 12
    assert len(server.created) == 1


def test_an_error_for_the_whole_job_met_in_a_worker_reaches_the_caller(tmp_path, small_chunks):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(6), provider=llm, folder=tmp_path, **OPTIONS)
        # The first brief is replayed before the workers start; the same brief sent with
        # other options than the rest is the one case a worker alone sees.
        lines = job.path("briefs.jsonl").read_text(encoding="utf-8").splitlines()
        moved = Brief.model_validate_json(lines[4]).model_copy(update={"offer": "둘째 주 무료"})
        lines[4] = moved.model_dump_json()
        job.path("briefs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(OptionError, match="options the batch was submitted with"):
            collect_batch(job, provider=llm, workers=2, **OPTIONS)


def test_a_briefs_file_changed_since_it_was_sent_is_named_with_its_line(tmp_path, small_chunks):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(6), provider=llm, folder=tmp_path, **OPTIONS)
        path = job.path("briefs.jsonl")
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[4] = '{"product": 3}'
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=r"briefs\.jsonl line 5: not a brief dco wrote"):
            collect_batch(job, provider=llm, workers=2, **OPTIONS)


def test_a_callback_that_raises_stops_the_workers_before_the_error_reaches_the_caller(
    tmp_path, small_chunks
):
    def fails_on_the_third(index, result, failure):
        if index == 2:
            raise RuntimeError("the caller's own bug")

    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(6), provider=llm, folder=tmp_path, **OPTIONS)
        try:
            collect_batch(job, provider=llm, workers=2, on_result=fails_on_the_third, **OPTIONS)
        except RuntimeError as error:  # held, with its traceback, as a caller may hold it
            held, children = error, multiprocessing.active_children()
    assert str(held) == "the caller's own bug" and children == []
