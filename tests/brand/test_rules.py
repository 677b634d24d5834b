"""Each rule kind, with Vale's field meanings, and the Korean-aware matching."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dco.brand import case
from dco.brand.loader import KINDS
from dco.brand.matching import split_separators
from dco.brand.rules import Context


def rule(kind, **fields):
    built = KINDS[kind].model_validate({"extends": kind, **fields})
    built.id = f"Test.{kind.title()}"
    return built


def hits(kind, text, context=None, **fields):
    return [h.match for h in rule(kind, **fields).check(text, context or Context())]


def test_existence_is_word_bounded_like_vale():
    assert hits("existence", "Try it free, carefree", tokens=["free"]) == ["free"]


def test_existence_nonword_drops_the_boundaries():
    assert hits("existence", "carefree", tokens=["free"], nonword=True) == ["free"]


def test_existence_ignorecase_and_exceptions():
    found = hits("existence", "FREE trial, free ride", tokens=["free"], ignorecase=True,
                 exceptions=["free ride"])  # fmt: skip
    assert found == ["FREE"]


def test_existence_raw_is_used_as_written():
    assert hits("existence", "a  b", raw=[r"\s{2,}"], message="double space") == ["  "]


def test_existence_raw_then_a_token_is_one_pattern_as_vale_joins_them():
    # write-good.Passive: a form of "be", then a word ending in -ed; neither alone.
    fields = {"raw": [r"\b(am|is|was)\b\s*"], "tokens": [r"[\w]+ed"], "ignorecase": True}
    assert hits("existence", "It is a good sentence.", **fields) == []
    assert hits("existence", "It was tested.", **fields) == ["was tested"]


def test_existence_append_puts_the_raw_pattern_after_the_token():
    fields = {"raw": [r"\s+now"], "tokens": ["buy"], "append": True}
    assert hits("existence", "buy it now, buy now", **fields) == ["buy now"]


def test_existence_reads_a_single_raw_pattern_as_a_list_of_one():
    assert rule("existence", raw=r"^.*$", scope="sentence").raw == [r"^.*$"]


def test_existence_patterns_are_multiline_as_in_vale():
    assert hits("existence", "Intro\n## *Heading*", tokens=[r"^#+.*\*.*"], nonword=True) == [
        "## *Heading*"
    ]


@pytest.mark.parametrize("text", ["최고의 코칭", "최고입니다", "업계최고"])
def test_korean_token_matches_with_particles_and_in_compounds(text):
    assert hits("existence", text, tokens=["최고"]) == ["최고"]


@pytest.mark.parametrize("text", ["무료 배송", "무료배송", "무료로 배송"])
def test_korean_token_matches_across_spacing_variants(text):
    assert len(hits("existence", text, tokens=["무료 배송"])) == 1


def test_korean_exception_is_not_the_term():
    assert hits("existence", "비교적 쉬운 코스", tokens=["비교"], exceptions=["비교적"]) == []


def test_substitution_message_fills_expected_then_observed():
    found = rule("substitution", swap={"utilize": "use"}, message="Use '%s' instead of '%s'.")
    (hit,) = found.check("Please utilize it", Context())
    assert hit.message == "Use 'use' instead of 'utilize'."
    assert hit.replacement == "use"


def test_substitution_skips_text_already_in_the_preferred_form():
    assert hits("substitution", "e-mail", swap={"e-?mail": "e-mail"}) == []


def test_substitution_decides_preferred_forms_as_vale_does():
    # A plain word must be written exactly so, even with ignorecase ...
    word = {"swap": {"javascript": "JavaScript"}, "ignorecase": True}
    assert hits("substitution", "Learn Javascript", **word) == ["Javascript"]
    assert hits("substitution", "Learn JavaScript", **word) == []
    # ... anything else is a pattern the observed text must match, with the rule's case.
    phrase = {"swap": {"sign ?up": "sign up"}, "ignorecase": True}
    assert hits("substitution", "Sign up today", **phrase) == []  # a capital opening a sentence
    assert hits("substitution", "Signup today", **phrase) == ["Signup"]
    # ... and in its case otherwise (Vale's Bugs.SameCase).
    license = {"swap": {"MPL": "MPL", r"MPL[ -]?2(?:\.0)?": "MPL 2.0"}, "ignorecase": True}
    assert hits("substitution", "under mpl 2.0 terms", **license) == ["mpl 2.0"]


def test_substitution_words_a_replace_actions_options_as_vale_does():
    fields = {"swap": {"cell ?phone": "phone|mobile phone"}, "action": {"name": "replace"},
              "message": "Use '%s' instead of '%s'."}  # fmt: skip
    (hit,) = rule("substitution", **fields).check("a cell phone here", Context())
    assert hit.message == "Use 'phone' or 'mobile phone' instead of 'cell phone'."
    keep = {"swap": {"VNIC": "vNIC"}, "action": {"name": "replace"}, "message": "Use %s, not %s."}
    (hit,) = rule("substitution", **keep).check("the VNIC", Context())
    assert hit.message == "Use 'vNIC', not VNIC."


def test_substitution_reports_the_match_trimmed():
    fields = {"swap": {r"\b(?:[Vv][Ss]\s)": "versus"}, "nonword": True, "message": "'%s' for '%s'"}
    (hit,) = rule("substitution", **fields).check("apples vs oranges", Context())
    assert hit.message == "'versus' for 'vs'"


def test_existence_exception_inside_the_match():
    fields = {"tokens": [r"free \w+"], "exceptions": ["trial"]}
    assert hits("existence", "a free trial", **fields) == []
    assert hits("existence", "a free week", **fields) == ["free week"]


def test_substitution_capitalize_matches_the_source_case():
    (hit,) = rule(
        "substitution", swap={"cheap": "affordable"}, capitalize=True, ignorecase=True
    ).check("Cheap plans", Context())
    assert hit.replacement == "Affordable"


def test_substitution_multiple_suggestions():
    (hit,) = rule("substitution", swap={"utilize": "use|apply"}, message="Use %s, not '%s'.").check(
        "utilize", Context()
    )
    assert hit.message == "Use 'use' or 'apply', not 'utilize'."


def test_substitution_capture_groups():
    (hit,) = rule(
        "substitution", swap={r"within the (\w+) directory": "in the $1 directory"}
    ).check("within the docs directory", Context())
    assert hit.replacement == "in the docs directory"


def test_korean_substitution_tolerates_particles():
    (hit,) = rule("substitution", swap={"저렴한": "합리적인"}).check("저렴한 가격", Context())
    assert hit.replacement == "합리적인"


def test_occurrence_max_per_text_reported_at_the_first_occurrence():
    (found,) = rule("occurrence", token="!", max=1).check("Go! Now! Yes!", Context())
    assert (found.start, found.end, found.match) == (2, 3, "!")
    assert hits("occurrence", "Go!", token="!", max=1) == []


def test_occurrence_per_sentence_scope():
    text = "Five six. One two three four."
    found = rule("occurrence", token=r"\b\w+\b", max=3, scope="sentence").check(text, Context())
    assert [(h.start, h.match) for h in found] == [(10, "One")]


def test_occurrence_min_vale_fixture():
    # Vale's demo.MinCount on its Occurrence fixture test2.md: 3 words where 10 are wanted,
    # reported at the first word (line 1, column 3, after "# ").
    fields = {"token": r"\b(\w+)\b", "min": 10, "scope": "raw"}
    (found,) = rule("occurrence", **fields).check("# Introduction\n\n## Second\n\n### Third\n",
                                                  Context())  # fmt: skip
    assert (found.start, found.match) == (2, "Introduction")


def test_occurrence_reports_at_the_first_match_outside_code():
    # A heading opening with a code span, which reads as `*`s: too long, reported after it.
    fields = {"token": ".", "max": 10, "scope": "heading"}
    (found,) = rule("occurrence", **fields).check("******, but neither fails", Context())
    assert (found.start, found.match) == (6, ",")


def test_occurrence_zero_sets_no_bound_as_in_vale():
    assert hits("occurrence", "Go! Now! Yes!", token="!", max=0, min=0) == []


@pytest.mark.parametrize(
    ("scope", "covered"),
    [
        ("text", {"headline", "body", "cta"}),
        ("raw", {"headline", "body", "cta"}),
        ("heading", {"headline"}),
        (["heading", "cta"], {"headline", "cta"}),
        ("heading & ~heading.h1", {"headline"}),  # Vale's demo.CharCount: a headline has no level
        ("heading.h1", set()),
        ("~heading", {"body", "cta"}),
        ("table.cell", {"headline", "body", "cta"}),
        ("code", set()),
    ],
)
def test_vale_scopes_cover_copy_fields(scope, covered):
    built = rule("existence", tokens=["x"], scope=scope)
    assert {f for f in ("headline", "body", "cta") if built.applies_to(f)} == covered


@pytest.mark.parametrize(
    ("scope", "covered"),
    [
        ("text", {"heading.h2", "paragraph", "list", "table.cell", "alt"}),
        ("heading", {"heading.h2"}),
        ("heading.h1", set()),
        ("paragraph", {"paragraph"}),
        ("list", {"list"}),
        ("strong", {"strong in paragraph", "strong in heading.h2"}),
        ("raw", {"raw"}),
        ("summary", {"summary"}),
        # Negated, a scope covers what is outside the block it names, markup included, and
        # never the document as a whole.
        ("~heading.h2", {"paragraph", "list", "table.cell", "alt", "strong in paragraph",
                         "sentence"}),
        ("~blockquote & ~heading", {"paragraph", "list", "table.cell", "alt",
                                    "strong in paragraph", "sentence"}),
        ("heading & ~heading.h1", {"heading.h2"}),
    ],
)  # fmt: skip
def test_vale_scopes_cover_the_pieces_of_a_document_as_vale_selects_blocks(scope, covered):
    pieces = ["heading.h2", "paragraph", "list", "table.cell", "alt", "strong in paragraph",
              "strong in heading.h2", "sentence", "raw", "summary"]  # fmt: skip
    built = rule("existence", tokens=["x"], scope=scope)
    assert {piece for piece in pieces if built.applies_to(piece)} == covered


def test_readability_reads_the_documents_summary_by_default():
    built = rule("readability", metrics=["Flesch-Kincaid"], grade=8)
    assert built.applies_to("summary") and not built.applies_to("paragraph")
    assert built.applies_to("body")  # a record's copy field: judged field by field


def test_unknown_scope_is_an_error_with_a_suggestion():
    with pytest.raises(ValueError, match=r"unknown scope 'haeding'.*heading"):
        rule("existence", tokens=["x"], scope="haeding")


def test_occurrence_needs_max_or_min():
    with pytest.raises(ValueError, match="needs max or min"):
        rule("occurrence", token="x")


def test_repetition_finds_words_written_twice():
    assert hits("repetition", "the the plan", tokens=[r"\w+"]) == ["the the"]
    assert hits("repetition", "정말 정말 좋아요", tokens=[r"\S+"]) == ["정말 정말"]


# Vale.Repetition as Vale ships it, on a paragraph of Vale's own Repetition fixture, which
# Vale passes: with [^\s]+ tokens, "plan plan." and "Redis. Redis" are different tokens.
VALE_REPETITION = {"alpha": True, "tokens": [r"[^\s]+"], "message": "'%s' is repeated!"}
VALE_FIXTURE = (
    "All plans except a Personal plan can use Redis. Redis is available to Sandbox plans for "
    "developmental purposes, but Redis will not be available going live on a Personal plan plan."
)


def test_repetition_compares_whole_tokens_like_vale():
    assert hits("repetition", VALE_FIXTURE, **VALE_REPETITION) == []
    assert hits("repetition", "on a Personal plan plan today", **VALE_REPETITION) == ["plan plan"]


def test_repetition_message_names_the_word():
    (found,) = rule("repetition", **VALE_REPETITION).check("it is is fine", Context())
    assert found.message == "'is' is repeated!" and (found.start, found.end) == (3, 8)


def test_repetition_skips_a_pair_across_sentences():
    fields = {"tokens": [r"\w+"], "ignorecase": True}
    assert hits("repetition", "I almost forgot about that. That is important.", **fields) == []
    assert hits("repetition", "That that is important.", **fields) == ["That that"]


def test_repetition_max_allows_that_many_repeats():
    assert hits("repetition", "very very good", tokens=[r"\w+"], max=1) == []
    assert hits("repetition", "very very very good", tokens=[r"\w+"], max=1) == ["very very"]


def test_repetition_exceptions():
    assert hits("repetition", "Say bye bye to plateaus", tokens=[r"\w+"],
                exceptions=["bye bye"]) == []  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "flags", "separators"),
    [
        (r"[^\s.,!?]+", 0, ".,!?"),
        (r"\S+", 0, ""),
        (r"(?:[^\s]+)", 0, ""),
        (r"[^\s.]+", re.IGNORECASE, "."),
        # Anything else is read by the regex engine.
        (r"\w+", 0, None),
        (r"[^\sa-z]+", 0, None),
        (r"[^\sA]+", re.IGNORECASE, None),
        (r"(?a)\S+", 0, None),
        (r"[^\s]*", 0, None),
        (r"[^\s]+|x", 0, None),
    ],
)
def test_token_patterns_str_split_can_read(pattern, flags, separators):
    assert split_separators(re.compile(pattern, flags)) == separators


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["the", "The", "정말", "a", ".", ",", "!", "?", " ", "\u3000", "\n",
                              "\x1c", "x!", "word."]) | st.text(max_size=3), max_size=10),
    st.sampled_from([r"[^\s.,!?]+", r"\S+"]),
    st.booleans(),
)  # fmt: skip
def test_repetition_by_splitting_finds_what_the_regex_engine_finds(parts, tokens, ignorecase):
    text = "".join(parts)
    repeated = rule("repetition", tokens=[tokens], ignorecase=ignorecase)
    assert repeated.compiled.separators is not None
    by_splitting = repeated.check(text, Context())
    repeated.compiled.separators = None
    assert by_splitting == repeated.check(text, Context())


@pytest.mark.parametrize(
    ("match", "good", "bad"),
    [
        ("$sentence", "Train for your first half", "Train For Your First Half"),
        ("$title", "Train for Your First Half", "Train for your first half"),
        ("$upper", "RUN", "Run"),
        ("$lower", "run", "Run"),
    ],
)
def test_capitalization_styles(match, good, bad):
    assert hits("capitalization", good, match=match) == []
    assert hits("capitalization", bad, match=match) == [bad]


def test_capitalization_ignores_korean():
    assert hits("capitalization", "하프 마라톤", match="$title") == []


# Vale's own capitalization fixtures (testdata/fixtures/checks/{SentenceCase,Capitalization}),
# with the rules that judge them (demo.SentenceCase, demo.CustomCap).
VALE_SENTENCE_CASE = {
    "match": "$sentence",
    "exceptions": ["Section", "Level", "Title", "Azure", "Axon", "Axon Framework", "Axon Server",
                   "Axon Synapse"],
    "indicators": [":"],
    "prefix": r"^[a-z]\.\s",
}  # fmt: skip


@pytest.mark.parametrize(
    ("heading", "flagged"),
    [
        ("Use the `APPEND` operator", False),
        ("Level 1 Section Title", False),  # every capitalised word is an exception
        ("this isn't in sentence case", True),  # the first word must be capitalised
        ("**** is in sentence case", False),  # "`this` is ...": Vale masks code with *
        ("1 this also is in sentence case", False),
        ("1. An important heading", False),  # numbering is not the first word
        ("B. An unimportant heading", True),  # a letter is
        ("This Does Not Comply", True),
        ("Find the thief: Introduction", False),  # a capital may follow an indicator
        ("Axon Server connection", False),  # a phrase among the exceptions
        ("a. An unimportant heading", False),  # the prefix is not judged
        ("An unimportant Heading", True),  # 2 of 3 words right: below 0.8
    ],
)
def test_capitalization_sentence_case_as_vale_judges_it(heading, flagged):
    assert bool(hits("capitalization", heading, **VALE_SENTENCE_CASE)) is flagged


def test_capitalization_threshold_allows_some_capitalised_words():
    heading = "Train with the Seoul running club this spring"  # 7 of 8 words in sentence case
    assert hits("capitalization", heading, match="$sentence") == []
    assert hits("capitalization", heading, match="$sentence", threshold=0.9) == [heading]


def test_capitalization_custom_cap_fixture():
    # demo.CustomCap: $sentence at threshold 0.9; "MacBook" leaves 6 of 7 words right.
    heading = "Section about the MacBook pro ultimate edition"
    fields = {"match": "$sentence", "threshold": 0.9, "exceptions": ["ABC", "add"]}
    assert hits("capitalization", heading, **fields) == [heading]
    assert hits("capitalization", heading, **(fields | {"threshold": 0.8})) == []


def sentence_case_word_by_word(text, words, excepted, indicators, threshold):
    """Vale's sentence-case test as it reads: every word judged in turn, none skipped but a
    numbering that opens the text ("1.")."""
    if text == text.upper():
        return True
    tokens = words.findall(text.rstrip("?!.:"))
    if tokens and re.fullmatch(r"\d+[.)]", tokens[0]):
        tokens = tokens[1:]
    right = 0
    for index, token in enumerate(tokens):
        word = case._first_part(token)
        if (
            word == word.upper()
            or (index > 0 and tokens[index - 1].endswith(indicators))
            or word == (case._go_title(word.lower()) if index == 0 else word.lower())
            or case.found_in(excepted, token)
        ):
            right += 1
        elif index == 0:
            return False
    return not tokens or right / len(tokens) >= threshold


HEADING_WORDS = st.sampled_from(
    ["Train", "Train:", "train", "TRAIN", "Seoul", "seoul", "Axon Server", "İstanbul", "ǅemal",
     "Top-level", "top-Level", "Client's", "o'Neil", "MacBook", "the", "a", ":", "하프", "10",
     "ß", "x", "!", "?", ".", "-", "*", "_"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(HEADING_WORDS, st.sampled_from([" ", "", "  "])), max_size=8).map(
        lambda pairs: "".join(word + gap for word, gap in pairs)
    ),
    st.sampled_from([0.5, 0.8, 0.9, 1.0]),
)
def test_sentence_case_judges_as_word_by_word(text, threshold):
    excepted = case.word_exceptions(VALE_SENTENCE_CASE["exceptions"])
    words = re.compile(f"{excepted.pattern}|{case._WORDS}")
    expected = sentence_case_word_by_word(text, words, excepted, (":",), threshold)
    assert case.in_sentence_case(text, words, excepted, (":",), threshold) is expected


@pytest.mark.parametrize(
    ("style", "heading", "flagged"),
    [
        ("AP", "A Plan for the Long Run", False),
        ("AP", "A Plan For The Long Run", True),  # small words stay lower case mid-title
        ("AP", "Running Through the Winter", False),  # AP capitalises long prepositions
        ("Chicago", "Running through the Winter", False),  # Chicago lowers every preposition
        ("Chicago", "Running Through The Winter", True),
        ("AP", "What It Is About", False),  # the last word is capitalised whatever it is
    ],
)
def test_capitalization_title_case_by_style(style, heading, flagged):
    found = hits("capitalization", heading, match="$title", style=style, threshold=1)
    assert bool(found) is flagged


def test_capitalization_pattern_is_searched_like_vale():
    assert hits("capitalization", "Run 10K", match="[0-9]+K") == []
    assert hits("capitalization", "Run 10k", match="[0-9]+K") == ["Run 10k"]


def test_conditional_needs_the_definition():
    fields = {"first": r"\b([A-Z]{3,5})\b", "second": r"(?:\b[A-Za-z][a-z]+ )+\(([A-Z]{3,5})\)"}
    assert hits("conditional", "Run LSD weekly", **fields) == ["LSD"]
    assert hits("conditional", "Long slow distance (LSD) then LSD", **fields) == []


def test_conditional_collects_every_group_of_second():
    # Like Vale's MultiCapture fixture: a definition may put the acronym first or last.
    second = r"(?:\b[A-Z][a-z]+ )+\(([A-Z]{3,5})\)|\b([A-Z]{3,5}) \((?:[A-Z][a-z]+ ?)+\)"
    fields = {"first": r"\b[A-Z]{3,5}\b", "second": second}
    text = "Long Slow Distance (LSD) and NFL (National Football League), then LSD, NFL, NBA."
    assert hits("conditional", text, **fields) == ["NBA"]


def test_conditional_without_groups_only_needs_second_present():
    fields = {"first": r"\bfree\b", "second": r"terms apply"}
    assert hits("conditional", "A free week, terms apply", **fields) == []
    assert hits("conditional", "A free week", **fields) == ["free"]


def test_conditional_exceptions_are_words_found_in_the_match():
    fields = {"first": r"\b[A-Z]{2,5}\b", "second": r"\(([A-Z]{2,5})\)", "exceptions": ["OK"]}
    assert hits("conditional", "OK, run the LSD", **fields) == ["LSD"]


def test_consistency_flags_the_second_spelling():
    found = hits("consistency", "Email us. Read the e-mail.", either={"e-mail": "email"},
                 ignorecase=True)  # fmt: skip
    assert found == ["e-mail"]


def test_consistency_reports_a_mix_once_at_the_first_use_of_the_last_spelling():
    text = 'Straight "dumb" quotes, “smart” ones, then "dumb" again.'
    (hit,) = rule("consistency", either={'"': "[”“]"}, nonword=True).check(text, Context())
    assert (hit.start, hit.match) == (text.index('"'), '"')


def test_metric_reads_math_sqrt_as_vale_writes_it():
    smog = "1.0430 * math.sqrt((polysyllabic_words * 30.0) / sentences) + 3.1291"
    assert rule("metric", formula=smog, condition="> 10").compiled.variables == {
        "polysyllabic_words", "sentences"
    }  # fmt: skip


def test_metric_counts_the_documents_blocks_by_scope():
    built = rule("metric", formula="heading.h1 + list", condition="> 0", message="%s blocks")
    (hit,) = built.check("Some prose.", Context(structure={"heading.h1": 1}))
    assert hit.message == "1.00 blocks"
    assert built.check("Some prose.", Context()) == []  # outside a document: no blocks


def test_metric_names_an_unknown_block_count():
    with pytest.raises(ValueError, match=r"unknown variable 'heading\.h7'"):
        rule("metric", formula="heading.h7", condition="> 0")


FLESCH_KINCAID = "(0.39 * (words / sentences)) + (11.8 * (syllables / words)) - 15.59"


def test_metric_flags_text_above_the_grade():
    hard = ("Comprehensive individualized periodization methodologies accommodate "
            "heterogeneous physiological characteristics.")  # fmt: skip
    assert hits("metric", hard, formula=FLESCH_KINCAID, condition="> 8") == [hard]
    assert hits("metric", "Run with us. It is fun.", formula=FLESCH_KINCAID, condition="> 8") == []


def test_metric_counts_english_and_skips_korean():
    from dco.brand.metric import counts

    assert counts("Run with us today.")["syllables"] == 5
    assert counts("함께 달려요.")["words"] == 0
    assert hits("metric", "최초의 코칭", formula=FLESCH_KINCAID, condition="> 8") == []


def test_metric_formula_uses_sqrt_and_every_count_it_names():
    text = "Run far.\n\nRecover well today."  # 5 words, 2 sentences, 2 paragraphs, 1 long word
    formula = "sqrt(words * 5) + sentences + paragraphs + long_words - characters / words"
    # sqrt(25) + 2 + 2 + 1 - 22 / 5 = 5.6 (22 letters in the five words)
    assert hits("metric", text, formula=formula, condition="> 5.59") == [text]
    assert hits("metric", text, formula=formula, condition="> 5.61") == []


@pytest.mark.parametrize("formula", ["sqrt(words - 100)", "(words - 100) ** 0.5", "10.0 ** 999"])
def test_a_formula_without_a_real_score_finds_nothing(formula):
    assert hits("metric", "Run with us today.", formula=formula, condition="> 1") == []


def test_readability_is_the_metric_of_its_formula_against_the_grade():
    # Vale's demo style: extends readability, metrics [Flesch-Kincaid], grade 7.
    texts = [
        "Comprehensive individualized periodization accommodates heterogeneous physiology.",
        "Run with us. It is fun.",
        "Training for a half marathon takes patience and consistent weekly mileage.",
    ]
    for text in texts:
        assert hits("readability", text, metrics=["Flesch-Kincaid"], grade=7) == hits(
            "metric", text, formula=FLESCH_KINCAID, condition="> 7"
        )
    assert hits("readability", texts[0], metrics=["Flesch-Kincaid"], grade=7) == [texts[0]]


def test_readability_averages_its_metrics():
    text = "Training for a half marathon takes patience and consistent weekly mileage."
    both = rule("readability", metrics=["Flesch-Kincaid", "Gunning Fog"], grade=0,
                message="%s")  # fmt: skip
    fk = rule("metric", formula=FLESCH_KINCAID, condition="> 0", message="%s")
    fog = rule("metric", formula="0.4 * (words / sentences + 100 * complex_words / words)",
               condition="> 0", message="%s")  # fmt: skip
    (average,) = both.check(text, Context())
    (one,), (other,) = fk.check(text, Context()), fog.check(text, Context())
    assert float(average.message) == pytest.approx((float(one.message) + float(other.message)) / 2,
                                                   abs=0.01)  # fmt: skip


def test_readability_names_the_metrics_it_knows():
    with pytest.raises(ValueError, match="Coleman-Liau"):
        rule("readability", metrics=["Flesh-Kincaid"], grade=8)


def test_metric_formulas_are_arithmetic_only():
    with pytest.raises(ValueError, match="numbers, the count variables"):
        rule("metric", formula="__import__('os').system('x')", condition="> 1")
    with pytest.raises(ValueError, match="unknown variable 'letters'"):
        rule("metric", formula="letters / words", condition="> 1")
    with pytest.raises(ValueError, match="should look like"):
        rule("metric", formula="words", condition="big")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab 가.!?。\n\t\"')~")), max_size=30))
def test_sentence_count_counts_the_sentences_found(text):
    from dco.brand.sentences import sentence_count, sentences

    assert sentence_count(text) == len(sentences(text))


def test_a_rule_that_names_no_level_is_a_warning_as_in_vale():
    assert rule("existence", tokens=["free"]).level == "warning"
    assert rule("existence", tokens=["free"], level="error").level == "error"
