"""Reading a model's reply: the variants in it, wherever a real server put them, and why not.

A server in JSON-schema mode returns the object alone. Others (and small models) wrap it: text
before and after, a code fence in any case (```JSON), a `<think>…</think>` block, an
end-of-turn token the server did not strip. A reply cut off at the token limit
(`finish_reason: length`) still holds the variants it finished; they are kept, and the repair
asks for the rest. Every reply that yields nothing says why, with a clipped excerpt of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dco.providers.base import ChatResult

_THINKING = re.compile(r"<(think|thinking|reasoning)>.*?(?:</\1>|\Z)", re.DOTALL | re.IGNORECASE)
_TURN_TOKENS = re.compile(
    r"<\|?(?:end_of_turn|start_of_turn|eot_id|im_end|im_start|endoftext|end)\|?>|</s>|<eos>",
    re.IGNORECASE,
)
_FENCE = re.compile(r"```[ \t]*[A-Za-z0-9_-]*[ \t]*\r?\n(.*?)(?:```|\Z)", re.DOTALL)
_MAX_OPENINGS = 200
"""How many `{` a reply is tried from before it is called unreadable: decoding from each is
linear, and a reply is bounded, so this bounds the whole search."""
EXCERPT = 160
"""How much of an unreadable reply a reason quotes."""


@dataclass
class Reply:
    """The variants a reply holds, and what was wrong with it, if anything."""

    items: list[Any] = field(default_factory=list)
    problem: str | None = None
    """Why the reply (or part of it) could not be used, in words for the repair prompt."""
    truncated: bool = False
    """Cut off at the token limit: `items` are the variants it finished."""


def read_reply(result: ChatResult) -> Reply:
    """The variants in `result`, from its parsed JSON or, failing that, from its text."""
    truncated = result.finish_reason == "length"
    data = result.data
    if data is None:
        text = _cleaned(result.text)
        data, error = _json_object(text)
        if truncated and not (isinstance(data, Mapping) and "variants" in data):
            salvaged = _salvage(text)
            if salvaged:
                return Reply(
                    salvaged,
                    f"it was cut off at the token limit after {len(salvaged)} complete variant(s)",
                    truncated=True,
                )
            return Reply([], f"it was cut off at the token limit ({excerpt(result.text)})")
        if data is None:
            if error:
                return Reply([], f"it was not valid JSON ({error}; {excerpt(result.text)})")
            return Reply([], f"it held no JSON object ({excerpt(result.text)})")
    if not isinstance(data, Mapping) or not isinstance(data.get("variants"), list):
        return Reply(
            [], f'it was not a JSON object with a "variants" list ({excerpt(result.text)})'
        )
    return Reply(list(data["variants"]), None, truncated)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """`text` on one line, clipped to about `limit` characters, quoted."""
    flat = " ".join(text.split())
    if not flat:
        return "the reply was empty"
    clipped = flat if len(flat) <= limit else flat[: limit - 1] + "…"
    return f"reply: {clipped!r}"


def _cleaned(text: str) -> str:
    """The reply without reasoning blocks and end-of-turn tokens; a fenced block's body when
    it has one."""
    text = _TURN_TOKENS.sub("", _THINKING.sub("", text))
    fenced = _FENCE.search(text)
    return fenced.group(1) if fenced else text


def _json_object(text: str) -> tuple[Any, str | None]:
    """The first JSON object in `text` that has a "variants" key (or, failing that, the first
    JSON object), decoded, or None; and why the first `{` did not start one, if it did not."""
    decoder = json.JSONDecoder()
    first: Any = None
    error: str | None = None
    start = text.find("{")
    tries = 0
    while start != -1 and tries < _MAX_OPENINGS:
        tries += 1
        try:
            data, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError as e:
            error = error or f"{e.msg} at character {e.pos}"
            start = text.find("{", start + 1)
            continue
        except RecursionError:
            error = error or "nested too deeply"
            start = text.find("{", start + 1)
            continue
        if isinstance(data, Mapping) and "variants" in data:
            return data, None
        if first is None:
            first = data
        start = text.find("{", start + 1)
    return first, error


_VARIANTS_OPENING = re.compile(r'"variants"\s*:\s*\[')


def _salvage(text: str) -> list[Any]:
    """The complete items of a "variants" list that was cut off before it closed."""
    opening = _VARIANTS_OPENING.search(text)
    if opening is None:
        return []
    decoder = json.JSONDecoder()
    items: list[Any] = []
    position = opening.end()
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return items
        try:
            item, position = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError):
            return items  # the item the limit cut through
        items.append(item)
