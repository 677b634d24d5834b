"""The index of a batch job's replies: found by brief, step and request digest."""

import json

from dco.generation.batch_answers import Answers, custom_id, parse_custom_id, request_digest
from dco.providers.base import ChatRequest, Message


def reply(custom: str, text: str) -> str:
    body = {"choices": [{"message": {"content": text}}]}
    return json.dumps({"custom_id": custom, "response": {"status_code": 200, "body": body}}) + "\n"


def test_a_reply_is_found_only_for_the_request_it_answers(tmp_path):
    output = tmp_path / "round-1.output.jsonl"
    lines = [reply(custom_id(0, "r1", "00000000abcd"), "첫 답"),
             reply(custom_id(1, "r1", "0123456789ab"), "둘째 답")]  # fmt: skip
    output.write_text("".join(lines), encoding="utf-8")
    with Answers(2, [output]) as answers:
        found = answers.get(1, "r1", "0123456789ab")
        assert found.body["choices"][0]["message"]["content"] == "둘째 답"
        assert answers.get(1, "r1", "ffffffffffff") is None
        assert answers.sent_otherwise(1, "r1", "ffffffffffff")
        assert answers.get(1, "r2", "0123456789ab") is None
        assert not answers.sent_otherwise(1, "r2", "0123456789ab")
        assert answers.get(2, "r1", "0123456789ab") is None  # a brief the job does not have


def test_lines_no_request_of_the_job_made_are_passed_over(tmp_path):
    output = tmp_path / "round-1.output.jsonl"
    lines = [reply("request-7", "남의 것"), reply(custom_id(9, "r1", "0123456789ab"), "범위 밖"),
             "not json at all\n", reply(custom_id(0, "r1", "0123456789ab"), "ours")]  # fmt: skip
    output.write_text("".join(lines), encoding="utf-8")
    with Answers(1, [output, tmp_path / "direct.jsonl"]) as answers:
        assert answers.get(0, "r1", "0123456789ab").body["choices"][0]["message"]["content"] == (
            "ours"
        )


def test_custom_ids_dco_did_not_write_are_not_read_as_its_own():
    assert parse_custom_id("b12-r2-0123456789ab") == (12, "r2", 0x0123456789AB)
    for other in ("request-7", "b-r1-0123456789ab", "bx-r1-0123456789ab", "b1-r1-short",
                  "b1--0123456789ab", "b1-r1-0123456789xz"):  # fmt: skip
        assert parse_custom_id(other) is None


def test_a_line_longer_than_any_reply_or_not_utf8_is_passed_over_and_the_next_found(tmp_path):
    output = tmp_path / "round-1.output.jsonl"
    huge = reply(custom_id(0, "r1", "0123456789ab"), "x" * (5 * 2**20))  # past the 4 MB bound
    not_utf8 = b'{"custom_id": "b1\xff-r1-0123456789ab"}\n'  # an id no dco wrote, nor UTF-8
    output.write_bytes(
        huge.encode() + not_utf8 + reply(custom_id(1, "r1", "0123456789ab"), "다음 답").encode()
    )
    with Answers(2, [output]) as answers:
        too_long = answers.get(0, "r1", "0123456789ab")
        assert too_long.body is None and not too_long.refused and not too_long.retry
        assert "larger than 4 MB" in too_long.error
        after = answers.get(1, "r1", "0123456789ab")  # found where it is, past the long line
        assert after.body["choices"][0]["message"]["content"] == "다음 답"


def test_a_reply_line_that_is_not_json_is_an_unusable_reply_not_a_crash(tmp_path):
    output = tmp_path / "round-1.output.jsonl"
    broken = reply(custom_id(0, "r1", "0123456789ab"), "답").replace('"response":', '"response"')
    output.write_text(broken, encoding="utf-8")
    with Answers(1, [output]) as answers:
        not_json = answers.get(0, "r1", "0123456789ab")
        assert not_json.body is None and not not_json.refused and not not_json.retry
        assert not_json.error.startswith("the line holding it is not JSON (Expecting ':'")


def test_a_reply_line_nested_past_pythons_stack_is_an_unusable_reply_not_a_crash(tmp_path):
    output = tmp_path / "round-1.output.jsonl"
    deep = reply(custom_id(0, "r1", "0123456789ab"), "답").replace(
        '"response":', '"deep": ' + "[" * 100_000 + "]" * 100_000 + ', "response":'
    )
    output.write_text(deep, encoding="utf-8")
    with Answers(1, [output]) as answers:
        too_deep = answers.get(0, "r1", "0123456789ab")
        assert too_deep.body is None and not too_deep.refused and not too_deep.retry
        assert too_deep.error == "the line holding it is JSON nested too deeply"


def test_a_requests_digest_stays_what_jobs_already_sent_were_given():
    """The digests of jobs in flight were written by the dco that sent them; these were."""
    system = Message("system", "당신은 카피라이터입니다. " * 200)  # shared by a campaign's requests
    sampling = {"seed": 7, "temperature": 0.8, "max_tokens": 600, "model": "gpt-4o-mini"}
    first = ChatRequest((system, Message("user", "하프 마라톤 코칭 1")), **sampling)
    second = ChatRequest((system, Message("user", "하프 마라톤 코칭 2")), **sampling)
    repair = ChatRequest(
        (system, Message("user", "a"), Message("assistant", "b"), Message("user", "c"))
    )
    for _again in range(2):  # the same each time, though the shared prompt is hashed once
        digests = [request_digest(first), request_digest(second), request_digest(repair)]
        assert digests == ["1ddc1118ca6f", "e98c740221bd", "6810a05d35dc"]
