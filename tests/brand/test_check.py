"""The checker's shortcuts change nothing: selecting rules by anchor, judging an asset once and
checking many assets as one batch give the findings of every rule run on every field."""

import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dco.brand import Brand, BrandSpec, available_packs
from dco.brand.check import RuleSet, finding
from dco.brand.rules import Context
from dco.brand.vale import Existence
from dco.channels.catalog import get_channel
from dco.models import Copy
from dco.resources import bundled_dir


def _with_every_pack() -> Brand:
    """The example brand with every built-in pack enabled: the most rules we have."""
    folder = Path(tempfile.mkdtemp()) / "runfit"
    shutil.copytree(bundled_dir("brand_guidelines") / "runfit", folder)
    spec = yaml.safe_load((folder / "brand.yaml").read_text(encoding="utf-8"))
    spec["packs"] = available_packs()
    (folder / "brand.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    brand = Brand.load(folder)
    shutil.rmtree(folder.parent)
    return brand


BRAND = _with_every_pack()
# Words that rules of the example brand and the packs look for, so that most copies hit some.
WORDS = st.sampled_from([
    "최고", "최고의", "무료", "무료수신거부", "080-123-4567", "(광고)", "공짜", "1위", "완치",
    "효과", "대박", "저렴한", "RunFit", "free", "FREE", "Best", "best", "guaranteed", "trial",
    "terms", "the", "정말", "해요.", "합니다.", "했어.", "NASA", "!", "!!", "100%", "첫", "주",
    "코칭", "러닝", "half", "marathon",
])  # fmt: skip
FIELD = st.lists(WORDS, max_size=8).map(" ".join)
COPY = st.fixed_dictionaries({"headline": FIELD, "body": FIELD, "cta": FIELD})


def every_rule_on_every_field(brand, copy, channel):
    """The findings without shortcuts: each relevant rule on each non-empty field."""
    fields = dict(copy)
    found = []
    for name, text in fields.items():
        if not text:
            continue
        context = Context(name, fields, get_channel(channel) if channel else None, None,
                          brand._claims, tuple(brand.spec.formality))  # fmt: skip
        hits = [
            (hit, rule)
            for rule in brand.rules
            if rule.relevant(name, channel)
            for hit in rule.check(text, context)
        ]
        hits.sort(key=lambda pair: pair[0].start)
        found += [finding(rule, hit, name, text) for hit, rule in hits]
    return found


@settings(max_examples=150, deadline=None)
@given(st.lists(COPY, min_size=1, max_size=6), st.sampled_from(["sms", "google_rsa", None]))
def test_a_batch_finds_what_every_rule_on_every_field_finds(copies, channel):
    expected = [every_rule_on_every_field(BRAND, copy, channel) for copy in copies]
    assert BRAND.check_many(copies, channel=channel) == expected


@settings(max_examples=50, deadline=None)
@given(COPY, st.sampled_from(["sms", "email", None]))
def test_one_check_finds_what_every_rule_on_every_field_finds(copy, channel):
    assert BRAND.check(copy, channel=channel) == every_rule_on_every_field(BRAND, copy, channel)


def test_check_many_keeps_each_copys_findings_apart():
    clean, flagged = Copy(headline="하프 마라톤 10주 완성"), Copy(headline="업계 최고의 코칭")
    batch = BRAND.check_many([clean, flagged, clean])
    assert batch[0] == batch[2] == BRAND.check(clean)
    assert [f.rule for f in batch[1]] == [f.rule for f in BRAND.check(flagged)] != []


def test_a_text_shared_by_assets_is_judged_with_each_assets_other_fields():
    """The rules reading only the text judge a shared call to action once for the batch; those
    reading the whole asset (conditions of a free offer) still judge it asset by asset."""
    cta = "무료 상담 신청하기!!"
    with_terms = Copy(headline="첫 주 체험", body="러닝 코칭을 시작해요.", cta=cta)
    without = Copy(headline="러닝 코칭", body="러닝 코칭을 시작해요.", cta=cta)
    batch = BRAND.check_many([with_terms, without, with_terms])
    assert batch == [BRAND.check(with_terms), BRAND.check(without), BRAND.check(with_terms)]
    on_cta = [{f.rule for f in findings if f.field == "cta"} for findings in batch]
    assert "en-ftc-free.FreeConditions" in on_cta[1] - on_cta[0]
    assert on_cta[0] & on_cta[1]  # the rules about the text itself flag it in both


@pytest.mark.parametrize("text", ["an İNCREDİBLE run", "an ıncredıble run"])
def test_a_rule_is_not_skipped_for_a_turkish_i_its_pattern_matches(text):
    hype = Existence(extends="existence", id="Test.Hype", level="warning", message="'%s'",
                     tokens=["incredible"], ignorecase=True)  # fmt: skip
    assert hype.check(text, Context()) != []
    assert [f.match for f in RuleSet([hype]).check({"text": text}, Context())] == [text[3:-4]]


# Field texts as above, and with what joining texts could confuse: line breaks, NULs, spaces.
ODD_FIELD = st.lists(
    WORDS | st.sampled_from(["\n", "\x00", " ", "\n\n", ".", "a"]), max_size=8
).map("".join)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["headline", "body", "cta"]), ODD_FIELD), max_size=6))
def test_each_rule_judges_texts_together_as_it_judges_each_alone(fields):
    """`check_each`, which may search many texts in one pass, against `check` on each."""
    texts = [text for _, text in fields]
    contexts = [
        Context(
            name, {name: text}, get_channel("sms"), None, BRAND._claims, tuple(BRAND.spec.formality)
        )
        for name, text in fields
    ]
    for rule in BRAND.rules:
        alone = [
            (i, hits) for i, text in enumerate(texts) if (hits := rule.check(text, contexts[i]))
        ]
        assert rule.check_each(texts, contexts) == alone, rule.id


def _brand_of(*rules):
    return Brand(BrandSpec(name="t"), list(rules))


def _existence(rule_id, **fields):
    return Existence(extends="existence", id=rule_id, message="%s", **fields)


def test_a_rule_for_a_full_width_character_finds_it_and_not_its_half_width_form():
    brand = _brand_of(_existence("T.Bang", tokens=["！"], nonword=True))
    assert [f.match for f in brand.check("대박！ 할인")] == ["！"]
    assert brand.check("대박! 할인") == []


def test_a_rule_in_half_width_finds_the_full_width_form_too():
    brand = _brand_of(_existence("T.Free", tokens=["FREE"]))
    assert [f.span.start for f in brand.check("ＦＲＥＥ trial")] == [0]


def test_a_space_before_punctuation_is_not_normalised_away():
    brand = _brand_of(_existence("T.Space", raw=[r" ,"]))
    assert [f.match for f in brand.check("hello , world")] == [" ,"]
