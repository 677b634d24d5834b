"""A batch job's reply files as downloaded: their size and digest, to know a kept copy is intact.

A reply file is what was paid for, and collecting reads it again every time. A copy damaged
since it was downloaded (cut short by a full disk or a sync tool, edited by hand) would read as
replies never sent, and their briefs would be asked, and paid for, again; a line cut in two
would fail its brief. So the size and digest of each file are noted when it is downloaded and
compared before it is read: a copy that differs is downloaded again from the provider.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class KeptFile:
    """What a reply file held when it was downloaded."""

    bytes: int
    blake2b: str
    """Its BLAKE2b digest (16 bytes), in hex."""


def fingerprint(path: Path) -> KeptFile:
    """The size and digest of the file at `path`, read in pieces (a campaign's replies can be
    gigabytes)."""
    digest = hashlib.blake2b(digest_size=16)
    size = 0
    with path.open("rb") as file:
        while piece := file.read(_PIECE):
            digest.update(piece)
            size += len(piece)
    return KeptFile(size, digest.hexdigest())


def intact(path: Path, kept: KeptFile) -> bool:
    """Whether the file at `path` is still as it was downloaded. (The size is compared first:
    a copy cut short is told without reading it.)"""
    try:
        if path.stat().st_size != kept.bytes:
            return False
        return fingerprint(path) == kept
    except OSError:
        return False


_PIECE = 2**20
