"""The channel catalog (`dco/data/channels.yaml`): each channel's fields, limits and units."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from dco import resources, yamlfile
from dco.errors import UnencodableTextError
from dco.i18n import unknown_name
from dco.models import Copy, CopyField, DcoModel, Unit
from dco.text import units as text


class ChannelField(DcoModel):
    """One text field of a channel and the limit the channel puts on it."""

    label: str
    limit: int = Field(ge=1)
    unit: Unit | None = None
    """Counting unit when it differs from the channel's."""
    kind: Literal["hard", "recommended"] = "hard"
    copy_fields: tuple[CopyField, ...] = Field(default=(), alias="copy")
    """Copy fields that are each an asset of this field, measured alone."""
    compose: tuple[CopyField, ...] = ()
    """Copy fields sent together as this field's text, joined by `separator`."""
    separator: str = "\n"

    @model_validator(mode="after")
    def _one_mapping(self) -> ChannelField:
        if self.copy_fields and self.compose:
            raise ValueError("a field takes either 'copy' or 'compose', not both")
        return self


class Channel(DcoModel):
    """A place copy runs (an ad format, a message type), with the limits of its fields."""

    id: str = ""
    name: str
    unit: Unit
    source: str = Field(min_length=1)
    notes: str = ""
    fields: dict[str, ChannelField] = Field(min_length=1)

    def unit_of(self, field: str) -> Unit:
        """The unit `field` is counted in."""
        return self.fields[field].unit or self.unit

    def measure(self, copy: Copy) -> list[FieldMeasure]:
        """Measure `copy` against every field of this channel that bounds part of it."""
        return [
            _measure(name, spec, unit, fields, value, *_length(value, unit))
            for name, spec, unit, fields, value in self._pieces(copy)
        ]

    def overflows(self, copy: Copy) -> list[FieldMeasure]:
        """The measures of `measure` that are `over`: what a check of every variant needs,
        without building a measure for each field that fits (most of them)."""
        found = []
        for name, spec, unit, fields, value in self._pieces(copy):
            if text.surely_within(value, unit, spec.limit):
                continue
            length, problem = _length(value, unit)
            if _exceeds(length, spec.limit):
                found.append(_measure(name, spec, unit, fields, value, length, problem))
        return found

    def _pieces(
        self, copy: Copy
    ) -> Iterator[tuple[str, ChannelField, Unit, tuple[CopyField, ...], str]]:
        """(channel field, its spec, unit, the copy fields in it, their text) for each piece
        of `copy` this channel bounds: a composed field's joined text, or a copy field alone.
        (Every variant's check goes through here: each field's unit is `unit_of`'s, found
        without a call, and each text is read off the copy, not from a dict of all three.)"""
        for name, spec in self.fields.items():
            unit = spec.unit or self.unit
            if spec.compose:
                parts = [getattr(copy, f) for f in spec.compose]
                joined = spec.separator.join(part for part in parts if part.strip())
                yield name, spec, unit, spec.compose, joined
            for copy_field in spec.copy_fields:
                yield name, spec, unit, (copy_field,), getattr(copy, copy_field)

    def limit_for(self, copy_field: CopyField) -> tuple[int, Unit] | None:
        """The tightest limit on `copy_field` alone, with its unit; None when nothing bounds it."""
        limits = [
            (spec.limit, self.unit_of(name))
            for name, spec in self.fields.items()
            if copy_field in spec.copy_fields or copy_field in spec.compose
        ]
        return min(limits) if limits else None

    def fill(self, copy_field: CopyField, value: str) -> float | None:
        """The share of `copy_field`'s tightest limit that `value` fills (1.0 = at the limit);
        None when nothing bounds the field. Text the unit cannot encode raises, as `measure`."""
        bound = self.limit_for(copy_field)
        if bound is None:
            return None
        limit, unit = bound
        return text.measure(value, unit) / limit


@dataclass(frozen=True, slots=True)
class FieldMeasure:
    """How long a piece of copy is in one channel field, against that field's limit.

    A plain dataclass, not a validated model: dco computes it, many times per variant.
    """

    field: str
    label: str
    copy_fields: tuple[CopyField, ...]
    text: str
    length: int | None
    """None when the text cannot be counted in the unit (see `problem`)."""
    limit: int
    unit: Unit
    kind: Literal["hard", "recommended"]
    problem: str | None = None

    @property
    def over(self) -> bool:
        """True when the text exceeds the limit or cannot be sent in the channel's encoding."""
        return _exceeds(self.length, self.limit)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, with `over`, for JSON output."""
        return {**asdict(self), "copy_fields": list(self.copy_fields), "over": self.over}


def _length(value: str, unit: Unit) -> tuple[int | None, str | None]:
    """`value`'s length in `unit`, or None and why it cannot be counted (or sent) in it."""
    try:
        return text.measure(value, unit), None
    except UnencodableTextError as e:
        return None, str(e)


def _exceeds(length: int | None, limit: int) -> bool:
    """Whether a length (None: not countable in the unit) breaks `limit`."""
    return length is None or length > limit


def _measure(
    name: str,
    spec: ChannelField,
    unit: Unit,
    fields: tuple[CopyField, ...],
    value: str,
    length: int | None,
    problem: str | None,
) -> FieldMeasure:
    return FieldMeasure(
        field=name,
        label=spec.label,
        copy_fields=fields,
        text=value,
        length=length,
        limit=spec.limit,
        unit=unit,
        kind=spec.kind,
        problem=problem,
    )


class Catalog(DcoModel):
    """The whole channel catalog file."""

    version: int = 1
    channels: dict[str, Channel] = Field(min_length=1)


def load_catalog(path: str | Path | None = None) -> dict[str, Channel]:
    """The built-in catalog, with the channels of the catalog file at `path` added or replacing."""
    channels = dict(_builtin_catalog())
    if path is not None:
        channels.update(_read_catalog(yamlfile.load(path)))
    return channels


@functools.cache
def _builtin_catalog() -> dict[str, Channel]:
    return _read_catalog(resources.load_data("channels.yaml"))


def _read_catalog(document: yamlfile.Document) -> dict[str, Channel]:
    catalog = document.validate(Catalog, what="channel catalog")
    return {
        key: channel.model_copy(update={"id": key}) for key, channel in catalog.channels.items()
    }


def get_channel(name: str) -> Channel:
    """The built-in channel called `name`; an unknown name raises, listing the known ones."""
    channels = _builtin_catalog()
    try:
        return channels[name]
    except KeyError:
        raise unknown_name("channel", name, list(channels)) from None


def channel_names() -> list[str]:
    """The names of the built-in channels, in catalog order."""
    return list(_builtin_catalog())
