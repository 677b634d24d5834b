"""A deterministic provider for tests and offline use: writes plausible copy and misbehaves on cue.

Its copy comes from the offline copywriter (`dco.providers.copywriter`), which reads the prompt
as a model would; the same request and seed always give the same reply. Every call is recorded
in `calls`; behaviours queued with the `then_*` methods apply to the following calls, one each,
in order.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from dco.errors import ProviderError, RateLimitError, TransientError
from dco.providers.base import ChatRequest, ChatResult, Usage
from dco.providers.copywriter import write_reply

Behaviour = Callable[[ChatRequest, dict[str, Any]], str]


class FakeProvider:
    """A scriptable, deterministic stand-in for a language model."""

    name = "fake"

    def __init__(
        self,
        *,
        model: str = "fake-copywriter",
        latency_s: float = 0.0,
        timeout: float | None = None,
    ) -> None:
        """`timeout` is taken, as every provider takes it, and has nothing to wait for."""
        self.model = model
        self.latency_s = latency_s
        self.calls: list[ChatRequest] = []
        self._script: deque[Behaviour] = deque()
        self._cut: set[int] = set()
        """The requests whose reply a script cut off at the token limit."""

    def __repr__(self) -> str:
        return f"FakeProvider(model={self.model!r}, calls={len(self.calls)})"

    # -- scripting ------------------------------------------------------------------------------

    def then_reply(self, reply: str | dict[str, Any]) -> FakeProvider:
        """The next call returns `reply` (a dict is sent as JSON)."""
        text = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
        self._script.append(lambda request, reply_data: text)
        return self

    def then_raise(self, error: Exception) -> FakeProvider:
        """The next call raises `error`."""

        def behaviour(request: ChatRequest, reply_data: dict[str, Any]) -> str:
            raise error

        self._script.append(behaviour)
        return self

    def then_rate_limit(self, retry_after: float | None = 0.0) -> FakeProvider:
        """The next call fails as a 429 with the given Retry-After."""
        return self.then_raise(RateLimitError("rate limited (fake)", retry_after=retry_after))

    def then_timeout(self) -> FakeProvider:
        """The next call times out."""
        return self.then_raise(TransientError("request timed out (fake)"))

    def then_invalid_json(self) -> FakeProvider:
        """The next reply is chatty text that is not JSON."""
        self._script.append(lambda request, data: "Sure! Here are your variants: {variants: [")
        return self

    def then_missing_fields(self, field: str = "cta") -> FakeProvider:
        """The next reply leaves `field` out of every variant."""

        def behaviour(request: ChatRequest, data: dict[str, Any]) -> str:
            for variant in data["variants"]:
                variant.pop(field, None)
            return json.dumps(data, ensure_ascii=False)

        self._script.append(behaviour)
        return self

    def then_overlong(self, field: str = "headline", index: int = 0) -> FakeProvider:
        """The next reply makes one variant's `field` far too long."""

        def behaviour(request: ChatRequest, data: dict[str, Any]) -> str:
            variant = data["variants"][index % len(data["variants"])]
            # Long with distinct words, as a wordy model writes (a loop would be junk instead).
            variant[field] = f"{variant[field] or 'copy'} {_WORDY}"
            return json.dumps(data, ensure_ascii=False)

        self._script.append(behaviour)
        return self

    def then_cut_off(self, complete: int = 1) -> FakeProvider:
        """The next reply stops at the token limit inside variant `complete` + 1, as a server
        does when `max_tokens` runs out (`finish_reason: length`)."""

        def behaviour(request: ChatRequest, data: dict[str, Any]) -> str:
            text = json.dumps(data, ensure_ascii=False)
            variants = data["variants"]
            kept = json.dumps({"variants": variants[:complete]}, ensure_ascii=False)[:-2]
            nxt = json.dumps(variants[complete % len(variants)], ensure_ascii=False)
            self._cut.add(id(request))
            return f"{kept}, {nxt[: len(nxt) // 2]}" if complete < len(variants) else text[:-3]

        self._script.append(behaviour)
        return self

    def then_banned_word(self, word: str, field: str = "headline", index: int = 0) -> FakeProvider:
        """The next reply puts `word` into one variant's `field`."""

        def behaviour(request: ChatRequest, data: dict[str, Any]) -> str:
            variant = data["variants"][index % len(data["variants"])]
            variant[field] = f"{word} {variant[field]}"
            return json.dumps(data, ensure_ascii=False)

        self._script.append(behaviour)
        return self

    # -- the provider interface -----------------------------------------------------------------

    def complete(self, request: ChatRequest) -> ChatResult:
        if self.latency_s:
            time.sleep(self.latency_s)
        return self._answer(request)

    async def acomplete(self, request: ChatRequest) -> ChatResult:
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        return self._answer(request)

    def _answer(self, request: ChatRequest) -> ChatResult:
        self.calls.append(request)
        schema = request.json_schema or {}
        if schema and "variants" not in schema.get("properties", {}):
            # Not a request for copy (a check, say): the schema's simplest true instance.
            data: dict[str, Any] = _simplest(schema)
        else:
            data = write_reply(request)
        behaviour = self._script.popleft() if self._script else None
        text = behaviour(request, data) if behaviour else json.dumps(data, ensure_ascii=False)
        try:
            parsed = json.loads(text) if request.json_schema is not None else None
        except json.JSONDecodeError:
            parsed = None
        prompt_chars = sum(len(m.content) for m in request.messages)
        cut = id(request) in self._cut
        self._cut.discard(id(request))
        return ChatResult(
            text=text,
            data=parsed,
            model=request.model or self.model,
            finish_reason="length" if cut else "stop",
            usage=Usage(prompt_tokens=prompt_chars // 3, completion_tokens=len(text) // 3),
        )


_WORDY = (
    "with a coach who plans every week, checks every run, adjusts your pace and stays with you "
    "until the finish line and beyond"
)


def _simplest(schema: Any) -> Any:
    """The simplest instance of a JSON schema: true, 0, "", an enum's first value, and objects
    and lists of them."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(schema, dict) and schema.get("enum"):
        return schema["enum"][0]
    if kind == "object":
        return {name: _simplest(sub) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return []
    return {"boolean": True, "integer": 0, "number": 0, "string": ""}.get(str(kind))


__all__ = ["FakeProvider", "ProviderError", "write_reply"]
