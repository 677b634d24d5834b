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

__all__ = [
    "PROFILE_NAME", "Example", "Guidance", "LocaleLessons", "Preference", "Section",
    "TuningProfile", "tune",
]  # fmt: skip
