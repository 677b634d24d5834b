"""Junk: a reply's variant that is well-formed but no copy a reviewer could use, and why.

Small models echo the prompt: the shape example's placeholders, the same line in every field,
a bare number from the length limits, the language's name, copy in the wrong script. Such a
variant is discarded with its reason, never returned and never counted as a variant.

Every variant of a campaign passes through here, and almost none is junk, so the checks that
look for something in a field (a hint of the prompt, a length limit, markup, a control
character) first look for it once in all three fields together (`_may_echo`); only copy where
one is found is checked field by field, to name the first field at fault.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import NamedTuple

from dco.models import COPY_FIELDS, Copy

_PLACEHOLDERS = frozenset(
    {"headline", "body", "cta", "call to action", "string", "text", "title", "copy", "n/a",
     "tbd", "todo", "placeholder", "lorem ipsum", "your headline", "your headline here",
     "your body", "your body here", "your cta", "your cta here", "제목", "본문", "버튼",
     "헤드라인", "문구"}
)  # fmt: skip
_SHAPES = re.compile(
    r"[\W_]*"  # wordless: "...", "…"
    r"|(?P<number>[\d\s.,:%/+-]+)"  # a bare number: "30", "14/30"
    r"|\s*(?:<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\})\s*"  # one bracketed slot: <headline>, [body]
)
"""The shapes of a field (matched whole) that is a placeholder or only a number."""
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
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
_PIECES = re.compile(r"[^\s:;,.|/]+")
"""The pieces of a field, between spaces and punctuation, for `_looping`."""


def junk_reason(
    copy: Copy, *, locale: str, hints: Sequence[str] = (), instructions: str = ""
) -> str | None:
    """Why `copy` is junk, or None when it is copy. `hints`: text of the prompt a model may
    echo (the language's name), which copy never holds. `instructions`: what the prompt says
    of how copy should sound (the brand's voice, the stage's tone and call to action),
    casefolded with single spaces, which no field of copy is a piece of: a model asked for
    copy "in a warm, expert running coach's voice" may write "A warm, expert running coach"
    as its headline, which holds none of the hints, since copy may well say "expert running
    coach"."""
    fields: dict[str, str] = {name: getattr(copy, name).strip() for name in COPY_FIELDS}
    folded = {name: text.casefold() for name, text in fields.items()}
    for name, text in fields.items():
        if problem := _placeholder(text, folded[name]):
            return f"{name} is {problem}"
    filled = [(name, " ".join(folded[name].split())) for name, text in fields.items() if text]
    for index, (name, text) in enumerate(filled):
        for other, other_text in filled[index + 1 :]:
            if text == other_text:
                return f"{name} and {other} are the same text"
    echoes = _echoes(tuple(hints))
    may_echo = _may_echo(fields, folded, echoes.screen)
    spaced = dict(filled)
    for name, text in fields.items():
        if may_echo and (problem := _echo(text, folded[name], echoes.hints)):
            return f"{name} {problem}"
        if instructions and _piece_of(spaced.get(name, ""), instructions):
            return f"{name} repeats the prompt's instructions ({text[:40]!r})"
        if _looping(folded[name]):
            return f"{name} repeats one piece over and over ({text[:40]!r})"
    prose = f"{fields['headline']} {fields['body']}"
    language = locale.split("-")[0].lower()
    if language == "ko" and not _HANGUL.search(prose):
        return "no Korean in the headline or body of copy for a Korean brief"
    if language == "en" and not _LATIN.search(prose):
        return "no English in the headline or body of copy for an English brief"
    return None


class _Echoes(NamedTuple):
    """What `_echo` looks for of one plan's hints, made once for all its copy."""

    hints: tuple[tuple[str, str], ...]
    """Each hint with its casefolded text."""
    screen: re.Pattern[str]
    """Any casefolded hint, a stem of a length limit's unit, or ">" (see `_may_echo`)."""


@functools.lru_cache(maxsize=256)
def _echoes(hints: tuple[str, ...]) -> _Echoes:
    folded = tuple((hint, hint.casefold()) for hint in hints if hint)
    # Every alternative a plain string: the engine leaps between their first characters. A
    # tag's end stands for markup: whatever `_MARKUP` finds holds one.
    words = {*_LIMIT_STEMS, ">", *(folded_hint for _hint, folded_hint in folded)}
    return _Echoes(folded, re.compile("|".join(map(re.escape, sorted(words)))))


_LIMIT_STEMS = ("char", "byte", "graphemes", "google_w", "at most")
"""Stems of the units `_LIMIT` names, casefolded, found in any spelling of them that `_LIMIT`
matches without regard to case: "google_w", not "google_width", whose "i" it also matches as
"İ" and "ı", which casefold otherwise."""


def _may_echo(fields: dict[str, str], folded: dict[str, str], screen: re.Pattern[str]) -> bool:
    """Whether any field may hold what `_echo` looks for: never False where one does, and
    cheap where none does, as in almost all copy. It looks once at all three fields (joined
    by a space: like a field's edge, no word character), for a control character (never
    printable) and for `screen`; where that is found across two fields or for a stem that
    `_LIMIT` does not match, `_echo` clears the false alarm."""
    if not "".join(fields.values()).isprintable():
        return True
    return screen.search(" ".join(folded.values())) is not None


def _echo(text: str, folded: str, hints: tuple[tuple[str, str], ...]) -> str | None:
    """What one field (stripped; `folded` casefolded) holds of the prompt or of a glitch."""
    for hint, folded_hint in hints:
        if folded_hint in folded:
            return f"repeats the prompt's {hint!r}"
    if _LIMIT.search(text):
        return f"repeats a length limit of the prompt ({text!r})"
    if _MARKUP.search(text):
        return f"holds markup ({text[:40]!r})"
    if _CONTROL.search(text):
        return f"holds a control character ({text[:40]!r})"
    return None


def _piece_of(spaced: str, instructions: str) -> bool:
    """Whether a field (casefolded, single-spaced) is a piece of `instructions`, punctuation
    at its ends aside: one of 16 characters or more, long enough not to be there by chance
    (a call to action "learn more" may well be a piece of "a soft invitation to learn more")."""
    core = spaced.strip(_END_PUNCTUATION)
    return len(core) >= _SHORTEST_PIECE and core in instructions


_END_PUNCTUATION = " .,:;!?…'\"“”‘’"
_SHORTEST_PIECE = 16


def _looping(folded: str) -> bool:
    """Whether `folded` (casefolded) is one short piece over and over ("b: b: b: b:"), as a
    model caught in a loop writes: four pieces or more, at most a quarter of them distinct."""
    if len(folded) < 7:
        return False  # too short for four pieces with a break between each
    pieces = _PIECES.findall(folded)
    return len(pieces) >= 4 and len(set(pieces)) * 4 <= len(pieces)


def _placeholder(text: str, folded: str) -> str | None:
    if not text:
        return None  # an empty field is the checks' to judge (a CTA may be optional)
    shape = _SHAPES.fullmatch(text)
    if shape is not None and shape["number"] is not None:
        return f"only a number ({text!r})"
    if shape is not None or folded.strip(" .:") in _PLACEHOLDERS:
        return f"a placeholder ({text!r})"
    return None
