"""A server far away, played on this machine: a TCP relay that delays each direction.

Reviewers work from wherever they are, and a review queue's server may be a continent away: what
a keypress costs then is counted in round trips. The relay holds every piece of data it passes
for `delay` seconds each way (a round trip of twice that), in order, and is good for a benchmark
run, not for production.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress


@contextmanager
def delayed(target: str | tuple[str, int], delay: float) -> Iterator[int]:
    """Relay 127.0.0.1:PORT (yielded) to `target` (a Unix socket's path, or a host and port)
    until the block ends, holding data `delay` seconds on its way in each direction."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    port = 0

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if isinstance(target, str):
            return await asyncio.open_unix_connection(target)
        return await asyncio.open_connection(*target)

    async def carry(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        due: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def take() -> None:
            while data := await reader.read(65536):
                due.put_nowait((time.monotonic() + delay, data))
            due.put_nowait((time.monotonic() + delay, b""))

        async def give() -> None:
            while True:
                at, data = await due.get()
                await asyncio.sleep(max(0.0, at - time.monotonic()))
                if not data:
                    writer.close()
                    return
                writer.write(data)
                await writer.drain()

        with suppress(OSError):
            await asyncio.gather(take(), give())

    async def session(client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        server_in, server_out = await connect()
        await asyncio.gather(carry(client_in, server_out), carry(server_in, client_out))

    async def serve() -> None:
        nonlocal port
        sessions: set[asyncio.Task] = set()

        def begin(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = loop.create_task(session(reader, writer))
            sessions.add(task)
            task.add_done_callback(sessions.discard)

        server = await asyncio.start_server(begin, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        started.set()
        await stopping.wait()
        server.close()
        for task in sessions:
            task.cancel()
        await asyncio.gather(*sessions, return_exceptions=True)

    stopping = asyncio.Event()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    started.wait()
    try:
        yield port
    finally:
        loop.call_soon_threadsafe(stopping.set)
        thread.join(timeout=5)
        loop.close()
