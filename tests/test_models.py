import hashlib

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dco.models import (
    Brief,
    ContentIds,
    Copy,
    Decision,
    Event,
    FieldLength,
    Finding,
    FunnelStage,
    Signals,
    Span,
    StagePolicy,
    StageResult,
    Variant,
    canonical_json,
    content_id,
)


def test_unknown_field_is_rejected_with_its_name_and_a_suggestion():
    with pytest.raises(pydantic.ValidationError) as caught:
        Copy(headlin="하프 마라톤")
    message = str(caught.value)
    assert "unknown field 'headlin' for Copy" in message
    assert "Did you mean 'headline'?" in message


def test_values_are_immutable():
    copy = Copy(headline="a")
    with pytest.raises(pydantic.ValidationError):
        copy.headline = "b"


def test_copy_needs_some_text():
    with pytest.raises(pydantic.ValidationError, match="at least one of headline, body or cta"):
        Copy(headline="  ", body="", cta="")


def test_events_accept_the_compact_string_form():
    signals = Signals(events=["add_to_cart", "return_visit*3", "page_view:pricing@2h", "search@1d"])
    assert [(e.name, e.count, e.age_hours) for e in signals.events] == [
        ("add_to_cart", 1, None),
        ("return_visit", 3, None),
        ("page_view:pricing", 1, 2.0),
        ("search", 1, 24.0),
    ]


def test_event_string_form_round_trips():
    event = Event.model_validate("return_visit*3@2h")
    assert str(event) == "return_visit*3@2h"
    assert Event.model_validate(str(event)) == event


def test_unknown_event_lists_the_known_ones():
    with pytest.raises(pydantic.ValidationError) as caught:
        Signals(events=["add_to_kart"])
    message = str(caught.value)
    assert "unknown event 'add_to_kart'" in message
    assert "Did you mean 'add_to_cart'?" in message
    assert "page_view:pricing" in message and "checkout_start" in message


def test_malformed_event_string_says_how_to_write_one():
    with pytest.raises(pydantic.ValidationError, match="NAME\\*COUNT"):
        Signals(events=["add_to_cart**2"])


def test_locale_is_normalised():
    assert Signals(locale="ko_kr").locale == "ko-KR"
    assert Brief(product="x", locale="EN-us").locale == "en-US"


def test_bad_locale_is_rejected():
    with pytest.raises(pydantic.ValidationError, match="not a language tag"):
        Brief(product="x", locale="korean!")


def test_field_length_target_may_not_exceed_limit():
    with pytest.raises(pydantic.ValidationError, match="exceeds the limit"):
        FieldLength(target=40, limit=30, unit="google_width")


def test_decision_edit_needs_edited_copy():
    with pytest.raises(pydantic.ValidationError, match="needs the edited copy"):
        Decision(variant_id="v_1", action="edit", reviewer="minji")


def test_decision_reject_needs_a_reason():
    with pytest.raises(pydantic.ValidationError, match="at least one reason"):
        Decision(variant_id="v_1", action="reject", reviewer="minji")


def _variant(**overrides) -> Variant:
    values = dict(
        copy=Copy(headline="하프 마라톤 10주 완성", body="주 3회 훈련", cta="신청하기"),
        brief=Brief(product="하프 마라톤 코칭", benefits=["맞춤 플랜"]),
        stage=FunnelStage.DECISION,
        channel="google_rsa",
    )
    values.update(overrides)
    return Variant(**values)


def test_variant_id_derives_from_content():
    assert _variant().id == _variant().id
    assert _variant().id != _variant(stage=FunnelStage.AWARENESS).id
    assert _variant().id.startswith("v_")


def test_explicit_variant_id_is_kept():
    assert _variant(id="custom").id == "custom"


@pytest.mark.parametrize(
    "value",
    [
        Signals(
            text="러닝화 최저가", events=["add_to_cart@1h"], locale="ko-KR", context={"rain": True}
        ),
        StageResult(
            stage="decision",
            confidence=0.8,
            scores={"awareness": 0.1, "consideration": 0.1, "decision": 0.8},
            reasons=["'최저가' → decision cue (+1.6)"],
        ),
        StagePolicy(
            stage="awareness",
            tone="friendly, educational",
            cta_style="soft",
            formality="haeyo",
            lengths={"headline": {"target": 24, "limit": 30, "unit": "google_width"}},
        ),
        Brief(product="코칭", benefits=["a", "b"], offer="첫 주 무료", campaign="spring"),
        Finding(
            rule="Brand.Superlatives",
            level="error",
            message="최고 needs substantiation",
            field="headline",
            line=1,
            column=3,
            span={"start": 2, "end": 4},
        ),
        Decision(
            variant_id="v_1", action="edit", reviewer="minji", edited=Copy(headline="새 문구")
        ),
        _variant(),
    ],
    ids=lambda v: type(v).__name__,
)
def test_models_round_trip_through_json(value):
    restored = type(value).model_validate_json(value.model_dump_json(by_alias=True))
    assert restored == value


def test_trusted_construction_equals_validation():
    values = dict(rule="R.Id", level="error", message="m", field="body", line=2, column=3,
                  span=Span(start=4, end=6), match="최고", replacement=None, link=None)  # fmt: skip
    trusted = Finding.trusted(**{**values, "span": Span.trusted(start=4, end=6)})
    validated = Finding(**values)
    assert trusted == validated
    assert trusted.model_dump() == validated.model_dump()
    assert Finding.model_validate_json(trusted.model_dump_json()) == validated


def test_variant_ids_stay_what_they_were_so_stored_queues_still_match():
    copy = Copy(headline='첫 하프 "완주"', body="Back\\slash\nnew line\ttab ✓ 🏃", cta="지금 신청")
    brief = {"product": "하프 마라톤", "offer": None}
    assert content_id(copy, brief, FunnelStage.DECISION, "google_rsa", "ko-KR", None) == (
        "v_27adf1a92df66227"
    )
    assert content_id(copy, '{"a":1}', FunnelStage.AWARENESS, "sms", "en-US", "p1") == (
        "v_db7dffcdf7390c49"
    )


_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(headline=_TEXT, body=_TEXT, cta=_TEXT, channel=_TEXT, locale=_TEXT, version=_TEXT)
def test_ids_for_many_copies_hash_the_canonical_json_of_each(
    headline, body, cta, channel, locale, version
):
    copy = Copy.trusted(headline=headline, body=body, cta=cta)
    identity = {
        "copy": {"headline": headline, "body": body, "cta": cta},
        "stage": "consideration",
        "channel": channel,
        "locale": locale,
        "prompt_version": version or None,
    }
    digest = hashlib.sha256(canonical_json({"p": body}).encode())
    digest.update(b"\0" + canonical_json(identity).encode())
    ids = ContentIds({"p": body}, FunnelStage.CONSIDERATION, channel, locale, version or None)
    assert ids(copy) == "v_" + digest.hexdigest()[:16]
