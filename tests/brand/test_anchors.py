"""Anchors are a prefilter: a rule may only be skipped when its match is impossible."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dco.brand import Brand, available_packs
from dco.brand.anchors import anchor_test, first_characters, fold_case, literal_anchors
from dco.brand.loader import PACKS_DIR, load_rules
from dco.brand.rules import Context


@pytest.mark.parametrize(
    ("token", "anchors"),
    [
        ("최고", ("최고",)),
        ("cures?", ("cure",)),
        ("colou?r", ("colo",)),
        (r"No\.?\s?1", ("no",)),
        ("(?:give|gave) rise", ("rise",)),
        ("foo(bar)?", ("foo",)),
        (r"(?:\[\s*광\s*고\s*\]|<\s*광\s*고\s*>)", ("광",)),
        ("free|gratis", ("free", "gratis")),
        ("[A-Z]{3}", None),
        ("a|[0-9]+", None),
        # A character named by code or name is not the letters of its escape.
        (r"[\U0001F000-\U0001FAFF]\uFE0F?", None),
        (r"caf\u00e9 latte", ("latte",)),
        (r"\N{BULLET} sale", ("sale",)),
        (r"\x41BC", ("bc",)),
        # With no plain text outside groups, a group every match passes through anchors it.
        ("무(?:파라벤|색소)", ("파라벤", "색소")),
        ("(?:의사|약사)(?:가)? (?:추천|개발)", ("의사", "약사")),
        ("(?:doctor|dermatologist)[- ]recommended", ("recommended",)),
        ("(foo|bar)+", ("foo", "bar")),
        ("(?P<word>hello) x", ("hello",)),
        # Optional groups and lookarounds are not passed through by every match.
        ("(?:ab)?(?:cd){0,2}(?=ef)[0-9]", None),
        ("(?:ab){,2}x", ("x",)),
    ],
)
def test_anchor_of_a_token(token, anchors):
    assert literal_anchors([token]) == anchors


BRAND = Brand.load("runfit")
RULES = BRAND.rules + [
    rule for pack in available_packs() for rule in load_rules(PACKS_DIR / pack, pack)
]
ANCHORED = [rule for rule in RULES if rule.anchors() is not None]
PIECES = st.sampled_from(
    ["최고", "최초의", "RunFit", "Run Fit", "저렴한", "free", "FREE", "무료", "!", "대박", "No.1",
     "#1", "100%", "e-mail", "email", "half marathon", " ", "요.", "a", "가", "의사", "피부과 ",
     "가 ", "추천", "의사 추천", "무", "파라벤", "무파라벤", "doctor", "-", "recommended", "bio",
     "degradable", "money", "back guarantee", "살 ", "빠지는", "줄기세포", "배양액", "carbon",
     "neutral", "TRİAL", "trıal", "İNCREDİBLE"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES | st.text(max_size=3), max_size=8).map("".join))
def test_a_rule_with_a_match_always_has_an_anchor_in_the_text(text):
    folded = fold_case(text)
    for rule in ANCHORED:
        if rule.check(text, Context(field="body", asset={"body": text})):
            assert any(anchor in folded for anchor in rule.anchors()), rule.id


@pytest.mark.parametrize("text", ["İNCREDİBLE", "ıncredıble", "INCREDIBLE"])
def test_case_is_folded_as_the_regex_engine_ignores_it(text):
    # re takes the Turkish İ and ı for an i when ignoring case; str.casefold does not.
    assert re.fullmatch("incredible", text, re.IGNORECASE)
    assert fold_case(text) == "incredible"


@pytest.mark.parametrize(
    ("pattern", "flags", "gate"),
    [
        # Vale's Acronyms rule: a match starts with a capital.
        (r"\b([A-Z]{3,5})\b", 0, "[A-Z]"),
        (r"(?<![A-Za-z0-9_])(?:ab|[xY]z|\d+%)(?![A-Za-z0-9_])", 0, "[axY\\d]"),
        ("(?:ab)+|c", 0, "[ac]"),
        ("(?i)nasa", 0, "(?i)[n]"),
        ("nasa", re.IGNORECASE, "(?i)[n]"),
        # The first character of a match may be anything, or absent: no gate.
        ("a?b", 0, None),
        (".x", 0, None),
        ("[^a]b", 0, None),
        ("a|", 0, None),
        (r"\b", 0, None),
        ("(?i:a)b", 0, None),
    ],
)
def test_the_gate_of_a_pattern(pattern, flags, gate):
    found = first_characters(pattern, flags)
    if gate is None:
        assert found is None
    else:
        expected = re.compile(gate.removeprefix("(?i)"), re.IGNORECASE if "(?i)" in gate else 0)
        sample = "aAbcnNxyYz019%"
        assert [c for c in sample if found.match(c)] == [c for c in sample if expected.match(c)]


GATED = [rule for rule in RULES if rule.anchors() is None and rule.gate() is not None]


def test_the_example_brands_acronym_rule_has_a_gate():
    assert "Runfit.Acronyms" in [rule.id for rule in GATED]


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES | st.sampled_from(["NASA", "GPS", "LSD", "Long Slow Distance (LSD)"])
                | st.text(max_size=3), max_size=8).map("".join))  # fmt: skip
def test_a_rule_with_a_match_always_has_its_gate_in_the_text(text):
    for rule in GATED:
        if rule.check(text, Context(field="body", asset={"body": text})):
            assert rule.gate().search(text), rule.id


OFFERS = [rule for rule in RULES if rule.kind == "conditional-offer"]
CONDITION_PIECES = st.sampled_from(
    ["첫 주", "첫주", "3일", "2 개월", "신규 회원", "가입시", "구매 시", "5만원 이상",
     "한정", "까지", "단,", "조건", "유의사항", "수신거부", "해지", "유료", "자동", "*",
     "First month", "for 30 days", "TRIAL", "Terms", "new Customers", "when you", "with any",
     "orders over", "until", "minimum", "cancel", "renews", "billed", "then", "for", "new"]
)  # fmt: skip


def test_every_conditional_offer_in_the_packs_has_a_quick_test_for_its_conditions():
    assert OFFERS and all(rule.compiled.conditions_possible for rule in OFFERS)


def test_a_pattern_without_an_anchor_has_no_quick_test():
    assert anchor_test(["[0-9]+", "first"]) is None
    assert anchor_test(["first", "free"])("FIRST come") is True


@settings(max_examples=300, deadline=None)
@given(st.lists(CONDITION_PIECES | PIECES | st.text(max_size=3), max_size=8).map("".join))
def test_the_quick_test_passes_every_text_the_conditions_match(text):
    for rule in OFFERS:
        if rule.compiled.conditions.search(text):
            assert rule.compiled.conditions_possible(text), rule.id
