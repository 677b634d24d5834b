"""Token patterns: the faster finder finds what the bounded pattern finds."""

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dco.brand.matching import compile_tokens, finder

TOKEN_SETS = [
    (["최고", "최초", "무료 배송", "1위"], False),
    (["대박", "b", "a b"], False),  # a token starting inside another's match
    (["free", "best"], False),
    (["free", "best", "무료"], True),  # English ignoring case: no start to scan for
    (["aa", "a"], False),
    (["K", "s"], True),  # the Kelvin sign and the long s are K and s, ignoring case
]
TEXT = st.text(
    alphabet=st.sampled_from(list("최고초1위무료 배송대박abKsſ\u212a_-.\n")), max_size=20
)


@settings(max_examples=300, deadline=None)
@given(TEXT)
@example("최고최고 1위1위")  # matches back to back
@example("ab a b")  # "b" starts inside a match the boundary rules out
def test_the_finder_finds_the_bounded_patterns_matches(text):
    for tokens, ignorecase in TOKEN_SETS:
        pattern = compile_tokens(tokens, ignorecase=ignorecase)
        expected = [(m.span(), m.group()) for m in pattern.finditer(text)]
        assert [(m.span(), m.group()) for m in finder(pattern)(text)] == expected, tokens


@pytest.mark.parametrize(
    ("tokens", "ignorecase", "faster"),
    [
        (["최고", "무료 배송"], False, True),  # Korean tokens: the engine scans for 최 and 무
        (["free", "best"], False, True),
        (["free", "best"], True, False),  # cased letters ignoring case: the boundary stays first
        (["[0-9]+위"], False, False),  # a class first
    ],
)
def test_the_boundary_moves_out_only_where_the_engine_can_scan_ahead(tokens, ignorecase, faster):
    pattern = compile_tokens(tokens, ignorecase=ignorecase)
    assert (finder(pattern) != pattern.finditer) is faster


def test_a_pattern_not_opening_with_the_boundary_is_searched_as_it_is():
    pattern = re.compile("free|(?<![A-Za-z0-9_])best")
    assert finder(pattern) == pattern.finditer
