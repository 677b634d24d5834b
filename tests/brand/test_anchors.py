"""Anchors are a prefilter: a rule may only be skipped when its match is impossible."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dco.brand import Brand
from dco.brand.anchors import literal_anchors
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
    ],
)
def test_anchor_of_a_token(token, anchors):
    assert literal_anchors([token]) == anchors


BRAND = Brand.load("runfit")
ANCHORED = [rule for rule in BRAND.rules if rule.anchors() is not None]
PIECES = st.sampled_from(
    ["최고", "최초의", "RunFit", "Run Fit", "저렴한", "free", "FREE", "무료", "!", "대박", "No.1",
     "#1", "100%", "e-mail", "email", "half marathon", " ", "요.", "a", "가"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES | st.text(max_size=3), max_size=8).map("".join))
def test_a_rule_with_a_match_always_has_an_anchor_in_the_text(text):
    folded = text.casefold()
    for rule in ANCHORED:
        if rule.check(text, Context(field="body", asset={"body": text})):
            assert any(anchor in folded for anchor in rule.anchors()), rule.id
