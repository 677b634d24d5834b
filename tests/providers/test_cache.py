import asyncio
import contextlib

from dco.errors import TransientError
from dco.generation import generate
from dco.models import Brief
from dco.providers.base import ChatRequest, Message
from dco.providers.cache import CachedProvider
from dco.testing import FakeProvider

REQUEST = ChatRequest(messages=(Message("user", '<task>{"n": 1}</task>'),), json_schema={})


def test_a_repeated_request_is_answered_from_the_file(tmp_path):
    fake = FakeProvider()
    cached = CachedProvider(fake, tmp_path / "cache.db")
    first = cached.complete(REQUEST)
    second = cached.complete(REQUEST)
    assert len(fake.calls) == 1
    assert second.text == first.text and second.usage == first.usage
    assert (cached.hits, cached.misses) == (1, 1)


def test_the_cache_survives_a_new_process_reading_the_same_file(tmp_path):
    CachedProvider(FakeProvider(), tmp_path / "cache.db").complete(REQUEST)
    fake = FakeProvider()
    CachedProvider(fake, tmp_path / "cache.db").complete(REQUEST)
    assert fake.calls == []


def test_a_different_seed_is_a_different_request(tmp_path):
    fake = FakeProvider()
    cached = CachedProvider(fake, tmp_path / "cache.db")
    cached.complete(REQUEST)
    cached.complete(ChatRequest(messages=REQUEST.messages, json_schema={}, seed=2))
    assert len(fake.calls) == 2


def test_failures_are_not_cached(tmp_path):
    fake = FakeProvider().then_timeout()
    cached = CachedProvider(fake, tmp_path / "cache.db")
    with contextlib.suppress(TransientError):
        cached.complete(REQUEST)
    cached.complete(REQUEST)
    cached.complete(REQUEST)
    assert len(fake.calls) == 2


def test_generating_twice_pays_once(tmp_path):
    brief = Brief(product="러닝 코칭", offer="첫 주 무료", channel="google_rsa")
    fake = FakeProvider()
    cached = CachedProvider(fake, tmp_path / "cache.db")
    first = generate(brief, stage="decision", provider=cached, seed=1)
    second = asyncio.run(_agenerate(brief, cached))
    assert [v.copy for v in first] == [v.copy for v in second]
    assert len(fake.calls) == 1


async def _agenerate(brief, provider):
    from dco.generation import agenerate

    return await agenerate(brief, stage="decision", provider=provider, seed=1)
