"""Learn: what reviewers' decisions teach the prompts, and statistics of how they decided."""

from dco.tuning.learn import tune
from dco.tuning.profile import (
    PROFILE_NAME,
    Example,
    Guidance,
    LocaleLessons,
    Preference,
    Section,
    TuningProfile,
)
from dco.tuning.stats import compare as compare_prompt_versions
from dco.tuning.stats import summarise as summarise_decisions

__all__ = [
    "PROFILE_NAME", "Example", "Guidance", "LocaleLessons", "Preference", "Section",
    "TuningProfile", "compare_prompt_versions", "summarise_decisions", "tune",
]  # fmt: skip
