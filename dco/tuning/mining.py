"""Mining reviewers' edits for word preferences, and their tone rejections for words to avoid.

An edit is compared word by word (어절 by 어절 in Korean): a run of at most three words replaced by
another becomes a candidate pair. In Korean a particle or ending both words share is set aside,
so 가격을 → 비용을 and 가격이 → 비용이 both teach 가격 → 비용. A pair becomes a preference only
with enough support: one reviewer's one-off change is taste, the same change twice is a pattern.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from dco import resources
from dco.tuning.profile import Preference

MAX_PHRASE_WORDS = 3
MAX_EXAMPLES = 3


@functools.cache
def _lexicon() -> dict:
    return resources.load_data("tuning.yaml").data


def words(text: str) -> list[str]:
    """The words of `text` with punctuation trimmed from their ends (empty words dropped)."""
    strip = _lexicon()["punctuation"]
    return [w for w in (token.strip(strip) for token in text.split()) if w]


@functools.cache
def _suffixes() -> tuple[frozenset[str], tuple[int, ...]]:
    suffixes = frozenset(_lexicon()["korean_suffixes"])
    return suffixes, tuple(sorted({len(s) for s in suffixes}, reverse=True))


def _stem_pair(before: str, after: str) -> tuple[str, str]:
    """`before` and `after` without the longest Korean particle or ending both end in."""
    suffixes, lengths = _suffixes()
    for size in lengths:
        ending = before[-size:]
        if (
            len(before) > size
            and len(after) > size
            and ending in suffixes
            and after.endswith(ending)
        ):
            return before[:-size], after[:-size]
    return before, after


def replacements(before: str, after: str) -> list[tuple[str, str]]:
    """The (old, new) word runs an edit of `before` into `after` replaced."""
    if before == after:
        return []  # most edits change one field of three
    old, new = words(before), words(after)
    if old == new:
        return []
    folded_old, folded_new = [w.casefold() for w in old], [w.casefold() for w in new]
    pairs = []
    for i1, i2, j1, j2 in _replaced_runs(folded_old, folded_new):
        if i2 - i1 > MAX_PHRASE_WORDS or j2 - j1 > MAX_PHRASE_WORDS:
            continue
        if i2 - i1 == j2 - j1:
            # As many words out as in: a word-for-word change (cheap workout → affordable
            # training is two preferences, not one phrase).
            runs = [(old[i], new[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        else:
            runs = [(" ".join(old[i1:i2]), " ".join(new[j1:j2]))]
        for removed, added in runs:
            if " " not in removed and " " not in added:
                removed, added = _stem_pair(removed, added)
            folded = (removed.casefold(), added.casefold())
            if folded[0] != folded[1] and not set(folded) <= _function_words():
                pairs.append((removed, added))
    return pairs


def _replaced_runs(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """(i1, i2, j1, j2) for each run of words `old[i1:i2]` replaced by `new[j1:j2]`."""
    if len(old) == len(new):
        # As many words as before (the usual edit): the runs are where they differ, no diff needed.
        runs, start = [], None
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b and start is None:
                start = index
            elif a == b and start is not None:
                runs.append((start, index, start, index))
                start = None
        if start is not None:
            runs.append((start, len(old), start, len(new)))
        return runs
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2, j1, j2) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op == "replace"]


@functools.cache
def _function_words() -> frozenset[str]:
    return frozenset(w.casefold() for w in _lexicon()["function_words"])


@dataclass
class _Tally:
    decisions: set[int] = field(default_factory=set)
    reviewers: set[str] = field(default_factory=set)
    examples: list[str] = field(default_factory=list)
    last_seq: int = 0


def mine_preferences(edits: Iterable, *, min_support: int = 2) -> list[Preference]:
    """Preferences from edit records (`.seq`, `.reviewer`, `.copy`, `.edited`), most supported
    first. A pair reviewers made both ways keeps the direction made more often (neither on a
    tie: the reviewers disagree)."""
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    spelled: dict[tuple[str, str], tuple[str, str]] = {}
    for edit in edits:
        for name, before in edit.copy.items():
            after = edit.edited.get(name, "")
            for removed, added in replacements(before, after):
                key = (removed.casefold(), added.casefold())
                spelled.setdefault(key, (removed, added))
                tally = tallies[key]
                tally.decisions.add(edit.seq)
                tally.reviewers.add(edit.reviewer)
                tally.last_seq = max(tally.last_seq, edit.seq)
                if len(tally.examples) < MAX_EXAMPLES:
                    tally.examples.append(f"{before} → {after}")
    preferences = []
    for key, tally in tallies.items():
        support = len(tally.decisions)
        if support < min_support:
            continue
        reverse = tallies.get((key[1], key[0]))
        if reverse is not None and len(reverse.decisions) >= support:
            continue
        removed, added = spelled[key]
        preferences.append(
            Preference(
                prefer=added, avoid=removed, support=support, reviewers=len(tally.reviewers),
                examples=list(tally.examples),
            )
        )  # fmt: skip
    preferences.sort(key=lambda p: (-p.support, -p.reviewers, p.avoid.casefold()))
    return preferences


def mine_avoided_words(
    off_tone: Sequence[dict[str, str]],
    other_rejected: Sequence[dict[str, str]],
    accepted: Sequence[dict[str, str]],
    *,
    min_support: int = 2,
    exclude: Iterable[str] = (),
) -> list[str]:
    """Words that mark copy rejected for its tone, most frequent first.

    A word qualifies when at least `min_support` pieces of `off_tone` copy use it, no
    `accepted` copy does, and it is commoner in copy rejected for tone than in copy rejected for
    anything else — words that merely travel with the offending one (the rest of its sentence)
    show up in other rejections too. Function words and the `exclude`d (words a preference
    already replaces) never qualify.
    """
    barred = {w.casefold() for w in exclude} | _function_words()
    tone, other = _document_counts(off_tone), _document_counts(other_rejected)
    spelled = {w.casefold(): w for copy in off_tone for text in copy.values() for w in words(text)}
    candidates = [
        w for w, n in tone.items() if n >= min_support and w not in barred and n > other.get(w, 0)
    ]
    # Only the few candidates are looked for in the accepted copy, which may be most of the log.
    if candidates:
        accepted_text = "\n".join(t for copy in accepted for t in copy.values()).casefold()
        candidates = [w for w in candidates if not _uses(accepted_text, w)]
    candidates.sort(key=lambda w: (-tone[w], w))
    return [spelled[w] for w in candidates]


def _uses(text: str, word: str) -> bool:
    """Whether `word` is one of the words of `text` (as `words` would split and trim it)."""
    edge = re.escape(_lexicon()["punctuation"])
    pattern = rf"(?<!\S)[{edge}]*{re.escape(word)}[{edge}]*(?!\S)"
    return re.search(pattern, text) is not None


def _document_counts(copies: Sequence[dict[str, str]]) -> dict[str, int]:
    """In how many pieces of copy each (folded) word appears."""
    counts: dict[str, int] = defaultdict(int)
    for copy in copies:
        for word in {w.casefold() for text in copy.values() for w in words(text)}:
            counts[word] += 1
    return counts
