"""The checker's shortcuts change nothing: selecting rules by anchor, judging an asset once and
checking many assets as one batch give the findings of every rule run on every field."""

import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dco.brand import Brand, available_packs
from dco.brand.check import RuleSet, finding
from dco.brand.rules import Context, Existence
from dco.channels import get_channel
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


@pytest.mark.parametrize("text", ["an İNCREDİBLE run", "an ıncredıble run"])
def test_a_rule_is_not_skipped_for_a_turkish_i_its_pattern_matches(text):
    hype = Existence(extends="existence", id="Test.Hype", level="warning", message="'%s'",
                     tokens=["incredible"], ignorecase=True)  # fmt: skip
    assert hype.check(text, Context()) != []
    assert [f.match for f in RuleSet([hype]).check({"text": text}, Context())] == [text[3:-4]]
