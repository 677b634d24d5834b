"""Files a user keeps: reading one (its bytes or UTF-8 text, or one line saying why it cannot be),
its JSON read strictly, and making one just written outlast a power cut."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from dco.errors import ConfigError
from dco.i18n import _


def read_bytes(path: Path) -> bytes:
    """The file's bytes; a missing or unreadable file is a `ConfigError` naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(_("{path}: file not found").format(path=path)) from None
    except OSError as e:
        raise ConfigError(
            _("{path}: cannot read the file ({why})").format(path=path, why=e.strerror)
        ) from e


def read_text(path: Path) -> str:
    """The file's text in UTF-8 (a BOM is not expected); errors as `read_bytes`, and text that
    is not UTF-8 is one too."""
    try:
        return read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(_("{path}: cannot read the file ({why})").format(path=path, why=e)) from e


class KeyGivenTwice(ValueError):
    """A JSON object names `key` twice: JSON keeps the last value, so the first would go unread."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def loads(text: str) -> Any:
    """JSON from a user's file, as `json.loads` reads it, except that an object naming a key
    twice raises `KeyGivenTwice` (json.JSONDecodeError for JSON that is not JSON, as ever)."""
    return json.loads(text, object_pairs_hook=_object)


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
