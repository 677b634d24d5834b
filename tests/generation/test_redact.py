import pytest
from hypothesis import given
from hypothesis import strategies as st

from dco.generation.redact import redact


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("연락 주세요 minji.kim+ads@example.co.kr", "EMAIL"),
        ("010-1234-5678로 연락", "PHONE"),
        ("01012345678", "PHONE"),
        ("+82 10-1234-5678", "PHONE"),
        ("02-123-4567", "PHONE"),
        ("(555) 123-4567", "PHONE"),
        ("주민번호 900101-1234567", "RRN"),
        ("카드 4111-1111-1111-1111", "CARD"),
    ],
)
def test_personal_data_is_replaced_by_a_typed_placeholder(text, kind):
    result = redact(text)
    assert f"[{kind}]" in result.text
    assert result.counts[kind] == 1


def test_business_numbers_are_kept():
    text = "무료수신거부 080-123-4567, 대표번호 1588-1234"
    assert redact(text).text == text


def test_numbers_that_fail_the_card_checksum_are_kept():
    assert redact("주문번호 4111 1111 1111 1112").counts["CARD"] == 0


def test_ordinary_copy_is_untouched():
    text = "하프 마라톤 10주 완성, 첫 주 무료 (1+1 이벤트 20% 할인)"
    assert redact(text).text == text


@given(st.text())
def test_redaction_never_crashes_and_only_shrinks_personal_data(text):
    result = redact(text)
    assert result.total >= 0
    if result.total == 0:
        assert result.text == text
