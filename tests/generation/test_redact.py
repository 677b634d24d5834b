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


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("010–1234–5678로 연락", "PHONE"),  # en dashes
        ("010‐1234‐5678", "PHONE"),  # U+2010 hyphens
        ("010 - 1234 - 5678", "PHONE"),  # spaced hyphens
        ("０１０-１２３４-５６７８", "PHONE"),  # full-width digits
        ("주민번호 900101–1234567", "RRN"),
        ("주민번호 ９００１０１-１２３４５６７", "RRN"),
        ("홍길동@회사.한국 으로", "EMAIL"),  # an IDN domain
        ("minji (at) example (dot) com", "EMAIL"),
        ("카드 4111 1111 1111 1111 123 (CVC)", "CARD"),
    ],
)
def test_personal_data_is_found_however_it_is_typed(text, kind):
    result = redact(text)
    assert result.counts[kind] == 1, result
    assert not any(ch.isdigit() for ch in result.text.split("[")[0][-4:])


def test_two_cards_side_by_side_are_two_cards():
    result = redact("4111111111111111 5500000000000004")
    assert result.text == "[CARD] [CARD]" and result.counts["CARD"] == 2


DASHES = st.sampled_from(["-", "–", "—", "‐", "−", "－", " - ", " ", ""])
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@given(
    st.sampled_from(["010", "011", "016", "02", "031"]),
    st.integers(100, 9999),
    st.integers(1000, 9999),
    DASHES,
    st.booleans(),
)
def test_a_phone_number_never_survives_redaction(area, middle, last, dash, wide):
    number = f"{area}{dash}{middle}{dash}{last}"
    text = f"연락처 {number.translate(FULL_WIDTH) if wide else number} 로 주세요"
    result = redact(text)
    assert result.counts["PHONE"] == 1 and str(last) not in result.text.translate(
        str.maketrans("０１２３４５６７８９", "0123456789")
    )


@given(st.dates(), st.integers(1, 8), st.integers(0, 999_999), DASHES, st.booleans())
def test_a_resident_number_never_survives_redaction(born, sex, serial, dash, wide):
    number = f"{born:%y%m%d}{dash}{sex}{serial:06d}"
    result = redact(number.translate(FULL_WIDTH) if wide else number)
    assert result.counts["RRN"] == 1 and result.text == "[RRN]"


def test_no_field_of_a_brief_or_signals_reaches_the_prompt_unredacted():
    from dco.generation import generate
    from dco.models import Brief, Signals
    from dco.testing import FakeProvider

    fake = FakeProvider()
    brief = Brief(product="하프 코칭", campaign="홍길동 010-1234-5678", notes="a@b.co")
    signals = Signals(text="가격", context={"crm": {"phone": "010–9876–5432"}, "tags": ["x@y.kr"]})
    result = generate(brief, signals=signals, n=1, provider=fake)
    prompt = "".join(m.content for call in fake.calls for m in call.messages)
    for secret in ("010-1234-5678", "9876", "a@b.co", "x@y.kr"):
        assert secret not in prompt
    assert result[0].provenance.redactions == 4
