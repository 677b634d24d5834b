"""Language-model providers: the interface, the registry and `get_provider`.

Built in: ``fake`` (deterministic, offline) and ``openai`` (the official SDK; any OpenAI-compatible
server through ``OPENAI_BASE_URL``). Other packages add providers through the ``dco.providers``
entry-point group, naming a class or factory called as ``factory(model=..., **options)``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from dco.errors import (
    AuthenticationError,
    InvalidReplyError,
    InvalidRequestError,
    ProviderError,
    RateLimitError,
    TransientError,
)
from dco.i18n import unknown_name
from dco.providers.base import ChatRequest, ChatResult, Message, Provider, Usage

ENTRY_POINT_GROUP = "dco.providers"

# Built-ins are named by import path so that `openai` is imported only when it is used.
_BUILTIN: dict[str, str] = {
    "fake": "dco.providers.fake:FakeProvider",
    "openai": "dco.providers.openai:OpenAIProvider",
}


def available() -> dict[str, Callable[..., Provider]]:
    """Every provider name with its factory: the built-ins and those registered by plugins."""
    factories: dict[str, Callable[..., Provider]] = {
        name: _lazy(path) for name, path in _BUILTIN.items()
    }
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        factories.setdefault(entry.name, _plugin(entry))
    return factories


def default_name() -> str:
    """`openai` when `OPENAI_API_KEY` is set, else `fake` (offline, deterministic)."""
    return "openai" if os.environ.get("OPENAI_API_KEY") else "fake"


def get_provider(spec: str | None = None, **options: Any) -> Provider:
    """The provider named by `spec`: "fake", "openai", "openai/<model>" or a plugin's name.

    With no `spec`, the default (see `default_name`). `options` go to the provider's constructor
    (for OpenAI: api_key, base_url, organization, timeout, ...).
    """
    spec = spec or default_name()
    name, _, model = spec.partition("/")
    # A built-in needs no look at the installed packages' entry points (a scan of every
    # package's metadata, milliseconds of start-up): built-ins win over plugins anyway.
    factory = _lazy(_BUILTIN[name]) if name in _BUILTIN else available().get(name)
    if factory is None:
        raise unknown_name("provider", name, list(available()))
    if model:
        options.setdefault("model", model)
    return factory(**options)


def _plugin(entry: EntryPoint) -> Callable[..., Provider]:
    def create(**options: Any) -> Provider:
        return entry.load()(**options)

    create.__name__ = entry.name
    return create


def _lazy(path: str) -> Callable[..., Provider]:
    module_name, _, attribute = path.partition(":")

    def create(**options: Any) -> Provider:
        return getattr(importlib.import_module(module_name), attribute)(**options)

    create.__name__ = attribute
    return create


__all__ = [
    "AuthenticationError",
    "ChatRequest",
    "ChatResult",
    "InvalidReplyError",
    "InvalidRequestError",
    "Message",
    "Provider",
    "ProviderError",
    "RateLimitError",
    "TransientError",
    "Usage",
    "available",
    "default_name",
    "get_provider",
]
