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
import re
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx2
import openai

from dco.errors import (
    AuthenticationError,
    ConfigError,
    InvalidReplyError,
    InvalidRequestError,
    ProviderError,
    RateLimitError,
    TransientError,
    UnreachableError,
)
from dco.i18n import _
from dco.providers.base import MOST_REPLY_BYTES, ChatRequest, ChatResult, Usage
from dco.providers.bounded import ReplyOutOfBounds, async_response_hooks, response_hooks
from dco.providers.openai_batches import BatchEndpoints
from dco.text.surrogates import without_lone_surrogates

DEFAULT_MODEL = "gpt-4o-mini"
_SCHEMA_HINTS = ("response_format", "json_schema", "structured output", "strict")


class OpenAIProvider(BatchEndpoints):
    """Chat completions through `openai.OpenAI` / `openai.AsyncOpenAI`, one by one or in
    batches (`BatchEndpoints`).

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
        timeout: float | None = None,
        http_client: Any = None,
        async_http_client: Any = None,
    ) -> None:
        self.model = model or os.environ.get("DCO_MODEL") or DEFAULT_MODEL
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise AuthenticationError(
                _(
                    "no API key for the OpenAI provider: set OPENAI_API_KEY (or pass api_key=), "
                    "or use the offline provider with --provider fake"
                )
            )
        self.base_url = _checked_base_url(base_url or os.environ.get("OPENAI_BASE_URL") or None)
        self.timeout = _timeout(timeout)
        options: dict[str, Any] = {
            "api_key": key,
            "base_url": self.base_url,
            "organization": organization or os.environ.get("OPENAI_ORG_ID") or None,
            "timeout": httpx2.Timeout(self.timeout, connect=min(self.timeout, CONNECT_SECONDS)),
            "max_retries": 0,
        }
        self._secret = key
        # Each client is built on first use: most programs only ever use one of the two, and
        # the first one built loads the system's certificates (see `tls_context`).
        self._options = options | {"http_client": http_client}
        self._client: openai.OpenAI | None = None
        self._async_options = options | {"http_client": async_http_client}
        self._async_client: openai.AsyncOpenAI | None = None
        self._formats = ["json_schema", "json_schema_unbounded", "json_object", "none"]
        """Structured-output modes still to try, best first; refused ones are dropped (a
        strict schema mode may refuse the schema's length bounds, and take it without them)."""

    def __repr__(self) -> str:
        return f"OpenAIProvider(model={self.model!r}, server={self.server!r})"

    @property
    def structured_output(self) -> str:
        """How replies are held to a schema with this server, as far as it has answered:
        "json_schema" (strict), "json_schema_unbounded" (strict, without length bounds),
        "json_object" (JSON mode) or "none" (the schema in the prompt alone)."""
        return self._formats[0]

    @property
    def server(self) -> str:
        """The server, as messages name it: its base URL without any credentials in it."""
        return _URL_CREDENTIALS.sub(r"\1", self.base_url) if self.base_url else "api.openai.com"

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
            except ReplyOutOfBounds as e:
                raise self._out_of_bounds(e) from None
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
            except ReplyOutOfBounds as e:
                raise self._out_of_bounds(e) from None
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
            default = functools.partial(_http_client, self.timeout)
            self._client = openai.OpenAI(**_with_http_client(self._options, default))
        return self._client

    def _async(self) -> openai.AsyncOpenAI:
        # Built on first use: an async client belongs to the event loop that first uses it.
        if self._async_client is None:
            default = functools.partial(_fastest_async_http_client, self.timeout)
            options = _with_http_client(self._async_options, default)
            self._async_client = openai.AsyncOpenAI(**options)
        return self._async_client

    def _post(self, request: ChatRequest) -> dict[str, Any]:
        """The SDK's `post` arguments for a chat completion.

        dco posts the body itself through the SDK's documented `client.post(...,
        cast_to=httpx2.Response)`: the typed `chat.completions.create` walks every parameter
        recursively to transform it and builds a typed reply, which together cost more CPU than
        the HTTP exchange, for a body that is plain JSON already and a reply dco reads once.
        """
        arguments: dict[str, Any] = {"body": self.request_body(request)}
        if request.request_id:
            arguments["options"] = {"headers": {"X-Request-ID": request.request_id}}
        return arguments

    def request_body(self, request: ChatRequest) -> dict[str, Any]:
        """The chat completion's JSON body for `request`, in the structured-output mode in use."""
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
            if mode in ("json_schema", "json_schema_unbounded"):
                schema = dict(request.json_schema)
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {
                        "name": request.schema_name,
                        "schema": schema if mode == "json_schema" else unbounded(schema),
                        "strict": True,
                    },
                }
            elif mode == "json_object":
                body["response_format"] = {"type": "json_object"}
        return body

    def _drop_refused_format(self, error: openai.OpenAIError, request: ChatRequest) -> bool:
        """True when the server refused the structured-output mode, which is then dropped."""
        if request.json_schema is None or len(self._formats) == 1:
            return False
        if not isinstance(error, openai.BadRequestError | openai.UnprocessableEntityError):
            return False
        text = str(error).lower()
        if not any(hint in text for hint in _SCHEMA_HINTS):
            return False
        refused = self._formats.pop(0)
        if refused == "json_schema" and not any(bound in text for bound in _BOUND_HINTS):
            self._formats.remove("json_schema_unbounded")  # the mode, not its bounds, refused
        return True

    def _result(self, body: bytes, request: ChatRequest, started: float) -> ChatResult:
        latency_ms = (time.perf_counter() - started) * 1000
        try:
            payload = json.loads(body)
        except ValueError as e:
            raise InvalidReplyError(_not_a_completion(e)) from None
        return self.reply_from(payload, request, latency_ms)

    def reply_from(self, payload: Any, request: ChatRequest, latency_ms: float = 0.0) -> ChatResult:
        """A chat completion's parsed JSON read as dco reads every reply."""
        try:
            choice = payload["choices"][0]
            content = choice["message"].get("content")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as e:
            raise InvalidReplyError(_not_a_completion(e)) from None
        data = None
        if isinstance(content, dict | list):
            # A server that returns the JSON itself rather than as text: read it as sent.
            data, text = content, json.dumps(content, ensure_ascii=False)
        else:
            # A lone surrogate (half an emoji, from a \ud83d escape) could not be written
            # to a file or a terminal later.
            text = "" if content is None else without_lone_surrogates(str(content))
            if request.json_schema is not None:
                try:
                    data = json.loads(text)
                except ValueError:
                    data = None  # the generator reads what it can, and re-asks
        model = payload.get("model") if isinstance(payload, dict) else None
        finish = choice.get("finish_reason") if isinstance(choice, dict) else None
        return ChatResult(
            text=text,
            data=data,
            model=model if isinstance(model, str) and model else request.model or self.model,
            finish_reason=finish if isinstance(finish, str) else None,
            usage=_usage(payload.get("usage")),
            latency_ms=latency_ms,
        )

    def _translate(self, error: openai.OpenAIError) -> ProviderError:
        """dco's error for an SDK error, retriable or not, with the API key scrubbed out."""
        server = self.server
        if isinstance(error, openai.APITimeoutError) and _caused_by(error, httpx2.ConnectTimeout):
            return UnreachableError(
                _(
                    "could not connect to {server}: no answer within {seconds} s; check "
                    "OPENAI_BASE_URL (is the server running, and reachable from this machine?), "
                    "or use the offline provider with --provider fake"
                ).format(server=server, seconds=f"{min(self.timeout, CONNECT_SECONDS):g}")
            )
        if isinstance(error, openai.APITimeoutError):
            return TransientError(
                _(
                    "the request to {server} timed out after {seconds} s; a local server may "
                    "need longer: --timeout or DCO_TIMEOUT"
                ).format(server=server, seconds=f"{self.timeout:g}")
            )
        if isinstance(error, openai.APIConnectionError):
            return UnreachableError(
                _(
                    "could not connect to {server}: {why}; check OPENAI_BASE_URL (is the server "
                    "running?), or use the offline provider with --provider fake"
                ).format(server=server, why=_connection_failure(error))
            )
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
                _("{server} refused the API key (401): set OPENAI_API_KEY to a valid key").format(
                    server=server
                ),
                status=status,
            )
        if status == 403:
            return AuthenticationError(
                _(
                    "{server} refused access (403): check the key's project, organization and "
                    "permissions for model {model!r}"
                ).format(server=server, model=self.model),
                status=status,
            )
        if status == 404:
            return InvalidRequestError(self._not_found(error, detail), status=status)
        return InvalidRequestError(
            f"{server} rejected the request ({status}): {detail}", status=status
        )

    def _not_found(self, error: openai.APIStatusError, detail: str) -> str:
        """What a 404 means, by what it says and what was asked: a model the server does not
        serve, a batch or file it does not have, or an endpoint it does not offer (the Batch
        API's, or any at all at an address that lacks its /v1)."""
        path = error.request.url.path
        if _about_the_model(error.body, detail):
            return _(
                "{server} has no model {model!r} (404): set DCO_MODEL or use --provider "
                "openai/<model> with a model the server serves"
            ).format(server=self.server, model=self.model)
        if _ONE_BATCH_OR_FILE.search(path):
            return _(
                "{server} has nothing at {path} (404: {detail}); the batch or file was deleted, "
                "or made with another key or project: check OPENAI_API_KEY and "
                "OPENAI_PROJECT_ID"
            ).format(server=self.server, path=path, detail=detail)
        if path.endswith(("/files", "/batches")):
            return _(
                "{server} does not offer the Batch API ({path} answered 404); generate "
                "without --batch, or set OPENAI_BASE_URL to a server that has /v1/files and "
                "/v1/batches"
            ).format(server=self.server, path=path)
        return _(
            "{server} answered 404 for {path} ({detail}); check OPENAI_BASE_URL (an "
            "OpenAI-compatible server's address usually ends in /v1) and that the server "
            "serves model {model!r}"
        ).format(server=self.server, path=path, detail=detail, model=self.model)

    def _out_of_bounds(self, error: ReplyOutOfBounds) -> InvalidReplyError:
        """dco's error for a reply read past its bounds (see `dco.providers.bounded`)."""
        if error.too_large:
            return InvalidReplyError(
                _(
                    "{server} sent a reply larger than {size} MB, which no request of dco's asks "
                    "for; nothing of it was kept"
                ).format(server=self.server, size=MOST_REPLY_BYTES // 2**20)
            )
        return InvalidReplyError(
            _(
                "{server} was still sending its reply after {seconds} s; nothing of it was kept "
                "(a local server may need longer: --timeout or DCO_TIMEOUT)"
            ).format(server=self.server, seconds=f"{self.timeout:g}")
        )

    def _scrub(self, error: object) -> str:
        text = " ".join(str(error).split())
        text = text.replace(self._secret, "[API key]") if self._secret else text
        return _URL_CREDENTIALS.sub(r"\1[credentials]@", text)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """`error`, then the errors it was raised from, nearest first."""
    cause: BaseException | None = error
    for _depth in range(8):  # a chain of causes is short; a loop of them must not hang
        if cause is None:
            return
        yield cause
        cause = cause.__cause__ or cause.__context__


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """Whether `error`, or one of the errors it was raised from, is a `kind`."""
    return any(isinstance(cause, kind) for cause in _causes(error))


def _connection_failure(error: openai.APIConnectionError) -> str:
    """Why a connection failed, in the system's words ("Connection refused", "Name or service
    not known"), which the SDK's own "Connection error." leaves out. Only the system's reason
    is taken from the causes, never their whole text, which may quote the URL and its
    credentials."""
    for cause in _causes(error):
        if isinstance(cause, OSError) and (cause.strerror or getattr(cause, "reason", None)):
            return str(cause.strerror or getattr(cause, "reason", ""))
    return "Connection error"


def _not_a_completion(error: Exception) -> str:
    return _("the server's reply is not a chat completion ({kind}: {why})").format(
        kind=type(error).__name__, why=error
    )


_ONE_BATCH_OR_FILE = re.compile(r"/(?:batches|files)/[^/]+(?:/content)?$")
"""The path of one batch, one file or a file's content (not of the endpoints themselves)."""
_MODEL = re.compile(r"\bmodel\b", re.IGNORECASE)


def _about_the_model(body: object, detail: str) -> bool:
    """Whether a 404's body speaks of the model: OpenAI's code `model_not_found` or its
    `param`, or the word in the message, as vLLM ("The model `x` does not exist") and Ollama
    ("model "x" not found") word it."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(error, Mapping) and (
        error.get("code") == "model_not_found" or error.get("param") == "model"
    ):
        return True
    return bool(_MODEL.search(detail))


def _server_message(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, Mapping):
        inner = body.get("error")
        said = [body.get("message"), inner.get("message") if isinstance(inner, Mapping) else inner,
                body.get("detail")]  # fmt: skip
        # (`detail`: FastAPI's own answers, such as vLLM's to a path it does not serve.)
        for message in said:
            if message and isinstance(message, str):
                return message
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


def _http_client(seconds: float) -> Any:
    """The SDK's own blocking HTTP client, on the shared TLS context, reading each completion
    within bounds (see `dco.providers.bounded`)."""
    return openai.DefaultHttpxClient(verify=tls_context(), event_hooks=response_hooks(seconds))


def _fastest_async_http_client(seconds: float) -> Any:
    """openai's aiohttp transport when aiohttp is installed (less CPU per request), else httpx2;
    either reads each completion within bounds."""
    hooks = async_response_hooks(seconds)
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return openai.DefaultAsyncHttpxClient(verify=tls_context(), event_hooks=hooks)
    return openai.DefaultAioHttpClient(verify=tls_context(), event_hooks=hooks)


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


_BOUND_HINTS = ("maxlength", "minlength", "maxitems", "minitems")
"""Words of a refusal that objects to a schema's bounds rather than to schemas."""
_URL_CREDENTIALS = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/\s@]+@", re.IGNORECASE)
"""`user:secret@` in a URL: never shown in a message."""
DEFAULT_TIMEOUT = 60.0
CONNECT_SECONDS = 10.0
"""The longest a connection to the server may take to be made (the whole timeout, if shorter):
a server that answers no connection (its machine off, a firewall dropping the traffic) is
named as out of reach in seconds, not after a reply's whole timeout on every try."""


def _checked_base_url(url: str | None) -> str | None:
    """`url` when it can be a server's base URL; a `ConfigError` saying what is wrong (without
    its credentials) when it cannot, before any request is tried."""
    if url is None:
        return None
    shown = _URL_CREDENTIALS.sub(r"\1", url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            _(
                "OPENAI_BASE_URL {url!r} is not a server's URL: give one such as "
                "http://127.0.0.1:8080/v1 (or unset it to use api.openai.com)"
            ).format(url=shown)
        )
    try:
        parts.port  # noqa: B018  # a port out of range raises here
    except ValueError:
        raise ConfigError(
            _("OPENAI_BASE_URL {url!r} has no valid port").format(url=shown)
        ) from None
    return url


def _timeout(timeout: float | None) -> float:
    """Seconds to wait for a reply: `timeout`, else DCO_TIMEOUT, else a minute."""
    if timeout is not None:
        return float(timeout)
    raw = os.environ.get("DCO_TIMEOUT")
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(
            _("DCO_TIMEOUT {value!r} is not a number of seconds").format(value=raw)
        ) from None
    if value <= 0:
        raise ConfigError(_("DCO_TIMEOUT must be above 0 seconds, not {value}").format(value=raw))
    return value


def unbounded(schema: Any) -> Any:
    """`schema` without length and count bounds, which some strict schema modes refuse."""
    if isinstance(schema, dict):
        return {k: unbounded(v) for k, v in schema.items()
                if k not in ("maxLength", "minLength", "maxItems", "minItems")}  # fmt: skip
    if isinstance(schema, list):
        return [unbounded(item) for item in schema]
    return schema


def _usage(raw: Any) -> Usage:
    """The token counts of a reply's `usage`, or zeros for what a server sent otherwise."""
    if not isinstance(raw, dict):
        return Usage()

    def count(key: str) -> int:
        value = raw.get(key)
        try:
            return max(0, int(value)) if value is not None else 0
        except (TypeError, ValueError):
            return 0

    return Usage(prompt_tokens=count("prompt_tokens"), completion_tokens=count("completion_tokens"))
