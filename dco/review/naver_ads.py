"""Approved copy as Naver Search Ad text ads: request bodies for the API's ad creation, one a line
(`dco/data/exports/naver_search_ad.yaml`)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dco import resources
from dco.channels.catalog import get_channel
from dco.errors import OptionError
from dco.i18n import _
from dco.models import DcoModel
from dco.review.export import ExportRow


class NaverAdFormat(DcoModel):
    """How a variant becomes a Naver text ad, as the data file describes it."""

    name: str
    title: str
    channel: str
    ad_type: str
    id_parameter: str
    id_value: str


@functools.cache
def naver_format() -> NaverAdFormat:
    """The shipped format (`dco/data/exports/naver_search_ad.yaml`)."""
    document = resources.load_data("exports/naver_search_ad.yaml")
    return document.validate(NaverAdFormat, what="Naver export format")


def check_options(*, final_url: str, adgroup: str) -> None:
    """An `OptionError` naming the option when the ads would lack their ad group or have no
    web address to lead to (checked before any work)."""
    if not adgroup.strip():
        raise OptionError(
            _(
                "Naver ads belong to an ad group: give --naver-adgroup grp-… (the nccAdgroupId "
                "the ads go in)"
            )
        )
    parts = urlsplit(final_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OptionError(
            _(
                "--final-url {url!r} is not a web address; give the page the ads lead to, e.g. "
                "https://example.com/coaching"
            ).format(url=final_url)
        )


def landing_url(final_url: str, variant_id: str) -> str:
    """`final_url` with the variant id as its `utm_content` parameter (replacing one there)."""
    spec = naver_format()
    parts = urlsplit(final_url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != spec.id_parameter]
    query.append((spec.id_parameter, spec.id_value.format(variant_id=variant_id)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def to_naver_ads_jsonl(rows: Iterable[ExportRow], *, final_url: str, adgroup: str) -> str:
    """Each variant as the body of a Naver text ad: its headline as the title, its body and
    call to action as the description (as the channel composes them), and the landing URL
    carrying its id."""
    check_options(final_url=final_url, adgroup=adgroup)
    spec = naver_format()
    channel = get_channel(spec.channel)
    description = channel.fields["description"]
    lines = []
    for row in rows:
        texts = row.copy.fields()
        body = description.separator.join(
            texts[f].strip() for f in description.compose if texts[f].strip()
        )
        url = landing_url(final_url, row.variant.id)
        ad = {
            "nccAdgroupId": adgroup.strip(),
            "type": spec.ad_type,
            "ad": {
                "headline": row.copy.headline.strip(),
                "description": body,
                "pc": {"final": url},
                "mobile": {"final": url},
            },
            "userLock": False,
        }
        lines.append(json.dumps(ad, ensure_ascii=False) + "\n")
    return "".join(lines)
