"""Copy files as text, and back: the encoding (UTF-8 with or without a BOM, or cp949 — what
Excel writes in Korea), and the line endings, read from the file and kept when it is rewritten.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from dco.decoding import decode_text
from dco.errors import ConfigError
from dco.i18n import _
from dco.userfiles import not_text


@dataclass(frozen=True)
class Source:
    """A copy file's text and how it was written, so a rewrite keeps the file as it was."""

    text: str
    """The text, its line endings read as "\\n" (as Python reads text files)."""
    encoding: str
    bom: bool = False
    newline: str = "\n"
    """The file's line ending: "\\r\\n" when its first line ends so, else "\\n"."""

    def encode(self, text: str) -> bytes:
        """`text` (its lines ending in "\\n") as the file's bytes."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        # The mark in the file's own encoding: UTF-8's three bytes, or UTF-16's two.
        return (("\ufeff" if self.bom else "") + text).encode(self.encoding)


def read_source(path: Path, encoding: str | None = None) -> Source:
    """The text of `path`: in `encoding` when given, else UTF-8 (BOM or none) or cp949."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ConfigError(_("{path}: cannot read ({why})").format(path=path, why=e.strerror)) from e
    return _decoded(path, data, encoding)


def read_stdin(name: Path, encoding: str | None = None) -> Source:
    """Standard input's text, as `read_source` reads a file's, reported under `name`."""
    return _decoded(name, sys.stdin.buffer.read(), encoding)


def _decoded(path: Path, data: bytes, encoding: str | None) -> Source:
    source = _read(path, data, encoding)
    if source.newline == "\r\n":
        return Source(source.text.replace("\r\n", "\n"), source.encoding, source.bom, "\r\n")
    return source


def _read(path: Path, data: bytes, encoding: str | None) -> Source:
    if encoding is not None:
        text = _decode(path, data, encoding, f"not {encoding} text")
        bom = False
        if text.startswith("\ufeff"):
            text, bom = text[1:], True
        return Source(text, encoding, bom, _newline(text))
    try:
        decoded = decode_text(data)
    except UnicodeDecodeError as e:
        raise ConfigError(
            _("{path}: {what}; give its encoding with --encoding, e.g. --encoding euc-kr").format(
                path=path, what=not_text(data, e)
            )
        ) from e
    return Source(decoded.text, decoded.encoding, decoded.bom, _newline(decoded.text))


def write_source(path: Path, source: Source, text: str) -> None:
    """Write `text` to `path` as `source` was written: same encoding, BOM and line endings."""
    try:
        data = source.encode(text)
    except UnicodeEncodeError as e:
        raise ConfigError(
            _(
                "{file}: the fixed text has {text!r}, which {encoding} cannot hold; fix it by "
                "hand or save the file as UTF-8"
            ).format(file=path, text=e.object[e.start : e.end], encoding=source.encoding)
        ) from e
    # Beside the file, then in its place in one step: a full disk or a refusal half-way leaves
    # the file as it was, not cut short. Through a link, the file it names is the one replaced.
    target = path.resolve()
    written = target.with_name(f".{target.name}.dco-fix")
    try:
        written.write_bytes(data)
        shutil.copymode(target, written)
        os.replace(written, target)
    except OSError as e:
        written.unlink(missing_ok=True)
        raise ConfigError(
            _("{file}: cannot write the fixes ({why}); the file is as it was").format(
                file=path, why=e.strerror
            )
        ) from e


def _decode(path: Path, data: bytes, encoding: str, problem: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError as e:
        raise ConfigError(
            _(
                "unknown encoding {encoding!r}; give one Python knows, e.g. utf-8, cp949 or euc-kr"
            ).format(encoding=encoding)
        ) from e
    except UnicodeDecodeError as e:
        raise ConfigError(
            _("{file}: {problem} ({why} at byte {byte})").format(
                file=path, problem=problem, why=e.reason, byte=e.start
            )
        ) from e


def _newline(text: str) -> str:
    end = text.find("\n")
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"
