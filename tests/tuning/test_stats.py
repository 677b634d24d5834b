import json
from types import SimpleNamespace

import pytest

from dco.errors import StatsError
from dco.tuning.stats import compare, summarise, two_proportion_test, wilson
from tests.conftest import run_dco


def record(action, version="p_a", stage="decision", distance=0.0, reasons=()):
    return SimpleNamespace(
        action=action, prompt_version=version, stage=stage, channel="sms", locale="ko-KR",
        model="fake", campaign=None, reviewer="kim", distance=distance, reasons=reasons, count=1,
    )  # fmt: skip


def test_wilson_interval_matches_the_hand_computed_one():
    # p = 0.8, n = 10, z = 1.96: centre 0.7167, half-width 0.2266.
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_interval_stays_inside_zero_and_one_at_the_extremes():
    assert wilson(0, 5)[0] == 0.0 and 0 < wilson(0, 5)[1] < 1
    assert wilson(5, 5)[1] == 1.0 and wilson(0, 0) == (0.0, 1.0)


def test_two_proportion_test_matches_the_hand_computed_one():
    # 40/100 vs 60/100: pooled 0.5, se = sqrt(0.25 * 0.02) = 0.07071, z = 2.828, p = erfc(2).
    z, p = two_proportion_test(40, 100, 60, 100)
    assert z == pytest.approx(2.8284, abs=1e-4)
    assert p == pytest.approx(0.004678, abs=1e-6)


def test_summarise_counts_rates_mean_edit_distance_and_reasons_per_group():
    records = [
        record("approve"), record("edit", distance=0.2), record("edit", distance=0.4),
        record("reject", reasons=("too-long", "wrong-tone")),
        record("reject", reasons=("too-long",)),
        record("approve", stage="awareness"),
    ]  # fmt: skip
    groups = {g.key["stage"]: g for g in summarise(records, ("stage",))}
    decision = groups["decision"]
    assert (decision.decided, decision.approved, decision.edited, decision.rejected) == (5, 1, 2, 2)
    assert decision.approval.value == pytest.approx(0.2)
    assert decision.edit_distance == pytest.approx(0.3)
    assert decision.reasons == {"too-long": 2, "wrong-tone": 1}
    assert groups["awareness"].edit_distance is None
    with pytest.raises(StatsError, match="cannot group by 'colour'"):
        summarise(records, ("colour",))


def test_compare_reports_a_difference_beyond_chance_with_its_figures():
    log = [record("approve", "p_a")] * 40 + [record("reject", "p_a", reasons=("other",))] * 60
    log += [record("approve", "p_b")] * 60 + [record("edit", "p_b", distance=0.1)] * 40
    result = compare(log, "p_a", "p_b")
    assert result.enough_data and result.p_value == pytest.approx(0.004678, abs=1e-6)
    assert result.verdict.startswith("B's approval rate is higher than A's beyond chance")


def test_compare_says_when_there_is_not_enough_data_yet():
    log = [record("approve", "p_a")] * 3 + [record("approve", "p_b")] * 2
    result = compare(log, "p_a", "p_b")
    assert not result.enough_data and result.p_value is None
    assert result.verdict.startswith("not enough data yet")
    with pytest.raises(StatsError, match="no decided variants for prompt version 'p_c'"):
        compare(log, "p_a", "p_c")


@pytest.fixture
def reviewed_db(queue_location):
    """Decisions in a SQLite file, and on a PostgreSQL server: statistics read both alike."""
    from dco.review import ReviewQueue
    from tests.review.test_queue import variants

    path = queue_location
    with ReviewQueue(path) as queue:
        batch = variants(4)
        queue.submit(batch)
        queue.approve(batch[0].id, "kim")
        queue.approve(batch[1].id, "kim")
        queue.reject(batch[2].id, "lee", ["too-long"])
    return path


def test_stats_command_prints_json_rates_per_stage(reviewed_db):
    done = run_dco("stats", str(reviewed_db), "--by", "stage", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["overall"]["decided"] == 3
    assert report["overall"]["approval"]["count"] == 2
    assert report["by"]["stage"][0]["reasons"] == {"too-long": 1}


def test_stats_tables_speak_korean_and_name_the_stage_as_korean_readers_do(reviewed_db):
    done = run_dco("--lang", "ko", "stats", str(reviewed_db), "--by", "stage")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].strip() == "전체" and "단계별" in done.stdout
    header = next(line for line in lines if "결정 수" in line and "단계" in line)
    assert "승인" in header and "반려 사유" in header and "decided" not in done.stdout
    assert any(line.startswith("│ 결정 ") for line in lines)  # the stage "decision", in Korean
    assert "아직 성과가 없습니다" in done.stdout


def test_a_comparisons_verdict_speaks_the_language_in_use():
    from dco import i18n

    log = [record("approve", "p_a")] * 40 + [record("reject", "p_a", reasons=("other",))] * 60
    log += [record("approve", "p_b")] * 60 + [record("edit", "p_b", distance=0.1)] * 40
    i18n.use("ko")
    try:
        verdict = compare(log, "p_a", "p_b").verdict
    finally:
        i18n.use("en")
    assert verdict.startswith("B의 승인율이 우연을 넘어 A보다 높습니다 (A 100건 중 40.0%")


def test_stats_command_says_how_to_make_a_database_when_there_is_none(tmp_path):
    done = run_dco("stats", str(tmp_path / "none.db"))
    assert done.returncode == 2
    assert "dco generate --queue" in done.stderr


def test_counted_rows_from_the_database_summarise_the_same_as_the_records(reviewed_db):
    from dco.review import ReviewQueue

    with ReviewQueue(reviewed_db) as queue:
        for by in ((), ("stage",), ("reviewer",)):
            counted = [g.to_dict() for g in summarise(queue.decision_counts(), by)]
            assert counted == [g.to_dict() for g in summarise(queue.decided(), by)]


def test_outcomes_summarise_ctr_and_cvr_counting_a_variant_under_each_of_its_tags():
    from dco.models.records import OutcomeRow
    from dco.tuning.stats import summarise_outcomes

    where = ("decision", "sms", "ko-KR")
    rows = [
        OutcomeRow(*where, "p_a", "m", None, ("indoor", "rainy-day"), 1000, 30, 3),
        OutcomeRow(*where, "p_b", "m", None, (), 500, 5, 1),
    ]
    [overall] = summarise_outcomes(rows)
    assert (overall.impressions, overall.clicks, overall.conversions) == (1500, 35, 4)
    assert overall.ctr.value == pytest.approx(35 / 1500) and overall.cvr.value == pytest.approx(
        4 / 35
    )
    by_tag = {g.key["tag"]: g for g in summarise_outcomes(rows, ("tag",))}
    assert set(by_tag) == {"indoor", "rainy-day", "(untagged)"}
    assert by_tag["indoor"].clicks == 30 and by_tag["(untagged)"].impressions == 500


def test_stats_command_adds_ctr_once_outcomes_are_recorded(reviewed_db):
    from dco.review import ReviewQueue

    with ReviewQueue(reviewed_db) as queue:
        for variant, _, _ in queue.approved():
            queue.record_outcome(variant.id, impressions=200, clicks=8, at="2026-11-23")
    report = json.loads(run_dco("stats", str(reviewed_db), "--json").stdout)
    assert report["outcomes"]["overall"]["ctr"]["count"] == 16
    assert report["outcomes"]["by"]["stage"][0]["impressions"] == 400


def test_tuning_for_a_built_in_brand_asks_where_to_write(reviewed_db, tmp_path):
    done = run_dco("tune", str(reviewed_db), "--brand", "runfit")
    assert done.returncode == 2
    assert "runfit is a built-in brand" in done.stderr and "--out" in done.stderr
    written = run_dco("tune", str(reviewed_db), "--brand", "runfit", "--out",
                      str(tmp_path / "tuning.yaml"))  # fmt: skip
    assert written.returncode == 0 and (tmp_path / "tuning.yaml").is_file()


def test_stats_command_prints_a_campaign_that_looks_like_markup_as_named(tmp_path):
    from dco.review import ReviewQueue
    from tests.review.test_queue import variants

    campaigns = ["[/b] 봄 세일", "[b]여름[/b]"]
    with ReviewQueue(tmp_path / "review.db") as queue:
        batch = [v.model_copy(update={"brief": v.brief.model_copy(update={"campaign": c})})
                 for v, c in zip(variants(2), campaigns, strict=True)]  # fmt: skip
        queue.submit(batch)
        for variant in batch:
            queue.approve(variant.id, "kim")
    done = run_dco("stats", str(tmp_path / "review.db"), "--by", "campaign")
    assert done.returncode == 0, done.stderr
    assert all(campaign in done.stdout for campaign in campaigns)
