"""The OpenAI provider: the official `openai` SDK against OpenAI or any OpenAI-compatible server.

This is the only module that imports `openai`. Settings come from arguments or the environment:
``OPENAI_API_KEY``, ``OPENAI_BASE_URL`` (Azure, vLLM, Ollama, ...), ``OPENAI_ORG_ID`` and
``DCO_MODEL``. The SDK's own retries are off: dco retries in one place (`dco.providers.retry`),
so this module only translates the SDK's errors into dco's, with the server's Retry-After.

Requests go through the SDK's own client (its configuration, headers, transport and errors) by
its documented `client.post`, with a plain-JSON body, and replies are parsed once as plain JSON:
the typed `create` call would spend more CPU than the HTTP exchange on every request.
"""

from __future__ import annotations

import email.utils
import functools
import json
import os
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx2
import openai

from dco.errors import (
    AuthenticationError,
    InvalidReplyError,
    InvalidRequestError,
    ProviderError,
    RateLimitError,
    TransientError,
)
from dco.providers.base import ChatRequest, ChatResult, Usage

DEFAULT_MODEL = "gpt-4o-mini"
_SCHEMA_HINTS = ("response_format", "json_schema", "structured output", "strict")


class OpenAIProvider:
    """Chat completions through `openai.OpenAI` / `openai.AsyncOpenAI`.

    Structured output uses a strict JSON schema; a server that rejects schemas is asked again in
    JSON mode, and one that rejects JSON mode too, with the schema in the prompt alone — and
    remembered, so later calls skip what it refused.
    """

    name = "openai"

    def __init__(
        self,
        *,
        model: str | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        timeout: float = 60.0,
        http_client: Any = None,
        async_http_client: Any = None,
    ) -> None:
        self.model = model or os.environ.get("DCO_MODEL") or DEFAULT_MODEL
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise AuthenticationError(
                "no API key for the OpenAI provider: set OPENAI_API_KEY (or pass api_key=), "
                "or use the offline provider with --provider fake"
            )
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        options: dict[str, Any] = {
            "api_key": key,
            "base_url": self.base_url,
            "organization": organization or os.environ.get("OPENAI_ORG_ID") or None,
            "timeout": timeout,
            "max_retries": 0,
        }
        self._secret = key
        # Each client is built on first use: most programs only ever use one of the two, and
        # the first one built loads the system's certificates (see `tls_context`).
        self._options = options | {"http_client": http_client}
        self._client: openai.OpenAI | None = None
        self._async_options = options | {"http_client": async_http_client}
        self._async_client: openai.AsyncOpenAI | None = None
        self._formats = ["json_schema", "json_object", "none"]
        """Structured-output modes still to try, best first; refused ones are dropped."""

    def __repr__(self) -> str:
        server = self.base_url or "api.openai.com"
        return f"OpenAIProvider(model={self.model!r}, server={server!r})"

    def complete(self, request: ChatRequest) -> ChatResult:
        while True:
            started = time.perf_counter()
            try:
                response = self._sync().post(
                    "/chat/completions", cast_to=httpx2.Response, **self._post(request)
                )
            except openai.OpenAIError as e:
                if self._drop_refused_format(e, request):
                    continue
                raise self._translate(e) from None
            return self._result(response.content, request, started)

    async def acomplete(self, request: ChatRequest) -> ChatResult:
        client = self._async()
        while True:
            started = time.perf_counter()
            try:
                response = await client.post(
                    "/chat/completions", cast_to=httpx2.Response, **self._post(request)
                )
            except openai.OpenAIError as e:
                if self._drop_refused_format(e, request):
                    continue
                raise self._translate(e) from None
            return self._result(await response.aread(), request, started)

    def close(self) -> None:
        """Close the blocking client's connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close the async client's connections (call from the loop that used it)."""
        if self._async_client is not None:
            await self._async_client.close()
            self._async_client = None

    def _sync(self) -> openai.OpenAI:
        if self._client is None:
            self._client = openai.OpenAI(**_with_http_client(self._options, _http_client))
        return self._client

    def _async(self) -> openai.AsyncOpenAI:
        # Built on first use: an async client belongs to the event loop that first uses it.
        if self._async_client is None:
            options = _with_http_client(self._async_options, _fastest_async_http_client)
            self._async_client = openai.AsyncOpenAI(**options)
        return self._async_client

    def _post(self, request: ChatRequest) -> dict[str, Any]:
        """The SDK's `post` arguments for a chat completion.

        dco posts the body itself through the SDK's documented `client.post(...,
        cast_to=httpx2.Response)`: the typed `chat.completions.create` walks every parameter
        recursively to transform it and builds a typed reply, which together cost more CPU than
        the HTTP exchange, for a body that is plain JSON already and a reply dco reads once.
        """
        body: dict[str, Any] = {
            "model": request.model or self.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "temperature": request.temperature,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        if request.max_tokens is not None:
            body["max_tokens"] = request.max_tokens
        if request.json_schema is not None:
            mode = self._formats[0]
            if mode == "json_schema":
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {
                        "name": request.schema_name,
                        "schema": dict(request.json_schema),
                        "strict": True,
                    },
                }
            elif mode == "json_object":
                body["response_format"] = {"type": "json_object"}
        arguments: dict[str, Any] = {"body": body}
        if request.request_id:
            arguments["options"] = {"headers": {"X-Request-ID": request.request_id}}
        return arguments

    def _drop_refused_format(self, error: openai.OpenAIError, request: ChatRequest) -> bool:
        """True when the server refused the structured-output mode, which is then dropped."""
        if request.json_schema is None or len(self._formats) == 1:
            return False
        if not isinstance(error, openai.BadRequestError | openai.UnprocessableEntityError):
            return False
        text = str(error).lower()
        if not any(hint in text for hint in _SCHEMA_HINTS):
            return False
        self._formats.pop(0)
        return True

    def _result(self, body: bytes, request: ChatRequest, started: float) -> ChatResult:
        latency_ms = (time.perf_counter() - started) * 1000
        try:
            payload = json.loads(body)
            choice = payload["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as e:
            raise InvalidReplyError(
                f"the server's reply is not a chat completion ({type(e).__name__}: {e})"
            ) from None
        data = None
        if request.json_schema is not None:
            try:
                data = json.loads(text)
            except ValueError:
                data = None  # the generator re-asks, quoting the parse error
        usage = payload.get("usage") or {}
        return ChatResult(
            text=text,
            data=data,
            model=payload.get("model") or request.model or self.model,
            finish_reason=choice.get("finish_reason"),
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
            ),
            latency_ms=latency_ms,
        )

    def _translate(self, error: openai.OpenAIError) -> ProviderError:
        """dco's error for an SDK error, retriable or not, with the API key scrubbed out."""
        server = self.base_url or "api.openai.com"
        if isinstance(error, openai.APITimeoutError):
            return TransientError(f"the request to {server} timed out")
        if isinstance(error, openai.APIConnectionError):
            return TransientError(f"could not connect to {server}: {self._scrub(error)}")
        if not isinstance(error, openai.APIStatusError):
            return ProviderError(self._scrub(error))
        status = error.status_code
        detail = self._scrub(_server_message(error))
        if status == 429:
            return RateLimitError(
                f"{server} is rate limiting (429): {detail}",
                retry_after=_retry_after(error.response.headers),
            )
        if status in (408, 409) or status >= 500:
            return TransientError(f"{server} answered {status}: {detail}", status=status)
        if status == 401:
            return AuthenticationError(
                f"{server} refused the API key (401): set OPENAI_API_KEY to a valid key",
                status=status,
            )
        if status == 403:
            return AuthenticationError(
                f"{server} refused access (403): check the key's project, organization and "
                f"permissions for model {self.model!r}",
                status=status,
            )
        if status == 404:
            return InvalidRequestError(
                f"{server} has no model {self.model!r} (404): set DCO_MODEL or use "
                "--provider openai/<model> with a model the server serves",
                status=status,
            )
        return InvalidRequestError(
            f"{server} rejected the request ({status}): {detail}", status=status
        )

    def _scrub(self, error: object) -> str:
        text = " ".join(str(error).split())
        return text.replace(self._secret, "[API key]") if self._secret else text


def _server_message(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, Mapping):
        message = body.get("message") or (body.get("error") or {}).get("message")
        if message:
            return str(message)
    return error.message


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    if value := headers.get("retry-after-ms"):
        try:
            return float(value) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())


def _with_http_client(options: dict[str, Any], default: Callable[[], Any]) -> dict[str, Any]:
    """The client `options`, with `default()` as the HTTP client where the caller gave none."""
    if options["http_client"] is not None:
        return options
    return options | {"http_client": default()}


def _http_client() -> Any:
    """The SDK's own blocking HTTP client, on the shared TLS context."""
    return openai.DefaultHttpxClient(verify=tls_context())


def _fastest_async_http_client() -> Any:
    """openai's aiohttp transport when aiohttp is installed (less CPU per request), else httpx2."""
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return openai.DefaultAsyncHttpxClient(verify=tls_context())
    return openai.DefaultAioHttpClient(verify=tls_context())


def tls_context() -> ssl.SSLContext:
    """The certificate-verifying TLS context dco's SDK clients share, as httpx2 makes it.

    Left to itself, every SDK client loads the system's certificates into a context of its
    own, about 25 ms of CPU before its first request; a program that makes a provider per
    batch would pay that each time. A context is safe to share, and stays the same one
    while the environment that chooses the certificates does.
    """
    return _tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _tls_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return httpx2.create_ssl_context()  # reads SSL_CERT_FILE / SSL_CERT_DIR itself


__all__ = ["DEFAULT_MODEL", "OpenAIProvider"]
