"""What dco reads from a PostgreSQL URL: whether a location is one, how messages show it (a
command given that again reaches the same queue) and the password kept out of them."""

from __future__ import annotations

from urllib.parse import quote, unquote


def is_postgres_url(location: str) -> bool:
    """Whether a queue location names a PostgreSQL server rather than a SQLite file."""
    return location.startswith(("postgresql://", "postgres://"))


def safe_location(url: str) -> str:
    """The URL as messages may show it, and as a command given it again reaches the same
    queue: every setting it holds (a schema in `options`, `sslmode`, …) but the password.
    Characters a URL cannot hold as they are are escaped; letters of any script are not."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = {key: str(value) for key, value in conninfo_to_dict(url).items()}
    except Exception:  # a URL psycopg cannot read is described by its scheme alone
        return "postgresql://…"
    for secret in _SECRET_SETTINGS:
        parts.pop(secret, None)
    user = f"{_url_part(parts.pop('user'))}@" if parts.get("user") else ""
    host = parts.pop("host", "")
    port = f":{parts.pop('port')}" if parts.get("port") else ""
    database = _url_part(parts.pop("dbname", ""))
    settings = [(key, value) for key, value in parts.items() if value]
    if host.startswith("/"):  # a Unix socket's folder goes in the query, as libpq reads it
        settings.insert(0, ("host", host))
        host = ""
    query = "&".join(f"{key}={_url_part(value, keep='/')}" for key, value in settings)
    return f"postgresql://{user}{host}{port}/{database}" + (f"?{query}" if query else "")


_SECRET_SETTINGS = ("password", "sslpassword")
"""The connection settings that are secrets: the password, and the client key's."""


def _url_part(text: str, keep: str = "") -> str:
    """`text` with what has a meaning in a URL (and spaces) escaped; Hangul stays readable."""
    return "".join(
        c if ord(c) > 127 or c.isalnum() or c in "-._~" + keep else quote(c, safe="") for c in text
    )


def password_of(url: str) -> str | None:
    """The password in `url`, to keep out of messages: as libpq reads it, or, in a URL it
    cannot read, what stands between the user name and the host."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        return conninfo_to_dict(url).get("password") or None  # type: ignore[return-value]
    except Exception:
        authority = url.partition("://")[2].rpartition("@")[0]
        password = authority.partition(":")[2]
        return unquote(password) if password else None
