"""Bytes of a file from a Korean team as text: UTF-8 (with or without a BOM), else cp949.

Korean Windows and Excel save CSV and text files in cp949; everything else writes UTF-8. A
file that starts with UTF-8's BOM is UTF-8 and nothing else: read as cp949, its BOM and any
bad byte would come out as plausible Hanja instead of an error. A file that starts with a
UTF-16 BOM (Excel's "Unicode text", some ad tools' exports) is UTF-16, likewise.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

FALLBACK = "cp949"
"""Tried when a file is not UTF-8: Korean Windows and Excel save CSV and text in it."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE's: it begins with that one
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
"""The byte order marks that say which encoding a file is in."""


@dataclass(frozen=True)
class Decoded:
    """A file's text, the encoding it was read in, and whether it began with a BOM."""

    text: str
    encoding: str
    bom: bool = False


def decode_text(data: bytes) -> Decoded:
    """`data` read in the encoding its BOM names (the BOM dropped), else as UTF-8 or, failing
    that, cp949.

    Raises the UTF-8 `UnicodeDecodeError` (its reason and byte are the telling ones) when
    neither reads it, or the BOM's encoding's when the text after it is not in that encoding
    (its byte counted from after the BOM).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(encoding), encoding, bom=True)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return Decoded(data.decode(FALLBACK), FALLBACK)
        except UnicodeDecodeError:
            raise utf8_error from None


def bom_of(data: bytes) -> bytes:
    """The byte order mark `data` starts with, or nothing."""
    return next((bom for bom, _encoding in _BOMS if data.startswith(bom)), b"")
