"""The values every step of the loop passes on: signals, stages, briefs, copy, variants."""

from dco.models.ids import ContentIds, canonical_json, content_id
from dco.models.values import (
    COPY_FIELDS,
    STAGES,
    Brief,
    Copy,
    CopyField,
    DcoModel,
    Decision,
    DecisionAction,
    Event,
    FieldLength,
    Finding,
    Formality,
    FunnelStage,
    Level,
    Locale,
    Provenance,
    Signals,
    Span,
    StagePolicy,
    StageResult,
    Unit,
    Variant,
    normalise_locale,
)

__all__ = [
    "COPY_FIELDS", "STAGES", "Brief", "ContentIds", "Copy", "CopyField", "DcoModel", "Decision",
    "DecisionAction", "Event", "FieldLength", "Finding", "Formality", "FunnelStage", "Level",
    "Locale", "Provenance", "Signals", "Span", "StagePolicy", "StageResult", "Unit", "Variant",
    "canonical_json", "content_id", "normalise_locale",
]  # fmt: skip
