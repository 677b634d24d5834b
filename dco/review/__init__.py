"""The review queue: a SQLite store of variants and reviewers' decisions, and its API."""

from dco.errors import ReviewError
from dco.review.queue import REASON_TAGS, Claimed, ReviewQueue

__all__ = ["REASON_TAGS", "Claimed", "ReviewError", "ReviewQueue"]
