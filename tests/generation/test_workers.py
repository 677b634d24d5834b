"""Work spread over forked processes: results in order, errors as they were raised, a dead
worker reported, and small work kept in this process."""

import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from dco.errors import ProviderError, UnencodableTextError, WorkerError
from dco.generation import workers
from dco.generation.workers import in_workers
from dco.models import Brief, Copy, Variant

pytestmark = pytest.mark.skipif(
    not workers.can_fork(),
    reason="workers are forked; without fork, the work runs in this process",
)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(workers, "CHUNK", 3)


def where(index, item):
    return index, item, os.getpid()


def test_results_come_back_in_order_from_several_processes():
    results = list(in_workers(where, "abcdefghijklmnopq", workers=3, stopped="again"))
    assert [(index, item) for index, item, _ in results] == list(enumerate("abcdefghijklmnopq"))
    pids = {pid for _, _, pid in results}
    assert os.getpid() in pids and len(pids) >= 2  # the first here, the rest in workers


def test_a_few_items_stay_in_this_process_unless_workers_are_asked_for():
    few = list(in_workers(where, "abcde", stopped="again"))  # under two chunks
    assert {pid for _, _, pid in few} == {os.getpid()}
    many = list(in_workers(where, "abcdefg", stopped="again"))  # two chunks or more
    assert len({pid for _, _, pid in many}) > 1 or workers.cores() == 1


def test_workers_by_default_are_one_per_core_up_to_a_few(monkeypatch):
    monkeypatch.setattr(workers, "cores", lambda: 64)
    assert workers.default_workers(6) == workers.MOST_WORKERS == 8
    assert workers.default_workers(5) == 1  # under two chunks of three
    monkeypatch.setattr(workers, "cores", lambda: 2)
    assert workers.default_workers(6) == 2


def test_an_error_in_a_worker_reaches_the_caller_as_it_was_raised():
    def fails_on_five(index, item):
        if index == 5:
            raise UnencodableTextError("'😀' cannot be sent", character="😀", index=3,
                                       unit="cp949_bytes")  # fmt: skip
        return item

    with pytest.raises(UnencodableTextError) as raised:
        list(in_workers(fails_on_five, range(12), workers=2, stopped="again"))
    error = raised.value
    assert (error.character, error.index, error.unit) == ("😀", 3, "cp949_bytes")
    assert str(error) == "'😀' cannot be sent"


def test_errors_with_keyword_fields_pickle_as_they_were():
    error = pickle.loads(pickle.dumps(ProviderError("HTTP 503", status=503)))
    assert isinstance(error, ProviderError) and error.status == 503 and str(error) == "HTTP 503"


def test_a_worker_that_dies_is_reported_with_what_to_do():
    parent = os.getpid()

    def dies(index, item):
        if index == 7 and os.getpid() != parent:
            os._exit(9)
        return item

    with pytest.raises(WorkerError, match=r"a worker process stopped .*; submit again"):
        list(in_workers(dies, range(12), workers=2, stopped="submit again"))


def test_models_cross_processes_as_they_were():
    variant = Variant(
        copy=Copy(headline="마라톤 완주", body="코치와 함께 달려요.", cta="신청하기"),
        brief=Brief(product="러닝 코칭", channel="google_rsa"),
        stage="decision",
        channel="google_rsa",
    )

    def same(index, item):
        return variant

    back = list(in_workers(same, range(4), workers=2, stopped="again"))[-1]
    assert back == variant and back.model_fields_set == variant.model_fields_set
    assert back.brief.model_fields_set == {"product", "channel"}
    assert back.model_dump_json() == variant.model_dump_json()


def test_workers_do_not_outlive_a_parent_killed_with_9(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, time
            from dco.generation import workers
            from dco.generation.workers import in_workers

            workers.CHUNK = 2

            def slow(index, item):
                time.sleep(0.05)
                return os.getpid()

            for pid in in_workers(slow, range(10_000), workers=2, stopped="again"):
                if pid != os.getpid():
                    print(pid, flush=True)
            """
        )
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)  # no shutdown, no finally: the parent is simply gone
    parent.wait()
    parent.stdout.close()
    for _ in range(200):  # the worker is killed with it, then reaped by whoever adopted it
        if not running(worker):
            break
        time.sleep(0.05)
    assert not running(worker)


def running(pid):
    """Whether `pid` is a process still running (a zombie is not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
