"""Prompt tuning from reviewers' decisions: examples, learned preferences and avoid-notes."""

from dco.tuning.profile import Example, Guidance, LocaleLessons, Preference, Section, TuningProfile
from dco.tuning.tune import tune

__all__ = [
    "Example", "Guidance", "LocaleLessons", "Preference", "Section", "TuningProfile", "tune",
]  # fmt: skip
