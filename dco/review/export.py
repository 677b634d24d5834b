"""Approved copy as plain rows ready for upload: CSV and JSONL, one row per approved variant."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dco.models import Copy, Decision, Variant

COLUMNS = (
    "variant_id", "headline", "body", "cta", "stage", "channel", "locale", "campaign",
    "prompt_version", "model", "decision", "reviewer", "decided_at",
)  # fmt: skip


@dataclass(frozen=True)
class ExportRow:
    """One approved variant with its final copy."""

    variant: Variant
    copy: Copy
    decision: Decision

    def as_dict(self) -> dict[str, Any]:
        provenance = self.variant.provenance
        return {
            "variant_id": self.variant.id,
            "headline": self.copy.headline,
            "body": self.copy.body,
            "cta": self.copy.cta,
            "stage": self.variant.stage.value,
            "channel": self.variant.channel,
            "locale": self.variant.locale,
            "campaign": self.variant.brief.campaign or "",
            "prompt_version": provenance.prompt_version if provenance else "",
            "model": provenance.model if provenance else "",
            "decision": self.decision.action,
            "reviewer": self.decision.reviewer,
            "decided_at": self.decision.at.isoformat(),
        }


def to_csv(rows: Iterable[ExportRow]) -> str:
    """The rows as CSV with a header, UTF-8 text (write it with a BOM for spreadsheet apps)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row.as_dict())
    return buffer.getvalue()


def to_jsonl(rows: Iterable[ExportRow]) -> str:
    """The rows as JSON lines."""
    return "".join(json.dumps(row.as_dict(), ensure_ascii=False) + "\n" for row in rows)
