import pytest

from dco.funnel.terms import TermMatcher


def matched(terms, text, exceptions=()):
    matcher = TermMatcher(terms, exceptions)
    return [matcher.terms[m.term] for m in matcher.find(text)]


@pytest.mark.parametrize("text", ["가격비교", "가격 비교", "가격을 비교", "가격과  비교"])
def test_korean_multiword_term_tolerates_spacing_and_particles(text):
    assert matched(["가격 비교"], text) == ["가격 비교"]


@pytest.mark.parametrize("text", ["노트북추천", "최저가로", "추천해 주세요"])
def test_korean_term_matches_inside_compounds_and_with_endings(text):
    assert matched(["추천", "최저가"], text)


def test_longer_term_wins_over_the_shorter_it_contains():
    assert matched(["가격", "비교", "가격 비교"], "노트북 가격비교") == ["가격 비교"]


def test_exception_word_blocks_the_term_inside_it():
    assert matched(["비교"], "비교적 쉬운 코스", exceptions=["비교적"]) == []
    assert matched(["비교"], "비교적 쉬운 코스 비교", exceptions=["비교적"]) == ["비교"]


def test_english_terms_match_whole_words_with_plurals():
    assert matched(["review"], "hoka reviews") == ["review"]
    assert matched(["review"], "reviewer notes") == []
    assert matched(["deal"], "an ideal plan") == []


def test_english_prefix_term_matches_any_ending():
    assert matched(["compar*"], "comparison of plans") == ["compar*"]


def test_english_term_next_to_hangul_still_matches():
    assert matched(["vs"], "아이폰vs갤럭시") == ["vs"]


def test_full_width_and_case_are_folded():
    assert matched(["best price"], "ＢＥＳＴ Price") == ["best price"]


def test_regex_terms_count_only_where_no_literal_matched():
    terms = ["1+1 행사", r"re:1\s*\+\s*1"]
    assert matched(terms, "선크림 1+1 행사") == ["1+1 행사"]
    assert matched(terms, "선크림 1 + 1") == [r"re:1\s*\+\s*1"]


def test_a_bad_regex_term_is_named():
    from dco.errors import ConfigError

    with pytest.raises(ConfigError, match=r"lexicon term 're:\(unclosed' is not a valid"):
        TermMatcher(["re:(unclosed"])
