"""Files from Korean teams: UTF-8 with or without a BOM, else cp949, else the UTF-8 error."""

import codecs

import pytest

from dco.decoding import decode_text

KOREAN = "러닝 코칭, 첫 주 무료"


def test_utf8_is_read_as_utf8_with_or_without_its_bom():
    assert decode_text(KOREAN.encode()).text == KOREAN
    with_bom = decode_text(codecs.BOM_UTF8 + KOREAN.encode())
    assert (with_bom.text, with_bom.encoding, with_bom.bom) == (KOREAN, "utf-8", True)


def test_what_excel_saves_in_korea_is_read_as_cp949():
    decoded = decode_text(KOREAN.encode("cp949"))
    assert (decoded.text, decoded.encoding, decoded.bom) == (KOREAN, "cp949", False)


def test_text_after_a_bom_that_is_not_utf8_is_an_error_not_hanja():
    with pytest.raises(UnicodeDecodeError):
        decode_text(codecs.BOM_UTF8 + KOREAN.encode("cp949"))


def test_neither_gives_the_utf8_error_with_its_byte():
    with pytest.raises(UnicodeDecodeError) as raised:
        decode_text(b"ok \xff\xff")
    assert raised.value.encoding == "utf-8" and raised.value.start == 3


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_a_file_with_a_utf16_or_utf32_bom_is_read_in_it(encoding):
    decoded = decode_text("\ufeff러닝화,최저가\n".encode(encoding))
    assert (decoded.text, decoded.encoding, decoded.bom) == ("러닝화,최저가\n", encoding, True)
