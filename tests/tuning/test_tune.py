import pytest

from dco.brand import Brand
from dco.errors import ConfigError
from dco.models.records import Reviewed
from dco.tuning import TuningProfile, tune
from dco.tuning.mining import mine_preferences, replacements


def reviewed(seq, action, copy, *, edited=None, reasons=(), reviewer="kim", stage="decision",
             channel="google_rsa", locale="ko-KR"):  # fmt: skip
    return Reviewed(
        variant_id=f"v_{seq}", campaign=None, stage=stage, channel=channel, locale=locale,
        prompt_version="p_1", model="fake", copy=copy, seq=seq, action=action, reviewer=reviewer,
        at="2026-11-01T00:00:00+00:00", edited=edited, reasons=tuple(reasons), distance=0.1,
    )  # fmt: skip


def copy(headline, body="하프 마라톤 10주 코칭", cta="시작하기"):
    return {"headline": headline, "body": body, "cta": cta}


def edit(seq, before, after, reviewer="kim", locale="ko-KR"):
    return reviewed(seq, "edit", copy(before), edited=copy(after), reviewer=reviewer,
                    locale=locale)  # fmt: skip


# -- preferences ------------------------------------------------------------------------------


def test_a_korean_edit_is_learned_at_the_word_with_the_shared_particle_set_aside():
    assert replacements("가격을 확인해요", "비용을 확인해요") == [("가격", "비용")]
    log = [
        edit(1, "가격을 확인해요", "비용을 확인해요"),
        edit(2, "가격이 궁금하다면", "비용이 궁금하다면", "lee"),
    ]
    [preference] = mine_preferences(log, min_support=2)
    assert (preference.avoid, preference.prefer) == ("가격", "비용")
    assert (preference.support, preference.reviewers) == (2, 2)
    assert preference.examples[0] == "가격을 확인해요 → 비용을 확인해요"


def test_an_english_edit_pairs_word_for_word_and_ignores_article_agreement():
    pairs = replacements("A cheap workout plan.", "An affordable training plan!")
    assert pairs == [("cheap", "affordable"), ("workout", "training")]


def test_separate_changes_in_one_field_are_separate_pairs():
    before, after = "10주 코칭을 저렴한 가격에", "12주 코칭을 합리적인 가격에"
    assert replacements(before, after) == [("10주", "12주"), ("저렴한", "합리적인")]
    assert replacements("Start the cheap plan", "Start the affordable training plan") == [
        ("cheap", "affordable training"),
    ]


def test_a_one_off_edit_does_not_become_a_preference():
    log = [
        edit(1, "저렴한 가격에 시작해요", "합리적인 가격에 시작해요"),
        edit(2, "저렴한 코칭", "합리적인 코칭", "lee"),
        edit(3, "지금 바로 신청", "지금 신청"),  # once only: taste, not a pattern
    ]
    preferences = mine_preferences(log, min_support=2)
    assert [(p.avoid, p.prefer) for p in preferences] == [("저렴한", "합리적인")]


def test_reviewers_who_change_a_word_both_ways_equally_teach_nothing():
    log = [edit(1, "러닝 코칭", "달리기 코칭"), edit(2, "러닝 플랜", "달리기 플랜"),
           edit(3, "달리기 기록", "러닝 기록"), edit(4, "달리기 습관", "러닝 습관")]  # fmt: skip
    assert mine_preferences(log, min_support=2) == []


# -- examples ---------------------------------------------------------------------------------


def test_examples_are_the_newest_approved_copy_without_near_duplicates_or_rejected_copy():
    log = [
        reviewed(1, "approve", copy("첫 주 무료로 시작해요")),
        reviewed(2, "approve", copy("오늘 시작하면 첫 주 무료", "다른 본문이에요")),
        reviewed(3, "reject", copy("완주까지 함께 달려요"), reasons=["other"]),
        reviewed(4, "approve", copy("완주까지 함께 달려요")),  # rejected elsewhere: left out
        reviewed(5, "approve", copy("첫 주 무료로 시작해요!")),  # a near-duplicate of seq 1
        reviewed(6, "edit", copy("코치와 함께 10주"), edited=copy("코치와 함께하는 10주")),
    ]
    [section] = tune(log, max_examples=5).sections
    assert [e.seq for e in section.examples] == [6, 5, 2]
    assert section.examples[0].edited and section.examples[0].headline == "코치와 함께하는 10주"
    assert [e.seq for e in tune(log, max_examples=2).sections[0].examples] == [6, 5]


def test_examples_leave_out_copy_that_now_breaks_an_error_level_brand_rule():
    brand = Brand.load("runfit")
    log = [
        reviewed(1, "approve", copy("첫 주 무료로 시작해요")),
        reviewed(
            2, "approve", copy("대박 혜택으로 시작해요", "완주를 도와드려요")
        ),  # 대박 is rejected
    ]
    [section] = tune(log, brand=brand).sections
    assert [e.seq for e in section.examples] == [1]


# -- notes and lengths ------------------------------------------------------------------------


def test_frequent_too_long_rejections_become_a_note_and_a_tighter_length():
    long_body = "코치가 짜 주는 맞춤 훈련으로 첫 하프 마라톤을 완주하는 10주 프로그램이에요"
    log = [reviewed(i, "reject", copy("첫 하프 완주", long_body), reasons=["too-long"])
           for i in range(1, 4)]  # fmt: skip
    log += [
        reviewed(i, "approve", copy("첫 하프 완주", f"10주면 충분해요 {i}")) for i in range(4, 8)
    ]
    [section] = tune(log).sections
    assert section.reasons == {"too-long": 3}
    assert section.notes[0].startswith("Reviewers rejected 3 of 7 variants here as too long")
    assert set(section.lengths) == {"body"} and 0 < section.lengths["body"] < 1


def test_a_reason_below_the_support_bar_makes_no_note():
    log = [reviewed(1, "reject", copy("하프 마라톤"), reasons=["wrong-tone"]),
           reviewed(2, "approve", copy("첫 하프 완주"))]  # fmt: skip
    [section] = tune(log, min_support=2).sections
    assert section.notes == [] and section.reasons == {"wrong-tone": 1}


def test_words_only_in_copy_rejected_for_tone_are_learned_as_words_to_avoid():
    log = [
        reviewed(1, "reject", copy("놓치면 후회할 코칭"), reasons=["wrong-tone"]),
        reviewed(2, "reject", copy("놓치면 끝! 코칭"), reasons=["wrong-tone"], reviewer="lee"),
        reviewed(3, "approve", copy("함께 달리는 코칭")),
    ]
    profile = tune(log)
    assert profile.locales["ko-KR"].avoid == ["놓치면"]  # 코칭 is in approved copy too


# -- the profile --------------------------------------------------------------------------------


def test_the_same_log_gives_the_same_profile():
    log = [edit(i, "저렴한 코칭", "합리적인 코칭", reviewer=f"r{i % 2}") for i in range(1, 6)]
    log += [reviewed(9, "reject", copy("대박"), reasons=["wrong-tone"])]
    assert tune(log) == tune(list(reversed(log)))
    assert tune(log).model_dump_json() == tune(log).model_dump_json()


def test_a_profile_survives_a_round_trip_through_its_yaml_file(tmp_path):
    log = [edit(i, "저렴한 코칭", "합리적인 코칭") for i in range(1, 4)]
    profile = tune(log)
    profile.save(tmp_path / "tuning.yaml")
    assert TuningProfile.load(tmp_path / "tuning.yaml") == profile
    assert "합리적인" in (tmp_path / "tuning.yaml").read_text(encoding="utf-8")  # not \\u escapes


def test_a_profile_file_with_an_unknown_key_names_file_line_and_key(tmp_path):
    path = tmp_path / "tuning.yaml"
    path.write_text("version: 1\nsectons: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tuning.yaml:2.*sectons.*sections"):
        TuningProfile.load(path)


def test_copy_that_served_better_than_its_peers_comes_first_among_examples():
    from dco.outcomes.values import Totals

    copies = [copy("첫 주 무료로 시작해요", "오늘 신청하면 첫 주는 무료예요", "무료로 시작"),
              copy("코치와 함께 완주해요", "매주 피드백으로 페이스를 잡아요", "코치 만나기"),
              copy("10주면 충분해요", "하프 완주까지 열 번의 주말", "플랜 보기")]  # fmt: skip
    log = [reviewed(i, "approve", c) for i, c in enumerate(copies, 1)]

    class Log:
        def __init__(self, records):
            self.records = records

        def decided(self, **filters):
            return self.records

        def outcome_totals(self):
            return {
                "v_1": {"all": Totals(2000, 120, 0)},  # 6 %: well above the pool
                "v_2": {"all": Totals(2000, 20, 0)},  # 1 %
                "v_3": {"all": Totals(50, 10, 0)},  # too few impressions to judge
            }

    [section] = tune(Log(log)).sections
    assert [e.seq for e in section.examples] == [1, 3, 2]
    # Pooled 140 / 4,000 = 3.5 %, worth 20 impressions: (0.7 + 120) / (20 + 2,000).
    assert section.examples[0].ctr == pytest.approx(120.7 / 2020)
    assert section.examples[1].ctr is None
