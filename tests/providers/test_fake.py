"""The offline fake as a newcomer meets it: copy that reads as copy."""

import re

from dco.brand import Brand
from dco.generation import generate
from dco.models import Brief
from dco.resources import load_data
from dco.testing import FakeProvider


def test_the_fake_puts_a_required_line_on_its_own_line_not_into_a_sentence():
    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel="lms")
    result = generate(brief, stage="decision", n=2, brand=Brand.load("runfit"),
                      provider=FakeProvider())  # fmt: skip
    assert result
    for variant in result:
        body = variant.copy.body
        assert body.endswith("\n무료수신거부 080-000-0000") or body == "무료수신거부 080-000-0000"


def test_the_fake_never_cuts_a_word_and_keeps_naver_headlines_whole():
    brief = Brief(product="하프 마라톤 10주 코칭", offer="첫 주 무료", channel="naver_powerlink",
                  benefits=("매주 코치 피드백", "부상 없이 완주하는 페이스 관리"))  # fmt: skip
    result = generate(brief, stage="decision", n=3, provider=FakeProvider())
    assert len(result) == 3  # distinct variants, not near-duplicates of one
    templates = " ".join(load_data("fake_copy.yaml").data["ko"]["decision"]["headline"])
    words = set(re.findall(r"[\w]+", f"{templates} {brief.product} {brief.offer}"))
    words |= {w for b in brief.benefits for w in re.findall(r"[\w]+", b)}
    for variant in result:
        # Every word whole, as the templates and the brief spell it (a particle may follow):
        # none cut in two.
        for word in re.findall(r"[\w]+", variant.copy.headline):
            assert any(word.startswith(w) for w in words), variant.copy.headline
        assert not variant.copy.headline.endswith("첫")


def test_an_ad_sms_from_the_fake_reads_as_one():
    brief = Brief(product="하프 마라톤 10주 코칭", offer="첫 주 무료", channel="sms")
    result = generate(brief, stage="decision", n=3, brand=Brand.load("runfit"),
                      provider=FakeProvider())  # fmt: skip
    for variant in result:
        assert variant.copy.headline == "(광고) 런핏 02-000-0000"
        assert not variant.copy.body.split("\n")[0].endswith(("첫", "하면"))
