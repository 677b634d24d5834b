"""The classifier's lexicon: cues and their weights per stage, event weights, and overrides.

The built-in lexicon is `dco/data/funnel.yaml` (its header documents the scoring rules and the
defaults); a brand's file of the same shape overrides any part of it (`load_lexicon`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import pydantic
from pydantic import AfterValidator, Field, field_validator, model_validator

from dco import resources, yamlfile
from dco.i18n import _
from dco.models import DcoModel, FunnelStage
from dco.models import events as event_vocabulary


class Cue(DcoModel):
    """A cue's weight, the label reasons show instead of the match, and the contexts it needs.

    A cue that `needs` contexts counts only when a term of one of them is also in the text
    ('order' with 'pizza', 'vs' between products); one with `unless` contexts does not count when
    a term of one of them is there. Both name groups of the lexicon's `contexts`.
    """

    weight: float = Field(ge=0)
    label: str | None = None
    needs: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()


class Context(DcoModel):
    """A named group of terms that makes a cue count or not: products, a commercial frame, …"""

    label: str
    """How reasons name the group: 'a product or brand'."""
    terms: tuple[str, ...] = Field(min_length=1)


EventName = Annotated[str, AfterValidator(event_vocabulary.check_name)]


class EventWeights(DcoModel):
    """How events count: per-stage weights, recency half-life and the cap on repetition."""

    half_life_hours: float = Field(default=168, gt=0)
    max_repeat_factor: float = Field(default=3.0, ge=1)
    weights: dict[EventName, dict[FunnelStage, float]] = Field(default_factory=dict)


class Lexicon(DcoModel):
    """Everything the classifier knows: cues per stage, exceptions, event weights, defaults."""

    version: int = 1
    default_stage: FunnelStage = FunnelStage.AWARENESS
    temperature: float = Field(default=1.0, gt=0)
    low_confidence: float = Field(default=0.5, ge=0, le=1)
    text_weight: float = Field(default=1.0, ge=0)
    max_text_chars: int = Field(default=2000, ge=1)
    cues: dict[FunnelStage, dict[str, Cue]] = Field(default_factory=dict)
    contexts: dict[str, Context] = Field(default_factory=dict)
    exceptions: tuple[str, ...] = ()
    events: EventWeights = Field(default_factory=EventWeights)

    @model_validator(mode="after")
    def _contexts_are_defined(self) -> Lexicon:
        for stage, cues in self.cues.items():
            for term, cue in cues.items():
                unknown = [c for c in (*cue.needs, *cue.unless) if c not in self.contexts]
                if unknown:
                    known = ", ".join(sorted(self.contexts)) or "none"
                    raise ValueError(
                        _(
                            "cue {term!r} ({stage}) names the context {context!r}, which "
                            "'contexts' does not define (defined: {known})"
                        ).format(term=term, stage=stage.value, context=unknown[0], known=known)
                    )
        return self

    @field_validator("cues", mode="before")
    @classmethod
    def _bare_weights(cls, cues: Any) -> Any:
        # `추천: 1.2` is shorthand for `추천: {weight: 1.2}`.
        if not isinstance(cues, Mapping):
            return cues
        return {
            stage: (
                {
                    term: {"weight": v} if isinstance(v, int | float) else v
                    for term, v in terms.items()
                }
                if isinstance(terms, Mapping)
                else terms
            )
            for stage, terms in cues.items()
        }

    def merged(self, override: Mapping[str, Any]) -> Lexicon:
        """This lexicon with a brand's override applied (see the header of `funnel.yaml`)."""
        data = self.model_dump(mode="json")
        for key, value in override.items():
            if key == "cues" and isinstance(value, Mapping):
                for stage, terms in self._bare_weights(value).items():
                    stage_cues = data["cues"].setdefault(stage, {})
                    for term, cue in (terms or {}).items():
                        if isinstance(cue, Mapping) and cue.get("weight") == 0:
                            stage_cues.pop(term, None)
                        else:
                            stage_cues[term] = cue
            elif key == "contexts" and isinstance(value, Mapping):
                for name, context in value.items():
                    known = data["contexts"].get(name)
                    if known and isinstance(context, Mapping) and "terms" in context:
                        # A brand's terms join the group's; its label, if given, replaces it.
                        terms = [*known["terms"], *(context.get("terms") or [])]
                        data["contexts"][name] = {**known, **context, "terms": terms}
                    else:
                        data["contexts"][name] = context
            elif key == "exceptions" and isinstance(value, list):
                data["exceptions"] = [*data["exceptions"], *value]
            elif key == "events" and isinstance(value, Mapping):
                events = data["events"]
                for name, setting in value.items():
                    if name == "weights" and isinstance(setting, Mapping):
                        events["weights"].update(setting)
                    else:
                        events[name] = setting
            else:
                data[key] = value
        return Lexicon.model_validate(data)


def load_lexicon(override: str | Path | None = None) -> Lexicon:
    """The built-in lexicon, with the override file at `override` (a brand's) applied."""
    base = builtin_lexicon()
    if override is None:
        return base
    document = yamlfile.load(override)
    if not isinstance(document.data, Mapping):
        raise resources.data_error(document, (), "expected a mapping like funnel.yaml's")
    try:
        return base.merged(document.data)
    except pydantic.ValidationError as e:
        raise document.error_from(e, what="funnel lexicon") from e


@functools.cache
def builtin_lexicon() -> Lexicon:
    return resources.load_data("funnel.yaml").validate(Lexicon, what="funnel lexicon")
