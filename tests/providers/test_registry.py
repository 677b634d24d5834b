import sys
import textwrap

import pytest

from dco.errors import RateLimitError, UnknownNameError
from dco.providers import available, get_provider
from dco.providers.base import ChatRequest, Message
from dco.providers.retry import RetryPolicy, complete_with_retries
from dco.testing import FakeProvider


def test_fake_is_the_default_without_a_key(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert get_provider().name == "fake"


def test_openai_is_the_default_with_a_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert get_provider().name == "openai"


def test_unknown_provider_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match=r"unknown provider 'gemini'.*fake, openai"):
        get_provider("gemini")


def test_plugins_register_through_the_entry_point_group(tmp_path, monkeypatch):
    (tmp_path / "acme_llm.py").write_text(
        textwrap.dedent("""
        from dco.testing import FakeProvider

        class AcmeProvider(FakeProvider):
            name = "acme"

            def __init__(self, model="acme-1", **options):
                super().__init__(model=model)
    """)
    )
    info = tmp_path / "acme_llm-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-llm\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[dco.providers]\nacme = acme_llm:AcmeProvider\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "acme" in available()
    provider = get_provider("acme/acme-large")
    assert (provider.name, provider.model) == ("acme", "acme-large")
    sys.modules.pop("acme_llm", None)


def test_the_deadline_stops_retries_that_would_wait_past_it():
    fake = FakeProvider().then_rate_limit(retry_after=30).then_rate_limit(retry_after=30)
    request = ChatRequest(messages=(Message("user", "x"),))
    slept = []
    policy = RetryPolicy(max_attempts=5, deadline_s=10)
    with pytest.raises(RateLimitError):
        complete_with_retries(fake.complete, request, policy, sleep=slept.append)
    assert slept == []
    assert len(fake.calls) == 1


def test_built_in_providers_are_found_without_reading_plugin_metadata(monkeypatch):
    def no_scan(**_):
        raise AssertionError("entry points read for a built-in provider")

    monkeypatch.setattr("dco.providers.entry_points", no_scan)
    assert get_provider("fake").name == "fake"
    with pytest.raises(AssertionError, match="entry points read"):
        get_provider("acme")
