"""dco: generative dynamic creative optimization with a human in the loop.

Classify where a customer stands in the funnel, write copy fitted to that stage and to the
channel's limits, check it against a brand's guidelines, review it, and learn from the review.

>>> import dco
>>> dco.classify("하프 마라톤 훈련 프로그램 가격").stage
<FunnelStage.DECISION: 'decision'>
>>> dco.measure("하프 마라톤", "google_width")
11
"""

from dco.brand import Brand
from dco.channels import Channel, FieldMeasure, channel_names, get_channel, load_catalog
from dco.context import ContextRules
from dco.errors import ConfigError, DcoError, UnencodableTextError, UnknownNameError
from dco.funnel import Classifier, Lexicon, classify, classify_many, load_lexicon
from dco.generate import (
    BatchResult,
    GenerationResult,
    agenerate,
    agenerate_many,
    generate,
    generate_many,
)
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
from dco.prompts import PromptSet
from dco.providers import Provider, ProviderError, get_provider
from dco.review import ReviewQueue
from dco.text import measure
from dco.tuning import TuningProfile, tune

__version__ = "0.1.0"

__all__ = [
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
    "Lexicon",
    "PromptSet",
    "Provenance",
    "Provider",
    "ProviderError",
    "ReviewQueue",
    "Selection",
    "Selector",
    "Signals",
    "Span",
    "StagePolicy",
    "StageResult",
    "TuningProfile",
    "UnencodableTextError",
    "UnknownNameError",
    "Variant",
    "__version__",
    "agenerate",
    "agenerate_many",
    "channel_names",
    "classify",
    "classify_many",
    "generate",
    "generate_many",
    "get_channel",
    "get_provider",
    "load_catalog",
    "load_lexicon",
    "measure",
    "select",
    "tune",
]


def __getattr__(name: str):
    # Selection needs numpy; importing it only when asked keeps `import dco` (and every `dco`
    # command's start-up) light.
    if name in ("Selection", "Selector", "select"):
        from dco import selection

        return getattr(selection, name)
    raise AttributeError(f"module 'dco' has no attribute {name!r}")
