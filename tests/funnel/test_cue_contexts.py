"""Cues whose weight depends on what surrounds them (`needs` / `unless` contexts)."""

import pytest

from dco.errors import ConfigError
from dco.funnel import Classifier, classify, load_lexicon
from dco.models import FunnelStage

A, C, D = FunnelStage.AWARENESS, FunnelStage.CONSIDERATION, FunnelStage.DECISION


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("karate kid 3 cast", A),
        ("icd 10 code renal insufficiency", A),
        ("how big is 40 acres", A),
        ("galaxy s25 후기", C),
        ("iphone 16 pro max", C),
    ],
)
def test_a_number_reads_as_a_product_model_only_beside_a_product(text, stage):
    assert classify(text).stage is stage


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("sql order descending", A),
        ("order of operations", A),
        ("reference a book", A),
        ("order pizza online", D),
        ("order camping chair", D),
        ("book a flight to jeju", D),
    ],
)
def test_order_and_book_need_an_object_or_a_commercial_frame(text, stage):
    assert classify(text).stage is stage


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("exempt vs non-exempt employees", A),
        ("affect vs effect", A),
        ("iphone 16 vs galaxy s25", C),
        ("러닝 크루 vs 개인 코칭", C),
    ],
)
def test_vs_is_commercial_between_products_only(text, stage):
    assert classify(text).stage is stage


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("how much oxycodone is safe", A),
        ("how much water should i drink a day", A),
        ("how much does a running coach cost", D),
        ("how much is a personal running coach", D),
    ],
)
def test_how_much_is_price_intent_only_about_a_price(text, stage):
    assert classify(text).stage is stage


@pytest.mark.parametrize(
    "text",
    ["zero down lease offers", "track my phone for free", "word to pdf converter online free"],
)
def test_commercial_modifiers_count(text):
    assert classify(text).stage is D


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("youtube to mp3", D),
        ("qr code generator", D),
        ("watch the office", D),
        ("how to watch the office", A),
        ("internet speed test", D),
    ],
)
def test_using_a_tool_or_service_online_now_is_a_decision(text, stage):
    assert classify(text).stage is stage


def test_a_cue_that_did_not_count_says_why():
    result = classify("sql order descending")
    assert result.defaulted
    assert result.reasons[0].startswith("'order' not counted: it needs")
    assert "something to book or order" in result.reasons[0]


def test_a_cue_that_counted_names_its_context():
    assert "'order' with 'pizza' → decision cue (+1.2)" in classify("order pizza").reasons


def test_no_cue_and_no_known_word_is_the_default_at_low_confidence_and_says_so():
    result = classify("zqxv blorf")
    assert result.defaulted
    assert result.decided_by == "default"
    assert result.confidence < 0.5
    assert result.reasons[-1].startswith("low confidence: no stage cue")


def test_default_stage_is_the_brand_lexicons_choice(tmp_path):
    override = tmp_path / "funnel.yaml"
    override.write_text("default_stage: consideration\n", encoding="utf-8")
    result = Classifier(load_lexicon(override)).classify("zqxv blorf")
    assert result.stage is C
    assert "default stage consideration" in result.reasons[-1]


def test_an_unless_context_cancels_a_cue(tmp_path):
    override = tmp_path / "funnel.yaml"
    override.write_text(
        "cues:\n  decision:\n    free: {weight: 0.8, unless: [health]}\n"
        "contexts:\n  health: {label: a health topic, terms: [keto, diet]}\n",
        encoding="utf-8",
    )
    classifier = Classifier(load_lexicon(override))
    assert classifier.classify("free games").stage is D
    result = classifier.classify("keto free meal plan")
    assert result.defaulted
    assert "'free' not counted: 'keto' makes it a health topic" in result.reasons


def test_a_brand_adds_terms_to_a_built_in_context(tmp_path):
    override = tmp_path / "funnel.yaml"
    override.write_text("contexts:\n  product:\n    terms: [duolingo]\n", encoding="utf-8")
    lexicon_only = Classifier(model=None)
    assert lexicon_only.classify("duolingo vs babbel").stage is A
    assert Classifier(load_lexicon(override), model=None).classify("duolingo vs babbel").stage is C


def test_a_cue_naming_an_undefined_context_is_refused(tmp_path):
    override = tmp_path / "funnel.yaml"
    override.write_text("cues:\n  decision:\n    deal: {weight: 1, needs: [shops]}\n")
    with pytest.raises(ConfigError, match=r"context 'shops'.*does not define"):
        load_lexicon(override)
