"""What the learned layer sees of a text: word and character n-gram features, as plain strings.

Features are names a person can read in the model file, so a brand can see why a query leans one
way: `w:lease` (a word), `b:near me` (two words in a row), `k:최저` (two Hangul letters inside a
word: Korean glues its words, so 최저가로 and 최저가 share them), `p:conve` (the first five
letters of a long English word: convert, converter and conversion share it), `s:order` (the word
the text starts with: a query that opens with a verb is often an order). Digits read as `0`, so
"galaxy s25" and "galaxy s24" share `w:s00`. Events reach the layer as the lexicon's evidence,
not as features.

The lexicon's evidence joins these features as numbers (see `dco.funnel.learned`); this module
knows only text, and is pure.
"""

from __future__ import annotations

import functools
import re

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\uac00-\ud7a3]+")
_DIGITS = str.maketrans("0123456789", "0000000000")
_HAS_DIGIT = re.compile(r"[0-9]")
_PREFIX = 5  # letters of a long English word that stand for its family
MAX_TOKENS = 32  # a search text is short; a pasted page must not cost more than a query


def text_features(folded: str) -> list[str]:
    """The features of a folded text (`dco.text.fold`), each listed once, in order of appearance."""
    tokens = _TOKEN.findall(folded)
    if not tokens:
        return []
    if len(tokens) > MAX_TOKENS:
        del tokens[MAX_TOKENS:]
    if _HAS_DIGIT.search(folded):
        tokens = [t.translate(_DIGITS) for t in tokens]
    features = ["s:" + tokens[0]]
    previous = ""
    for token in tokens:
        features.extend(_word_features(token))
        if previous:
            features.append("b:" + previous + " " + token)
        previous = token
    return list(dict.fromkeys(features))


@functools.lru_cache(maxsize=1 << 16)
def _word_features(token: str) -> tuple[str, ...]:
    """A word's own features (it, its Hangul pieces or its family): words recur across texts, so
    they are worked out once per process (the cache is bounded)."""
    if token[0] >= "\uac00":  # Hangul (the tokens are ASCII letters and digits, or Hangul)
        return ("w:" + token, *("k:" + token[i : i + 2] for i in range(len(token) - 1)))
    if len(token) > _PREFIX and token[0] > "9":
        return ("w:" + token, "p:" + token[:_PREFIX])
    return ("w:" + token,)


def describe(name: str) -> str:
    """A feature as reasons show it: 'lease', 'near me', '*최저*', 'conve*', 'order' first."""
    kind, _, value = name.partition(":")
    if kind == "s":
        return f"{value!r} first"
    if kind == "k":
        return f"'*{value}*'"  # inside a word, in the lexicon's own wildcard notation
    if kind == "p":
        return f"'{value}*'"
    return repr(value)
