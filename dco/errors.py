"""The `DcoError` tree: every error dco raises on purpose, each saying what to do next."""

from __future__ import annotations


class DcoError(Exception):
    """Base of every error dco raises on purpose.

    The message is one line a user can act on: it names the file, key, rule or field at fault
    and says what to do about it. The command line prints it and exits with status 2.
    """


class ConfigError(DcoError):
    """A data or configuration file (YAML, JSON, JSONL) is missing, malformed or invalid."""


class UnknownNameError(DcoError, ValueError):
    """A name (channel, unit, event, provider, ...) is not one dco knows."""


class UnencodableTextError(DcoError, ValueError):
    """Text holds a character the channel's encoding (cp949 for Korean SMS) cannot carry."""

    def __init__(self, message: str, *, character: str, index: int, unit: str) -> None:
        super().__init__(message)
        self.character = character
        self.index = index
        self.unit = unit


def did_you_mean(name: str, known: list[str] | tuple[str, ...]) -> str:
    """Return " Did you mean 'x'?" for the closest known name, or "" when none is close."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def unknown_name(kind: str, name: str, known: list[str] | tuple[str, ...]) -> UnknownNameError:
    """Build the error for an unknown `kind` called `name`, suggesting the nearest known one."""
    listing = ", ".join(sorted(known))
    return UnknownNameError(
        f"unknown {kind} {name!r}.{did_you_mean(name, known)} Known {kind}s: {listing}."
    )
