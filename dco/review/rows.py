"""Decisions read back from the log's rows."""

from __future__ import annotations

import json
from datetime import datetime

from dco.models import Copy, Decision
from dco.review.stores.base import DecisionRow


def decision_from_row(row: DecisionRow) -> Decision:
    """The decision a `decisions` row records."""
    return Decision(
        variant_id=row.variant_id,
        action=row.action,
        reviewer=row.reviewer,
        at=datetime.fromisoformat(row.at),
        edited=Copy.model_validate_json(row.edited) if row.edited else None,
        reasons=tuple(json.loads(row.reasons)) if row.reasons else (),
        note=row.note,
    )
