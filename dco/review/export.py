"""Approved copy as rows ready for upload: plain CSV/JSONL, and Google Ads Editor's RSA layout."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dco.errors import OptionError
from dco.models import Copy, Decision, Variant

COLUMNS = (
    "variant_id", "headline", "body", "cta", "stage", "channel", "locale", "campaign",
    "prompt_version", "model", "decision", "reviewer", "decided_at",
)  # fmt: skip
RSA_HEADLINES, RSA_DESCRIPTIONS = 15, 4
RSA_MIN_HEADLINES, RSA_MIN_DESCRIPTIONS = 3, 2
RSA_PER_AD_GROUP = 3
"""Google Ads' limits for responsive search ads: the most and fewest texts of each kind in one
ad, and the most enabled RSAs in one ad group."""


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


def to_google_ads_rsa(rows: Sequence[ExportRow], *, final_url: str) -> str:
    """Google Ads Editor's columns for responsive search ads, every approved text in some ad.

    An RSA holds at most 15 headlines (the approved headlines and calls to action, no repeats)
    and 4 descriptions (the approved bodies), and an ad group at most 3 enabled RSAs; a
    campaign stage with more copy becomes as many ads, and ad groups, as it needs. An ad whose
    share falls short of the 3 headlines and 2 descriptions an RSA must have is filled from the
    stage's others.
    """
    if not final_url.strip():
        raise OptionError(
            "Google Ads needs a Final URL for every ad: give --final-url https://… (the page "
            "the ads lead to)"
        )
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
        ads = _ads(headlines, descriptions)
        for number, (shown, described) in enumerate(ads):
            group = f"{campaign} - {stage}"
            if len(ads) > RSA_PER_AD_GROUP:
                group += f" {number // RSA_PER_AD_GROUP + 1}"
            writer.writerow([
                campaign, group, "Responsive search ad", final_url,
                *_padded(shown, RSA_HEADLINES), *_padded(described, RSA_DESCRIPTIONS),
            ])  # fmt: skip
    return buffer.getvalue()


def _ads(headlines: list[str], descriptions: list[str]) -> list[tuple[list[str], list[str]]]:
    """The texts split into RSAs: each text in one ad at least, each ad within the limits and
    (where the stage has enough) at the minimums."""
    heads = _chunks(headlines, RSA_HEADLINES) or [[]]
    bodies = _chunks(descriptions, RSA_DESCRIPTIONS) or [[]]
    count = max(len(heads), len(bodies))
    return [
        (_at_least(heads[i % len(heads)], headlines, RSA_MIN_HEADLINES),
         _at_least(bodies[i % len(bodies)], descriptions, RSA_MIN_DESCRIPTIONS))
        for i in range(count)
    ]  # fmt: skip


def _chunks(texts: list[str], size: int) -> list[list[str]]:
    return [texts[start : start + size] for start in range(0, len(texts), size)]


def _at_least(chosen: list[str], every: list[str], minimum: int) -> list[str]:
    extra = [t for t in every if t not in chosen][: max(0, minimum - len(chosen))]
    return chosen + extra


def _padded(texts: list[str], width: int) -> list[str]:
    return (texts + [""] * width)[:width]


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
