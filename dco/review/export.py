"""Approved copy as rows ready for upload: plain CSV/JSONL, and Google Ads Editor's RSA layout."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dco.models import Copy, Decision, Variant

COLUMNS = (
    "variant_id", "headline", "body", "cta", "stage", "channel", "locale", "campaign",
    "prompt_version", "model", "decision", "reviewer", "decided_at",
)  # fmt: skip
RSA_HEADLINES, RSA_DESCRIPTIONS = 15, 4


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


def to_google_ads_rsa(rows: Sequence[ExportRow], *, final_url: str = "") -> str:
    """Google Ads Editor's columns for responsive search ads: one ad per campaign and stage (the
    ad group), its headlines the approved headlines and calls to action (at most 15, no
    repeats) and its descriptions the approved bodies (at most 4)."""
    groups: dict[tuple[str, str], list[ExportRow]] = {}
    for row in rows:
        key = (row.variant.brief.campaign or "dco", row.variant.stage.value)
        groups.setdefault(key, []).append(row)
    header = ["Campaign", "Ad group", "Ad type", "Final URL"]
    header += [f"Headline {i}" for i in range(1, RSA_HEADLINES + 1)]
    header += [f"Description {i}" for i in range(1, RSA_DESCRIPTIONS + 1)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for (campaign, stage), members in groups.items():
        headlines = _unique(t for r in members for t in (r.copy.headline, r.copy.cta))
        descriptions = _unique(r.copy.body for r in members)
        headlines = (headlines + [""] * RSA_HEADLINES)[:RSA_HEADLINES]
        descriptions = (descriptions + [""] * RSA_DESCRIPTIONS)[:RSA_DESCRIPTIONS]
        writer.writerow(
            [campaign, f"{campaign} - {stage}", "Responsive search ad", final_url,
             *headlines, *descriptions]
        )  # fmt: skip
    return buffer.getvalue()


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
