"""Reading replies as real servers send them, and telling junk from copy."""

import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dco.generation import junk
from dco.generation.junk import junk_reason
from dco.generation.replies import read_reply
from dco.models import Copy
from dco.providers.base import ChatResult

ONE = {"headline": "첫 하프를 완주해요", "body": "코치와 10주", "cta": "상담 신청"}
TWO = {"headline": "함께 달려요", "body": "주 3회 훈련", "cta": "시작하기"}
OBJECT = json.dumps({"variants": [ONE, TWO]}, ensure_ascii=False)


@pytest.mark.parametrize(
    "text",
    [
        OBJECT,
        f"Sure! Here are your variants:\n{OBJECT}\nHope this helps.",
        f"```JSON\n{OBJECT}\n```",
        f"```\n{OBJECT}\n```<end_of_turn>",
        f"<think>They want two. {{not json}}</think>\n{OBJECT}",
        f"{OBJECT}<|im_end|>",
    ],
)
def test_the_variants_are_found_in_what_real_servers_return(text):
    reply = read_reply(ChatResult(text=text))
    assert reply.items == [ONE, TWO] and reply.problem is None


def test_a_reply_cut_off_at_the_limit_keeps_the_variants_it_finished():
    cut = OBJECT[: OBJECT.index('"함께') + 4]
    reply = read_reply(ChatResult(text=cut, finish_reason="length"))
    assert reply.items == [ONE] and reply.truncated
    assert "cut off at the token limit after 1 complete variant" in reply.problem


def test_an_unreadable_reply_says_why_and_quotes_a_clipped_excerpt():
    reply = read_reply(ChatResult(text="{variants: [" + "x" * 500))
    assert reply.items == []
    assert reply.problem.startswith("it was not valid JSON (Expecting property name")
    assert "reply: '{variants: [xxx" in reply.problem and len(reply.problem) < 300


def test_a_reply_without_any_json_says_so():
    assert "held no JSON object" in read_reply(ChatResult(text="I cannot help with that.")).problem


def copy(headline, body="코치와 함께 10주 훈련해요", cta="상담 신청"):
    return Copy(headline=headline, body=body, cta=cta)


@pytest.mark.parametrize(
    ("variant", "locale", "reason"),
    [
        (copy("..."), "ko-KR", "headline is a placeholder"),
        (copy("…"), "ko-KR", "headline is a placeholder"),
        (copy("<headline>"), "ko-KR", "headline is a placeholder"),
        (copy("Headline"), "en-US", "headline is a placeholder"),
        (copy("30"), "ko-KR", "headline is only a number"),
        (copy("하프 마라톤", body="하프 마라톤"), "ko-KR", "headline and body are the same"),
        (copy("Run your first half", body="A coach-built plan"), "ko-KR", "no Korean"),
        (copy("첫 하프 Korean (한국어)"), "ko-KR", "repeats the prompt's 'Korean (한국어)'"),
        (copy("첫 하프", body="코치와 10주", cta="..."), "ko-KR", "cta is a placeholder"),
        (copy("첫 하프", cta="14 chars"), "ko-KR", "cta repeats a length limit"),
        # Seen from a real model, the prompt's length line echoed without its unit.
        (copy("about 30, at most", body="18, at most 30,"), "en-US", "headline repeats a length"),
        (copy("첫 하프", cta="google_rsa"), "ko-KR", "cta repeats the prompt's 'google_rsa'"),
        (copy("B: B: B: B: B: B:", body="러닝 코칭"), "en-US", "headline repeats one piece"),
        (copy("><shortenDescription><p>The 10", body="Run"), "en-US", "headline holds markup"),
        (copy("첫 하프\x00 완주"), "ko-KR", "headline holds a control character"),
        (copy("첫 하프", body="코치와\x1b[31m 10주"), "ko-KR", "body holds a control character"),
    ],
)
def test_junk_is_named(variant, locale, reason):
    found = junk_reason(variant, locale=locale, hints=("Korean (한국어)", "google_rsa"))
    assert found is not None and reason in found


@pytest.mark.parametrize(
    "variant",
    [
        copy("첫 하프를 10주 만에"),
        copy("Run 10K", body="러닝 코칭 10주"),
        copy("무료 체험", cta=""),
        copy("첫 하프", body="코치와 함께\n10주 완주"),  # a line break is the copy's own
        copy("첫 하프", body="10주, 최대 3회 상담"),  # at most, said in the copy's own words
    ],
)
def test_copy_is_not_junk(variant):
    assert junk_reason(variant, locale="ko-KR", hints=("Korean (한국어)",)) is None


VOICE = "a warm, expert running coach: encouraging and concrete, never pushy or hyped."


@pytest.mark.parametrize(
    ("variant", "reason"),
    [
        (
            copy("Run your first half", body="Encouraging and concrete!"),
            "body repeats the prompt's instructions",
        ),
        (copy("A  WARM, expert running coach"), "headline repeats the prompt's instructions"),
    ],
)
def test_a_field_that_is_a_piece_of_the_prompts_instructions_is_junk(variant, reason):
    found = junk_reason(variant, locale="en-US", instructions=VOICE)
    assert found is not None and found.startswith(reason)


@pytest.mark.parametrize(
    "variant",
    [
        copy("Train with an expert running coach"),  # says what the voice says, in copy
        copy("Your first half", body="Ten weeks to the line", cta="running coach"),  # too short
    ],
)
def test_copy_that_only_shares_words_with_the_instructions_is_not_junk(variant):
    assert junk_reason(variant, locale="en-US", instructions=VOICE) is None


# Copy that is no junk, and one thing put into one of its fields: something junk is made of, a
# character that casefolds or matches without regard to case unlike its neighbours ("İ", "ı",
# "ſ", "K", "ß"), or any text at all.
_WORDS = ["하프", "마라톤", "완주", "run", "your", "first", "10", "K", "ß", " ", ", ", ". "]
_CLEAN = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map("".join)
_PUT_IN = st.one_of(
    st.sampled_from(
        ["14 chars", "30 CHARACTERS", "9 byteS", "12 google_wİdth", "7 GOOGLE_WıDTH",
         "3 graphemeſ", "40 cp949_bytes", "about 30, at moſt", "5, AT MOST", "<p>", "</b", ">",
         "<", "\x00", "\x1b[31m", "\x85", "\n", "\t", "Korean (한국어)", "KOREAN (한국어)",
         "direct and urgent", "HAEYO", "google_rsa", "b: b: b: b:"]
    ),
    st.text(max_size=3),
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(
    st.tuples(_CLEAN, _CLEAN, _CLEAN),
    st.sampled_from([0, 1, 2]),
    _PUT_IN,
    st.integers(min_value=0, max_value=40),
    st.sampled_from(["ko-KR", "en-US"]),
)
def test_looking_at_all_fields_at_once_never_changes_the_verdict(
    clean, field, put_in, where, locale
):
    """The screen that spares most copy the field-by-field checks for echoes and glitches
    (`_may_echo`) never passes over one: the verdict is the one those checks give alone."""
    texts = list(clean)
    texts[field] = texts[field][:where] + put_in + texts[field][where:]
    assume(any(text.strip() for text in texts))  # copy has text somewhere
    variant = Copy(headline=texts[0], body=texts[1], cta=texts[2])
    hints = ("Korean (한국어)", "direct and urgent", "haeyo", "google_rsa")
    screened = junk_reason(variant, locale=locale, hints=hints)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(junk, "_may_echo", lambda *args: True)
        assert junk_reason(variant, locale=locale, hints=hints) == screened
