import json

from tests.conftest import REPO, run_dco

BRIEF = str(REPO / "examples" / "brief.yaml")
OFFLINE = {"OPENAI_API_KEY": ""}


def test_generate_writes_variants_offline_and_says_so():
    result = run_dco(
        "generate", "--brief", BRIEF, "--query", "하프 마라톤 코칭 가격", "--n", "3", env=OFFLINE
    )
    assert result.returncode == 0, result.stderr
    assert "provider: fake" in result.stderr and "OPENAI_API_KEY" in result.stderr
    assert "google_rsa" in result.stdout and "decision" in result.stdout


def test_generate_json_and_jsonl_out(tmp_path):
    out = tmp_path / "variants.jsonl"
    result = run_dco(
        "generate",
        "--brief",
        BRIEF,
        "--stage",
        "awareness",
        "--n",
        "2",
        "--out",
        str(out),
        "--json",
        env=OFFLINE,
    )
    assert result.returncode == 0, result.stderr
    printed = variants_of(result)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(printed) == len(lines) == 2
    assert lines[0]["copy"]["headline"] and lines[0]["provenance"]["prompt_version"]
    assert lines[0]["stage"] == "awareness"


def variants_of(result):
    """Every variant of a `dco generate --json` report, in brief order."""
    return [v for brief in json.loads(result.stdout)["briefs"] for v in brief["variants"]]


def test_a_list_of_briefs_in_json(tmp_path):
    briefs = tmp_path / "briefs.json"
    briefs.write_text(
        json.dumps(
            [
                {"product": "러닝 코칭", "offer": "첫 주 무료", "channel": "sms"},
                {"product": "Running coach", "locale": "en-US", "channel": "google_rsa"},
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    result = run_dco(
        "generate", "--brief", str(briefs), "--stage", "decision", "--n", "2", "--json", env=OFFLINE
    )
    variants = variants_of(result)
    assert {v["channel"] for v in variants} == {"sms", "google_rsa"}


def test_a_campaign_in_json_lines_gives_each_brief_its_variants(tmp_path):
    campaign = tmp_path / "campaign.jsonl"
    lines = [{"product": "러닝 코칭", "offer": "첫 주 무료", "channel": "sms"},
             {"product": "Running coach", "locale": "en-US", "channel": "google_rsa"}]  # fmt: skip
    campaign.write_text(
        "\n\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n",
        encoding="utf-8",
    )  # a blank line between them, as hand-made files have
    result = run_dco("generate", "--brief", str(campaign), "--stage", "decision", "--n", "2",
                     "--json", env=OFFLINE)  # fmt: skip
    assert sorted(v["channel"] for v in variants_of(result)) == ["google_rsa"] * 2 + ["sms"] * 2


def test_a_bad_line_of_a_json_lines_campaign_is_named_by_its_line(tmp_path):
    campaign = tmp_path / "campaign.jsonl"
    good = json.dumps({"product": "러닝 코칭", "channel": "sms"}, ensure_ascii=False)
    for bad, said in (
        ('{"product": "요가", "chanel": "sms"}', ":3:1: brief: key 'chanel'"),
        ('{"product": "요가", ', ":3:19: invalid JSON"),
    ):
        campaign.write_text(f"{good}\n{good}\n{bad}\n", encoding="utf-8")
        result = run_dco("generate", "--brief", str(campaign), "--stage", "decision", env=OFFLINE)
        assert result.returncode == 2 and f"{campaign}{said}" in result.stderr


def test_a_bad_brief_names_file_line_and_key(tmp_path):
    brief = tmp_path / "brief.yaml"
    brief.write_text("product: 코칭\nofer: 첫 주 무료\n", encoding="utf-8")
    result = run_dco("generate", "--brief", str(brief), "--stage", "decision", env=OFFLINE)
    assert result.returncode == 2
    assert f"{brief}:2:1: brief: key 'ofer'" in result.stderr
    assert "Did you mean 'offer'?" in result.stderr


def test_stage_or_signals_are_required():
    result = run_dco("generate", "--brief", BRIEF, env=OFFLINE)
    assert result.returncode == 2
    assert "--stage" in result.stderr


def test_openai_without_a_key_is_one_clear_line():
    result = run_dco(
        "generate", "--brief", BRIEF, "--stage", "decision", "--provider", "openai", env=OFFLINE
    )
    assert result.returncode == 2
    assert "set OPENAI_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_unknown_provider_lists_the_known_ones():
    result = run_dco("generate", "--brief", BRIEF, "--stage", "decision", "--provider", "anthropic")
    assert result.returncode == 2
    assert "unknown provider 'anthropic'" in result.stderr and "fake" in result.stderr


def test_cache_file_is_filled_and_reused(tmp_path):
    cache = tmp_path / "replies.db"
    args = (
        "generate",
        "--brief",
        BRIEF,
        "--stage",
        "decision",
        "--n",
        "2",
        "--seed",
        "4",
        "--cache",
        str(cache),
        "--json",
    )
    first = run_dco(*args, env=OFFLINE)
    second = run_dco(*args, env=OFFLINE)
    assert first.returncode == 0, first.stderr
    assert cache.exists()
    assert [v["copy"] for v in variants_of(first)] == [v["copy"] for v in variants_of(second)]


def test_generate_submits_to_a_review_queue(tmp_path):
    from dco.review import ReviewQueue

    path = tmp_path / "review.db"
    args = ("generate", "--brief", BRIEF, "--stage", "decision", "--n", "2", "--queue", str(path))
    first = run_dco(*args, env=OFFLINE)
    second = run_dco(*args, env=OFFLINE)
    assert "submitted 2 new variants" in first.stderr
    assert "submitted 0 new variants" in second.stderr  # the same variants are stored once
    with ReviewQueue(path) as queue:
        assert queue.stats()["pending"] == 2


def test_resume_skips_the_briefs_already_written(tmp_path):
    briefs = tmp_path / "briefs.json"
    briefs.write_text(json.dumps([
        {"product": "러닝 코칭", "offer": "첫 주 무료", "channel": "sms"},
        {"product": "Running coach", "locale": "en-US", "channel": "google_rsa"},
    ], ensure_ascii=False), encoding="utf-8")  # fmt: skip
    out = tmp_path / "variants.jsonl"
    # As if a first run stopped after the first brief: its variants are in the file.
    one = tmp_path / "one.json"
    one.write_text(json.dumps([json.loads(briefs.read_text())[0]], ensure_ascii=False))
    args = ("--stage", "decision", "--n", "2", "--out", str(out))
    assert run_dco("generate", "--brief", str(one), *args, env=OFFLINE).returncode == 0
    resumed = run_dco("generate", "--brief", str(briefs), *args, "--resume", env=OFFLINE)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming: 1 of 2 briefs already in" in resumed.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [v["channel"] for v in lines] == ["sms", "sms", "google_rsa", "google_rsa"]


def test_a_queue_that_cannot_be_opened_stops_before_any_request(tmp_path):
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("shopping list\n", encoding="utf-8")
    out = tmp_path / "variants.jsonl"
    result = run_dco(
        "generate", "--brief", BRIEF, "--stage", "decision", "--queue", str(not_a_db),
        "--out", str(out), env=OFFLINE,
    )  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert not out.exists()  # nothing was generated, so nothing paid for is lost


def test_json_report_carries_discards_and_says_ok():
    result = run_dco("generate", "--brief", BRIEF, "--stage", "decision", "--n", "2", "--json",
                     env=OFFLINE)  # fmt: skip
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["failures"] == 0
    (brief,) = report["briefs"]
    assert set(brief) >= {"variants", "discarded", "shortfall", "unwritten", "error"}
    assert brief["unwritten"] == 0


def test_n_is_also_the_short_option_a_user_types_first():
    result = run_dco("generate", "--brief", BRIEF, "--stage", "decision", "-n", "2", "--json",
                     env=OFFLINE)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["briefs"][0]["variants"]) == 2


def test_one_variant_submitted_and_written_is_counted_in_the_singular(tmp_path):
    result = run_dco("generate", "--brief", BRIEF, "--stage", "decision", "-n", "1",
                     "--queue", str(tmp_path / "q.db"), "--out", str(tmp_path / "v.jsonl"),
                     env=OFFLINE)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "submitted 1 new variant to " in result.stderr
    assert "wrote 1 variant to " in result.stderr


def test_the_report_of_a_brief_with_no_variant_keeps_its_discards():
    from dco.cli.generate import _report
    from dco.generation import BatchFailure, BatchResult, Discarded, GenerationResult
    from dco.models import Brief

    brief = Brief(product="코칭")
    empty = GenerationResult([], discarded=[Discarded(None, (), "unreadable reply: …")],
                             shortfall=3)  # fmt: skip
    report = _report([brief], BatchResult([empty], [BatchFailure(0, brief, "no variant")]))
    (row,) = report["briefs"]
    assert report["ok"] is False and row["error"] == "no variant" and row["shortfall"] == 3
    assert [d["reason"] for d in row["discarded"]] == ["unreadable reply: …"]


def test_a_refused_key_ends_the_whole_batch_in_one_line_exit_2(tmp_path):
    from tests.chat_server import chat_server

    seen = []

    def refuse(body):
        seen.append(body)
        return 401, {"error": {"message": "Incorrect API key provided", "type": "invalid_key"}}

    briefs = tmp_path / "briefs.json"
    briefs.write_text(json.dumps([{"product": f"코칭 {i}", "channel": "google_rsa"}
                                  for i in range(12)], ensure_ascii=False))  # fmt: skip
    with chat_server(refuse) as port:
        done = run_dco("generate", "--brief", str(briefs), "--stage", "decision",
                       "--provider", "openai/local", "--concurrency", "2",
                       env={"OPENAI_API_KEY": "sk-wrong",
                            "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1"})  # fmt: skip
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("dco: error:")]
    assert len(errors) == 1 and "refused the API key (401)" in errors[0]
    assert len(seen) < 12  # the briefs not begun were never sent


def test_a_brief_with_an_unknown_channel_stops_before_any_request(tmp_path):
    brief = tmp_path / "brief.yaml"
    brief.write_text("product: 러닝 코칭\nchannel: googel_rsa\n", encoding="utf-8")
    done = run_dco("generate", "--brief", str(brief), "--stage", "decision", "--provider", "fake")
    assert done.returncode == 2
    assert f"{brief}:2:1: brief: unknown channel 'googel_rsa'. Did you mean 'google_rsa'?" in (
        done.stderr
    )
