"""Review: the queue of variants and reviewers' decisions (SQLite), and the terminal app."""

from dco.errors import ReviewError
from dco.review.queue import REASON_TAGS, Claimed, ReviewQueue

__all__ = ["REASON_TAGS", "Claimed", "ReviewError", "ReviewQueue"]
