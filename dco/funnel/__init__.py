"""Classify: where a customer stands in the funnel, from search text, events and context."""

from dco.funnel.classifier import Classifier, classify, classify_many, default_classifier
from dco.funnel.lexicon import Lexicon, load_lexicon

__all__ = [
    "Classifier",
    "Lexicon",
    "classify",
    "classify_many",
    "default_classifier",
    "load_lexicon",
]
