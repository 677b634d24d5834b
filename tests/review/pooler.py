"""A stand-in for PgBouncer in front of the tests' PostgreSQL server: it deals with a session's
`options` as PgBouncer does, and relays everything else to the server.

PgBouncer pools server sessions, so it keeps no settings for a client's session. What it does
with a startup packet that carries `options` depends on its version and set-up (`options`):

- "refused": PgBouncer before 1.20 turns it down, "unsupported startup parameter: options";
- "refused_by_name": 1.20 and newer read the `-c` settings in it and turn down the first they
  do not track, "unsupported startup parameter in options: lock_timeout" (Neon's and
  Supabase's poolers say the same);
- "ignored": listed in `ignore_startup_parameters`, the options are dropped: the session runs
  without them, and nothing tells the client (1.18.0 tried);
- "passed": let through to the server, as no PgBouncer does: a pooler that keeps a client's
  settings and gives out its own cancel keys.

Except with `as_pgpool`, it gives the client its own cancel key in place of the server's, as
PgBouncer does, and otherwise passes the connection through (as PgBouncer's session mode
would): enough to show what dco does when it meets one. Pooling itself (another server session
for each transaction) is not played.

With `as_pgpool`, it plays Pgpool-II 4.3.5 instead, which passes the options and the server's
cancel key on: when the server ends the session behind it, the client hears not the server's
farewell (57P01) but Pgpool-II's own "unable to read data from DB node 0" (FATAL, XX000), and
the connection closes.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Literal

from tests.review.refusing_server import error_response, read_exactly

_NEGOTIATIONS = {80877103, 80877104}
"""SSLRequest and GSSENCRequest, which a client may send before its startup packet."""

Options = Literal["refused", "refused_by_name", "ignored", "passed"]


@contextmanager
def pooler(
    server_socket: Path, *, as_pgpool: bool = False, options: Options = "refused"
) -> Iterator[int]:
    """Serve on 127.0.0.1 until the block ends, relaying to the server listening on the Unix
    socket `server_socket`; yields the port. `options`: what is done with a session's options
    (see above; Pgpool-II passes them)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(
                target=_session,
                args=(client, server_socket, as_pgpool, "passed" if as_pgpool else options),
                daemon=True,
            ).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def _session(client: socket.socket, server_socket: Path, as_pgpool: bool, options: Options) -> None:
    with client, suppress(OSError, struct.error):
        while True:
            header = read_exactly(client, 8)
            length, code = struct.unpack("!ii", header)
            body = read_exactly(client, length - 8)
            if code not in _NEGOTIATIONS:
                break
            client.sendall(b"N")
        # A startup packet gives protocol version 3.x (its parameters follow); else it is a
        # CancelRequest, its keys in binary, passed on as it is.
        parameters = _parameters(body[:-1]) if code >> 16 == 3 else {}
        if "options" in parameters and options in ("refused", "refused_by_name"):
            refusal = "unsupported startup parameter: options"  # PgBouncer's words, and 1.20's:
            if options == "refused_by_name":
                setting = parameters["options"].split("-c", 1)[-1].split("=", 1)[0].strip()
                refusal = f"unsupported startup parameter in options: {setting}"
            client.sendall(error_response("FATAL", refusal, "utf-8", code="08P01"))
            return
        if "options" in parameters and options == "ignored":
            del parameters["options"]
            body = b"".join(f"{k}\0{v}\0".encode() for k, v in parameters.items()) + b"\0"
            header = struct.pack("!ii", len(body) + 8, code)
        with socket.socket(socket.AF_UNIX) as server:
            server.connect(str(server_socket))
            server.sendall(header + body)
            onward = threading.Thread(target=_relay, args=(client, server), daemon=True)
            onward.start()
            if not as_pgpool:
                _welcome_with_own_keys(server, client)
            _relay(server, client, as_pgpool)
            onward.join()


def _parameters(packed: bytes) -> dict[str, str]:
    """A startup packet's parameters, from the pairs of NUL-ended names and values after its
    protocol version."""
    fields = packed.decode().split("\0")[:-1]
    return dict(zip(fields[::2], fields[1::2], strict=True))


def _welcome_with_own_keys(server: socket.socket, client: socket.socket) -> None:
    """Pass on the server's messages up to its first ReadyForQuery, with PgBouncer's own
    cancel key in place of the server's BackendKeyData: the client cancels through PgBouncer,
    which knows which server session to send it to."""
    while True:
        kind = read_exactly(server, 1)
        (length,) = struct.unpack("!i", read_exactly(server, 4))
        body = read_exactly(server, length - 4)
        if kind == b"K":
            body = os.urandom(len(body))
        client.sendall(kind + struct.pack("!i", length) + body)
        if kind in (b"Z", b"E"):
            return


_FAREWELL = b"C57P01\0"
"""The code field of the server's "terminating connection due to administrator command"."""


def _relay(source: socket.socket, target: socket.socket, as_pgpool: bool = False) -> None:
    with suppress(OSError):
        while data := source.recv(65536):
            if as_pgpool and data[:1] == b"E" and _FAREWELL in data:
                continue  # Pgpool-II does not pass the server's farewell on
            target.sendall(data)
    with suppress(OSError):
        if as_pgpool:  # the server went: Pgpool-II's own words, then it closes
            target.sendall(error_response("FATAL", _PGPOOL_LOST, "utf-8", code="XX000"))
        target.shutdown(socket.SHUT_WR)


_PGPOOL_LOST = "unable to read data from DB node 0"
