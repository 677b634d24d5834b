"""Review: the queue of variants and reviewers' decisions (a SQLite file or a PostgreSQL server),
its copying between the two, and the terminal app."""

from dco.errors import ReviewError
from dco.review.export import ExportRow, to_csv, to_jsonl
from dco.review.google_ads import to_google_ads_rsa
from dco.review.queue import REASON_TAGS, Claimed, PendingRow, ReviewQueue, Taken

__all__ = [
    "REASON_TAGS", "Claimed", "ExportRow", "PendingRow", "ReviewError", "ReviewQueue", "Taken",
    "to_csv", "to_google_ads_rsa", "to_jsonl",
]  # fmt: skip
