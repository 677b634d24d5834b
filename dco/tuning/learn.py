"""Learning from the decision log: `tune`, a pure function from the log (and its outcomes) to a
tuning profile. The same log gives the same profile."""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dco import resources
from dco.channels.catalog import Channel, get_channel
from dco.channels.limits import copy_findings
from dco.errors import DcoError, OptionError, UnencodableTextError
from dco.i18n import _
from dco.models import COPY_FIELDS, Copy, CopyField
from dco.models.records import Reviewed
from dco.outcomes.bandit import beta_mean, pooled_prior, posterior
from dco.outcomes.values import ALL_SEGMENTS, Totals
from dco.protocols import BrandLike, Checker, DecisionLog
from dco.text.duplicates import copy_key
from dco.tuning.examples import pick_examples
from dco.tuning.mining import mine_avoided_words, mine_preferences
from dco.tuning.profile import LocaleLessons, Section, TuningProfile

ACCEPTED = ("approve", "edit")
WINNER_MIN_IMPRESSIONS = 100
"""Impressions a variant needs before its click-through rate can make it a preferred example."""
RECENT = 1000
"""Decisions per section that examples and length shares are drawn from, newest first: what
reviewers accept now, not what they accepted a thousand decisions ago."""


def tune(
    log: DecisionLog | Iterable[Reviewed],
    *,
    brand: BrandLike | None = None,
    min_support: int = 2,
    max_examples: int = 3,
    note_share: float = 0.1,
    campaign: str | None = None,
) -> TuningProfile:
    """What reviewers' decisions teach the prompts, per stage × channel × locale.

    `log` is a `ReviewQueue` (its standing decisions are read, and its outcomes, which put copy
    that served well first among the examples) or those records themselves.
    `brand` (a `dco.Brand`) keeps examples that now break an error-level rule out, and gives
    the voice that tone notes quote. A preference or an avoided word needs `min_support`
    decisions; a rejection reason becomes a note when it has that support and at least
    `note_share` of a section's rejections. Examples and length shares come from each section's
    latest `RECENT` decisions.
    """
    if min_support < 1 or max_examples < 0 or not 0 <= note_share <= 1:
        raise OptionError(_("min_support must be ≥ 1, max_examples ≥ 0 and note_share in 0…1"))
    if isinstance(log, DecisionLog):
        records = list(log.decided(campaign=campaign))
        totals = log.outcome_totals()
    else:
        records, totals = list(log), {}
    records.sort(key=lambda r: r.seq)
    voice = (brand.voice if brand is not None else None) or "as in the approved examples"

    by_section: dict[tuple[str, str, str], list[Reviewed]] = defaultdict(list)
    by_locale: dict[str, list[Reviewed]] = defaultdict(list)
    for record in records:
        by_section[(record.stage, record.channel, record.locale)].append(record)
        by_locale[record.locale].append(record)
    learn = functools.partial(
        _section, totals=totals, passes=_passes(brand), voice=voice, min_support=min_support,
        max_examples=max_examples, note_share=note_share,
    )  # fmt: skip
    sections = [learn(key, group) for key, group in sorted(by_section.items())]
    locales = {}
    for locale, group in sorted(by_locale.items()):
        lessons = _locale_lessons(group, min_support)
        if lessons.preferences or lessons.avoid:
            locales[locale] = lessons
    return TuningProfile(
        brand=brand.name if brand is not None else None,
        decisions=len(records),
        last_seq=records[-1].seq if records else 0,
        settings={
            "min_support": min_support,
            "max_examples": max_examples,
            "note_share": note_share,
            **({"campaign": campaign} if campaign else {}),
        },
        locales=locales,
        sections=sections,
    )


def _section(
    key: tuple[str, str, str],
    group: list[Reviewed],
    *,
    totals: Mapping[str, Mapping[str, Totals]],
    passes: Callable[..., bool],
    voice: str,
    min_support: int,
    max_examples: int,
    note_share: float,
) -> Section:
    """What one stage × channel × locale's decisions teach: examples, notes, length shares."""
    stage, channel, locale = key
    rejected = [r for r in group if r.action == "reject"]
    recent = group[-RECENT:]
    recent_accepted = [r for r in recent if r.action in ACCEPTED]
    reasons = Counter(reason for r in rejected for reason in r.reasons)
    notes = _notes(reasons, len(group), len(rejected), voice, min_support, note_share)
    lengths = {}
    if "too-long" in notes:
        recent_too_long = [r for r in recent if "too-long" in r.reasons]
        lengths = _length_fractions(recent_accepted, recent_too_long, channel)
    rejected_keys = {_key(r.copy) for r in rejected}
    examples = pick_examples(
        recent_accepted, rejected_keys, limit=max_examples,
        winners=_winners(recent_accepted, totals),
        passes=functools.partial(passes, channel=channel, stage=stage),
    )  # fmt: skip
    return Section(
        stage=stage, channel=channel, locale=locale, decided=len(group), examples=examples,
        notes=list(notes.values()), reasons=dict(reasons.most_common()), lengths=lengths,
    )  # fmt: skip


def _locale_lessons(group: list[Reviewed], min_support: int) -> LocaleLessons:
    """What one locale's edits and tone rejections teach: preferred wordings, words to avoid."""
    tone_reasons = set(_data()["tone_reasons"])
    edits = [r for r in group if r.action == "edit"]
    rejected = [r for r in group if r.action == "reject"]
    off_tone = [r.copy for r in rejected if tone_reasons & set(r.reasons)]
    other = [r.copy for r in rejected if not tone_reasons & set(r.reasons)]
    accepted_copy = [r.final for r in group if r.action in ACCEPTED]
    preferences = mine_preferences(edits, min_support=min_support)
    return LocaleLessons(
        preferences=preferences,
        avoid=mine_avoided_words(
            off_tone, other, accepted_copy, min_support=min_support,
            exclude=[p.avoid for p in preferences],
        ),
    )  # fmt: skip


@functools.cache
def _data() -> dict[str, Any]:
    return resources.load_data("tuning.yaml").data


def _winners(
    accepted: list[Reviewed], totals: Mapping[str, Mapping[str, Totals]]
) -> dict[str, float]:
    """The accepted variants whose click-through rate beats their section's pooled rate, with
    that rate (the Beta posterior mean under the pooled prior, so a few lucky clicks do not
    make a winner)."""
    served = {}
    for record in accepted:
        figures = totals.get(record.variant_id, {}).get(ALL_SEGMENTS)
        if figures is not None and figures.impressions >= WINNER_MIN_IMPRESSIONS:
            served[record.variant_id] = (figures.clicks, figures.impressions)
    if not served:
        return {}
    clicks = sum(c for c, _ in served.values())
    impressions = sum(n for _, n in served.values())
    prior = pooled_prior(clicks, impressions, strength=20.0)
    pooled = clicks / impressions
    rates = {v: beta_mean(*posterior(c, n, prior)) for v, (c, n) in served.items()}
    return {v: rate for v, rate in rates.items() if rate > pooled}


def _key(fields: dict[str, str]) -> str:
    return copy_key(Copy.trusted(**{k: fields.get(k, "") for k in ("headline", "body", "cta")}))


def _notes(
    reasons: Counter[str], decided: int, rejected: int, voice: str, min_support: int, share: float
) -> dict[str, str]:
    # The share is of rejections, not of all decisions: a lesson stays while its evidence does,
    # instead of fading as the copy it improved piles up approvals (and the fault returning).
    templates = _data()["notes"]
    notes = {}
    for reason, count in reasons.most_common():
        if reason in templates and count >= min_support and count / rejected >= share:
            notes[reason] = " ".join(
                templates[reason]
                .format(count=count, decided=decided, share=f"{count / decided:.0%}", voice=voice)
                .split()
            )
    return notes


def _length_fractions(accepted: list, too_long: list, channel_id: str) -> dict[str, float]:
    """For each field that ran longer in copy rejected as too long than in any accepted copy, the
    largest share of its limit accepted copy filled (rounded down to 5 %): what reviewers showed
    they accept, where they showed they do not accept more."""
    try:
        channel = get_channel(channel_id)
    except DcoError:
        return {}
    fractions: dict[str, float] = {}
    for name in COPY_FIELDS:
        if channel.limit_for(name) is None:
            continue
        accepted_fills = _fills(accepted, name, channel)
        rejected_fills = _fills(too_long, name, channel)
        if accepted_fills and rejected_fills and max(rejected_fills) > max(accepted_fills):
            fractions[name] = max(0.05, math.floor(min(max(accepted_fills), 1.0) * 20) / 20)
    return fractions


def _fills(records: list[Reviewed], name: CopyField, channel: Channel) -> list[float]:
    fills = []
    for record in records:
        try:
            fill = channel.fill(name, record.final.get(name, ""))
        except UnencodableTextError:
            continue
        if fill is not None:
            fills.append(fill)
    return fills


def _passes(brand: Checker | None) -> Callable[..., bool]:
    """A test that copy still passes the channel's limits and the brand's error-level rules.

    Verdicts are remembered for the call: the same approved copy recurs across campaigns and
    rounds, and checking it once per channel and stage is enough.
    """
    verdicts: dict[tuple[Copy, str, str], bool] = {}

    def passes(copy: Copy, *, channel: str, stage: str) -> bool:
        key = (copy, channel, stage)
        if key not in verdicts:
            verdicts[key] = _check(copy, channel, stage)
        return verdicts[key]

    def _check(copy: Copy, channel: str, stage: str) -> bool:
        try:
            spec = get_channel(channel)
        except DcoError:  # a channel this dco does not know: its limits cannot be checked
            findings = brand.check(copy, channel=channel, stage=stage) if brand else []
        else:
            findings = copy_findings(copy, spec, brand, stage)
        return not any(f.level == "error" for f in findings)

    return passes
