"""dco: generative dynamic creative optimization with a human in the loop.

Classify where a customer stands in the funnel, write copy fitted to that stage and to the
channel's limits, check it against a brand's guidelines, review it, and learn from the review.

>>> import dco
>>> dco.classify("하프 마라톤 훈련 프로그램 가격").stage
<FunnelStage.DECISION: 'decision'>
>>> dco.measure("하프 마라톤", "google_width")
11
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names below, for type checkers and editors
    from dco.brand import Brand
    from dco.channels import Channel, FieldMeasure, channel_names, get_channel, load_catalog
    from dco.errors import (
        AuthenticationError,
        ConfigError,
        DcoError,
        InvalidReplyError,
        InvalidRequestError,
        OptionError,
        OutcomeError,
        ProviderError,
        RateLimitError,
        ReviewError,
        SelectionError,
        StatsError,
        StoreError,
        TransientError,
        UnencodableTextError,
        UnknownNameError,
        WorkerError,
    )
    from dco.funnel import Classifier, Lexicon, load_lexicon
    from dco.generation import (
        BatchResult,
        GenerationResult,
        agenerate,
        agenerate_many,
        generate,
        generate_many,
    )
    from dco.generation.batch_jobs import collect_batch, open_job, submit_batch
    from dco.models import (
        Brief,
        Copy,
        Decision,
        Event,
        FieldLength,
        Finding,
        FunnelStage,
        Provenance,
        Signals,
        Span,
        StagePolicy,
        StageResult,
        Variant,
    )
    from dco.opinion import classify, classify_many
    from dco.prompts import PromptSet
    from dco.providers import Provider, get_provider
    from dco.review import ReviewQueue
    from dco.serving import ContextRules, Selection, Selector, select
    from dco.simulation import SimulatedReviewer, simulate
    from dco.text import measure
    from dco.tuning import TuningProfile, compare_prompt_versions, summarise_decisions, tune

from dco._lazy import lazy_face
from dco._version import __version__

__all__ = [
    "AuthenticationError",
    "BatchResult",
    "Brand",
    "Brief",
    "Channel",
    "Classifier",
    "ConfigError",
    "ContextRules",
    "Copy",
    "DcoError",
    "Decision",
    "Event",
    "FieldLength",
    "FieldMeasure",
    "Finding",
    "FunnelStage",
    "GenerationResult",
    "InvalidReplyError",
    "InvalidRequestError",
    "Lexicon",
    "OptionError",
    "OutcomeError",
    "PromptSet",
    "Provenance",
    "Provider",
    "ProviderError",
    "RateLimitError",
    "ReviewError",
    "ReviewQueue",
    "Selection",
    "SelectionError",
    "Selector",
    "Signals",
    "SimulatedReviewer",
    "Span",
    "StagePolicy",
    "StageResult",
    "StatsError",
    "StoreError",
    "TransientError",
    "TuningProfile",
    "UnencodableTextError",
    "UnknownNameError",
    "Variant",
    "WorkerError",
    "__version__",
    "agenerate",
    "agenerate_many",
    "channel_names",
    "classify",
    "classify_many",
    "collect_batch",
    "compare_prompt_versions",
    "generate",
    "generate_many",
    "get_channel",
    "get_provider",
    "load_catalog",
    "load_lexicon",
    "measure",
    "open_job",
    "select",
    "simulate",
    "submit_batch",
    "summarise_decisions",
    "tune",
]

# Where each public name lives, module by module as imported above. Submodules load on first
# use, so a script (or a command such as `dco lint`) that needs the brand checker does not pay
# for the generator, the review queue and the provider clients at start-up.
_WHERE = {
    "dco.brand": ["Brand"],
    "dco.channels": ["Channel", "FieldMeasure", "channel_names", "get_channel", "load_catalog"],
    "dco.errors": ["AuthenticationError", "ConfigError", "DcoError", "InvalidReplyError",
                   "InvalidRequestError", "OptionError", "OutcomeError", "ProviderError",
                   "RateLimitError", "ReviewError", "SelectionError", "StatsError", "StoreError",
                   "TransientError", "UnencodableTextError", "UnknownNameError", "WorkerError"],
    "dco.funnel": ["Classifier", "Lexicon", "load_lexicon"],
    "dco.generation": ["BatchResult", "GenerationResult", "agenerate", "agenerate_many",
                       "generate", "generate_many"],
    "dco.generation.batch_jobs": ["collect_batch", "open_job", "submit_batch"],
    "dco.models": ["Brief", "Copy", "Decision", "Event", "FieldLength", "Finding",
                   "FunnelStage", "Provenance", "Signals", "Span", "StagePolicy",
                   "StageResult", "Variant"],
    "dco.opinion": ["classify", "classify_many"],
    "dco.prompts": ["PromptSet"],
    "dco.providers": ["Provider", "get_provider"],
    "dco.review": ["ReviewQueue"],
    "dco.serving": ["ContextRules", "Selection", "Selector", "select"],
    "dco.text": ["measure"],
    "dco.simulation": ["SimulatedReviewer", "simulate"],
    "dco.tuning": ["TuningProfile", "compare_prompt_versions", "summarise_decisions", "tune"],
}  # fmt: skip
__getattr__, __dir__ = lazy_face(__name__, _WHERE)
