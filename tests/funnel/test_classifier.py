import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dco.errors import ConfigError
from dco.funnel import (
    Classifier,
    classify,
    classify_many,
    default_classifier,
    load_lexicon,
)
from dco.funnel.evaluation import evaluate, read_labelled
from dco.models import FunnelStage, Signals
from tests.conftest import DATA

A, C, D = FunnelStage.AWARENESS, FunnelStage.CONSIDERATION, FunnelStage.DECISION


@pytest.mark.parametrize("text", ["노트북 가격비교", "노트북 가격 비교", "노트북 가격을 비교"])
def test_price_comparison_is_consideration_however_it_is_spaced(text):
    result = classify(text)
    assert result.stage is C
    assert any("consideration cue" in r for r in result.reasons)


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("러닝화 최저가로 사는 곳", D),
        ("노트북추천", C),
        ("하프 마라톤 목표 설정 방법", A),
        ("how to train for a half marathon", A),
        ("best half marathon training plan", C),
        ("running coach near me", D),
    ],
)
def test_cues_in_korean_and_english(text, stage):
    assert classify(text).stage is stage


@pytest.mark.parametrize("text", ["비교적 쉬운 코스", "트레이닝 방법론"])
def test_exception_words_do_not_count_as_their_cue(text):
    assert Classifier(model=None).classify(text).defaulted
    assert not any(" cue (+" in reason for reason in classify(text).reasons)


def test_reasons_name_the_deciding_cue():
    assert "'가격 비교' → consideration cue (+1.6)" in classify("가격 비교").reasons


def test_reasons_name_the_deciding_event():
    result = classify(Signals(events=["add_to_cart"]))
    assert result.stage is D
    assert result.reasons[0] == "event add_to_cart → decision (+3.0)"


@pytest.mark.parametrize(
    ("event", "stage"),
    [
        ("page_view:pricing", D),
        ("add_to_cart", D),
        ("checkout_start", D),
        ("compare_view", C),
        ("review_view", C),
        ("page_view:blog", A),
        ("page_view:guide", A),
    ],
)
def test_events_weigh_in(event, stage):
    assert classify(Signals(events=[event])).stage is stage


def test_events_outweigh_a_weak_text_cue():
    assert classify(Signals(text="하프 마라톤 훈련 방법", events=["checkout_start"])).stage is D


def test_old_events_weigh_less_than_fresh_ones():
    lexicon_only = Classifier(model=None)
    fresh = lexicon_only.classify(
        Signals(text="하프 마라톤 훈련 방법", events=["page_view:pricing"])
    )
    stale = lexicon_only.classify(
        Signals(text="하프 마라톤 훈련 방법", events=["page_view:pricing@720h"])
    )
    assert fresh.stage is D
    assert stale.stage is A
    assert stale.scores[D] < fresh.scores[D]


def test_repeat_visits_add_weight_up_to_a_cap():
    def decision_score(count):
        return classify(Signals(events=[f"page_view:pricing*{count}", "compare_view"])).scores[D]

    assert decision_score(1) < decision_score(2) < decision_score(4)
    assert decision_score(8) == decision_score(64)  # capped at max_repeat_factor


def test_no_signals_give_the_documented_default_with_low_confidence():
    result = classify("")
    assert result.stage is A
    assert result.defaulted
    assert result.confidence == pytest.approx(1 / 3, abs=1e-3)
    assert "default stage awareness" in result.reasons[0]


def test_conflicting_signals_give_low_confidence_and_the_earlier_stage():
    lexicon_only = Classifier(model=None)  # the documented tie rule is the lexicon's
    result = lexicon_only.classify("러닝화 후기 가격")  # consideration 1.2 vs decision 1.0 + ...
    tie = lexicon_only.classify(Signals(events=["compare_view", "page_view:pricing"]))
    assert tie.stage is C
    assert tie.confidence < 0.5
    assert any(r.startswith("low confidence") for r in tie.reasons)
    assert result.confidence < 0.6


def test_scores_are_probabilities():
    result = classify(Signals(text="러닝화 추천", events=["add_to_cart"]))
    assert math.isclose(sum(result.scores.values()), 1.0, abs_tol=1e-3)
    assert result.confidence == max(result.scores.values())


def test_repeated_cue_counts_once():
    assert classify("할인 할인 할인").scores == classify("할인").scores


def test_classify_many_matches_one_by_one():
    items = ["러닝화 추천", Signals(events=["add_to_cart"]), ""]
    assert classify_many(items) == [classify(item) for item in items]


def test_huge_text_is_cut_not_refused():
    result = classify("러닝화 최저가 " + "가" * 1_000_000)
    assert result.stage is D


@settings(max_examples=300)
@given(st.text())
def test_arbitrary_text_never_crashes(text):
    result = default_classifier().classify(text)
    assert 0.0 <= result.confidence <= 1.0
    assert result.stage in FunnelStage


@given(st.text(alphabet=st.sampled_from("가격비교 을를\u0301\u200d\uff21\x00\n👍🏽")))
def test_odd_unicode_around_korean_cues_never_crashes(text):
    assert default_classifier().classify(text).stage in FunnelStage


def test_brand_override_adds_and_removes_cues(tmp_path):
    override = tmp_path / "funnel.yaml"
    override.write_text(
        "cues:\n  decision:\n    완주 패키지: 2.0\n  awareness:\n    방법: 0\n",
        encoding="utf-8",
    )
    classifier = Classifier(load_lexicon(override))
    assert classifier.classify("하프 완주 패키지").stage is D
    assert classifier.classify("훈련 방법").defaulted
    assert classify("훈련 방법").stage is A  # the built-in lexicon is untouched


def test_brand_override_with_an_unknown_event_is_a_located_error(tmp_path):
    override = tmp_path / "funnel.yaml"
    override.write_text("events:\n  weights:\n    add_to_kart: {decision: 2}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"funnel\.yaml:3:5: .*unknown event 'add_to_kart'"):
        load_lexicon(override)


def test_brand_override_with_a_misspelt_key_suggests_the_right_one(tmp_path):
    override = tmp_path / "funnel.yaml"
    override.write_text("default_stag: decision\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Did you mean 'default_stage'"):
        load_lexicon(override)


@pytest.mark.parametrize(
    "name",
    [
        "funnel_dev.jsonl",
        "funnel_holdout.jsonl",
        "funnel_web_dev.jsonl",
        "funnel_web_holdout.jsonl",
    ],
)
def test_labelled_sets_score_at_least_095_macro_f1(name):
    rows = read_labelled(DATA / name)
    predictions = [classify(row.signals).stage for row in rows]
    assert evaluate(rows, predictions).macro_f1 >= 0.95


def test_dev_set_is_large_and_covers_every_stage_in_both_languages():
    rows = read_labelled(DATA / "funnel_dev.jsonl")
    assert len(rows) >= 150
    hangul = {row.stage for row in rows if any("가" <= ch <= "힣" for ch in row.signals.text)}
    english = {row.stage for row in rows if row.signals.text.isascii() and row.signals.text}
    events_only = {row.stage for row in rows if row.signals.events and not row.signals.text}
    assert hangul == english == events_only == set(FunnelStage)
