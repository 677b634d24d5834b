"""The OpenAI provider against the real `openai` client over a mock HTTP transport (no network)."""

import asyncio
import json
import ssl

import httpx2
import openai
import pytest

from dco.errors import AuthenticationError, InvalidRequestError, RateLimitError, TransientError
from dco.providers import get_provider
from dco.providers.base import ChatRequest, Message
from dco.providers.openai import OpenAIProvider
from dco.providers.retry import RetryPolicy, acomplete_with_retries, complete_with_retries

KEY = "sk-test-SECRET-0123456789"
SCHEMA = {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}
REQUEST = ChatRequest(
    messages=(Message("system", "be brief"), Message("user", "write")),
    json_schema=SCHEMA,
    schema_name="variants",
    temperature=0.5,
    seed=7,
    max_tokens=300,
)


def completion(content: str = '{"x": "ok"}', model: str = "gpt-test") -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16},
    }


class Server:
    """Scripted responses; records every request body it receives."""

    def __init__(self, *responses):
        self.responses = list(responses)
        self.bodies: list[dict] = []
        self.headers: list[httpx2.Headers] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.bodies.append(json.loads(request.content))
        self.headers.append(request.headers)
        response = self.responses.pop(0)
        if isinstance(response, Exception):
            raise response
        return response


def ok(content='{"x": "ok"}'):
    return httpx2.Response(200, json=completion(content))


def error(status, message="nope", headers=None):
    return httpx2.Response(status, json={"error": {"message": message}}, headers=headers or {})


def provider(server, **options):
    client = httpx2.Client(transport=httpx2.MockTransport(server))
    return OpenAIProvider(
        model="gpt-test", api_key=KEY, base_url="http://llm.test/v1", http_client=client, **options
    )


NO_WAIT = RetryPolicy(max_attempts=4, initial_backoff_s=0, max_backoff_s=0)


def test_success_sends_model_messages_schema_and_seed():
    server = Server(ok())
    result = provider(server).complete(REQUEST)
    assert result.data == {"x": "ok"}
    assert result.model == "gpt-test"
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (11, 5)
    body = server.bodies[0]
    assert body["model"] == "gpt-test"
    assert body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "write"},
    ]
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "variants", "schema": SCHEMA, "strict": True},
    }
    assert (body["seed"], body["temperature"], body["max_tokens"]) == (7, 0.5, 300)
    assert server.headers[0]["authorization"] == f"Bearer {KEY}"


def test_429_with_retry_after_is_retried_after_the_servers_delay():
    server = Server(error(429, "slow down", {"retry-after": "2"}), ok())
    slept = []
    result = complete_with_retries(provider(server).complete, REQUEST, NO_WAIT, sleep=slept.append)
    assert result.data == {"x": "ok"}
    assert result.attempts == 2
    assert slept == [2.0]


def test_retry_after_ms_is_honoured():
    server = Server(error(429, headers={"retry-after-ms": "250"}), ok())
    slept = []
    complete_with_retries(provider(server).complete, REQUEST, NO_WAIT, sleep=slept.append)
    assert slept == [0.25]


def test_500_then_success():
    server = Server(error(500, "boom"), error(503), ok())
    result = complete_with_retries(
        provider(server).complete, REQUEST, NO_WAIT, sleep=lambda s: None
    )
    assert result.attempts == 3


def test_timeout_is_retried():
    server = Server(httpx2.ReadTimeout("slow"), ok())
    result = complete_with_retries(
        provider(server).complete, REQUEST, NO_WAIT, sleep=lambda s: None
    )
    assert result.attempts == 2


def test_timeout_alone_is_a_transient_error():
    with pytest.raises(TransientError, match="timed out"):
        provider(Server(httpx2.ReadTimeout("slow"))).complete(REQUEST)


def test_retries_stop_at_the_attempt_limit():
    server = Server(*[error(500)] * 4)
    with pytest.raises(TransientError, match="gave up after 4 attempts"):
        complete_with_retries(provider(server).complete, REQUEST, NO_WAIT, sleep=lambda s: None)
    assert len(server.bodies) == 4


def test_401_fails_at_once_saying_what_to_do_without_the_key():
    server = Server(error(401, f"Incorrect API key provided: {KEY}"), ok())
    with pytest.raises(AuthenticationError) as caught:
        complete_with_retries(provider(server).complete, REQUEST, NO_WAIT, sleep=lambda s: None)
    assert "set OPENAI_API_KEY" in str(caught.value)
    assert KEY not in str(caught.value)
    assert len(server.bodies) == 1


@pytest.mark.parametrize(
    "body",
    [
        # OpenAI's own answer
        {"error": {"message": "The model `gpt-test` does not exist or you do not have access "
                   "to it.", "type": "invalid_request_error", "param": None,
                   "code": "model_not_found"}},
        # vLLM's and Ollama's
        {"object": "error", "message": "The model `gpt-test` does not exist.", "code": 404},
        {"error": {"message": 'model "gpt-test" not found, try pulling it first'}},
    ],
)  # fmt: skip
def test_a_404_that_speaks_of_the_model_names_the_model(body):
    with pytest.raises(InvalidRequestError, match=r"no model 'gpt-test'.*DCO_MODEL"):
        provider(Server(httpx2.Response(404, json=body))).complete(REQUEST)


def test_a_404_for_the_path_itself_points_to_the_base_url_not_only_the_model():
    """A server's address without its /v1: the chat path is not there at all (FastAPI's
    answer, as vLLM gives it)."""
    client = httpx2.Client(transport=httpx2.MockTransport(Server(
        httpx2.Response(404, json={"detail": "Not Found"}))))  # fmt: skip
    llm = OpenAIProvider(model="gpt-test", api_key=KEY, base_url="http://llm.test",
                         http_client=client)  # fmt: skip
    with pytest.raises(InvalidRequestError) as caught:
        llm.complete(REQUEST)
    text = str(caught.value)
    assert "answered 404 for /chat/completions (Not Found)" in text
    assert "check OPENAI_BASE_URL" in text and "/v1" in text


def test_server_messages_have_the_key_scrubbed():
    with pytest.raises(InvalidRequestError) as caught:
        provider(Server(error(400, f"bad value near {KEY}"))).complete(REQUEST)
    assert KEY not in str(caught.value) and "[API key]" in str(caught.value)


def test_schema_rejection_falls_back_to_json_mode_and_remembers():
    server = Server(
        error(400, "response_format json_schema is not supported by this model"), ok(), ok()
    )
    llm = provider(server)
    assert llm.complete(REQUEST).data == {"x": "ok"}
    assert llm.complete(REQUEST).data == {"x": "ok"}
    formats = [body.get("response_format", {}).get("type") for body in server.bodies]
    assert formats == ["json_schema", "json_object", "json_object"]


def test_json_mode_rejection_falls_back_to_the_prompt_alone():
    server = Server(
        error(400, "response_format json_schema unsupported"),
        error(400, "response_format json_object unsupported"),
        ok(),
    )
    assert provider(server).complete(REQUEST).data == {"x": "ok"}
    assert "response_format" not in server.bodies[-1]


def test_invalid_json_content_comes_back_as_text_without_data():
    result = provider(Server(ok("Sure! {not json"))).complete(REQUEST)
    assert result.data is None
    assert result.text == "Sure! {not json"


def test_key_never_appears_in_repr():
    llm = provider(Server())
    assert KEY not in repr(llm)
    assert "gpt-test" in repr(llm)


def test_closing_a_provider_that_never_called_is_harmless():
    llm = provider(Server())
    llm.close()
    asyncio.run(llm.aclose())
    # and it still works afterwards
    server = Server(ok())
    llm = provider(server)
    llm.close()
    assert llm.complete(REQUEST).data == {"x": "ok"}


def test_clients_dco_builds_share_one_certificate_verifying_tls_context(monkeypatch):
    made = []

    def recording(client_type):
        def build(**options):
            made.append(options["verify"])
            return client_type(**options)

        return build

    monkeypatch.setattr("openai.DefaultHttpxClient", recording(openai.DefaultHttpxClient))
    monkeypatch.setattr("openai.DefaultAioHttpClient", recording(openai.DefaultAioHttpClient))
    monkeypatch.setattr("openai.DefaultAsyncHttpxClient", recording(openai.DefaultAsyncHttpxClient))
    first = OpenAIProvider(api_key=KEY, base_url="http://llm.test/v1")
    second = OpenAIProvider(api_key=KEY, base_url="http://llm.test/v1")
    first._sync(), second._sync(), first._async(), second._async()
    first.close(), second.close()
    asyncio.run(first.aclose()), asyncio.run(second.aclose())
    assert len(made) == 4 and all(context is made[0] for context in made)
    assert made[0].verify_mode is ssl.CERT_REQUIRED and made[0].check_hostname


def test_missing_key_says_how_to_set_it(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(AuthenticationError, match="set OPENAI_API_KEY"):
        OpenAIProvider()


def test_environment_configures_model_and_server(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://vllm.local:8000/v1")
    monkeypatch.setenv("DCO_MODEL", "qwen-7b")
    llm = get_provider("openai")
    assert (llm.model, llm.base_url) == ("qwen-7b", "http://vllm.local:8000/v1")
    assert get_provider("openai/gpt-x").model == "gpt-x"


def test_async_twin_uses_the_same_translation():
    server = Server(error(429, headers={"retry-after": "0"}), ok())

    async def run():
        client = httpx2.AsyncClient(transport=httpx2.MockTransport(server))
        llm = OpenAIProvider(
            model="gpt-test",
            api_key=KEY,
            base_url="http://llm.test/v1",
            async_http_client=client,
        )
        slept = []

        async def sleep(seconds):
            slept.append(seconds)

        result = await acomplete_with_retries(llm.acomplete, REQUEST, NO_WAIT, sleep=sleep)
        return result, slept

    result, slept = asyncio.run(run())
    assert result.data == {"x": "ok"} and result.attempts == 2
    assert slept == [0.0]


def test_rate_limit_error_carries_retry_after():
    with pytest.raises(RateLimitError) as caught:
        provider(Server(error(429, headers={"retry-after": "3"}))).complete(REQUEST)
    assert caught.value.retry_after == 3.0


def test_generate_repairs_an_invalid_reply_from_a_real_client():
    from dco.generation import generate
    from dco.models import Brief

    good = json.dumps(
        {
            "variants": [
                {"headline": "첫 주 무료 신청", "body": "지금 신청하세요.", "cta": "신청하기"},
            ]
        },
        ensure_ascii=False,
    )
    server = Server(ok("Sure! Here you go: {variants"), ok(good))
    brief = Brief(product="러닝 코칭", offer="첫 주 무료", channel="google_rsa")
    result = generate(brief, stage="decision", n=1, provider=provider(server), retry=NO_WAIT)
    assert [v.copy.headline for v in result] == ["첫 주 무료 신청"]
    assert len(server.bodies) == 2
    repair = server.bodies[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": "Sure! Here you go: {variants"}
    assert "was not valid JSON" in repair[-1]["content"]
    assert result[0].provenance.provider == "openai"
    assert result[0].provenance.model == "gpt-test"


def test_request_id_travels_as_a_header():
    server = Server(ok())
    request = ChatRequest(messages=(Message("user", "x"),), request_id="req-42")
    provider(server).complete(request)
    assert server.headers[0]["x-request-id"] == "req-42"
    assert "response_format" not in server.bodies[0]


BOUNDED = ChatRequest(
    messages=REQUEST.messages,
    json_schema={"type": "object", "properties": {"v": {"type": "array", "maxItems": 3}}},
)


def test_a_refusal_of_the_schemas_bounds_asks_again_without_them_and_remembers():
    server = Server(error(400, "response_format: 'maxItems' is not permitted"), ok(), ok())
    llm = provider(server)
    llm.complete(BOUNDED)
    llm.complete(BOUNDED)
    sent = [body["response_format"]["json_schema"]["schema"] for body in server.bodies]
    assert sent[0]["properties"]["v"]["maxItems"] == 3
    assert "maxItems" not in sent[1]["properties"]["v"] and sent[1] == sent[2]


def reply(content, usage=None):
    body = completion()
    body["choices"][0]["message"]["content"] = content
    body["usage"] = usage
    # Escaped as a server sends it: a lone surrogate travels as "\ud83d".
    raw = json.dumps(body, ensure_ascii=True).encode()
    return httpx2.Response(200, content=raw, headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    ("content", "text", "data"),
    [
        ({"x": "ok"}, '{"x": "ok"}', {"x": "ok"}),  # JSON sent as JSON, not as text
        (42, "42", 42),
        ("\ud83d 달려요", "\ufffd 달려요", None),  # half an emoji: no text a file can hold
        (None, "", None),
    ],
)
def test_a_reply_whose_content_is_not_text_is_read_as_sent(content, text, data):
    result = provider(Server(reply(content, {"prompt_tokens": "x", "completion_tokens": [1]})))
    got = result.complete(REQUEST)
    assert (got.text, got.data) == (text, data)
    assert (got.usage.prompt_tokens, got.usage.completion_tokens) == (0, 0)  # usage of no sense


@pytest.mark.parametrize("url", ["llm.test/v1", "ftp://llm.test", "http://", "http://host:99999"])
def test_a_malformed_base_url_is_a_configuration_error_at_once(url):
    from dco.errors import ConfigError

    with pytest.raises(ConfigError, match="OPENAI_BASE_URL"):
        OpenAIProvider(model="m", api_key=KEY, base_url=url)


def test_credentials_in_the_base_url_never_appear_in_a_message():
    def refuse(request):
        raise httpx2.ConnectError("connection refused by user:hunter2@127.0.0.1")

    llm = OpenAIProvider(
        model="m", api_key=KEY, base_url="http://user:hunter2@127.0.0.1:9/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(refuse)),
    )  # fmt: skip
    with pytest.raises(TransientError) as raised:
        llm.complete(REQUEST)
    message = str(raised.value)
    assert "hunter2" not in message and "hunter2" not in repr(llm)
    assert "OPENAI_BASE_URL" in message and "--provider fake" in message


def test_a_server_not_listening_is_named_with_the_systems_reason():
    llm = OpenAIProvider(model="m", api_key=KEY, base_url="http://127.0.0.1:9/v1")
    with pytest.raises(TransientError) as raised:
        llm.complete(REQUEST)
    assert str(raised.value).startswith(
        "could not connect to http://127.0.0.1:9/v1: Connection refused; check OPENAI_BASE_URL"
    )


@pytest.fixture
def unanswered_port():
    """A port whose connections are never made: its one listening slot is taken, so the
    system drops every new connection's first packet, as a firewall or a machine that is off
    would."""
    import socket

    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
        port = listener.getsockname()[1]
        waiting = []
        for _ in range(4):  # enough to fill the backlog, whatever the system rounds it up to
            client = socket.socket()
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", port))
            waiting.append(client)
        yield port
        for client in waiting:
            client.close()


@pytest.mark.parametrize("twin", ["sync", "async"])
def test_a_server_that_answers_no_connection_is_named_out_of_reach_not_slow(unanswered_port, twin):
    from dco.errors import UnreachableError

    llm = OpenAIProvider(model="m", api_key=KEY, base_url=f"http://127.0.0.1:{unanswered_port}/v1",
                         timeout=1)  # fmt: skip
    with pytest.raises(UnreachableError) as raised:
        if twin == "sync":
            llm.complete(REQUEST)
        else:
            asyncio.run(llm.acomplete(REQUEST))
    message = str(raised.value)
    assert message.startswith(f"could not connect to http://127.0.0.1:{unanswered_port}/v1: "
                              "no answer within 1 s; check OPENAI_BASE_URL")  # fmt: skip
    assert "timed out" not in message  # not a slow reply: --timeout would not help


def test_connecting_waits_ten_seconds_at_most_whatever_a_reply_may_take():
    llm = OpenAIProvider(model="m", api_key=KEY, timeout=300)
    assert llm._sync().timeout == httpx2.Timeout(300, connect=10)


def test_the_timeout_comes_from_dco_timeout_and_a_bad_one_is_refused(monkeypatch):
    from dco.errors import ConfigError

    monkeypatch.setenv("DCO_TIMEOUT", "300")
    assert OpenAIProvider(model="m", api_key=KEY).timeout == 300
    monkeypatch.setenv("DCO_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="DCO_TIMEOUT"):
        OpenAIProvider(model="m", api_key=KEY)


def test_a_generated_request_keeps_its_id_across_retries():
    from dco.generation import generate
    from dco.models import Brief

    server = Server(
        error(500), ok('{"variants": []}'), ok('{"variants": []}'), ok('{"variants": []}')
    )
    generate(Brief(product="코칭"), stage="decision", n=1, provider=provider(server),
             max_repairs=1, retry=NO_WAIT)  # fmt: skip
    ids = [headers.get("X-Request-ID") for headers in server.headers]
    assert ids[0] and ids[0] == ids[1]  # the retry of the first request
    assert ids[2] != ids[1]  # the repair round is another request
