"""Offers and figures copy promises beyond its brief are flagged for the reviewer."""

import pytest

from dco.brand import Brand
from dco.generation import generate
from dco.generation.offers import RULE, offer_findings
from dco.models import Brief, Copy
from dco.testing import FakeProvider

BRIEF = Brief(
    product="하프 마라톤 10주 코칭",
    benefits=["맞춤 훈련 플랜"],
    offer="첫 주 무료",
    channel="google_rsa",
)
GIVEN = ("하프 마라톤 10주 코칭", "첫 주 무료", "맞춤 훈련 플랜")


def flagged(copy: Copy, given=GIVEN) -> dict[str, str]:
    return {f.field: f.message for f in offer_findings(copy, given)}


def test_a_discount_and_figure_the_brief_does_not_give_are_flagged():
    found = flagged(Copy(headline="10주 코칭 20% 할인", body="첫 주 무료로 시작해요.", cta="신청"))
    assert list(found) == ["headline"]
    assert "'20%'" in found["headline"] and "'할인'" in found["headline"]
    assert "'10주'" not in found["headline"]  # the brief's own figure


def test_copy_that_restates_the_brief_is_not_flagged():
    copy = Copy(headline="첫 주 무료, 지금 시작해요", body="10주면 맞춤 훈련 플랜으로 완주해요.",
                cta="무료로 시작하기")  # fmt: skip
    assert flagged(copy) == {}


@pytest.mark.parametrize(
    ("text", "shown"),
    [("10,000원 적립", "'10,000원'"), ("$5 off today", "'$5'"), ("쿠폰 드려요", "'쿠폰'"),
     ("1+1 이벤트", "'1+1'"), ("효과 보장", "'보장'"), ("Money-back promise", "'Money-back'")],
)  # fmt: skip
def test_each_kind_of_offer_is_named_as_copy_writes_it(text, shown):
    assert shown in flagged(Copy(headline="러닝 코칭", body=text, cta="신청"))["body"]


def test_a_number_is_the_briefs_however_its_thousands_are_written():
    given = ("러닝 코칭", "10000원 할인")
    assert flagged(Copy(headline="10,000원 할인", body="x", cta="y"), given) == {}


def test_a_number_written_in_an_offer_word_is_the_words():
    """ "0원" promises what "무료" does; "1+1" is a bundle, not the number 1."""
    assert flagged(Copy(headline="첫 주 0원", body="x", cta="y")) == {}
    bundle = flagged(Copy(headline="1+1 코칭", body="x", cta="y"))["headline"]
    assert "'1+1'" in bundle and "'1'" not in bundle


def test_long_copy_and_copy_casefolding_lengthens_are_read_alike():
    long = flagged(
        Copy(headline="러닝 코칭", body="천천히 달려요. " * 40 + "지금 20% 할인", cta="신청")
    )
    assert "'20%'" in long["body"] and "'할인'" in long["body"]
    # "ß" casefolds to "ss": what is shown is still the figure, not a letter beside it
    german = flagged(Copy(headline="Große Aktion: 20% Rabatt", body="x", cta="y"), ("Kurs",))
    assert "'20%'" in german["headline"]


def test_latin_words_match_whole_words_only():
    copy = Copy(headline="Salesman's pick", body="Freestyle coaching", cta="Join")
    assert flagged(copy, ("coaching",)) == {}


def test_what_the_channel_requires_word_for_word_is_given():
    """An ad SMS must carry the brand's free opt-out number: no offer of the copy's own."""
    brand = Brand.load("runfit")
    result = generate(BRIEF, stage="decision", channel="sms", n=2, brand=brand,
                      provider=FakeProvider(), seed=1)  # fmt: skip
    assert len(result) == 2
    for variant in result:
        assert "무료수신거부 080-000-0000" in variant.copy.body
        assert not [f for f in variant.findings if f.rule == RULE], variant.findings


def test_generated_copy_carries_the_warning_and_is_kept_for_review():
    fake = FakeProvider().then_reply({"variants": [
        {"headline": "첫 주 무료에 두 달 50% 할인", "body": "맞춤 훈련 플랜을 받아 보세요.",
         "cta": "신청하기"},
        {"headline": "첫 주 무료 코칭", "body": "10주면 하프를 완주해요.", "cta": "시작하기"},
    ]})  # fmt: skip
    result = generate(BRIEF, stage="decision", n=2, provider=fake, seed=1)
    assert len(result) == 2 and not result.discarded
    warned = [f for f in result[0].findings if f.rule == RULE]
    assert [(f.level, f.field, f.match) for f in warned] == [("warning", "headline", "50%")]
    assert not [f for f in result[1].findings if f.rule == RULE]


def test_the_prompt_asks_for_the_briefs_offers_alone():
    fake = FakeProvider()
    generate(BRIEF, stage="decision", n=1, provider=fake, seed=1)
    system = fake.calls[0].messages[0].content
    assert "Promise only the offers and figures the brief gives" in system


def test_figures_a_real_model_invented_are_flagged():
    """gemma-3-270m (benchmarks/real_model.py), for "10-week half-marathon coaching"."""
    given = ("10-week half-marathon coaching", "a plan built for you")
    found = flagged(Copy(headline="10-week half-m", body="11-month", cta="15-month"), given)
    assert list(found) == ["body", "cta"] and "'11-month'" in found["body"]
