"""An on-disk response cache (SQLite) in front of any provider, so a re-run does not pay twice.

The key is a hash of the provider, the model and the whole request (messages, schema, sampling,
seed); the request id is left out. Only successful replies are stored; nothing of the API key is.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import asdict
from pathlib import Path

from dco.providers.base import ChatRequest, ChatResult, Provider, Usage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    result TEXT NOT NULL,
    created_at REAL NOT NULL
)
"""


class CachedProvider:
    """Wraps `provider`: answers a request seen before from the SQLite file at `path`."""

    def __init__(self, provider: Provider, path: str | Path) -> None:
        self.provider = provider
        self.name = provider.name
        self.model = provider.model
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute(_SCHEMA)

    def __repr__(self) -> str:
        return f"CachedProvider({self.provider!r}, path={str(self.path)!r})"

    def complete(self, request: ChatRequest) -> ChatResult:
        key = self._key(request)
        cached = self._get(key)
        if cached is not None:
            return cached
        result = self.provider.complete(request)
        self._put(key, result)
        return result

    async def acomplete(self, request: ChatRequest) -> ChatResult:
        key = self._key(request)
        cached = await asyncio.to_thread(self._get, key)
        if cached is not None:
            return cached
        result = await self.provider.acomplete(request)
        await asyncio.to_thread(self._put, key, result)
        return result

    def close(self) -> None:
        self._db.close()

    def _key(self, request: ChatRequest) -> str:
        identity = {
            "provider": self.name,
            "model": request.model or self.model,
            **request.cache_key(),
        }
        canonical = json.dumps(identity, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def _get(self, key: str) -> ChatResult | None:
        with self._lock:
            row = self._db.execute("SELECT result FROM responses WHERE key = ?", (key,)).fetchone()
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
        data = json.loads(row[0])
        data["usage"] = Usage(**data["usage"])
        data["latency_ms"] = 0.0
        return ChatResult(**data)

    def _put(self, key: str, result: ChatResult) -> None:
        payload = json.dumps(asdict(result), ensure_ascii=False, default=str)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?)",
                (key, self.name, result.model or self.model, payload, time.time()),
            )
