"""Each built-in pack flags what its source forbids, and leaves compliant copy alone."""

import unicodedata

import pytest

from dco.brand import Brand, BrandSpec
from dco.brand.loader import PACKS_DIR, load_rules
from dco.models import Copy
from dco.resources import bundled_dir


def brand_with(pack: str) -> Brand:
    return Brand(BrandSpec(name="Test", packs=[pack]), load_rules(PACKS_DIR / pack, pack))


def rules_hit(brand: Brand, copy, channel=None) -> set[str]:
    return {f.rule for f in brand.check(copy, channel=channel)}


@pytest.mark.parametrize(
    ("pack", "bad", "good"),
    [
        ("ko-food", "마시기만 해도 당뇨 예방", "아침을 든든하게 채워요"),
        ("ko-cosmetics", "아토피 피부염 치료 크림", "촉촉하게 감싸는 보습 크림"),
        ("ko-ad-law", "업계 최초 러닝 코칭", "함께 달리는 러닝 코칭"),
        ("en-ftc-free", "Free coaching", "Free coaching for your first 7 days"),
        (
            "en-ftc-free",
            "Start your free trial",
            "Free trial for 7 days, then $9/month; cancel any time",
        ),
        ("ko-ad-law", "타사 대비 2배 빠른 완주", "함께 빨라지는 완주"),
        ("ko-ad-law", "완주 효과 보장", "완주를 돕는 코칭"),
        ("ko-food", "체지방 감소 도시락", "든든한 도시락"),
        ("ko-cosmetics", "주름 개선 크림", "촉촉한 크림"),
        ("en-ftc-claims", "Clinically proven plan", "A plan built by coaches"),
        ("en-can-spam", "RE: your plan", "Your plan is ready"),
    ],
)
def test_pack_flags_the_bad_and_passes_the_good(pack, bad, good):
    brand = brand_with(pack)
    assert rules_hit(brand, bad)
    assert not rules_hit(brand, good)


def test_ko_ad_law_ad_sms_needs_the_prefix_and_the_opt_out():
    brand = brand_with("ko-ad-law")
    good = Copy(headline="(광고) 러닝 코칭", body="첫 주 무료예요", cta="무료수신거부 080-123-4567")
    assert not rules_hit(brand, good, channel="sms")
    bad = Copy(headline="[광고] 러닝 코칭", body="첫 주 무료예요", cta="신청하기")
    assert rules_hit(brand, bad, channel="sms") == {
        "ko-ad-law.AdPrefix", "ko-ad-law.AdPrefixForm", "ko-ad-law.OptOut"
    }  # fmt: skip
    assert not rules_hit(brand, bad, channel="google_rsa") - {"ko-ad-law.AdPrefixForm"}


def test_a_line_the_whole_asset_lacks_is_reported_once_on_its_first_non_empty_field():
    brand = brand_with("ko-ad-law")
    bad = Copy(headline="", body="(광고) 첫 주 무료예요", cta="신청하기")
    (opt_out,) = [f for f in brand.check(bad, channel="sms") if f.rule == "ko-ad-law.OptOut"]
    assert (opt_out.field, opt_out.line, opt_out.column) == ("body", 1, 1)


def test_en_can_spam_email_needs_unsubscribe_and_address():
    brand = brand_with("en-can-spam")
    bad = Copy(headline="Your plan is ready", body="Start today.")
    assert rules_hit(brand, bad, channel="email") == {
        "en-can-spam.Unsubscribe", "en-can-spam.PostalAddress"
    }  # fmt: skip
    good = Copy(
        headline="Your plan is ready",
        body="Start today. Unsubscribe any time. Runfit, 12 Main Street, Springfield",
    )
    assert not rules_hit(brand, good, channel="email")


@pytest.mark.parametrize(
    "address",
    ["Runfit, 12 Example Street, Gangnam-gu, Seoul", "PO Box 123, Springfield",
     "1600 Pennsylvania Avenue", "서울시 강남구 테헤란로 123", "강남구 역삼로 4"],
)  # fmt: skip
def test_en_can_spam_knows_a_postal_address_in_english_and_korean(address):
    brand = brand_with("en-can-spam")
    copy = Copy(headline="Your plan", body=f"Start today. Unsubscribe any time. {address}")
    assert "en-can-spam.PostalAddress" not in rules_hit(brand, copy, channel="email")


def test_full_width_and_decomposed_text_is_matched():
    brand = brand_with("ko-ad-law")
    assert rules_hit(brand, "ＢＥＳＴ coaching") == {"ko-ad-law.Superlatives"}
    assert rules_hit(brand, unicodedata.normalize("NFD", "업계 최고 코칭")) == {
        "ko-ad-law.Superlatives"
    }


@pytest.mark.parametrize(
    ("rule", "headline", "body"),
    [
        ("HeadlineExclamation", "Start today!", "Plans built around your week."),
        ("RepeatedPunctuation", "Free first week", "Start today!!"),
        ("Emoji", "Coaching for runners 🏃", "Plans built around your week."),
        ("Symbols", "★ Coaching for runners", "Plans built around your week."),
        ("Symbols", "Coaching, *really*", "Plans built around your week."),
        ("GimmickySpacing", "F.R.E.E. first week", "Plans built around your week."),
        ("PhoneNumber", "러닝 코칭", "상담 문의 1588-1234"),
        ("PhoneNumber", "Call (212) 555-0100", "Plans built around your week."),
        ("Capitalization", "FREE coaching", "Plans built around your week."),
    ],
)  # fmt: skip
def test_google_ads_editorial_flags_what_google_disapproves_in_google_ads_only(
    rule, headline, body
):
    brand = brand_with("google-ads-editorial")
    copy = Copy(headline=headline, body=body, cta="Start now")
    assert f"google-ads-editorial.{rule}" in rules_hit(brand, copy, channel="google_rsa")
    assert rules_hit(brand, copy, channel="kakao_friendtalk") == set()
    assert rules_hit(brand, copy) == set()  # copy checked without a channel


def test_google_ads_editorial_leaves_plain_copy_and_accepted_uses_alone():
    brand = brand_with("google-ads-editorial")
    for copy in [
        Copy(headline="하프 마라톤 10주 완성", body="첫 주 무료, 오늘 시작해요.", cta="시작하기"),
        Copy(headline="A 5* rated running coach", body="Plans for the U.S.A. and more. Go!",
             cta="Start now"),
    ]:  # fmt: skip
        assert rules_hit(brand, copy, channel="google_rsa") == set()


def test_naver_search_ad_flags_absolutes_in_naver_ads_only():
    brand = brand_with("naver-search-ad")
    for text in ("치질 100% 완치", "혼인 성사율 무조건 100%!", "통증 및 후유증 절대 없음",
                 "합격률 100% 보장 코칭"):  # fmt: skip
        copy = Copy(headline="러닝 코칭", body=text, cta="상담 신청")
        assert "naver-search-ad.Exaggeration" in rules_hit(brand, copy, channel="naver_powerlink")
        assert rules_hit(brand, copy, channel="google_rsa") == set()
    fine = Copy(headline="러닝 코칭", body="10주 동안 주 3회, 코치와 함께 완주를 준비해요.",
                cta="상담 신청")  # fmt: skip
    assert rules_hit(brand, fine, channel="naver_powerlink") == set()


@pytest.mark.parametrize(
    ("rule", "bad", "good"),
    [
        ("en-ftc-green.GeneralBenefit", "Eco-friendly running shoes",
         "Running shoes with soles made of 30% recycled rubber"),
        ("en-ftc-green.Degradable", "A biodegradable bottle", "A refillable bottle"),
        ("en-ftc-green.Compostable", "Compostable packaging", "Packaging you can reuse"),
        ("en-ftc-green.Recyclable", "A recyclable cup", "A cup you can reuse"),
        ("en-ftc-green.RecycledContent", "Made with recycled plastic", "Made to last"),
        ("en-ftc-green.CarbonClaims", "A carbon-neutral delivery", "A delivery by bike"),
        ("en-ftc-green.NonToxic", "Non-toxic paint", "Paint in twelve colours"),
        ("en-ftc-green.FreeOf", "Chemical-free cleaner", "Cleaner in a glass bottle"),
        ("en-ftc-green.RenewableEnergy", "Made with renewable energy", "Made in small batches"),
        ("en-ftc-claims.GuaranteeTerms", "Money-back guarantee",
         "Money-back guarantee: full refund within 30 days"),
        ("en-ftc-claims.LifetimeGuarantee", "Lifetime warranty", "Two-year warranty"),
        ("en-ftc-claims.TypicalResults", "I ran a sub-2 half! Results not typical.",
         "I ran a sub-2 half; most runners take 5 minutes off"),
        ("en-ftc-claims.FdaApproved", "FDA-approved face cream", "A face cream for dry skin"),
        ("ko-cosmetics.ProfessionalEndorsement", "피부과 의사 추천 크림", "매일 쓰는 보습 크림"),
        ("ko-cosmetics.TechnicalTieUp", "프랑스 기술 제휴 에센스", "가볍게 스며드는 에센스"),
        ("ko-cosmetics.BeyondCosmetics", "바르기만 해도 셀룰라이트가 쏙", "바르면 촉촉한 바디로션"),
        ("ko-cosmetics.HairGrowth", "발모 효과 샴푸", "두피를 시원하게 씻는 샴푸"),
        ("ko-cosmetics.StemCell", "줄기세포 크림", "줄기세포 배양액을 담은 크림"),
        ("ko-cosmetics.FreeFrom", "무파라벤 로션", "순한 로션"),
        ("ko-cosmetics.Antibacterial", "항균 핸드크림", "순한 핸드크림"),
        ("ko-food.ProfessionalEndorsement", "한의사가 추천하는 홍삼", "매일 챙기는 홍삼"),
        ("ko-food.UnfairComparison", "시중 제품보다 두 배 진한 두유", "진하게 끓인 두유"),
        ("ko-food.FreeFromAdditives", "무방부제 김치", "국산 배추로 담근 김치"),
        ("ko-food.WeightLoss", "먹기만 해도 살 빠지는 차", "식후에 마시는 차"),
        ("ko-ad-law.EcoClaims", "친환경 러닝화", "재생 고무 30%로 만든 밑창"),
        ("ko-ad-law.UndisclosedEndorsement", "내돈내산 러닝 코칭 후기", "코칭 후기"),
        ("ko-ad-law.FalseUrgency", "오늘만 이 가격", "3월 31일까지 이 가격"),
        ("ko-ad-law.Guarantees", "최저가 보장 코칭", "보장 내용은 약관을 확인하세요"),
        ("ko-ad-law.Guarantees", "완주 결과를 보장합니다", "완주까지 코치가 함께해요"),
        ("ko-ad-law.Guarantees", "합격 100% 보장", "지난해 합격생 42명"),
    ],
)  # fmt: skip
def test_rule_flags_what_its_source_forbids_and_not_the_compliant_version(rule, bad, good):
    pack = rule.split(".")[0]
    brand = brand_with(pack)
    assert rule in rules_hit(brand, bad)
    assert rule not in rules_hit(brand, good)


def test_alimtalk_may_not_carry_offers_but_may_say_a_coupon_expires():
    brand = brand_with("kakao-bizmessage")
    offer = Copy(headline="주말 특가", body="러닝화 30% 할인", cta="보러 가기")
    notice = Copy(headline="쿠폰 소멸 안내", body="적립 쿠폰이 3일 뒤 소멸돼요.", cta="확인")
    assert "kakao-bizmessage.AlimtalkNoAds" in rules_hit(brand, offer, channel="kakao_alimtalk")
    assert not rules_hit(brand, notice, channel="kakao_alimtalk")
    assert not rules_hit(brand, offer, channel="kakao_friendtalk")


@pytest.mark.parametrize(
    ("rule", "bad", "good"),
    [
        ("meta-ads.PersonalAttributes", "Are you in debt? We can help.",
         "Plan a budget you can keep, with a coach"),
        ("meta-ads.PersonalAttributes", "Meet other Christian runners... Meet other Jewish singles",
         "Meet runners who train on Sundays"),
        ("meta-ads.PersonalAttributes", "뱃살 고민이신가요? 지금 시작하세요",
         "10주 동안 주 3회 달려요"),
        ("meta-ads.NegativeSelfPerception", "Tired of being out of shape?",
         "Three runs a week, planned by a coach"),
        ("meta-ads.NegativeSelfPerception", "10주 비포 애프터 공개", "10주 훈련 일정 공개"),
    ],
)  # fmt: skip
def test_meta_rejects_personal_attributes_and_self_image_in_its_feed(rule, bad, good):
    brand = brand_with("meta-ads")
    assert rule in rules_hit(brand, bad, channel="meta_feed")
    assert rule not in rules_hit(brand, good, channel="meta_feed")
    assert not rules_hit(brand, bad, channel="google_rsa")  # Meta's rules, Meta's feed


def test_ko_ad_law_sender_follows_the_prefix():
    brand = brand_with("ko-ad-law")
    named = Copy(headline="(광고) 런핏 02-000-0000 봄맞이 할인", body="첫 주 무료예요",
                 cta="무료수신거부 080-123-4567")  # fmt: skip
    assert not rules_hit(brand, named, channel="sms")
    bare = named.model_copy(update={"headline": "(광고)"})
    assert rules_hit(brand, bare, channel="sms") == {"ko-ad-law.Sender"}
    # Without the prefix only the prefix is reported: the sender follows it.
    unprefixed = named.model_copy(update={"headline": "런핏 봄맞이 할인"})
    assert rules_hit(brand, unprefixed, channel="sms") == {"ko-ad-law.AdPrefix"}


def test_with_the_brands_sender_line_copy_must_carry_that_line(tmp_path):
    folder = tmp_path / "acme"
    (folder / "rules").mkdir(parents=True)
    (folder / "brand.yaml").write_text(
        "name: Acme\npacks: [ko-ad-law]\ncontact:\n  sender: 런핏 02-000-0000\n", encoding="utf-8"
    )
    brand = Brand.load(folder)
    other = Copy(headline="(광고) 남의회사 봄맞이 할인", body="무료수신거부 080-123-4567")
    assert "ko-ad-law.Sender" in rules_hit(brand, other, channel="sms")
    ours = other.model_copy(update={"headline": "(광고) 런핏 02-000-0000 봄맞이 할인"})
    assert "ko-ad-law.Sender" not in rules_hit(brand, ours, channel="sms")


def test_the_prefix_and_the_sender_are_asked_for_as_one_opening():
    brand = Brand.load(bundled_dir("brand_guidelines") / "runfit")
    openings = [r for r in brand.requirements("sms") if r["position"] == "start"]
    assert openings == [
        {"field": "headline", "text": "(광고) 런핏 02-000-0000", "position": "start"}
    ]
