"""What the queue's readers share: filters as SQL conditions, and decisions read back from rows."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import datetime

from dco.errors import ReviewError
from dco.models import Copy, Decision

FILTERS = ("campaign", "stage", "channel", "locale")
"""The variant columns a reader may filter by."""


def conditions(filters: Mapping[str, str | None], prefix: str = "") -> tuple[str, dict[str, str]]:
    """` AND column = :column` for each filter given (None is no filter), and the parameters."""
    unknown = [k for k in filters if k not in FILTERS]
    if unknown:
        raise ReviewError(f"unknown filter {unknown[0]!r}; filter by {', '.join(FILTERS)}")
    given = {k: str(v) for k, v in filters.items() if v is not None}
    return "".join(f" AND {prefix}{k} = :{k}" for k in given), given


def decision_from_row(row: sqlite3.Row) -> Decision:
    """The decision a `decisions` row records."""
    return Decision(
        variant_id=row["variant_id"],
        action=row["action"],
        reviewer=row["reviewer"],
        at=datetime.fromisoformat(row["at"]),
        edited=Copy.model_validate_json(row["edited"]) if row["edited"] else None,
        reasons=tuple(json.loads(row["reasons"])) if row["reasons"] else (),
        note=row["note"],
    )
