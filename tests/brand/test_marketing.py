"""dco's own marketing rule kinds."""

from dco.brand.loader import KINDS
from dco.brand.marketing import register_of
from dco.brand.rules import Context
from dco.channels.catalog import get_channel


def rule(kind, **fields):
    built = KINDS[kind].model_validate({"extends": kind, **fields})
    built.id = "Test.Rule"
    return built


def test_length_in_a_channels_unit():
    r = rule("length", field="headline", channel="google_rsa")
    assert r.check("가" * 15, Context(field="headline")) == []
    (hit,) = r.check("가" * 16, Context(field="headline"))
    assert "32 google_width" in hit.message and "30" in hit.message


def test_length_with_an_explicit_limit():
    r = rule("length", field="cta", max=5, unit="chars", message="{length}/{limit}")
    assert [h.message for h in r.check("지금 신청하세요", Context(field="cta"))] == ["8/5"]


def test_required_prefix_must_be_exact_and_first():
    r = rule("required", pattern="(광고)", literal=True, position="start", field="headline",
             channels=["sms"])  # fmt: skip
    sms = get_channel("sms")
    assert r.check("(광고) 첫 주 무료", Context(field="headline", channel=sms)) == []
    assert r.check("첫 주 무료 (광고)", Context(field="headline", channel=sms))
    assert r.check("[광고] 첫 주 무료", Context(field="headline", channel=sms))
    assert r.check("첫 주 무료", Context(field="headline", channel=get_channel("meta_feed"))) == []


def test_required_anywhere_looks_across_the_asset():
    r = rule("required", pattern=r"무료\s*수신\s*거부\s*080-?\d{3,4}-?\d{4}", field="text")
    asset = {"headline": "(광고) 코칭", "body": "첫 주 무료", "cta": "무료수신거부 080-123-4567"}
    assert r.check("(광고) 코칭", Context(field="headline", asset=asset)) == []
    asset["cta"] = "신청하기"
    assert r.check("(광고) 코칭", Context(field="headline", asset=asset))


def test_claim_is_allowed_only_when_substantiated():
    r = rule("claim", tokens=["1위", "최고"])
    assert [h.match for h in r.check("완주율 1위 코칭", Context())] == ["1위"]
    allowed = Context(claims=frozenset({"완주율 1위"}))
    assert r.check("완주율 1위 코칭", allowed) == []
    assert [h.match for h in r.check("만족도 1위 코칭", allowed)] == ["1위"]


def test_formality_flags_the_minority_register():
    r = rule("formality", message="%s vs %s")
    text = "첫 주는 무료예요. 지금 신청하세요. 등록하십시오."
    (hit,) = r.check(text, Context())
    assert hit.match == "등록하십시오."


def test_formality_follows_the_brand():
    r = rule("formality")
    assert r.check("신청하십시오.", Context(formality=("haeyo",)))
    assert r.check("신청하세요.", Context(formality=("haeyo",))) == []


def test_register_of_korean_sentences():
    assert register_of("함께 달려요.") == "haeyo"
    assert register_of("함께 달립니다.") == "hamnida"
    assert register_of("함께 달리자!") == "banmal"
    assert register_of("Run with us.") is None


def test_conditional_offer_needs_conditions_in_the_asset():
    r = rule(
        "conditional-offer", tokens=["free", "무료"], conditions=["첫\\s*\\S+", "for \\d+ days"]
    )
    assert [h.match for h in r.check("Free coaching", Context())] == ["Free"]
    assert r.check("Free coaching for 7 days", Context()) == []
    assert r.check("첫 주 무료", Context()) == []
