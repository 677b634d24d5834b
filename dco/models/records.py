"""The decision log's rows as statistics, tuning and selection read them.

Named tuples, not models: a log of a hundred thousand decisions is read in one go.
"""

from __future__ import annotations

from typing import NamedTuple


class Reviewed(NamedTuple):
    """A decided variant and the decision standing for it, as statistics and tuning read them.

    A named tuple, not a model: a log of a hundred thousand is read in one go.
    """

    variant_id: str
    campaign: str | None
    stage: str
    channel: str
    locale: str
    prompt_version: str | None
    model: str | None
    copy: dict[str, str]
    seq: int
    """The decision's place in the log: later decisions have larger numbers."""
    action: str
    reviewer: str
    at: str
    edited: dict[str, str] | None
    reasons: tuple[str, ...]
    distance: float
    """How far an edit moved the copy (0 … 1); 0 for approvals and rejections."""

    # One decision: statistics read rows of counts, in which a single record counts once.
    # (A class attribute in a NamedTuple is not a field, which mypy does not allow for; it
    # shadows tuple.count, which no reader of a record calls.)
    count = 1  # type: ignore[misc]

    @property
    def final(self) -> dict[str, str]:
        """The copy that stands: the edited version of an edit, else the variant's own."""
        return self.edited if self.edited is not None else self.copy


class DecisionCount(NamedTuple):
    """How many standing decisions share every dimension, and their edits' summed distance."""

    stage: str
    channel: str
    locale: str
    prompt_version: str | None
    model: str | None
    campaign: str | None
    reviewer: str
    action: str
    reasons: tuple[str, ...]
    count: int  # type: ignore[assignment]  # a field, though tuple has a method of the name
    distance: float


class OutcomeRow(NamedTuple):
    """One variant's dimensions and tags with its outcome figures summed, for statistics."""

    stage: str
    channel: str
    locale: str
    prompt_version: str | None
    model: str | None
    campaign: str | None
    tags: tuple[str, ...]
    impressions: int
    clicks: int
    conversions: int
