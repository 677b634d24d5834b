"""Token patterns and exceptions: the faster searches find what the plain ones find."""

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dco.brand.matching import compile_exceptions, compile_tokens, finder

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


def covered_by(pattern, text, start, end):
    """Vale's test, searched plainly: the match holds an exception, or lies inside one."""
    if pattern.search(text[start:end].strip()):
        return True
    window = pattern.finditer(text, max(0, start - 40), min(len(text), end + 40))
    return any(m.start() <= start and end <= m.end() for m in window)


EXCEPTION_SETS = [(["최고급", "유일하게", "최대한"], False), (["free trial", "Best"], True)]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("최고급유일하게대한 free trialBest_x.")), max_size=60),
    st.integers(0, 60),
    st.integers(0, 8),
)
def test_screened_exceptions_cover_what_a_plain_search_covers(text, start, length):
    start = min(start, len(text))
    end = min(start + length, len(text))
    for words, ignorecase in EXCEPTION_SETS:
        exceptions = compile_exceptions(words, ignorecase=ignorecase)
        assert exceptions.cover(text, start, end) == covered_by(
            exceptions.pattern, text, start, end
        )
