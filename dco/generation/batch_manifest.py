"""A batch job's manifest checked before any of it is used: each field of the kind dco wrote.

A manifest is dco's own file, but it sits in a folder people open, copy between machines and
edit by hand. Read unchecked, a round's request count written as text reached the provider, and
a job without rounds stopped `dco batch status` with a traceback; checked, it is one line naming
the file and the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dco.errors import ConfigError
from dco.i18n import _

_Count = Annotated[int, Field(ge=0)]
_Number = Annotated[int, Field(ge=1)]


class _Checked(BaseModel):
    # Strict: "2" is not 2 here, as nothing but dco writes these files. A key this dco does not
    # know (a newer dco's) is refused rather than dropped when the manifest is next written.
    model_config = ConfigDict(strict=True, extra="forbid")


class KeptRecord(_Checked):
    """A reply file as the manifest keeps it: what it held when downloaded."""

    bytes: _Count
    blake2b: Annotated[str, Field(pattern="^[0-9a-f]{32}$")]


class RoundRecord(_Checked):
    """A round as the manifest keeps it."""

    number: _Number
    requests: _Count
    batch_ids: list[str] = []
    refused_ids: list[str] = []
    uploaded: list[str] = []
    parts: _Number = 1
    collected: bool = False
    written_at: float | None = None
    downloaded: list[str] = []
    kept: dict[str, KeptRecord] = {}
    batch_id: str | None = None
    """Written by dco versions before rounds could be split: the round's one batch, if any."""


class JobRecord(_Checked):
    """A job as the manifest keeps it."""

    job_id: str
    provider: str
    model: str
    briefs: _Count
    rounds: Annotated[list[RoundRecord], Field(min_length=1)]
    settings: dict[str, Any] = {}
    finished: bool = False
    folder: None = None


def checked(data: object, path: Path) -> JobRecord:
    """The manifest's parsed JSON `data`, checked; a `ConfigError` naming `path` and the first
    key at fault otherwise."""
    if not isinstance(data, dict):
        raise ConfigError(
            _("{path}: not a batch job dco can read (it holds no JSON object)").format(path=path)
        )
    try:
        return JobRecord.model_validate(data)
    except ValidationError as e:
        problem = e.errors(include_url=False)[0]
        key = ".".join(str(part) for part in problem["loc"])
        if problem["type"] == "extra_forbidden":
            message = _(
                "{path}: key '{key}' is not one this dco knows; if a newer dco sent the job, "
                "collect it with that one"
            )
        else:
            message = _(
                "{path}: key '{key}': {why}; the manifest was changed since dco wrote it: put "
                "it back as it was, or send the briefs again with `dco generate --batch`"
            )
        raise ConfigError(message.format(path=path, key=key, why=problem["msg"].lower())) from None
