"""A small, fast OpenAI-compatible chat-completions server for benchmarks (loopback only).

Plain asyncio with keep-alive, so it is never the bottleneck: it answers every POST to
/v1/chat/completions with a canned completion whose content is valid variants JSON, after
--latency-ms, and fails --fault-rate of them (half 429 with Retry-After, half 500). GET /stats
reports what it served.

    python benchmarks/llm_server.py --port 8765 --latency-ms 100 --fault-rate 0.1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random

VARIANTS = {
    "variants": [
        {"headline": "첫 주 무료 신청", "body": "첫 주 무료, 지금 신청하세요.", "cta": "신청하기"},
        {
            "headline": "오늘 첫 주 무료",
            "body": "오늘 시작하면 첫 주 무료.",
            "cta": "지금 신청하세요",
        },
        {
            "headline": "첫 주 무료, 지금 시작해요",
            "body": "코치가 짜 주는 맞춤 훈련 플랜을 바로 시작하세요.",
            "cta": "바로 시작하기",
        },
        {
            "headline": "지금 신청하면 첫 주 무료",
            "body": "매주 코치 피드백까지 한 번에 준비해요.",
            "cta": "혜택 받기",
        },
        {
            "headline": "하프 마라톤 10주 코칭",
            "body": "부상 없이 완주하는 페이스 관리, 오늘 시작하세요.",
            "cta": "시작하기",
        },
    ]
}
COMPLETION = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": "bench",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant",
                             "content": json.dumps(VARIANTS, ensure_ascii=False)}}],
    "usage": {"prompt_tokens": 100, "completion_tokens": 80, "total_tokens": 180},
}, ensure_ascii=False).encode()  # fmt: skip
RATE_LIMITED = json.dumps({"error": {"message": "slow down", "type": "rate_limit"}}).encode()
SERVER_ERROR = json.dumps({"error": {"message": "boom", "type": "server_error"}}).encode()


def response(status: str, body: bytes, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n{extra}connection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


class Stats:
    def __init__(self) -> None:
        self.ok = self.rate_limited = self.errors = 0


class ChatProtocol(asyncio.Protocol):
    def __init__(self, latency: float, fault_rate: float, rng: random.Random, stats: Stats):
        self.latency, self.fault_rate, self.rng, self.stats = latency, fault_rate, rng, stats
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.answer(head.split(" ", 2)[1] if " " in head else "/")

    def answer(self, path: str) -> None:
        if path.startswith("/stats"):
            body = json.dumps(vars(self.stats)).encode()
            self.transport.write(response("200 OK", body))
            return
        roll = self.rng.random()
        if roll < self.fault_rate / 2:
            self.stats.rate_limited += 1
            reply = response("429 Too Many Requests", RATE_LIMITED, "retry-after: 0.05\r\n")
        elif roll < self.fault_rate:
            self.stats.errors += 1
            reply = response("500 Internal Server Error", SERVER_ERROR)
        else:
            self.stats.ok += 1
            reply = response("200 OK", COMPLETION)
        if self.latency:
            asyncio.get_running_loop().call_later(self.latency, self.transport.write, reply)
        else:
            self.transport.write(reply)


async def serve(port: int, latency_ms: float, fault_rate: float) -> None:
    loop = asyncio.get_running_loop()
    rng, stats = random.Random(42), Stats()
    server = await loop.create_server(
        lambda: ChatProtocol(latency_ms / 1000, fault_rate, rng, stats), "127.0.0.1", port,
        backlog=1024,
    )  # fmt: skip
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.latency_ms, args.fault_rate))


if __name__ == "__main__":
    main()
