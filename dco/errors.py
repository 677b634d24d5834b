"""The `DcoError` tree: every error dco raises on purpose, each saying what to do next.

    DcoError                      one line a user can act on; the CLI prints it and exits 2
    ├── ConfigError               a data or configuration file is missing, malformed or invalid
    ├── OptionError               an argument's value is out of range, or a needed one is missing
    ├── WorkerError               a worker process stopped before finishing its share of a batch
    ├── UnknownNameError          a channel, unit, event, provider, scenario … dco does not know
    ├── UnencodableTextError      a character the channel's encoding (cp949 for SMS) cannot carry
    ├── ProviderError             a language-model call failed
    │   ├── RateLimitError        429: retried after the server's Retry-After
    │   ├── TransientError        5xx, 408, 409, a timeout or a dropped connection: retried
    │   │   └── UnreachableError  no connection to the server at all: retried, then stops a batch
    │   ├── AuthenticationError   401/403: final
    │   ├── InvalidRequestError   400/404/422: final
    │   └── InvalidReplyError     an answer that is not what was asked for
    ├── StoreError                a review database that cannot be opened, read or written
    ├── ReviewError               a decision that cannot be recorded as asked
    ├── OutcomeError              outcome figures that cannot be recorded as given
    ├── StatsError                statistics the decision log cannot answer
    └── SelectionError            nothing can be selected to serve

`UnknownNameError`, `UnencodableTextError` and `OptionError` are also `ValueError`s, so code
that already catches a bad value keeps working.
"""

from __future__ import annotations

from typing import Any


class DcoError(Exception):
    """Base of every error dco raises on purpose.

    The message is one line a user can act on: it names the file, key, rule or field at fault
    and says what to do about it. The command line prints it and exits with status 2.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its message and attributes rather than by calling __init__ again, so
        # that errors with keyword-only fields cross from a worker process as they were.
        return _rebuilt, (type(self), self.args, self.__dict__)


def _rebuilt(kind: type[DcoError], args: tuple[Any, ...], attributes: dict[str, Any]) -> DcoError:
    error = kind.__new__(kind, *args)
    error.args = args
    error.__dict__.update(attributes)
    return error


class ConfigError(DcoError):
    """A data or configuration file (YAML, JSON, JSONL) is missing, malformed or invalid."""


class OptionError(DcoError, ValueError):
    """An argument's value is out of range (n, max_repairs, …), or a needed one is missing."""


class WorkerError(DcoError):
    """A worker process stopped before finishing its share of a batch (killed, out of memory)."""


class UnknownNameError(DcoError, ValueError):
    """A name (channel, unit, event, provider, ...) is not one dco knows."""


class UnencodableTextError(DcoError, ValueError):
    """Text holds a character the channel's encoding (cp949 for Korean SMS) cannot carry."""

    def __init__(self, message: str, *, character: str, index: int, unit: str) -> None:
        super().__init__(message)
        self.character = character
        self.index = index
        self.unit = unit


# -- providers --------------------------------------------------------------------------------


class ProviderError(DcoError):
    """A provider call failed. `retriable` errors are retried with backoff; the others are final.
    One that `stops_batch` is the same for every brief of a batch: the batch ends with it."""

    retriable = False
    stops_batch = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = 1


class RateLimitError(ProviderError):
    """The provider said 429: too many requests. `retry_after` is its hint, in seconds."""

    retriable = True

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = 429
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class TransientError(ProviderError):
    """A server error (5xx, 408, 409), a timeout or a dropped connection: worth another try."""

    retriable = True


class UnreachableError(TransientError):
    """No connection to the server at all. Retried like any transient error; once the retries
    are spent it stops a batch, whose other briefs would only wait for the same server."""

    stops_batch = True


class AuthenticationError(ProviderError):
    """The provider refused the credentials (401) or the permission (403): final, and it stops
    a batch (every other brief would be refused the same way)."""

    stops_batch = True


class InvalidRequestError(ProviderError):
    """The provider rejected the request itself (400, 404, 422): retrying will not help."""


class InvalidReplyError(ProviderError):
    """The provider answered, but not with what was asked (e.g. not JSON)."""


class BatchNotStarted(ProviderError):
    """A batch job's requests were written and kept, but the provider did not start its batch
    (the provider's error is the cause): the job, `job_id`, starts once asked where it stands."""

    def __init__(self, message: str, *, job_id: str, cause: ProviderError) -> None:
        super().__init__(message, status=cause.status)
        self.job_id = job_id
        self.retriable = cause.retriable


# -- review, outcomes, statistics and serving -------------------------------------------------


class StoreError(DcoError):
    """A review database cannot be used: not a database, another application's, read-only,
    locked past the timeout, corrupt, or on a server that cannot be reached or refuses the login.
    """


class ReviewError(DcoError):
    """A decision that cannot be recorded as asked (someone else holds it, it is decided, ...)."""


class OutcomeError(DcoError):
    """Outcome figures that cannot be recorded as given."""


class StatsError(DcoError):
    """Statistics asked for something the log cannot answer (an unknown dimension, ...)."""


class SelectionError(DcoError):
    """Nothing can be selected (no approved variant for the stage, ...)."""


# -- building messages ------------------------------------------------------------------------


def closest(name: str, known: list[str] | tuple[str, ...]) -> str | None:
    """The known name closest to `name`, or None when none is close."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None
