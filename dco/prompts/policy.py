"""Stage policy: (stage, channel, brand) → how copy should read and how long each field may be."""

from __future__ import annotations

import math

from pydantic import Field, model_validator

from dco.channels.catalog import Channel
from dco.i18n import _
from dco.models import (
    COPY_FIELDS,
    CopyField,
    DcoModel,
    FieldLength,
    Formality,
    FunnelStage,
    StagePolicy,
    Unit,
)


class StageSpec(DcoModel):
    """One stage's row of the policy table (`prompts/policies.yaml`)."""

    tone: str
    cta_style: str
    length: dict[CopyField, float]
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _shares(self) -> StageSpec:
        for field, share in self.length.items():
            if not 0 < share <= 1:
                raise ValueError(
                    _("length share of {field} must be in (0, 1], not {share}").format(
                        field=field, share=share
                    )
                )
        return self


_SHARES: dict[CopyField, float] = {"headline": 0.3, "body": 0.5, "cta": 0.2}
"""How a limit on several fields together is shared among them, unless the table says."""


class PolicyTable(DcoModel):
    """The stage policy table."""

    version: int = 1
    stages: dict[FunnelStage, StageSpec]
    formality: dict[str, Formality] = Field(default_factory=dict)
    compose_shares: dict[CopyField, float] = Field(default_factory=lambda: dict(_SHARES))

    @model_validator(mode="after")
    def _every_stage(self) -> PolicyTable:
        missing = [s.value for s in FunnelStage if s not in self.stages]
        if missing:
            raise ValueError(
                _("the table has no policy for {stages}").format(stages=", ".join(missing))
            )
        return self


def field_limits(
    channel: Channel, shares: dict[CopyField, float]
) -> dict[CopyField, tuple[int, Unit]]:
    """The limit each copy field must keep to in `channel`, in the channel's unit.

    A field measured alone takes its channel field's limit; fields sent together (an SMS) share
    the limit by `shares`, less the separators between them. The tightest bound wins.
    """
    limits: dict[CopyField, tuple[int, Unit]] = {}

    def bound(field: CopyField, limit: int, unit: Unit) -> None:
        if field not in limits or limit < limits[field][0]:
            limits[field] = (max(1, limit), unit)

    for name, spec in channel.fields.items():
        unit = channel.unit_of(name)
        for field in spec.copy_fields:
            bound(field, spec.limit, unit)
        if spec.compose:
            room = spec.limit - len(spec.separator) * (len(spec.compose) - 1)
            total = sum(shares.get(f, 0.0) for f in spec.compose) or 1.0
            for field in spec.compose:
                bound(field, math.floor(room * shares.get(field, 0.0) / total), unit)
    return limits


def policy_for(
    stage: FunnelStage,
    channel: Channel,
    table: PolicyTable,
    *,
    locale: str = "ko-KR",
    formality: Formality | None = None,
) -> StagePolicy:
    """The policy for copy at `stage` in `channel`; a brand's `formality` overrides the default."""
    spec = table.stages[stage]
    limits = field_limits(channel, table.compose_shares)
    lengths = {}
    for field in COPY_FIELDS:
        if field not in limits:
            continue
        limit, unit = limits[field]
        share = spec.length.get(field, 1.0)
        lengths[field] = FieldLength(
            target=max(1, math.floor(limit * share)), limit=limit, unit=unit
        )
    language = locale.split("-")[0]
    return StagePolicy(
        stage=stage,
        channel=channel.id,
        tone=spec.tone,
        cta_style=spec.cta_style,
        formality=formality or table.formality.get(language),
        lengths=lengths,
        notes=spec.notes,
    )
