import codecs

import pytest

from dco.errors import ConfigError
from dco.lint.sources import read_source, write_source


def test_cp949_is_read_when_a_file_is_not_utf8(tmp_path):
    path = tmp_path / "소재.csv"
    path.write_bytes("제목\r\n봄맞이 할인\r\n".encode("cp949"))
    source = read_source(path)
    assert source.text == "제목\n봄맞이 할인\n"
    assert (source.encoding, source.newline) == ("cp949", "\r\n")


def test_a_rewrite_keeps_the_bom_and_the_line_endings(tmp_path):
    path = tmp_path / "copy.txt"
    path.write_bytes(codecs.BOM_UTF8 + "저렴한 코칭\r\n좋아요\r\n".encode())
    source = read_source(path)
    write_source(path, source, source.text.replace("저렴한", "합리적인"))
    assert path.read_bytes() == codecs.BOM_UTF8 + "합리적인 코칭\r\n좋아요\r\n".encode()


def test_a_rewrite_keeps_cp949(tmp_path):
    path = tmp_path / "copy.csv"
    path.write_bytes("headline\n저렴한 코칭\n".encode("cp949"))
    source = read_source(path)
    write_source(path, source, source.text.replace("저렴한", "합리적인"))
    assert path.read_bytes().decode("cp949") == "headline\n합리적인 코칭\n"


def test_text_the_files_encoding_cannot_hold_is_refused_before_writing(tmp_path):
    path = tmp_path / "copy.txt"
    path.write_bytes("코칭\n".encode("cp949"))
    source = read_source(path)
    with pytest.raises(ConfigError, match="cp949 cannot hold"):
        write_source(path, source, "코칭 🏃\n")
    assert path.read_bytes() == "코칭\n".encode("cp949")


def test_a_given_encoding_is_used(tmp_path):
    path = tmp_path / "copy.txt"
    path.write_bytes("할인".encode("euc-kr"))
    assert read_source(path, "euc-kr").text == "할인"


def test_an_unknown_encoding_is_named(tmp_path):
    path = tmp_path / "copy.txt"
    path.write_text("x")
    with pytest.raises(ConfigError, match="unknown encoding 'klingon'"):
        read_source(path, "klingon")


def test_bytes_that_are_neither_utf8_nor_cp949_say_what_to_do(tmp_path):
    path = tmp_path / "copy.txt"
    path.write_bytes(b"\x80\xff\xfa")  # no BOM, and a first byte neither encoding starts with
    with pytest.raises(ConfigError, match=r"neither UTF-8 nor cp949 .* with --encoding"):
        read_source(path)


def test_a_file_cut_short_after_its_utf16_bom_is_named_as_utf16(tmp_path):
    """Its mark said UTF-16, so no other encoding was tried: "neither UTF-8 nor cp949" misleads.
    The byte at fault is counted from the file's start, the mark included."""
    path = tmp_path / "copy.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "할인".encode("utf-16-le") + b"\x00")
    with pytest.raises(ConfigError, match=r"not UTF-16-LE text after its byte order mark .* at "
                       r"byte 6\)"):  # fmt: skip
        read_source(path)


def test_a_rewrite_that_fails_half_way_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    import errno
    import os

    path = tmp_path / "copy.txt"
    path.write_text("저렴한 코칭\n", encoding="utf-8")
    source = read_source(path)

    def full_disk(*_):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("dco.lint.sources.os.replace", full_disk)
    with pytest.raises(ConfigError, match=r"cannot write the fixes .*the file is as it was"):
        write_source(path, source, "합리적인 코칭\n")
    assert path.read_text(encoding="utf-8") == "저렴한 코칭\n"
    assert [p.name for p in tmp_path.iterdir()] == ["copy.txt"]  # nothing left beside it


def test_a_rewrite_keeps_the_files_mode_and_replaces_the_file_a_link_names(tmp_path):
    import os
    import stat

    path = tmp_path / "copy.txt"
    path.write_text("저렴한 코칭\n", encoding="utf-8")
    path.chmod(0o640)
    link = tmp_path / "linked.txt"
    link.symlink_to(path)
    write_source(link, read_source(link), "합리적인 코칭\n")
    assert link.is_symlink() and path.read_text(encoding="utf-8") == "합리적인 코칭\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


@pytest.mark.parametrize(
    ("given", "encoding"), [(None, "utf-16-le"), ("utf-16-le", "utf-16-le"), (None, "utf-16-be")]
)
def test_a_rewrite_keeps_a_utf16_file_and_its_mark(tmp_path, given, encoding):
    # Found by its mark, or given: the mark written back is in the file's own encoding.
    path = tmp_path / "copy.csv"
    path.write_bytes("\ufeffheadline\r\n싼 코칭\r\n".encode(encoding))
    source = read_source(path, given)
    assert source.text == "headline\n싼 코칭\n"
    write_source(path, source, "headline\n합리적인 코칭\n")
    assert path.read_bytes() == "\ufeffheadline\r\n합리적인 코칭\r\n".encode(encoding)
