"""Searching texts joined finds exactly what searching each finds, for every pattern it joins."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dco.brand.joined import finditer_each, separator_for

PATTERNS = [
    r"\s+", r"a\s*b", r"^a", r"a$", r"(?m)^a", r"(?m)a$", r"\bab\b", r"\Bb", r"(?<!\S)a",
    r"(?<=\s)a", r"(?<![a-z])b(?![a-z])", r".+", r"(?s).+", r"a.b", r"[^a]+", r"\W", r"\S+",
    r"x*", r"\Aa", r"a\Z", r"(a)\1", r"[\x00-\x20]", r"무료\s*배송", r"(?i)FREE", r"(?=b)",
    r"(?<=\n)a", r"b(?!\x00)", r"(?:a|\n)", r"[\d\w]+", r"\D", r"(?>a+)b", r"(a)?(?(1)b|c)",
    r"(?<![A-Za-z0-9_])(?:최고|free)(?![A-Za-z0-9_])", r"a(?s:.)b", r"(?m:$)", r"[^\s.,!?]+",
]  # fmt: skip
TEXT = st.text(alphabet=st.sampled_from(list("ab xc\n\x00\t무료배송최고FREE.!1")), max_size=12)


def each(pattern, texts):
    return [
        (i, m.span(), m.group()) for i, text in enumerate(texts) for m in pattern.finditer(text)
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=6))
def test_joined_search_finds_each_texts_matches_in_order(texts):
    for source in PATTERNS:
        pattern = re.compile(source)
        found = [
            (i, (m.start() - offset, m.end() - offset), m.group())
            for i, offset, m in finditer_each(pattern.finditer, texts, separator_for(pattern))
        ]
        assert found == each(pattern, texts), source


@pytest.mark.parametrize(
    ("source", "separator"),
    [
        (r"(?<![A-Za-z0-9_])(?:최고|free)(?![A-Za-z0-9_])", "\n"),
        (r"무료\s*배송", "\x00"),  # \s takes line breaks, never a NUL
        (r"(?m)^a", "\n"),
        (r"a.b", "\n"),  # "." stops at a line break
        (r"^a", None),  # without multiline, ^ is only the very start
        (r"\Aa", None),
        (r"(?s).+", None),
        (r"\S+", "\n"),
        (r"[^a]+", None),  # takes every separator
    ],
)
def test_a_pattern_is_joined_only_with_a_separator_it_cannot_see(source, separator):
    assert separator_for(re.compile(source)) == separator
