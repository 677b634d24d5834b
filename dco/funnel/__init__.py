"""Classify: where a customer stands in the funnel, from search text, events and context."""

from dco.funnel.classifier import Classifier, classify, classify_many, default_classifier
from dco.funnel.learned import LearnedLayer, load_model
from dco.funnel.lexicon import Lexicon, load_lexicon
from dco.funnel.loading import load_classifier

__all__ = [
    "Classifier",
    "LearnedLayer",
    "Lexicon",
    "classify",
    "classify_many",
    "default_classifier",
    "load_classifier",
    "load_lexicon",
    "load_model",
]
