"""Variants and decisions read back from the queue's rows."""

from __future__ import annotations

import json
import re
from datetime import datetime

from pydantic import ValidationError

from dco.errors import StoreError
from dco.i18n import _
from dco.models import Copy, Decision, Variant
from dco.review.stores.base import DecisionRow, damaged

_STORED_ID = re.compile(r'"id"\s*:\s*"([^"\\]{1,200})"')
"""A stored variant's id, found in a record that cannot be read as a whole."""


def variant_from_record(data: str, queue: str, variant_id: str | None = None) -> Variant:
    """The variant a `variants` row's record holds; a `StoreError` naming the queue and the
    variant when the record is not one this dco can read (changed by hand or by another
    program, or written by a newer dco with fields this one does not know)."""
    try:
        return Variant.model_validate_json(data)
    except ValidationError as e:
        found = variant_id or _stored_id(data)
        problem = e.errors(include_url=False)[0]
        where = ".".join(str(key) for key in problem["loc"])
        raise StoreError(
            _(
                "{queue}: variant {variant} is not one this dco can read ({why}); if a newer "
                "dco wrote it, review with that one, else remove the variant or fix its record"
            ).format(
                queue=queue,
                variant=found or _("(its id unreadable)"),
                why=f"{where}: {problem['msg']}" if where else problem["msg"],
            )
        ) from None


def _stored_id(data: str) -> str | None:
    found = _STORED_ID.search(data[:4096])  # a variant's record begins with its copy and id
    return found.group(1) if found else None


def decision_from_row(row: DecisionRow, queue: str) -> Decision:
    """The decision a `decisions` row records; a `StoreError` naming the queue and the decision
    when the row is not one this dco can read (as `variant_from_record`)."""
    try:
        return Decision(
            variant_id=row.variant_id,
            action=row.action,
            reviewer=row.reviewer,
            at=datetime.fromisoformat(row.at),
            edited=Copy.model_validate_json(row.edited) if row.edited else None,
            reasons=tuple(json.loads(row.reasons)) if row.reasons else (),
            note=row.note,
        )
    except (ValueError, TypeError) as e:  # ValidationError is a ValueError
        what = _("decision {seq} (on {variant})").format(seq=row.seq, variant=row.variant_id)
        raise damaged(queue, what, e) from None
