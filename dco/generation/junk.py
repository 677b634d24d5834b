"""Junk: a reply's variant that is well-formed but no copy a reviewer could use, and why.

Small models echo the prompt: the shape example's placeholders, the same line in every field,
a bare number from the length limits, the language's name, copy in the wrong script. Such a
variant is discarded with its reason, never returned and never counted as a variant.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dco.models import COPY_FIELDS, Copy

_PLACEHOLDERS = frozenset(
    {"headline", "body", "cta", "call to action", "string", "text", "title", "copy", "n/a",
     "tbd", "todo", "placeholder", "lorem ipsum", "your headline", "your headline here",
     "your body", "your body here", "your cta", "your cta here", "제목", "본문", "버튼",
     "헤드라인", "문구"}
)  # fmt: skip
_WRAPPED = re.compile(r"^\s*(?:<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\})\s*$")
"""A field that is all one bracketed slot: <headline>, [body], {cta}."""
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
_WORDLESS = re.compile(r"^[\W_]*$")
_NUMBER = re.compile(r"^[\d\s.,:%/+-]+$")
_LIMIT = re.compile(
    r"\b\d+\s*(?:chars?|characters|bytes|cp949_bytes|google_width|graphemes)\b"
    r"|\b\d+\s*,\s*at most\b",
    re.IGNORECASE,
)
"""A length limit as the prompt states it ("14 chars"; "about 30, at most 40" cut before its
unit, as a small model echoes the line): never copy."""
_MARKUP = re.compile(r"</?[A-Za-z][\w:-]*[^<>]*>|^\s*>")
"""An HTML or XML tag, or a tag's broken end opening the field: a model's stray markup."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""A control character other than a line break or a tab: a model's glitch that no platform
takes in copy, and that a terminal may act on (an escape sequence) when the copy is shown."""
_PIECE_BREAKS = re.compile(r"[\s:;,.|/]+")


def junk_reason(copy: Copy, *, locale: str, hints: Sequence[str] = ()) -> str | None:
    """Why `copy` is junk, or None when it is copy. `hints`: text of the prompt a model may
    echo (the language's name), which copy never holds."""
    fields = {name: getattr(copy, name).strip() for name in COPY_FIELDS}
    folded = {name: text.casefold() for name, text in fields.items()}
    for name, text in fields.items():
        if problem := _placeholder(text, folded[name]):
            return f"{name} is {problem}"
    filled = [(name, " ".join(folded[name].split())) for name, text in fields.items() if text]
    for index, (name, text) in enumerate(filled):
        for other, other_text in filled[index + 1 :]:
            if text == other_text:
                return f"{name} and {other} are the same text"
    folded_hints = [(hint, hint.casefold()) for hint in hints if hint]
    for name, text in fields.items():
        for hint, folded_hint in folded_hints:
            if folded_hint in folded[name]:
                return f"{name} repeats the prompt's {hint!r}"
        if _LIMIT.search(text):
            return f"{name} repeats a length limit of the prompt ({text!r})"
        if _MARKUP.search(text):
            return f"{name} holds markup ({text[:40]!r})"
        if _CONTROL.search(text):
            return f"{name} holds a control character ({text[:40]!r})"
        if _looping(folded[name]):
            return f"{name} repeats one piece over and over ({text[:40]!r})"
    prose = f"{fields['headline']} {fields['body']}"
    language = locale.split("-")[0].lower()
    if language == "ko" and not _HANGUL.search(prose):
        return "no Korean in the headline or body of copy for a Korean brief"
    if language == "en" and not _LATIN.search(prose):
        return "no English in the headline or body of copy for an English brief"
    return None


def _looping(folded: str) -> bool:
    """Whether `folded` (casefolded) is one short piece over and over ("b: b: b: b:"), as a
    model caught in a loop writes: four pieces or more, at most a quarter of them distinct."""
    pieces = [p for p in _PIECE_BREAKS.split(folded) if p]
    return len(pieces) >= 4 and len(set(pieces)) * 4 <= len(pieces)


def _placeholder(text: str, folded: str) -> str | None:
    if not text:
        return None  # an empty field is the checks' to judge (a CTA may be optional)
    if _WORDLESS.match(text):
        return f"a placeholder ({text!r})"
    if _NUMBER.match(text):
        return f"only a number ({text!r})"
    if _WRAPPED.match(text) or folded.strip(" .:") in _PLACEHOLDERS:
        return f"a placeholder ({text!r})"
    return None
