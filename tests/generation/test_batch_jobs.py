"""Campaigns through the Batch API: the real `openai` SDK against a local mock of the Files and
Batches endpoints, with partial failures, expiry, repairs and crashes between steps."""

import json

import pytest

from dco.errors import (
    BatchNotStarted,
    InvalidRequestError,
    OptionError,
    ProviderError,
    UnknownNameError,
)
from dco.generation import workers
from dco.generation.batch_jobs import (
    batch_status,
    collect_batch,
    open_job,
    submit_batch,
)
from dco.generation.batch_rounds import BatchLimits
from dco.models import Brief
from dco.providers.openai import OpenAIProvider
from dco.review import ReviewQueue
from tests.batch_server import batch_server
from tests.chat_server import chat_server, completion

PRODUCTS = ["러닝 코칭", "요가 클래스", "수영 강습", "필라테스", "등산 모임", "자전거 교실"]
BODIES = ["코치와 함께 달려요.", "주 3회 훈련으로 완주해요.", "맞춤 플랜을 받아 보세요."]


def copywriter(refuse: str | None = None, long_first_round: bool = False):
    """Answers with as many variants as the request asks for, for the product its prompt
    names. `refuse`: that product's request gets a 400. `long_first_round`: the first round's
    first variant has a headline over the channel's limit, so the brief needs a repair."""

    def answer(body):
        prompt = body["messages"][-1]["content"]
        product = next(p for p in PRODUCTS if f'"{p}' in prompt)
        if product == refuse:
            return 400, {"error": {"message": "content policy", "type": "invalid_request_error"}}
        wanted = body["response_format"]["json_schema"]["schema"]["properties"]["variants"][
            "maxItems"
        ]
        variants = [
            {"headline": f"{product} {k + 1}주 완성", "body": BODIES[k % 3], "cta": "신청하기"}
            for k in range(wanted)
        ]
        if long_first_round and body.get("seed") == 7:
            variants[0]["headline"] = f"{product} " + "아주 " * 20 + "긴 헤드라인"
        return 200, completion(json.dumps({"variants": variants}, ensure_ascii=False))

    return answer


def briefs(count=4):
    return [Brief(product=p, offer="첫 주 무료", channel="google_rsa") for p in PRODUCTS[:count]]


def provider(server):
    return OpenAIProvider(model="gpt-4o-mini", api_key="sk-test", base_url=server.base_url)


OPTIONS = {"stage": "decision", "n": 2, "seed": 7}
TWO_A_BATCH = BatchLimits(requests=2, bytes=10**9)
"""Batches of two requests: a few briefs make a round of several."""


def test_submit_returns_at_once_and_collect_waits_for_the_batch(tmp_path):
    with batch_server(copywriter(), polls=3) as server:
        llm = provider(server)
        job = submit_batch(briefs(), provider=llm, folder=tmp_path, **OPTIONS)
        assert job.batch_id == server.created[0] and len(server.created) == 1
        lines = (job.folder / "round-1.input.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["url"] for line in lines] == ["/v1/chat/completions"] * 4
        assert batch_status(job, llm).status == "in_progress"
        with ReviewQueue(tmp_path / "review.db") as queue:
            early = collect_batch(job, provider=llm, sink=queue, **OPTIONS)
            assert not early.done and early.accepted == 0 and queue.stats()["total"] == 0
            collected = collect_batch(job, provider=llm, sink=queue, **OPTIONS)
            assert collected.done and collected.accepted == 8 and not collected.failures
            assert queue.stats()["pending"] == 8
            assert collected.spend.requests == 4 and collected.spend.prompt_tokens == 40
            # Collecting again reads the kept replies: nothing asked twice, nothing stored twice.
            again = collect_batch(open_job(job.batch_id, tmp_path), provider=llm, sink=queue,
                                  **OPTIONS)  # fmt: skip
            assert again.done and again.accepted == 8 and queue.stats()["total"] == 8
        assert len(server.created) == 1 and server.direct == 0


def test_replies_that_need_repair_go_out_as_a_follow_up_batch(tmp_path):
    with batch_server(copywriter(long_first_round=True), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        first = collect_batch(job, provider=llm, **OPTIONS)
        assert not first.done and first.next_batch == server.created[1]
        assert job.rounds[1].requests == 3  # one repair request per brief
        # The first round's replies were paid for, though no brief is done yet.
        assert (first.spend.requests, first.spend.prompt_tokens) == (3, 30)
        second = collect_batch(job, provider=llm, **OPTIONS)
        assert second.done and second.accepted == 6 and not second.failures
        assert (second.spend.requests, second.spend.repairs) == (6, 3)  # the job's, in all
        assert len(server.created) == 2


def test_a_brief_whose_repair_is_refused_still_counts_its_first_reply_in_the_spend(tmp_path):
    answer = copywriter(long_first_round=True)

    def refusing_repairs(body):
        if '"요가 클래스' in body["messages"][-1]["content"] and body.get("seed") != 7:
            return 400, {"error": {"message": "content policy", "type": "invalid_request_error"}}
        return answer(body)

    with batch_server(refusing_repairs, polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        collect_batch(job, provider=llm, **OPTIONS)
        second = collect_batch(job, provider=llm, **OPTIONS)
    assert second.done and [f.index for f in second.failures] == [1]
    assert "content policy" in second.failures[0].error
    # Two briefs of two requests each, and the refused one's first reply: paid for all the same.
    assert second.failures[0].spend.requests == 1 and second.spend.requests == 5


def test_an_earlier_rounds_reply_file_removed_since_is_downloaded_again(tmp_path):
    with batch_server(copywriter(long_first_round=True), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        collect_batch(job, provider=llm, **OPTIONS)
        assert job.rounds[0].downloaded == ["round-1.output.jsonl"]
        first_replies = job.path("round-1.output.jsonl")
        kept = first_replies.read_bytes()
        first_replies.unlink()  # tidied away by hand, say
        second = collect_batch(open_job(str(job.folder)), provider=llm, **OPTIONS)
    assert second.done and second.accepted == 6 and not second.failures
    assert first_replies.read_bytes() == kept


def cut_short(data: bytes) -> bytes:
    return data[: len(data) // 2]


def emptied(data: bytes) -> bytes:
    return b""


def a_line_garbled(data: bytes) -> bytes:
    """The second line's key spoiled, the size kept: only the digest can tell."""
    first, second, *rest = data.splitlines(keepends=True)
    return b"".join([first, second.replace(b'"response":', b'"response" '), *rest])


@pytest.mark.parametrize("damage", [cut_short, emptied, a_line_garbled])
def test_a_reply_file_changed_since_it_was_downloaded_is_downloaded_again_not_asked_again(
    tmp_path, damage
):
    with batch_server(copywriter(long_first_round=True), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        collect_batch(job, provider=llm, **OPTIONS)
        first_replies = job.path("round-1.output.jsonl")
        kept = first_replies.read_bytes()
        first_replies.write_bytes(damage(kept))
        second = collect_batch(open_job(str(job.folder)), provider=llm, **OPTIONS)
    assert second.done and second.accepted == 6 and not second.failures
    assert second.downloaded_again == ["round-1.output.jsonl"]
    assert first_replies.read_bytes() == kept
    assert len(server.created) == 2 and server.direct == 0  # the repairs' round, no more


def test_the_last_rounds_replies_are_checked_too_when_a_done_job_is_collected_again(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        assert collect_batch(job, provider=llm, **OPTIONS).done
        replies = job.path("round-1.output.jsonl")
        replies.write_bytes(cut_short(replies.read_bytes()))
        again = collect_batch(open_job(str(job.folder)), provider=llm, **OPTIONS)
    assert again.done and again.accepted == 6 and again.downloaded_again == [replies.name]
    assert len(server.created) == 1 and server.direct == 0


def test_a_changed_reply_file_the_provider_no_longer_has_is_named_and_left_as_it_is(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        collect_batch(job, provider=llm, **OPTIONS)
        del server.files[server.batches[job.batch_id]["output_file_id"]]  # deleted since
        replies = job.path("round-1.output.jsonl")
        replies.write_bytes(cut_short(replies.read_bytes()))
        damaged = replies.read_bytes()
        with pytest.raises(ProviderError) as error:
            collect_batch(open_job(str(job.folder)), provider=llm, **OPTIONS)
    assert str(error.value).startswith(
        f"{replies} was changed since it was downloaded ({len(damaged):,} bytes where it had "
    )
    assert "put back the file as it was downloaded" in str(error.value)
    assert replies.read_bytes() == damaged and len(server.created) == 1


def test_reply_files_kept_by_a_dco_that_did_not_note_them_are_noted_when_next_read(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        collect_batch(job, provider=llm, **OPTIONS)
        manifest = job.path("manifest.json")
        older = json.loads(manifest.read_text(encoding="utf-8"))
        noted = older["rounds"][0].pop("kept")
        manifest.write_text(json.dumps(older), encoding="utf-8")
        again = collect_batch(open_job(str(job.folder)), provider=llm, **OPTIONS)
    assert again.done and again.accepted == 6 and again.downloaded_again == []
    assert json.loads(manifest.read_text(encoding="utf-8"))["rounds"][0]["kept"] == noted
    assert noted["round-1.output.jsonl"]["bytes"] == job.path("round-1.output.jsonl").stat().st_size


def test_repairs_can_be_asked_directly_and_are_not_paid_for_twice(tmp_path):
    with batch_server(copywriter(long_first_round=True), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        collected = collect_batch(job, provider=llm, direct=True, **OPTIONS)
        assert collected.done and collected.accepted == 6 and server.direct == 3
        again = collect_batch(job, provider=llm, direct=True, **OPTIONS)
        assert again.accepted == 6 and server.direct == 3  # read from direct.jsonl
        assert len(server.created) == 1


def test_a_collect_interrupted_before_its_next_round_was_kept_leaves_no_round_unsent(
    tmp_path, monkeypatch
):
    with batch_server(copywriter(long_first_round=True), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)

        saved = job.save

        def crash_once_replies_are_noted():
            if len(job.rounds) == 2:  # the repairs are written, not yet kept
                raise KeyboardInterrupt
            saved()

        with monkeypatch.context() as patched:
            patched.setattr(job, "save", crash_once_replies_are_noted)
            with pytest.raises(KeyboardInterrupt):
                collect_batch(job, provider=llm, limits=TWO_A_BATCH, **OPTIONS)
        assert sorted(p.name for p in job.folder.glob("round-2*")) == [
            "round-2-2.input.jsonl",
            "round-2.input.jsonl",
        ]
        again = open_job(str(job.folder))  # as the manifest has it
        collected = collect_batch(again, provider=llm, direct=True, **OPTIONS)
        assert collected.done and collected.accepted == 6 and server.direct == 3
        assert list(job.folder.glob("round-2*")) == []  # never to be sent, so not kept


def test_a_line_whose_model_call_timed_out_is_asked_again_not_failed(tmp_path):
    with batch_server(copywriter(), polls=1, timed_out={1}) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        first = collect_batch(job, provider=llm, **OPTIONS)
        assert not first.failures and first.accepted == 4 and job.rounds[1].requests == 1
        second = collect_batch(job, provider=llm, **OPTIONS)
    assert second.done and second.accepted == 6 and not second.failures
    assert len(server.created) == 2 and server.direct == 0


def test_a_refused_line_fails_its_brief_and_an_expired_one_is_asked_again(tmp_path):
    with batch_server(copywriter(refuse="요가 클래스"), polls=1, expire_after=3) as server:
        llm = provider(server)
        job = submit_batch(briefs(4), provider=llm, folder=tmp_path, **OPTIONS)
        reported = []
        first = collect_batch(job, provider=llm, **OPTIONS,
                              on_result=lambda i, result, failure: reported.append(i))  # fmt: skip
        assert first.status.status == "expired"
        assert [(f.index, f.brief.product) for f in first.failures] == [(1, "요가 클래스")]
        assert "content policy" in first.failures[0].error
        assert sorted(reported) == [0, 1, 2]  # brief 3 was never answered: it goes again
        assert job.rounds[1].requests == 1
        server.expire_after = None
        second = collect_batch(job, provider=llm, **OPTIONS)
        assert second.done and second.accepted == 6 and len(second.failures) == 1


def test_a_reply_larger_than_any_dco_asks_for_fails_its_brief_and_not_the_others(tmp_path):
    answer = copywriter()

    def flooding(body):
        if '"요가 클래스' in body["messages"][-1]["content"]:  # a server gone wrong, for one
            return 200, completion("x" * (5 * 2**20))
        return answer(body)

    with batch_server(flooding, polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        collected = collect_batch(job, provider=llm, **OPTIONS)
    assert collected.done and collected.accepted == 4
    assert [(f.index, f.brief.product) for f in collected.failures] == [(1, "요가 클래스")]
    assert "could not be used: it was larger than 4 MB" in collected.failures[0].error


def test_a_collect_stops_at_a_reply_file_past_its_bound_and_goes_on_once_it_is_sound(tmp_path):
    from dco.errors import ProviderError

    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        run, sound = server._run, {}

        def flooding(batch):  # a server gone wrong: its replies, and more lines without end
            run(batch)
            sound[batch["output_file_id"]] = server.files[batch["output_file_id"]]
            server.files[batch["output_file_id"]] += b'{"custom_id": "x"}\n' * 10

        server._run = flooding
        with pytest.raises(ProviderError, match="ran past 4 lines: more than replies to the "
                           "batch's 3 requests take"):  # fmt: skip
            collect_batch(job, provider=llm, **OPTIONS)
        assert not list(job.folder.glob("*output*"))
        server.files.update(sound)
        collected = collect_batch(job, provider=llm, **OPTIONS)
    assert collected.done and collected.accepted == 6 and not collected.failures


def test_a_briefs_file_short_of_the_briefs_sent_stops_the_collect_instead_of_losing_them(
    tmp_path,
):
    from dco.errors import ConfigError

    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(3), provider=llm, folder=tmp_path, **OPTIONS)
        kept = job.path("briefs.jsonl")
        sent = kept.read_text(encoding="utf-8")
        kept.write_text(sent.splitlines(keepends=True)[0], encoding="utf-8")
        with pytest.raises(ConfigError, match=r"briefs.jsonl holds 1 briefs where the job sent 3"):
            collect_batch(job, provider=llm, **OPTIONS)
        assert list(job.folder.glob("*output*"))  # what was paid for is kept all the same
        kept.unlink()
        with pytest.raises(ConfigError, match=r"briefs.jsonl: the job's briefs cannot be read"):
            collect_batch(job, provider=llm, **OPTIONS)
        kept.write_text(sent, encoding="utf-8")
        collected = collect_batch(job, provider=llm, **OPTIONS)
    assert collected.done and collected.accepted == 6


def killed_while_submitting(crashing: type[OpenAIProvider], server, folder):
    """The job a submit of two briefs left when `crashing` (a provider that raises
    KeyboardInterrupt part way, as a process killed there) stopped it."""
    llm = crashing(model="gpt-4o-mini", api_key="sk-test", base_url=server.base_url)
    with pytest.raises(KeyboardInterrupt):
        submit_batch(briefs(2), provider=llm, folder=folder, **OPTIONS)
    (job_folder,) = folder.iterdir()
    return open_job(job_folder.name, folder)


def test_a_start_interrupted_before_its_id_was_kept_is_found_not_started_again(tmp_path):
    class CrashAfterStart(OpenAIProvider):
        def start_batch(self, input_file, metadata):
            super().start_batch(input_file, metadata)
            raise KeyboardInterrupt  # the process dies before the id is written down

    with batch_server(copywriter(), polls=1) as server:
        job = killed_while_submitting(CrashAfterStart, server, tmp_path)
        assert job.batch_id is None
        llm = provider(server)
        collected = collect_batch(job, provider=llm, **OPTIONS)
        assert job.batch_id == server.created[0] and len(server.created) == 1
        assert collected.done and collected.accepted == 4


def test_a_batch_not_started_after_its_upload_is_started_later_from_the_same_file(tmp_path):
    with batch_server(copywriter(), polls=1, unavailable=1) as server:
        llm = provider(server)
        with pytest.raises(BatchNotStarted, match="503"):
            submit_batch(briefs(2), provider=llm, folder=tmp_path, **OPTIONS)
        (folder,) = tmp_path.iterdir()
        job = open_job(folder.name, tmp_path)
        collected = collect_batch(job, provider=llm, **OPTIONS)
        (uploaded,) = server.uploaded  # not uploaded again: no orphan in the provider's files
        assert server.batches[job.batch_id]["input_file_id"] == uploaded
        assert collected.done and collected.accepted == 4


class CrashBeforeBatch(OpenAIProvider):
    def start_batch(self, input_file, metadata):
        raise KeyboardInterrupt  # the process dies after the upload, before the batch is made


def test_a_start_interrupted_between_upload_and_batch_uses_the_uploaded_file(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        job = killed_while_submitting(CrashBeforeBatch, server, tmp_path)
        collected = collect_batch(job, provider=provider(server), **OPTIONS)
        (uploaded,) = server.uploaded
        assert server.batches[job.batch_id]["input_file_id"] == uploaded
        assert collected.done and collected.accepted == 4


def test_an_input_file_the_provider_no_longer_has_is_uploaded_again(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        job = killed_while_submitting(CrashBeforeBatch, server, tmp_path)
        del server.files[server.uploaded[0]]  # deleted, or expired, before the job resumed
        collected = collect_batch(job, provider=provider(server), **OPTIONS)
        gone, again = server.uploaded
        assert gone not in server.files
        assert job.rounds[0].uploaded == [again]
        assert server.batches[job.batch_id]["input_file_id"] == again
        assert collected.done and collected.accepted == 4


class CrashAfterUpload(OpenAIProvider):
    def upload_batch_input(self, path, name):
        super().upload_batch_input(path, name)
        raise KeyboardInterrupt  # the process dies before the upload's answer is written down


class CrashBeforeUpload(OpenAIProvider):
    def upload_batch_input(self, path, name):
        raise KeyboardInterrupt  # the process dies before anything went up


def test_an_upload_whose_answer_was_lost_is_found_not_uploaded_again(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        job = killed_while_submitting(CrashAfterUpload, server, tmp_path)
        assert job.rounds[0].uploaded == [""]  # begun, its id never came back
        collected = collect_batch(job, provider=provider(server), **OPTIONS)
        (uploaded,) = server.uploaded  # the provider's copy is used, not left behind
        assert server.batches[job.batch_id]["input_file_id"] == uploaded
        assert job.rounds[0].uploaded == [uploaded]
        assert collected.done and collected.accepted == 4


def test_another_jobs_upload_of_the_same_requests_is_not_taken_for_this_ones(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        other = submit_batch(briefs(2), provider=llm, folder=tmp_path / "other", **OPTIONS)
        job = killed_while_submitting(CrashBeforeUpload, server, tmp_path / "this")
        theirs = server.batches[other.batch_id]["input_file_id"]
        assert server.files[theirs] == job.path("round-1.input.jsonl").read_bytes()
        collected = collect_batch(job, provider=llm, **OPTIONS)
        assert server.uploaded == [theirs, job.rounds[0].uploaded[0]]
        assert collected.done and collected.accepted == 4


def test_looking_for_a_lost_upload_stops_at_files_older_than_the_job(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        server.add_old_files(250, days=3)  # an account's history: more than two pages
        job = killed_while_submitting(CrashBeforeUpload, server, tmp_path)
        assert server.file_pages == 0  # a first upload looks for none
        collected = collect_batch(job, provider=provider(server), **OPTIONS)
        assert server.file_pages == 1
        assert collected.done and collected.accepted == 4


def test_collecting_with_other_options_than_were_sent_is_refused(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(2), provider=llm, folder=tmp_path, **OPTIONS)
        with pytest.raises(OptionError, match="options the batch was submitted with"):
            collect_batch(job, provider=llm, **{**OPTIONS, "n": 3})


def test_an_unknown_job_names_where_it_looked(tmp_path):
    with pytest.raises(Exception, match="no batch job of that id"):
        open_job("batch-404", tmp_path)


def test_a_campaign_that_cannot_be_written_leaves_no_half_made_job(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        with pytest.raises(OptionError, match="no briefs to send"):
            submit_batch([], provider=llm, folder=tmp_path, **OPTIONS)
        bad = [*briefs(1), Brief(product="러닝", channel="googel_rsa")]
        with pytest.raises(Exception, match="unknown channel 'googel_rsa'"):
            submit_batch(bad, provider=llm, folder=tmp_path, **OPTIONS)
    assert list(tmp_path.iterdir()) == [] and server.created == []


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of two briefs, so a few briefs cross processes in several chunks."""
    monkeypatch.setattr(workers, "CHUNK", 2)


def test_requests_rendered_in_workers_are_the_ones_one_process_writes(tmp_path, small_chunks):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        written = {}
        for count in (1, 3):
            job = submit_batch(briefs(6), provider=llm, folder=tmp_path / str(count),
                               workers=count, **OPTIONS)  # fmt: skip
            written[count] = [job.path(name).read_bytes()
                              for name in ("briefs.jsonl", "round-1.input.jsonl")]  # fmt: skip
    assert written[3] == written[1]
    assert [len(data.splitlines()) for data in written[1]] == [6, 6]


def test_a_brief_that_fails_in_a_worker_leaves_no_half_made_job(tmp_path, small_chunks):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        bad = [*briefs(5), Brief(product="러닝", channel="googel_rsa")]
        with pytest.raises(UnknownNameError, match="unknown channel 'googel_rsa'"):
            submit_batch(bad, provider=llm, folder=tmp_path, workers=2, **OPTIONS)
    assert list(tmp_path.iterdir()) == [] and server.created == []


def test_what_a_killed_submit_left_is_cleared_by_the_next_submit_and_nothing_else(tmp_path):
    import os
    import time

    def job_folder(name, files, age):
        folder = tmp_path / name
        folder.mkdir()
        for file in files:
            (folder / file).write_text("{}\n", encoding="utf-8")
        then = time.time() - age
        for path in [*folder.iterdir(), folder]:
            os.utime(path, (then, then))
        return folder

    killed = job_folder("job_20261201_000000_aaaaaa",
                        ["briefs.jsonl.part", "round-1.input.jsonl.part"], age=3600)  # fmt: skip
    running = job_folder("job_20261201_000001_bbbbbb", ["briefs.jsonl.part"], age=5)
    unknown = job_folder("job_20261201_000002_cccccc", ["notes.txt"], age=3600)
    with batch_server(copywriter()) as server:
        job = submit_batch(briefs(1), provider=provider(server), folder=tmp_path, **OPTIONS)
    assert not killed.exists()
    assert running.exists() and unknown.exists() and (job.folder / "manifest.json").exists()


def test_a_batchs_replies_are_downloaded_in_pieces_never_held_whole(tmp_path):
    import tracemalloc

    line = json.dumps({"custom_id": "b0-r1-x", "response": {"status_code": 200,
                      "body": {"filler": "가" * 1000}}}).encode() + b"\n"  # fmt: skip
    with batch_server(copywriter()) as server:
        server.files["file-replies"] = line * 8000  # about 25 MB
        llm = provider(server)
        llm._sync()  # the client made before measuring
        tracemalloc.start()
        try:
            llm.download("file-replies", tmp_path / "replies.jsonl", most_lines=8000)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert (tmp_path / "replies.jsonl").read_bytes() == line * 8000
    assert not (tmp_path / "replies.jsonl.part").exists()
    assert peak < 5_000_000


def test_a_download_broken_off_is_a_transient_error_and_leaves_no_file(tmp_path):
    from dco.errors import TransientError

    with batch_server(copywriter()) as server:
        server.files["file-replies"] = b'{"custom_id": "b0-r1-x"}\n' * 100_000
        server.broken_off.add("file-replies")
        with pytest.raises(TransientError, match=r"broke off.*collect again"):
            provider(server).download("file-replies", tmp_path / "replies.jsonl",
                                      most_lines=100_000)  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_a_reply_file_with_more_lines_than_the_batch_has_requests_is_refused(tmp_path):
    from dco.errors import ProviderError

    with batch_server(copywriter()) as server:
        server.files["file-replies"] = b'{"custom_id": "b0-r1-x"}\n' * 52
        with pytest.raises(ProviderError, match=r"ran past 51 lines: more than replies to the "
                           r"batch's 50 requests take\. dco kept none of it"):  # fmt: skip
            provider(server).download("file-replies", tmp_path / "replies.jsonl", most_lines=50)
    assert list(tmp_path.iterdir()) == []


def test_a_reply_file_larger_than_its_lines_may_be_is_refused(tmp_path):
    from dco.errors import ProviderError
    from dco.providers.base import MOST_BATCH_LINE_BYTES

    with batch_server(copywriter()) as server:
        server.files["file-replies"] = b"x" * (2 * MOST_BATCH_LINE_BYTES + 1)  # no line's end
        with pytest.raises(ProviderError, match=r"ran past 8 MB: more than replies to the "
                           r"batch's 2 requests take"):  # fmt: skip
            provider(server).download("file-replies", tmp_path / "replies.jsonl", most_lines=2)
    assert list(tmp_path.iterdir()) == []


def test_a_reply_file_of_a_line_per_request_and_a_last_empty_line_is_kept(tmp_path):
    content = b'{"custom_id": "b0-r1-x"}\n' * 50 + b"\n"
    with batch_server(copywriter()) as server:
        server.files["file-replies"] = content
        provider(server).download("file-replies", tmp_path / "replies.jsonl", most_lines=50)
    assert (tmp_path / "replies.jsonl").read_bytes() == content


def test_looking_for_an_interrupted_start_reads_only_the_batches_since_the_job(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        server.add_old_batches(1000, days=3)  # an account's history: ten pages of it
        job = submit_batch(briefs(2), provider=provider(server), folder=tmp_path, **OPTIONS)
        assert job.batch_id == server.created[0]
        assert server.list_pages == 1  # stopped at the first batch older than the job


def test_a_cancelled_batch_is_collected_and_nothing_more_is_sent_unless_asked(tmp_path):
    with batch_server(copywriter(), polls=1, cancel_after=2) as server:
        llm = provider(server)
        job = submit_batch(briefs(4), provider=llm, folder=tmp_path, **OPTIONS)
        collected = collect_batch(job, provider=llm, **OPTIONS)
        assert collected.done and collected.accepted == 4  # the two briefs it answered
        assert [f.index for f in collected.failures] == [2, 3]
        assert all("cancelled" in f.error and "--direct" in f.error
                   for f in collected.failures)  # fmt: skip
        assert len(server.created) == 1 and server.direct == 0  # no follow-up batch
        asked = collect_batch(job, provider=llm, direct=True, **OPTIONS)
        assert asked.done and asked.accepted == 8 and not asked.failures
        assert len(server.created) == 1 and server.direct == 2


def test_a_campaign_larger_than_a_batch_may_hold_goes_out_as_several(tmp_path):
    limits = BatchLimits(requests=3, bytes=10**9)
    with batch_server(copywriter(long_first_round=True), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(6) + briefs(1), provider=llm, folder=tmp_path,
                           limits=limits, **OPTIONS)  # fmt: skip
        assert job.current.parts == 3 and job.current.batch_ids == server.created
        assert job.batch_id == server.created[0]
        lines = [len((job.folder / name).read_text(encoding="utf-8").splitlines())
                 for name in ("round-1.input.jsonl", "round-1-2.input.jsonl",
                              "round-1-3.input.jsonl")]  # fmt: skip
        assert lines == [3, 3, 1]
        metadata = [server.batches[b]["metadata"] for b in server.created]
        assert [m.get("dco_part") for m in metadata] == [None, "2", "3"]
        first = collect_batch(job, provider=llm, limits=limits, **OPTIONS)
        assert not first.done and first.accepted == 0  # every brief asks for a repair
        assert job.current.parts == 3 and len(server.created) == 6
        second = collect_batch(open_job(server.created[4], tmp_path), provider=llm,
                               limits=limits, **OPTIONS)  # fmt: skip
        assert second.done and second.accepted == 14 and not second.failures


def test_a_batch_is_also_split_by_its_size_in_bytes(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        one = submit_batch(briefs(1), provider=llm, folder=tmp_path / "one", **OPTIONS)
        size = (one.folder / "round-1.input.jsonl").stat().st_size
        limits = BatchLimits(requests=1000, bytes=int(size * 2.5))
        job = submit_batch(briefs(5), provider=llm, folder=tmp_path / "five", limits=limits,
                           **OPTIONS)  # fmt: skip
        files = sorted(job.folder.glob("round-1*.input.jsonl"))
        assert job.current.parts == len(files) == 3
        assert all(f.stat().st_size <= limits.bytes for f in files)
        assert collect_batch(job, provider=llm, **OPTIONS).accepted == 10


def test_a_split_start_interrupted_part_way_starts_only_the_parts_not_started(tmp_path):
    class CrashOnSecondStart(OpenAIProvider):
        starts = 0

        def start_batch(self, input_file, metadata):
            batch_id = super().start_batch(input_file, metadata)
            CrashOnSecondStart.starts += 1
            if CrashOnSecondStart.starts == 2:
                raise KeyboardInterrupt  # the second part started, its id never written down
            return batch_id

    with batch_server(copywriter(), polls=1) as server:
        crashing = CrashOnSecondStart(model="gpt-4o-mini", api_key="sk-test",
                                      base_url=server.base_url)  # fmt: skip
        with pytest.raises(KeyboardInterrupt):
            submit_batch(briefs(6), provider=crashing, folder=tmp_path,
                         limits=TWO_A_BATCH, **OPTIONS)  # fmt: skip
        (folder,) = tmp_path.iterdir()
        job = open_job(folder.name, tmp_path)
        assert job.current.batch_ids == server.created[:1]
        collected = collect_batch(job, provider=provider(server), **OPTIONS)
        assert len(server.created) == 3 and job.current.batch_ids == server.created
        assert collected.done and collected.accepted == 12


def test_a_job_whose_first_parts_uploads_were_not_noted_keeps_the_next_in_its_place(tmp_path):
    class CrashOnSecondPart(OpenAIProvider):
        def start_batch(self, input_file, metadata):
            if metadata.get("dco_part") == "2":
                raise KeyboardInterrupt  # after the second part's upload, before its batch
            return super().start_batch(input_file, metadata)

    with batch_server(copywriter(), polls=1) as server:
        crashing = CrashOnSecondPart(model="gpt-4o-mini", api_key="sk-test",
                                     base_url=server.base_url)  # fmt: skip
        with pytest.raises(KeyboardInterrupt):
            submit_batch(briefs(4), provider=crashing, folder=tmp_path, limits=TWO_A_BATCH,
                         **OPTIONS)  # fmt: skip
        (folder,) = tmp_path.iterdir()
        manifest = folder / "manifest.json"
        older = json.loads(manifest.read_text(encoding="utf-8"))
        del older["rounds"][0]["uploaded"]  # as a dco that noted no uploads left it
        manifest.write_text(json.dumps(older), encoding="utf-8")
        job = open_job(folder.name, tmp_path)
        collected = collect_batch(job, provider=provider(server), limits=TWO_A_BATCH, **OPTIONS)
        assert job.rounds[0].uploaded == ["", server.uploaded[-1]]
        assert collected.done and collected.accepted == 8


def test_a_job_written_before_rounds_were_split_is_read_and_found_by_its_batch(tmp_path):
    folder = tmp_path / "job_20261101_000000_abcdef"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({
        "job_id": folder.name, "provider": "openai/gpt-4o-mini", "model": "gpt-4o-mini",
        "briefs": 2, "settings": {}, "finished": False, "folder": None,
        "rounds": [{"number": 1, "requests": 2, "batch_id": "batch_old", "collected": False}],
    }), encoding="utf-8")  # fmt: skip
    job = open_job("batch_old", tmp_path)
    assert job.current.batch_ids == ["batch_old"] and job.current.parts == 1
    assert job.current.started and job.batch_id == "batch_old"


def test_a_part_refused_for_a_full_queue_goes_out_again_and_the_others_are_collected(tmp_path):
    with batch_server(copywriter(), polls=1, refuse={2: "token_limit_exceeded"}) as server:
        llm = provider(server)
        job = submit_batch(briefs(4), provider=llm, folder=tmp_path, limits=TWO_A_BATCH, **OPTIONS)
        first = collect_batch(job, provider=llm, limits=TWO_A_BATCH, **OPTIONS)
        assert first.accepted == 4 and not first.failures  # the first part's two briefs
        assert not first.done and job.current.requests == 2  # the refused part's, sent again
        again = collect_batch(job, provider=llm, limits=TWO_A_BATCH, **OPTIONS)
        assert again.done and again.accepted == 8 and not again.failures
        assert len(server.created) == 3


def test_a_part_refused_for_what_it_holds_fails_its_briefs_with_the_reason(tmp_path):
    with batch_server(copywriter(), polls=1, refuse={2: "invalid_file"}) as server:
        llm = provider(server)
        job = submit_batch(briefs(4), provider=llm, folder=tmp_path, limits=TWO_A_BATCH, **OPTIONS)
        collected = collect_batch(job, provider=llm, limits=TWO_A_BATCH, **OPTIONS)
        assert collected.done and collected.accepted == 4
        assert [f.index for f in collected.failures] == [2, 3]
        assert "The input file is not valid" in collected.failures[0].error
        assert len(server.created) == 2  # nothing sent again to be refused again


def test_a_round_refused_whole_for_a_full_queue_is_sent_again_when_next_collected(tmp_path):
    from dco.errors import ProviderError

    with batch_server(copywriter(), polls=1, refuse={1: "token_limit_exceeded"}) as server:
        llm = provider(server)
        job = submit_batch(briefs(2), provider=llm, folder=tmp_path, **OPTIONS)
        refused_id = job.batch_id
        with pytest.raises(ProviderError, match=r"Enqueued token limit.*sent again.*--batch-size"):
            collect_batch(job, provider=llm, **OPTIONS)
        again = open_job(refused_id, tmp_path)  # still found by the id it was sent as
        collected = collect_batch(again, provider=llm, **OPTIONS)
        assert collected.done and collected.accepted == 4
        assert server.created == [refused_id, again.batch_id]
        (uploaded,) = server.uploaded  # sent again from the file already uploaded
        assert {b["input_file_id"] for b in server.batches.values()} == {uploaded}


def test_a_server_without_the_batch_api_is_named_and_the_job_starts_later_elsewhere(tmp_path):
    """A chat-only server (vLLM, Ollama) has no Batch API: said so, not taken for a missing
    model; the written requests are kept as the job, which starts once asked where it stands
    with a provider that has the API."""
    with chat_server(lambda body: (200, completion("{}"))) as port:
        llm = OpenAIProvider(model="gpt-4o-mini", api_key="sk-test",
                             base_url=f"http://127.0.0.1:{port}/v1")  # fmt: skip
        with pytest.raises(BatchNotStarted) as caught:
            submit_batch(briefs(2), provider=llm, folder=tmp_path, **OPTIONS)
    text = str(caught.value)
    assert "does not offer the Batch API" in text and "without --batch" in text
    assert "no model" not in text and isinstance(caught.value.__cause__, InvalidRequestError)
    job_id = caught.value.job_id
    assert f"`dco batch status {job_id} --batch-dir {tmp_path}` starts it" in text
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = open_job(job_id, tmp_path)
        assert batch_status(job, llm).status == "completed" and len(server.created) == 1
        with ReviewQueue(tmp_path / "review.db") as queue:
            collected = collect_batch(job, provider=llm, sink=queue, **OPTIONS)
            assert collected.done and collected.accepted == 4


def test_a_reply_file_deleted_on_the_server_is_named_with_what_to_check(tmp_path):
    with batch_server(copywriter(), polls=1) as server:
        llm = provider(server)
        job = submit_batch(briefs(2), provider=llm, folder=tmp_path, **OPTIONS)
        output = batch_status(job, llm).output_file
        assert output is not None
        del server.files[output]  # deleted there (or made with another key) before the collect
        with pytest.raises(InvalidRequestError) as caught:
            collect_batch(job, provider=llm, **OPTIONS)
    text = str(caught.value)
    assert "has nothing at /v1/files/" in text and "OPENAI_API_KEY" in text
    assert "no model" not in text
