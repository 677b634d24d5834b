import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dco.errors import DcoError, UnencodableTextError, UnknownNameError
from dco.text.units import (
    UNITS,
    cp949_unencodable,
    fold,
    graphemes,
    measure,
    surely_within,
    truncate,
)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("Half marathon", "chars", 13),
        ("하프 마라톤", "chars", 6),
        ("하프 마라톤", "google_width", 11),  # 5 Hangul × 2 + 1 space
        ("가" * 15, "google_width", 30),  # 15 Hangul fill a Google Ads headline
        ("ＡＢＣ", "google_width", 6),  # full-width forms are double-width
        ("東京", "google_width", 4),
        ("👍", "google_width", 2),
        ("👍🏽", "google_width", 2),  # a skin-toned emoji is one double-width character
        ("👨‍👩‍👧", "google_width", 2),  # a ZWJ family is one character
        ("🇰🇷", "google_width", 2),
        ("e\u0301", "google_width", 1),  # a combining accent adds nothing
        ("하프 마라톤", "cp949_bytes", 11),
        ("(광고) 첫 주 무료", "cp949_bytes", 17),
        ("똠", "cp949_bytes", 2),  # euc-kr would need an 8-byte escape; cp949 has it
        ("👨‍👩‍👧", "graphemes", 1),
        ("한국어", "graphemes", 3),
        ("a\r\nb", "graphemes", 3),
    ],
)
def test_measure(text, unit, expected):
    assert measure(text, unit) == expected


def test_decomposed_jamo_are_measured_as_composed_syllables():
    decomposed = unicodedata.normalize("NFD", "하프 마라톤")
    assert len(decomposed) > 6
    for unit in UNITS:
        assert measure(decomposed, unit) == measure("하프 마라톤", unit)


def test_cp949_refuses_emoji_naming_the_character_and_position():
    with pytest.raises(UnencodableTextError) as caught:
        measure("첫 주 무료 👟", "cp949_bytes")
    assert caught.value.character == "👟"
    assert caught.value.index == 7
    assert "U+1F45F" in str(caught.value) and "position 8" in str(caught.value)


def test_cp949_unencodable_lists_every_offending_character():
    assert cp949_unencodable("a👟b🏃") == [(1, "👟"), (3, "🏃")]


def test_unknown_unit_lists_the_known_units():
    with pytest.raises(UnknownNameError, match=r"unknown unit 'bytes'.*Known units: chars"):
        measure("x", "bytes")


def test_fold_makes_full_width_and_case_equal():
    assert fold("ＢＥＳＴ Price") == "best price"


def test_truncate_keeps_grapheme_clusters_whole():
    text = "ab" + "e\u0301" * 3
    cut = truncate(text, 3)
    assert cut == "ab"  # "ab" + "e" would split the cluster e + accent


def test_truncate_cuts_at_a_space_in_the_last_tenth():
    assert truncate("러닝 " * 50, 100) == ("러닝 " * 33).rstrip()


def test_truncate_does_not_fall_back_to_a_distant_space():
    assert truncate("하프 " + "마" * 50, 20) == "하프 " + "마" * 17


def test_graphemes_splits_user_perceived_characters():
    assert graphemes("가👍🏽e\u0301") == ["가", "👍🏽", "é"]


@given(st.text())
def test_every_unit_measures_any_text_or_raises_a_dco_error(text):
    for unit in UNITS:
        try:
            length = measure(text, unit)
        except DcoError:
            assert unit == "cp949_bytes"
        else:
            assert length >= 0


@given(st.text())
def test_google_width_fast_paths_agree_with_grapheme_segmentation(text):
    # Every cluster counts 1 or 2, so the width lies between the cluster count and twice it.
    clusters = measure(text, "graphemes")
    assert clusters <= measure(text, "google_width") <= 2 * clusters


@given(
    st.text(
        alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
        | st.sampled_from("ab 1!")
    )
)
def test_google_width_of_hangul_and_ascii_is_length_plus_syllables(text):
    syllables = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")
    assert measure(text, "google_width") == len(text) + syllables


@settings(max_examples=500)
@given(
    st.lists(
        st.characters(codec="utf-8") | st.sampled_from(["가", "東", "👍", "\u0958", "e\u0301"])
    ).map("".join),
    st.sampled_from(UNITS),
    st.integers(min_value=1, max_value=60),
)
def test_text_surely_within_a_limit_measures_within_it(text, unit, limit):
    """What `surely_within` tells without measuring holds when the text is measured, in every
    unit: a text not in NFC (U+0958 is two code points in it) or wide characters included."""
    if surely_within(text, unit, limit):
        assert measure(text, unit) <= limit


@pytest.mark.parametrize(
    ("text", "unit", "limit", "sure"),
    [
        ("가" * 15, "google_width", 30, True),
        ("가" * 15, "google_width", 29, False),
        ("가" * 15, "chars", 15, True),
        ("\u0958", "chars", 1, False),  # NFC makes it two code points: measure it
        ("가", "cp949_bytes", 90, False),  # cp949 may refuse a character: always measured
    ],
)
def test_surely_within_is_sure_only_where_no_character_can_count_more(text, unit, limit, sure):
    assert surely_within(text, unit, limit) is sure


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_truncate_never_lengthens_and_is_a_prefix(text, limit):
    cut = truncate(text, limit)
    assert len(cut) <= limit
    assert text.startswith(cut)
