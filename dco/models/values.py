"""The values dco passes between its steps: signals, stages, briefs, copy, variants, decisions.

All are pydantic v2 models that reject unknown fields (naming them, with the nearest valid one),
are immutable where they are values, and round-trip through JSON unchanged.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from dco.i18n import N_, _, did_you_mean
from dco.models import events as _events
from dco.models.ids import content_id

# What `DcoModel.trusted` writes, looked up once: BaseModel's slots, set through their
# descriptors, cost a third less than object.__setattr__ by name on every finding built.
_new_object = object.__new__
_set_attribute = object.__setattr__
# (The stubs type these as the instance attributes they hold; on the class they are slots.)
_set_fields_set = BaseModel.__pydantic_fields_set__.__set__  # type: ignore[attr-defined]
_set_extra = BaseModel.__pydantic_extra__.__set__  # type: ignore[union-attr]
_set_private = BaseModel.__pydantic_private__.__set__  # type: ignore[union-attr]

M = TypeVar("M", bound="DcoModel")


class DcoModel(BaseModel):
    """Base of dco's models: unknown fields are an error that names them and suggests a fix."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_fields(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = data.keys() - cls._known_names()
            if unknown:
                key = sorted(map(str, unknown))[0]
                raise PydanticCustomError(
                    "unknown_key",
                    "unknown field '{key}' for {model}.{hint} Known fields: {known}.",
                    {
                        "key": key,
                        "model": cls.__name__,
                        "hint": did_you_mean(key, sorted(cls.model_fields)),
                        "known": ", ".join(cls.model_fields),
                    },
                )
        return data

    @classmethod
    def trusted(cls: type[M], **values: Any) -> M:
        """An instance from values already known valid, with every field given.

        What `model_construct` does, without its per-field bookkeeping: for the hot paths that
        build thousands of findings and variants a second from values dco computed itself.
        A test keeps it equal to a validated instance.
        """
        return cls.restored(values, set(values))

    @classmethod
    def restored(cls: type[M], values: dict[str, Any], fields_set: set[str]) -> M:
        """An instance again from another's values (its `__dict__`, taken as it is) and the
        fields it was given: what a model pickled across processes needs, at a third of the
        cost of pydantic's own pickling."""
        instance = _new_object(cls)
        _set_attribute(instance, "__dict__", values)
        _set_fields_set(instance, fields_set)
        _set_extra(instance, None)
        _set_private(instance, None)
        return instance

    @classmethod
    def _known_names(cls) -> frozenset[str]:
        # Computed once per class: this check runs on every model built.
        known = cls.__dict__.get("_dco_known_names")
        if known is None:
            names = set(cls.model_fields)
            names.update(f.alias for f in cls.model_fields.values() if f.alias)
            known = frozenset(names)
            type.__setattr__(cls, "_dco_known_names", known)
        return known


class FunnelStage(str, Enum):
    """Where a customer stands in the marketing funnel."""

    AWARENESS = "awareness"
    CONSIDERATION = "consideration"
    DECISION = "decision"

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        """The stage's name as a reader sees it, in the language in use (the value is data)."""
        return _(_STAGE_LABELS[self.value])


_STAGE_LABELS = {
    "awareness": N_("awareness"), "consideration": N_("consideration"), "decision": N_("decision"),
}  # fmt: skip
STAGES: tuple[FunnelStage, ...] = tuple(FunnelStage)

Level = Literal["suggestion", "warning", "error"]
Unit = Literal["chars", "google_width", "cp949_bytes", "graphemes"]
CopyField = Literal["headline", "body", "cta"]
Formality = Literal["haeyo", "hamnida", "banmal"]
"""The Korean registers: 해요체, 합니다체 and 반말."""
COPY_FIELDS: tuple[CopyField, ...] = ("headline", "body", "cta")

_LOCALE = re.compile(r"^(?P<lang>[A-Za-z]{2,3})(?:[-_](?P<region>[A-Za-z]{2}|\d{3}))?$")


def normalise_locale(value: str) -> str:
    """`ko_kr` → `ko-KR`; raises ValueError for something that is not a language[-REGION] tag."""
    match = _LOCALE.match(value.strip())
    if not match:
        raise ValueError(
            _(
                "locale {value!r} is not a language tag such as 'ko', 'ko-KR', 'en' or 'en-US'"
            ).format(value=value)
        )
    lang, region = match["lang"].lower(), match["region"]
    return f"{lang}-{region.upper()}" if region else lang


Locale = Annotated[str, Field(min_length=2, max_length=10)]


class Event(DcoModel):
    """One behavioural event, from the vocabulary in `dco/data/events.yaml`.

    Written as a string, an event is its name with an optional repeat count and age:
    ``add_to_cart``, ``return_visit*3`` (three times), ``page_view:pricing@2h`` (two hours ago),
    ``product_view*2@3d``. Ages take the suffixes ``m`` (minutes), ``h`` (hours) and ``d`` (days).
    """

    name: str
    count: int = Field(default=1, ge=1, le=1_000_000)
    age_hours: float | None = Field(default=None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            return _events.parse(data)
        return data

    @field_validator("name")
    @classmethod
    def _known_event(cls, name: str) -> str:
        return _events.check_name(name)

    def __str__(self) -> str:
        return _events.format_event(self.name, self.count, self.age_hours)


class Signals(DcoModel):
    """What we know about a customer: their search or intent text, events and context."""

    text: str = ""
    events: tuple[Event, ...] = ()
    locale: str | None = None
    context: dict[str, JsonValue] = Field(default_factory=dict)

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        return None if value is None else normalise_locale(value)


class StageResult(DcoModel):
    """The classifier's answer: a stage, how sure it is, the per-stage scores and why."""

    stage: FunnelStage
    confidence: float = Field(ge=0.0, le=1.0)
    scores: dict[FunnelStage, float]
    reasons: tuple[str, ...] = ()
    defaulted: bool = False
    """True when no signal decided and the documented default stage was used."""
    decided_by: Literal["lexicon", "learned", "default", "provider"] = "lexicon"
    """Which part chose the stage: the lexicon's cues and event weights alone, the learned layer
    over them, the default stage (nothing to go on), or a language model's second opinion."""


class FieldLength(DcoModel):
    """How long one copy field should be, and may be, in the channel's counting unit."""

    target: int = Field(ge=1)
    limit: int | None = Field(default=None, ge=1)
    unit: Unit = "chars"

    @model_validator(mode="after")
    def _target_within_limit(self) -> FieldLength:
        if self.limit is not None and self.target > self.limit:
            raise ValueError(f"target {self.target} exceeds the limit {self.limit}")
        return self


class StagePolicy(DcoModel):
    """How copy for one stage (and channel, and brand) should read: tone, length, CTA, formality."""

    stage: FunnelStage
    channel: str = "generic"
    tone: str
    cta_style: str
    formality: Formality | None = None
    lengths: dict[CopyField, FieldLength] = Field(default_factory=dict)
    notes: tuple[str, ...] = ()


class Brief(DcoModel):
    """What to write about: the product, for whom, its benefits and offer, where it will run.

    Each field is bounded: a brief goes into every prompt and every repair round, so a pasted
    document would be paid for again and again (a `notes` of a few pages is the most)."""

    product: str = Field(min_length=1, max_length=300)
    audience: str = Field(default="", max_length=1_000)
    benefits: tuple[Annotated[str, Field(max_length=300)], ...] = Field(default=(), max_length=20)
    offer: str | None = Field(default=None, max_length=500)
    channel: str = "generic"
    locale: str = "ko-KR"
    campaign: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=4_000)

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        return normalise_locale(value)


class Copy(DcoModel):
    """One piece of copy: headline, body and call to action (a field may be empty)."""

    headline: str = ""
    body: str = ""
    cta: str = ""

    @model_validator(mode="after")
    def _not_empty(self) -> Copy:
        if not (self.headline.strip() or self.body.strip() or self.cta.strip()):
            raise ValueError(_("copy needs text in at least one of headline, body or cta"))
        return self

    def fields(self) -> dict[CopyField, str]:
        """The copy as a field → text mapping, in display order."""
        return {"headline": self.headline, "body": self.body, "cta": self.cta}


class Span(DcoModel):
    """Where in a field's text a finding sits: 0-based character offsets, end exclusive."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Finding(DcoModel):
    """One problem a brand rule (or a channel limit) found in a piece of copy."""

    rule: str
    level: Level
    message: str
    field: str | None = None
    line: int = Field(default=1, ge=1)
    column: int = Field(default=1, ge=1)
    span: Span | None = None
    match: str | None = None
    replacement: str | None = None
    link: str | None = None


class Provenance(DcoModel):
    """How a variant came to be: enough to reproduce it and to compare prompt versions."""

    provider: str
    model: str
    prompt_version: str
    parameters: dict[str, JsonValue] = Field(default_factory=dict)
    seed: int | None = None
    usage: dict[str, int] = Field(default_factory=dict)
    latency_ms: float | None = Field(default=None, ge=0)
    attempts: int = Field(default=1, ge=1)
    """Generation rounds it took: 1 when the first reply was fine, more after repairs."""
    retries: int = Field(default=0, ge=0)
    """Provider calls retried after rate limits, timeouts or server errors."""
    redactions: int = Field(default=0, ge=0)
    """How many pieces of personal data were replaced by placeholders before prompting."""


with warnings.catch_warnings():
    # `copy` is the natural name here; it shadows only pydantic's deprecated `BaseModel.copy`.
    warnings.filterwarnings("ignore", message='Field name "copy"', category=UserWarning)

    class _VariantBase(DcoModel):
        copy: Copy  # type: ignore[assignment]  # a field named as pydantic's old method


class Variant(_VariantBase):
    """Generated copy with everything that explains it; its id derives from its content."""

    id: str = ""
    brief: Brief
    stage: FunnelStage
    stage_result: StageResult | None = None
    policy: StagePolicy | None = None
    channel: str = "generic"
    locale: str = "ko-KR"
    provenance: Provenance | None = None
    findings: tuple[Finding, ...] = ()
    tags: tuple[str, ...] = ()
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))

    @model_validator(mode="after")
    def _derive_id(self) -> Variant:
        if not self.id:
            # Frozen model: set the derived id once, during validation.
            object.__setattr__(self, "id", self.content_id())
        return self

    def content_id(self) -> str:
        """A stable id from what the variant says and for whom, so the same copy is stored once."""
        return content_id(
            self.copy,
            self.brief.model_dump(mode="json"),
            self.stage,
            self.channel,
            self.locale,
            self.provenance.prompt_version if self.provenance else None,
        )


DecisionAction = Literal["approve", "edit", "reject", "skip", "undo"]


class Decision(DcoModel):
    """One reviewer's decision on one variant: an entry in the append-only decision log."""

    variant_id: str = Field(min_length=1)
    action: DecisionAction
    reviewer: str = Field(min_length=1)
    at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    edited: Copy | None = None
    reasons: tuple[str, ...] = ()
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Decision:
        if self.action == "edit" and self.edited is None:
            raise ValueError("an 'edit' decision needs the edited copy in 'edited'")
        if self.action != "edit" and self.edited is not None:
            raise ValueError(f"only an 'edit' decision carries edited copy, not {self.action!r}")
        if self.action == "reject" and not self.reasons:
            raise ValueError("a 'reject' decision needs at least one reason tag in 'reasons'")
        return self
