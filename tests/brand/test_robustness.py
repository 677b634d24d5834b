"""Arbitrary Unicode never crashes the rule engine; Vale's own rule examples mean what they do
in Vale."""

from hypothesis import given, settings
from hypothesis import strategies as st

from dco.brand import Brand
from dco.brand.loader import KINDS
from dco.brand.rules import Context
from dco.models import Copy

BRAND = Brand.load("runfit")
TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("최고무료(광고)!요. \n"))


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_any_text_checks_without_crashing(text):
    for finding in BRAND.check(text):
        assert finding.line >= 1 and finding.column >= 1
        assert 0 <= finding.span.start <= finding.span.end <= len(text)


@settings(max_examples=100, deadline=None)
@given(TEXT, TEXT, TEXT, st.sampled_from(["sms", "google_rsa", "email", None]))
def test_any_copy_checks_without_crashing_in_any_channel(headline, body, cta, channel):
    if not (headline.strip() or body.strip() or cta.strip()):
        return
    BRAND.check(Copy(headline=headline, body=body, cta=cta), channel=channel)


def vale(kind, text, **fields):
    rule = KINDS[kind].model_validate({"extends": kind, **fields})
    rule.id = "Vale.Example"
    return [(h.match, h.message) for h in rule.check(text, Context())]


def test_vale_docs_substitution_example():
    # From Vale's docs: swap abundance → plenty, with the expected form first in the message.
    found = vale("substitution", "An abundance of caution.",
                 message="Consider using '%s' instead of '%s'", ignorecase=False,
                 swap={"abundance": "plenty", "accelerate": "speed up"})  # fmt: skip
    assert found == [("abundance", "Consider using 'plenty' instead of 'abundance'")]


def test_vale_docs_existence_example_with_end_punctuation_in_headings():
    # Microsoft.HeadingPunctuation: nonword tokens with a regular expression.
    found = vale("existence", "Getting started.", nonword=True, tokens=["[a-z0-9][.?!](?:\\s|$)"],
                 message="Don't use end punctuation in headings.")  # fmt: skip
    assert found == [("d.", "Don't use end punctuation in headings.")]


def test_vale_style_contractions_keep_their_case_with_capitalize():
    found = vale("substitution", "Do not worry.", ignorecase=True, capitalize=True,
                 swap={"do not": "don't"}, message="Use '%s' instead of '%s'.")  # fmt: skip
    assert found == [("Do not", "Use 'Don't' instead of 'Do not'.")]


def test_vale_existence_ignorecase_false_is_case_sensitive():
    found = vale("existence", "Obviously fine, obviously", tokens=["obviously"], message="%s")
    assert found == [("obviously", "obviously")]


def test_a_lone_surrogate_is_checked_as_a_replacement_character_not_a_crash():
    # "\ud83d" is half of an emoji, as a JSON escape can leave it
    findings = BRAND.check("업계 최고 \ud83d 코칭")
    assert [(f.rule, f.column) for f in findings] == [("ko-ad-law.Superlatives", 4)]
