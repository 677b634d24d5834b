"""Compiling rule patterns: `re` where safe, `regex` on a time budget where not."""

import re

import pytest

from dco.brand import Brand, BrandSpec
from dco.brand import patterns as patterns_module
from dco.brand.patterns import TimedPattern, compile_pattern, runaway_risk
from dco.brand.vale import Existence


@pytest.mark.parametrize(
    ("pattern", "risky"),
    [
        (r"\bfree\b", False),
        (r"(?:free|gratis) trial", False),  # an alternation, but not repeated
        (r"[\w]+ed", False),
        (r"(a+)+$", True),  # a repeat inside a repeat
        (r"(?:\w+\s?)*$", True),
        (r"(a|aa)+$", True),  # an alternation under a repeat
        (r"(\w)\1+", False),  # a back-reference, but not under a repeat of a group
        (r"(?:(\w)\1)+", True),
        (r"(?>a+)+", False),  # an atomic group: nothing to backtrack into
    ],
)
def test_shapes_that_can_backtrack_without_bound_are_named(pattern, risky):
    assert runaway_risk(pattern) is risky


def test_safe_patterns_stay_with_re():
    assert isinstance(compile_pattern(r"\bfree\b", re.IGNORECASE), re.Pattern)


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (r"(?<=\bMr|\bMrs)\s+Smith", "Mrs Smith", " Smith"),  # a look-behind of two widths
        (r"\p{Lu}{4,}", "a SHOUTING word", "SHOUTING"),  # a Unicode class
    ],
)
def test_what_only_regex_reads_compiles_there(pattern, text, found):
    compiled = compile_pattern(pattern)
    assert isinstance(compiled, TimedPattern)
    assert compiled.search(text).group() == found


def test_a_pattern_neither_engine_reads_is_res_error():
    with pytest.raises(re.error, match="missing \\)"):
        compile_pattern("(unclosed")


def test_a_runaway_pattern_gives_up_within_its_budget(monkeypatch):
    monkeypatch.setattr(patterns_module, "BUDGET_SECONDS", 0.05)
    with pytest.raises(TimeoutError):
        compile_pattern(r"(a+)+$").search("a" * 5000 + "!")


def test_a_rule_that_runs_away_is_an_error_naming_it_and_the_others_still_run(monkeypatch):
    monkeypatch.setattr(patterns_module, "BUDGET_SECONDS", 0.05)
    runaway = Existence(extends="existence", id="Acme.Runaway", raw=[r"(a+)+$"], message="x")
    free = Existence(extends="existence", id="Acme.Free", tokens=["free"], message="%s")
    brand = Brand(BrandSpec(name="acme"), [runaway, free])
    stuck, fine = brand.check_many(["free " + "a" * 5000 + "!", "free trial"])
    assert [(f.rule, f.level) for f in stuck] == [
        ("Acme.Free", "warning"),
        ("Acme.Runaway", "error"),
    ]
    assert "gave up" in stuck[1].message and "(a+)+" in stuck[1].message
    assert [f.rule for f in fine] == ["Acme.Free"]


@pytest.mark.parametrize(
    ("pattern", "risky"),
    [
        (r"(?:[^\W_]|\*)+", False),  # a letter or a star: one way to match each character
        (r"(?:a|a)+$", True),  # two ways to match every 'a'
    ],
)
def test_alternatives_of_single_characters_are_risky_only_when_they_overlap(pattern, risky):
    assert runaway_risk(pattern) is risky
