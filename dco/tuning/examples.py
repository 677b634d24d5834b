"""Choosing few-shot examples: recent, diverse, approved, and still within the brand's rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from dco.models import Copy
from dco.text.duplicates import Bigrams, bigrams, copy_key, is_near_duplicate
from dco.tuning.profile import Example

NEAR_DUPLICATE = 0.6
"""Examples sharing this share of their character bigrams teach the same thing twice; a looser
bar than the generator's duplicate test, since examples should show different angles."""


def pick_examples(
    accepted: Sequence,
    rejected_keys: set[str],
    *,
    limit: int,
    passes: Callable[[Copy], bool],
    winners: Mapping[str, float] | None = None,
) -> list[Example]:
    """Up to `limit` examples from `accepted` records (approved or edited): the `winners`
    (variant id → click-through rate, copy that served better than its peers) first, best
    first, then the rest newest first.

    Left out: copy that was also rejected (the same words, folded), copy that `passes` now
    refuses (an error-level brand rule added since it was approved), and copy too close to an
    example already chosen.
    """
    winners = winners or {}
    chosen: list[Example] = []
    seen: list[tuple[str, Bigrams]] = []
    order = sorted(
        accepted,
        key=lambda r: (r.variant_id in winners, winners.get(r.variant_id, 0.0), r.seq),
        reverse=True,
    )
    for record in order:
        if len(chosen) >= limit:
            break
        final = record.final
        copy = Copy.trusted(
            headline=final.get("headline", ""), body=final.get("body", ""), cta=final.get("cta", "")
        )
        key = copy_key(copy)
        if key in rejected_keys:
            continue
        grams = bigrams(key)
        if is_near_duplicate(key, grams, seen, NEAR_DUPLICATE):
            continue
        if not passes(copy):
            continue
        seen.append((key, grams))
        chosen.append(
            Example(
                **copy.fields(), variant_id=record.variant_id, edited=record.action == "edit",
                seq=record.seq, ctr=winners.get(record.variant_id),
            )
        )  # fmt: skip
    return chosen
