"""Approved copy as Google Ads Editor's responsive search ads (`data/exports/google_ads_rsa.yaml`).

Two layouts, chosen by the team:

- `per-variant` (the default): one ad for each approved variant, its headline pinned first and
  its body pinned as the first description, so every impression of the ad shows that variant's
  copy; the stage's other texts fill the places an ad must have. The ad's label carries the
  variant id, and the platform's report joins back to exactly one variant.
- `pooled`: the stage's texts shared out over as few ads as the limits allow, Google choosing
  among them. Nothing is dropped, but an ad's figures belong to several variants at once (its
  label names them all), so they cannot be told apart in a report.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from dco import resources
from dco.errors import OptionError
from dco.i18n import _
from dco.models import DcoModel
from dco.review.export import ExportRow

Layout = Literal["per-variant", "pooled"]
LAYOUTS: tuple[Layout, ...] = ("per-variant", "pooled")


class TextCount(DcoModel):
    """How many texts of one kind an ad must have, and may have."""

    fewest: int = Field(ge=1)
    most: int = Field(ge=1)


class Headers(DcoModel):
    """The column headers Google Ads Editor reads; `{n}` is a text's number."""

    campaign: str
    ad_group: str
    ad_type: str
    final_url: str
    labels: str
    headline: str
    headline_position: str
    description: str
    description_position: str


class RsaFormat(DcoModel):
    """Google Ads Editor's CSV for responsive search ads, as the data file describes it."""

    name: str
    title: str
    channel: str
    encoding: str
    ad_type: str
    headlines: TextCount
    descriptions: TextCount
    ads_per_ad_group: int = Field(ge=1)
    label: str
    label_separator: str
    headers: Headers

    def label_of(self, variant_id: str) -> str:
        return self.label.format(variant_id=variant_id)


@functools.cache
def rsa_format() -> RsaFormat:
    """The shipped format (`dco/data/exports/google_ads_rsa.yaml`)."""
    document = resources.load_data("exports/google_ads_rsa.yaml")
    return document.validate(RsaFormat, what="Google Ads export format")


@dataclass
class Ad:
    """One responsive search ad: its texts (with the position each is pinned to, if any) and
    the variants whose copy it carries."""

    campaign: str
    stage: str
    headlines: list[tuple[str, int | None]] = field(default_factory=list)
    descriptions: list[tuple[str, int | None]] = field(default_factory=list)
    variant_ids: list[str] = field(default_factory=list)
    ad_group: str = ""


def layout_ads(rows: Sequence[ExportRow], layout: Layout = "per-variant") -> list[Ad]:
    """The ads that carry every approved text of `rows`, grouped by campaign and stage, each ad
    group holding no more ads than Google allows."""
    if layout not in LAYOUTS:
        raise OptionError(
            _("unknown Google Ads layout {layout!r}; use {known}").format(
                layout=layout, known=" or ".join(LAYOUTS)
            )
        )
    spec = rsa_format()
    groups: dict[tuple[str, str], list[ExportRow]] = {}
    for row in rows:
        key = (row.variant.brief.campaign or "dco", row.variant.stage.value)
        groups.setdefault(key, []).append(row)
    ads: list[Ad] = []
    for (campaign, stage), members in groups.items():
        made = (_per_variant if layout == "per-variant" else _pooled)(campaign, stage, members)
        for number, ad in enumerate(made):
            ad.ad_group = f"{campaign} - {stage}"
            if len(made) > spec.ads_per_ad_group:
                ad.ad_group += f" {number // spec.ads_per_ad_group + 1}"
        ads.extend(made)
    return ads


def short_ads(ads: Iterable[Ad]) -> list[Ad]:
    """The ads with fewer headlines or descriptions than an RSA must have (a stage with too
    little approved copy): Google Ads Editor will refuse them until more is added."""
    spec = rsa_format()
    return [
        ad
        for ad in ads
        if len(ad.headlines) < spec.headlines.fewest
        or len(ad.descriptions) < spec.descriptions.fewest
    ]


def to_google_ads_csv(ads: Iterable[Ad], *, final_url: str) -> str:
    """The ads as Google Ads Editor's CSV (write it with the format's encoding)."""
    require_final_url(final_url)
    spec = rsa_format()
    h = spec.headers
    header = [h.campaign, h.ad_group, h.ad_type, h.final_url, h.labels]
    for n in range(1, spec.headlines.most + 1):
        header += [h.headline.format(n=n), h.headline_position.format(n=n)]
    for n in range(1, spec.descriptions.most + 1):
        header += [h.description.format(n=n), h.description_position.format(n=n)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for ad in ads:
        labels = spec.label_separator.join(spec.label_of(i) for i in ad.variant_ids)
        writer.writerow([
            ad.campaign, ad.ad_group, spec.ad_type, final_url, labels,
            *_cells(ad.headlines, spec.headlines.most),
            *_cells(ad.descriptions, spec.descriptions.most),
        ])  # fmt: skip
    return buffer.getvalue()


def require_final_url(final_url: str) -> None:
    """An `OptionError` naming the option when the ads would have no Final URL."""
    if not final_url.strip():
        raise OptionError(
            _(
                "Google Ads needs a Final URL for every ad: give --final-url https://… (the "
                "page the ads lead to)"
            )
        )


def to_google_ads_rsa(
    rows: Sequence[ExportRow], *, final_url: str, layout: Layout = "per-variant"
) -> str:
    """`rows` laid out as ads (`layout_ads`) and written as Google Ads Editor's CSV."""
    require_final_url(final_url)
    return to_google_ads_csv(layout_ads(rows, layout), final_url=final_url)


def _per_variant(campaign: str, stage: str, members: list[ExportRow]) -> list[Ad]:
    spec = rsa_format()
    every_headline = _unique(t for r in members for t in (r.copy.headline, r.copy.cta))
    every_body = _unique(r.copy.body for r in members)
    ads = []
    for row in members:
        own_heads = _unique((row.copy.headline, row.copy.cta))
        own_bodies = _unique((row.copy.body,))
        heads = _filled(own_heads, every_headline, spec.headlines.fewest)
        bodies = _filled(own_bodies, every_body, spec.descriptions.fewest)
        ad = Ad(campaign, stage, variant_ids=[row.variant.id])
        # Pinned, the variant's headline and body show in every impression of its ad.
        ad.headlines = [(t, 1 if t == row.copy.headline.strip() else None) for t in heads]
        ad.descriptions = [(t, 1 if t == row.copy.body.strip() else None) for t in bodies]
        ads.append(ad)
    return ads


def _pooled(campaign: str, stage: str, members: list[ExportRow]) -> list[Ad]:
    spec = rsa_format()
    headlines = _unique(t for r in members for t in (r.copy.headline, r.copy.cta))
    descriptions = _unique(r.copy.body for r in members)
    heads = _chunks(headlines, spec.headlines.most) or [[]]
    bodies = _chunks(descriptions, spec.descriptions.most) or [[]]
    # Whose copy each text is, looked up per ad: a whole campaign's stage stays linear.
    owners: dict[str, list[str]] = {}
    for r in members:
        for text in _unique((r.copy.headline, r.copy.cta, r.copy.body)):
            owners.setdefault(text, []).append(r.variant.id)
    ads = []
    for i in range(max(len(heads), len(bodies))):
        shown = _filled(heads[i % len(heads)], headlines, spec.headlines.fewest)
        described = _filled(bodies[i % len(bodies)], descriptions, spec.descriptions.fewest)
        carried = [vid for text in (*shown, *described) for vid in owners.get(text, ())]
        ad = Ad(campaign, stage, variant_ids=list(dict.fromkeys(carried)))
        ad.headlines = [(t, None) for t in shown]
        ad.descriptions = [(t, None) for t in described]
        ads.append(ad)
    return ads


def _filled(chosen: list[str], every: list[str], fewest: int) -> list[str]:
    """`chosen`, topped up from `every` to the `fewest` texts an ad must have."""
    extra = [t for t in every if t not in chosen][: max(0, fewest - len(chosen))]
    return chosen + extra


def _chunks(texts: list[str], size: int) -> list[list[str]]:
    return [texts[start : start + size] for start in range(0, len(texts), size)]


def _cells(texts: list[tuple[str, int | None]], width: int) -> list[str]:
    cells: list[str] = []
    for text, pin in texts[:width]:
        cells += [text, str(pin) if pin else ""]
    return cells + [""] * (2 * width - len(cells))


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
