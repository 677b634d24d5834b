"""Content ids: a variant's id derives from what it says and for whom, so copy is stored once."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Protocol

# What an id reads of the copy and the stage, named here rather than imported: the values
# module builds ids from this one, so this one does not import it back.


class CopyText(Protocol):
    """Copy as an id reads it: its three fields (a `dco.Copy`)."""

    @property
    def headline(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def cta(self) -> str: ...


class StageValue(Protocol):
    """A stage as an id reads it: its value (a `dco.FunnelStage`)."""

    @property
    def value(self) -> str: ...


def content_id(
    copy: CopyText,
    brief: Mapping[str, Any] | str,
    stage: StageValue,
    channel: str,
    locale: str,
    prompt_version: str | None,
) -> str:
    """The id of a variant with this content: "v_" + 16 hex digits.

    `brief` is the brief as JSON-mode data, or `canonical_json` of it.
    """
    return ContentIds(brief, stage, channel, locale, prompt_version)(copy)


class ContentIds:
    """`content_id` for many copies of one brief, stage, channel, locale and prompt version.

    The id hashes the brief's canonical JSON, a NUL, then the canonical JSON of the copy and
    the rest. What the copies share is encoded and hashed once here; each copy's JSON is then
    assembled around its three fields, exactly as `canonical_json` writes it (keys sorted).
    """

    def __init__(
        self,
        brief: Mapping[str, Any] | str,
        stage: StageValue,
        channel: str,
        locale: str,
        prompt_version: str | None,
    ) -> None:
        brief_json = brief if isinstance(brief, str) else canonical_json(brief)
        self._brief = hashlib.sha256(brief_json.encode() + b"\0")
        self._head, self._tail = _frame(channel, locale, prompt_version, stage.value)

    def __call__(self, copy: CopyText) -> str:
        identity = "".join(
            (self._head, _json_string(copy.body), ',"cta":', _json_string(copy.cta),
             ',"headline":', _json_string(copy.headline), self._tail)
        )  # fmt: skip
        digest = self._brief.copy()
        digest.update(identity.encode())
        return "v_" + digest.hexdigest()[:16]


@functools.lru_cache(maxsize=256)
def _frame(channel: str, locale: str, prompt_version: str | None, stage: str) -> tuple[str, str]:
    """The canonical JSON around a copy's fields, the same for every variant of a campaign's
    stage, channel, locale and prompt version."""
    head = f'{{"channel":{canonical_json(channel)},"copy":{{"body":'
    tail = (
        f'}},"locale":{canonical_json(locale)},'
        f'"prompt_version":{canonical_json(prompt_version)},'
        f'"stage":{canonical_json(stage)}}}'
    )
    return head, tail


_json_string = json.encoder.encode_basestring
"""A string as JSON writes it with ensure_ascii=False (json's own C function)."""

_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
"""Made once: `json.dumps` with these options builds an encoder on every call."""


def canonical_json(data: Any) -> str:
    """`data` as compact JSON with sorted keys: the same data always gives the same text."""
    return _CANONICAL.encode(data)
