"""A PostgreSQL server that turns every login down, in its own words (or lets it in, and hangs up).

It plays only the start of the wire protocol (declining GSSAPI, and SSL unless given a TLS
context, asking for a cleartext password if told to, answering with an ErrorResponse), which is
all a refused login needs: enough
to show what libpq and psycopg make of a server whose messages are not English, such as a Korean
Windows server, which words its refusals in Korean and sends them in CP949 (the server has not
yet learnt the client's encoding when it refuses a login).
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_SSL_REQUEST = 80877103
_NEGOTIATIONS = {_SSL_REQUEST, 80877104}
"""SSLRequest and GSSENCRequest: a client asks for each before its startup packet."""

_CLEARTEXT_PASSWORD = 3


@contextmanager
def refusing_server(
    severity: str,
    message: str,
    encoding: str,
    *,
    ask_password: bool = True,
    tls: ssl.SSLContext | None = None,
) -> Iterator[int]:
    """A server on 127.0.0.1 for as long as the block runs; yields its port. It refuses
    once sent the password, or (`ask_password` False) as soon as it knows who logs in. With
    `tls`, it accepts a client's SSLRequest and goes on over TLS, presenting its certificate."""
    reply = error_response(severity, message, encoding)
    with answering_server(reply, ask_password=ask_password, tls=tls) as port:
        yield port


@contextmanager
def answering_server(
    reply: bytes, *, ask_password: bool = True, tls: ssl.SSLContext | None = None
) -> Iterator[int]:
    """`refusing_server` with a `reply` of the caller's own (`welcome`: it lets the client in),
    after which it hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            with client:
                client.settimeout(5)
                _refuse(client, reply, ask_password, tls)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join()
        listener.close()


def _refuse(
    client: socket.socket, reply: bytes, ask_password: bool, tls: ssl.SSLContext | None
) -> None:
    try:
        while True:
            length, code = struct.unpack("!ii", read_exactly(client, 8))
            read_exactly(client, length - 8)  # the startup packet's user, database and options
            if code not in _NEGOTIATIONS:
                break
            if code == _SSL_REQUEST and tls is not None:
                client.sendall(b"S")
                client = tls.wrap_socket(client, server_side=True)
            else:
                client.sendall(b"N")
        if not ask_password:
            client.sendall(reply)
            return
        client.sendall(b"R" + struct.pack("!ii", 8, _CLEARTEXT_PASSWORD))
        kind = read_exactly(client, 1)
        (length,) = struct.unpack("!i", read_exactly(client, 4))
        read_exactly(client, length - 4)
        if kind == b"p":  # the password, whatever it is
            client.sendall(reply)
    except (OSError, struct.error):  # ssl.SSLError is an OSError
        pass  # a client that gave up (or refused the certificate): the next one is served


def error_response(severity: str, message: str, encoding: str, code: str = "28P01") -> bytes:
    """An ErrorResponse as a server sends it: FATAL, with `severity` as it words it."""
    fields = b"".join(
        key + value.encode(encoding) + b"\0"
        for key, value in ((b"S", severity), (b"V", "FATAL"), (b"C", code), (b"M", message))
    )
    payload = fields + b"\0"
    return b"E" + struct.pack("!i", len(payload) + 4) + payload


def welcome(parameters: dict[str, str]) -> bytes:
    """What a server sends to let a client in: AuthenticationOk, its `parameters`
    (server_version, say), a cancel key, and ReadyForQuery."""
    messages = [b"R" + struct.pack("!ii", 8, 0)]
    for name, value in parameters.items():
        payload = name.encode() + b"\0" + value.encode() + b"\0"
        messages.append(b"S" + struct.pack("!i", len(payload) + 4) + payload)
    messages.append(b"K" + struct.pack("!iii", 12, 1, 2))
    messages.append(b"Z" + struct.pack("!ib", 5, ord("I")))
    return b"".join(messages)


def read_exactly(client: socket.socket, count: int) -> bytes:
    """`count` bytes from `client`; OSError if it closes first."""
    data = b""
    while len(data) < count:
        piece = client.recv(count - len(data))
        if not piece:
            raise OSError("the client closed the connection")
        data += piece
    return data
