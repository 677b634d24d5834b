"""Reading a file a user named: its bytes or UTF-8 text, or one line saying why it cannot be."""

from __future__ import annotations

from pathlib import Path

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
