"""Loading brand folders, with located errors; checking and fixing copy; the example brand."""

import shutil
from datetime import date

import pytest

from dco.brand import Brand, available_packs
from dco.errors import ConfigError
from dco.generation import generate
from dco.models import Brief, Copy
from dco.resources import bundled_dir
from dco.testing import FakeProvider

RUNFIT = bundled_dir("brand_guidelines") / "runfit"


@pytest.fixture
def brand_dir(tmp_path):
    folder = tmp_path / "acme"
    (folder / "rules").mkdir(parents=True)
    (folder / "brand.yaml").write_text("name: Acme\nformality: [haeyo]\n", encoding="utf-8")
    return folder


def test_the_example_brand_loads_with_its_packs():
    brand = Brand.load(RUNFIT)
    ids = {rule.id for rule in brand.rules}
    assert {"Runfit.Spelling", "Runfit.Vocabulary", "Runfit.Rejected"} <= ids
    assert {"ko-ad-law.Superlatives", "ko-ad-law.AdPrefix", "en-ftc-free.FreeConditions"} <= ids
    assert brand.formality == "haeyo" and "coach" in brand.voice


def test_a_built_in_brand_loads_by_name():
    assert Brand.load("runfit").name == "Runfit"


def test_every_pack_loads():
    for pack in available_packs():
        from dco.brand.loader import PACKS_DIR, load_rules

        assert load_rules(PACKS_DIR / pack, pack)


def test_rule_ids_are_brand_dot_file_name(brand_dir):
    (brand_dir / "rules" / "NoHype.yml").write_text("extends: existence\ntokens: [대박]\n")
    assert [r.id for r in Brand.load(brand_dir).rules] == ["Acme.NoHype"]


def test_check_locates_findings_by_field_line_and_column():
    brand = Brand.load(RUNFIT)
    findings = brand.check(Copy(headline="하프 코칭", body="첫 줄\n업계 최고의 코칭이에요"))
    (superlative,) = [f for f in findings if f.rule == "ko-ad-law.Superlatives"]
    assert (superlative.field, superlative.line, superlative.column) == ("body", 2, 4)
    assert (superlative.span.start, superlative.span.end) == (7, 9)


def test_a_substantiated_claim_passes():
    assert Brand.load(RUNFIT).check("완주율 1위 러닝 코칭이에요") == []


def test_fix_applies_safe_replacements():
    fixed, count = Brand.load(RUNFIT).fix("저렴한 코칭, RunFit과 함께해요")
    assert (fixed, count) == ("합리적인 코칭, Runfit과 함께해요", 2)


def test_fix_on_copy_keeps_fields_apart():
    fixed, count = Brand.load(RUNFIT).fix(Copy(headline="RunFit 코칭", body="저렴한 가격이에요"))
    assert fixed == Copy(headline="Runfit 코칭", body="합리적인 가격이에요") and count == 2


def test_generate_repairs_what_the_brand_flags():
    fake = FakeProvider().then_banned_word("대박")
    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel="google_rsa")
    result = generate(brief, stage="decision", n=3, provider=fake, brand=Brand.load(RUNFIT))
    assert len(result) == 3 and all("대박" not in v.copy.headline for v in result)
    assert "[Runfit.Rejected]" in fake.calls[1].messages[-1].content


def test_invalid_yaml_names_file_and_line(brand_dir):
    (brand_dir / "brand.yaml").write_text("name: Acme\nvoice: [unclosed\n")
    with pytest.raises(ConfigError, match=r"brand\.yaml:3:1: invalid YAML"):
        Brand.load(brand_dir)


def test_unknown_key_suggests_the_nearest(brand_dir):
    (brand_dir / "brand.yaml").write_text("name: Acme\nformalty: [haeyo]\n")
    with pytest.raises(ConfigError, match=r"brand\.yaml:2:1: brand: key 'formalty'.*'formality'"):
        Brand.load(brand_dir)


def test_unknown_rule_key_names_file_line_and_rule(brand_dir):
    (brand_dir / "rules" / "Hype.yml").write_text(
        "extends: existence\ntokens: [a]\nignorcase: true\n"
    )
    with pytest.raises(ConfigError, match=r"Hype\.yml:3:1: rule Acme\.Hype: key 'ignorcase'.*"
                                          r"'ignorecase'"):  # fmt: skip
        Brand.load(brand_dir)


def test_unknown_rule_kind_lists_the_kinds(brand_dir):
    (brand_dir / "rules" / "X.yml").write_text("extends: existance\ntokens: [a]\n")
    with pytest.raises(ConfigError, match=r"X\.yml:1:1: rule Acme\.X.*'existence'.*Known kinds"):
        Brand.load(brand_dir)


@pytest.mark.parametrize("kind", ["spelling", "sequence", "script"])
def test_a_vale_kind_dco_does_not_run_loads_and_is_reported(brand_dir, kind):
    (brand_dir / "rules" / "Other.yml").write_text(f"message: x\nextends: {kind}\n")
    (brand_dir / "rules" / "NoHype.yml").write_text("extends: existence\ntokens: [대박]\n")
    brand = Brand.load(brand_dir)
    assert [rule.id for rule in brand.rules] == ["Acme.NoHype"]
    (skipped,) = brand.skipped
    assert skipped.id == "Acme.Other" and skipped.kind == kind
    assert skipped.reason.startswith(f"{brand_dir / 'rules' / 'Other.yml'}:2:1: rule Acme.Other")
    assert f"Vale's '{kind}' kind" in skipped.reason


def test_a_bad_regex_names_the_rule(brand_dir):
    (brand_dir / "rules" / "Broken.yml").write_text("extends: existence\nraw: ['(unclosed']\n")
    with pytest.raises(
        ConfigError, match=r"rule Acme\.Broken: key .raw.: invalid regular expression"
    ):
        Brand.load(brand_dir)


def test_a_term_both_preferred_and_rejected_is_an_error(brand_dir):
    (brand_dir / "brand.yaml").write_text(
        "name: Acme\nvocabulary:\n  prefer: {싼: 저렴한}\n  reject: [저렴한]\n", encoding="utf-8"
    )
    with pytest.raises(
        ConfigError, match=r"brand\.yaml:4:12: .*'저렴한' is both preferred and rejected"
    ):
        Brand.load(brand_dir)


def test_brand_yaml_words_are_matched_as_written_not_read_as_patterns(brand_dir):
    (brand_dir / "brand.yaml").write_text(
        "name: Acme\nspellings: {(주)에이크미: [(주) 에이크미]}\n"
        "vocabulary:\n  prefer: {1+1: 하나 더}\n  reject: [C++, 살 빼기]\n",
        encoding="utf-8",
    )
    brand = Brand.load(brand_dir)  # "C++" and "1+1" were patterns that did not compile

    def rules(text):
        return sorted(f.rule for f in brand.check(Copy(headline=text, body="b", cta="c")))

    assert rules("(주) 에이크미 C++ 1+1") == ["Acme.Rejected", "Acme.Spelling", "Acme.Vocabulary"]
    assert rules("주 에이크미 CCC 11") == []  # what the words read as patterns also matched
    assert rules("살빼기") == ["Acme.Rejected"]  # a plain Hangul word keeps its Korean matching


def test_an_unknown_pack_lists_the_packs(brand_dir):
    (brand_dir / "brand.yaml").write_text("name: Acme\npacks: [ko-ad-laws]\n")
    with pytest.raises(ConfigError, match=r"unknown pack 'ko-ad-laws'.*'ko-ad-law'"):
        Brand.load(brand_dir)


def test_a_missing_brand_says_what_exists(tmp_path):
    with pytest.raises(ConfigError, match=r"no brand folder.*built-in: runfit"):
        Brand.load(tmp_path / "nope")


def test_the_example_brand_is_a_template_that_copies(tmp_path):
    copy = tmp_path / "mine"
    shutil.copytree(RUNFIT, copy)
    assert Brand.load(copy).name == "Runfit"


@pytest.mark.parametrize("channel", ["sms", "lms", "kakao_friendtalk", "email"])
def test_ad_messages_carry_the_lines_the_law_requires_without_a_repair_round(channel):
    brand = Brand.load(RUNFIT)
    fake = FakeProvider()
    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel=channel)
    result = generate(brief, stage="decision", n=3, brand=brand, provider=fake, seed=3)
    assert len(result) == 3 and len(fake.calls) == 1
    for variant in result:
        assert variant.copy.headline.startswith("(광고) ")
        assert not [f for f in variant.findings if f.level == "error"]
    if channel in ("sms", "lms"):
        assert all("무료수신거부 080-000-0000" in v.copy.body for v in result)


def test_a_brand_without_the_contact_line_a_channel_needs_is_told_which_to_add(brand_dir):
    (brand_dir / "brand.yaml").write_text("name: Acme\npacks: [ko-ad-law]\n", encoding="utf-8")
    brief = Brief(product="러닝 코칭", channel="sms")
    with pytest.raises(ConfigError, match=r"add contact\.opt_out to Acme's brand\.yaml"):
        generate(brief, stage="decision", brand=Brand.load(brand_dir), provider=FakeProvider())


def test_a_contact_line_that_would_not_satisfy_its_rule_is_refused_where_it_is_written(brand_dir):
    (brand_dir / "brand.yaml").write_text(
        "name: Acme\npacks: [ko-ad-law]\ncontact:\n  opt_out: 수신거부는 고객센터로\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError, match=r"brand.yaml:4:3: key 'contact.opt_out'.*ko-ad-law.OptOut"
    ):
        Brand.load(brand_dir)


def test_a_rule_for_an_unknown_channel_is_refused_with_the_nearest_name(brand_dir):
    (brand_dir / "rules" / "Bang.yml").write_text(
        "extends: existence\nmessage: Bang\ntokens: ['!']\nchannels: [google_rs]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"Bang.yml:4.*unknown channel 'google_rs'.*google_rsa"):
        Brand.load(brand_dir)


def _with_rule(folder, yaml_text, rule_text):
    (folder / "brand.yaml").write_text(yaml_text, encoding="utf-8")
    (folder / "rules" / "Weasel.yml").write_text(rule_text, encoding="utf-8")
    return Brand.load(folder)


WEASEL = "extends: existence\nmessage: \"'%s' is a weasel word\"\ntokens: [very, really]\n"


def test_words_the_brand_accepts_are_exceptions_to_its_style_rules(brand_dir):
    brand = _with_rule(brand_dir, "name: Acme\nvocabulary:\n  accept: [very]\n", WEASEL)
    assert [f.match for f in brand.check("a very, really good run")] == ["really"]


def test_a_rule_that_does_not_read_the_vocabulary_keeps_its_matches(brand_dir):
    rule = WEASEL + "vocab: false\n"
    brand = _with_rule(brand_dir, "name: Acme\nvocabulary:\n  accept: [very]\n", rule)
    assert [f.match for f in brand.check("a very good run")] == ["very"]


def test_a_markdown_ignore_pattern_that_is_not_a_regular_expression_is_located(brand_dir):
    (brand_dir / "brand.yaml").write_text(
        "name: Acme\nmarkdown:\n  token_ignores: ['(unclosed']\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"brand\.yaml:3.*token_ignores.*not a regular"):
        Brand.load(brand_dir)


def test_a_bad_pattern_is_reported_at_its_key_not_as_the_joined_pattern(brand_dir):
    (brand_dir / "rules" / "Bad.yml").write_text(
        'extends: existence\nmessage: x\ntokens:\n  - fine\n  - "(unclosed"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"Bad\.yml:5:5: .*key 'tokens\.1'.*'\(unclosed'"):
        Brand.load(brand_dir)


def test_a_channel_typo_in_brand_yaml_names_the_nearest(brand_dir):
    (brand_dir / "brand.yaml").write_text("name: Acme\nchannels: [sms, googel_rsa]\n")
    with pytest.raises(
        ConfigError, match=r"brand\.yaml:2:1: .*unknown channel 'googel_rsa'. Did you mean "
        r"'google_rsa'\?"
    ):  # fmt: skip
        Brand.load(brand_dir)


@pytest.mark.parametrize("written", ["2026-02-30", "지난달", "2026/03"])
def test_a_claim_date_that_is_not_a_date_is_an_error(brand_dir, written):
    (brand_dir / "brand.yaml").write_text(
        "name: Acme\nclaims:\n  - text: 완주율 92%\n    source: survey.pdf\n"
        f"    date: '{written}'\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"brand\.yaml:5:\d+: .*is not a date; write YYYY-MM-DD"):
        Brand.load(brand_dir)


def test_a_claim_date_may_be_a_day_or_a_month(brand_dir):
    (brand_dir / "brand.yaml").write_text(
        "name: Acme\nclaims:\n  - {text: 완주율 92%, source: a.pdf, date: 2026-03-01}\n"
        "  - {text: 회원 1만 명, source: b.pdf, date: '2026-03'}\n",
        encoding="utf-8",
    )
    assert [c.date for c in Brand.load(brand_dir).spec.claims] == [date(2026, 3, 1), "2026-03"]


def test_a_section_given_a_value_says_it_must_be_a_mapping(brand_dir):
    (brand_dir / "brand.yaml").write_text("name: Acme\ncontact: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        Brand.load(brand_dir)
    assert str(error.value).endswith("brand.yaml:2:1: brand: key 'contact': must be a mapping "
                                     "(key: value lines)")  # fmt: skip
