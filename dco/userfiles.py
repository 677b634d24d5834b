"""Files a user keeps: reading one (its bytes, or its text as a Korean team saves it, or one line
saying why it cannot be), its JSON and CSV read strictly, and making one just written outlast a
power cut."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from dco.decoding import bom_of, decode_text
from dco.errors import ConfigError
from dco.i18n import _


def read_bytes(path: Path) -> bytes:
    """The file's bytes; a missing or unreadable file is a `ConfigError` naming it, and so is a
    device, which has no end to read to (/dev/zero) or waits on a terminal. A pipe is read:
    `<(command)` and /dev/stdin give one."""
    try:
        if stat.S_ISCHR(mode := os.stat(path).st_mode) or stat.S_ISBLK(mode):
            raise ConfigError(
                _("{path}: a device, not a file; give a file, or pipe the text in").format(
                    path=path
                )
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(_("{path}: file not found").format(path=path)) from None
    except OSError as e:
        raise ConfigError(
            _("{path}: cannot read the file ({why})").format(path=path, why=e.strerror)
        ) from e


def read_text(path: Path) -> str:
    """The file's text as a Korean team saves it (see `dco.decoding`): UTF-8, with or
    without the BOM Windows editors put first, else cp949; errors as `read_bytes`, and text in
    neither is one too."""
    data = read_bytes(path)
    try:
        return decode_text(data).text
    except UnicodeDecodeError as e:
        raise ConfigError(
            _("{path}: {what}; save it as UTF-8").format(path=path, what=not_text(data, e))
        ) from None


def not_text(data: bytes, error: UnicodeDecodeError) -> str:
    """What `decode_text` found `data` not to be, for an error line: text in the encoding its
    byte order mark names (no other was tried), or in neither UTF-8 nor cp949; with the byte
    at fault, counted from the file's start."""
    if bom := bom_of(data):
        return _("not {encoding} text after its byte order mark ({why} at byte {at})").format(
            encoding=error.encoding.upper(), why=error.reason, at=error.start + len(bom)
        )
    return _("neither UTF-8 nor cp949 text ({why} at byte {at})").format(
        why=error.reason, at=error.start
    )


def plainly(error: BaseException) -> str:
    """What `error` says, without Python's advice to raise its own limit on long numbers
    (sys.set_int_max_str_digits), which a user of dco's commands cannot take."""
    return str(error).split("; use sys.set_int_max_str_digits()", 1)[0]


class KeyGivenTwice(ValueError):
    """A JSON object names `key` twice: JSON keeps the last value, so the first would go unread."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def loads(text: str) -> Any:
    """JSON from a user's file, as `json.loads` reads it, except that an object naming a key
    twice raises `KeyGivenTwice`. JSON that is not JSON raises json.JSONDecodeError, as ever,
    and so does JSON that Python cannot hold: nested deeper than its stack, or a number longer
    than `int()` reads; each at where it is in `text`."""
    try:
        return json.loads(text, object_pairs_hook=_object)
    except RecursionError:
        raise json.JSONDecodeError(
            _("nested more than {depth} deep").format(depth=_DEEP), text, _too_deep_at(text)
        ) from None
    except ValueError as e:
        long_number = _LONG_NUMBER.search(text)
        if isinstance(e, json.JSONDecodeError | KeyGivenTwice) or long_number is None:
            raise
        raise json.JSONDecodeError(
            _("a number {digits:,} digits long; no dco field reads one").format(
                digits=len(long_number[0])
            ),
            text,
            long_number.start(),
        ) from None


_DEEP = 500
"""A depth no dco file comes near, and that Python's stack, which json's reader recurses on,
passes before its limit: where a file nested too deeply is said to go too deep."""

_LONG_NUMBER = re.compile(rf"\d{{{(sys.get_int_max_str_digits() or 4300) + 1},}}")
"""Digits past what `int()` reads (CPython's guard against its quadratic cost)."""


def _too_deep_at(text: str) -> int:
    """Where in `text` the JSON first opens its `_DEEP`th array or object (0 if nowhere)."""
    depth, in_string, escaped = 0, False, False
    for at, char in enumerate(text):
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth == _DEEP:
                return at
        elif char in "]}":
            depth -= 1
    return 0


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    made = dict(pairs)
    if len(made) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise KeyGivenTwice(key)
            seen.add(key)
    return made


def key_twice(where: object, error: KeyGivenTwice) -> ConfigError:
    """The one line for a JSON object that names a key twice, at `where` (file:line)."""
    return ConfigError(
        _("{where}: an object names {key!r} twice; JSON keeps the last, so give it once").format(
            where=where, key=error.key
        )
    )


LONGEST_CELL = 64 * 1024 * 1024
"""The longest cell a user's CSV may hold: a cell of long copy is copy, not an error (Python's
reader stops at 128 KB). The limit is the csv module's, for the whole process, so it is set
here, once, where every CSV a user gives is read."""

csv.field_size_limit(LONGEST_CELL)


class CsvRows(Iterator[list[str]]):
    """`csv.reader` over a user's CSV text, whose refusals are one line naming the file and line."""

    def __init__(self, text: str, path: object, *, delimiter: str = ",") -> None:
        self._rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        self.path = path

    @property
    def line_num(self) -> int:
        """The line the last row read ended on, as `csv.reader` counts."""
        return self._rows.line_num

    def __next__(self) -> list[str]:
        where = f"{self.path}:{self._rows.line_num + 1}"  # the row's first line
        try:
            return next(self._rows)
        except csv.Error as e:
            raise unreadable_csv(where, e) from e


def unreadable_csv(where: object, error: csv.Error) -> ConfigError:
    """The one line for CSV Python's reader refuses in the row starting at `where` (file:line).
    (A `csv.DictReader`'s `line_num` is where the last row it gave ended: the next starts after.)"""
    why = str(error)
    if "field larger than field limit" in why:
        return ConfigError(
            _(
                '{where}: a cell in this row runs past {limit} MB: is a quote (") opened and '
                'never closed? Close it, or double a quote inside a quoted cell ("")'
            ).format(where=where, limit=LONGEST_CELL // 2**20)
        )
    reason = _("{where}: not a CSV row dco can read ({why})").format(where=where, why=why)
    return ConfigError(reason)


def onto_disk(file: IO[str] | IO[bytes]) -> None:
    """Have what was written to the open `file` on the disk before it is renamed into place:
    without it, a power cut soon after the rename can leave the new name on an empty file."""
    file.flush()
    os.fsync(file.fileno())


def sync_folder(folder: Path) -> None:
    """Make a rename into `folder` outlast a power cut (the rename is the folder's change). Where
    a folder cannot be opened (Windows) or synced (some network file systems), the rename
    stands as the system keeps it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
