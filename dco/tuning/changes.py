"""What changed between two tuning profiles: examples, preferences, avoided words and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from dco.i18n import N_, _, counted
from dco.tuning.profile import LocaleLessons, Section, TuningProfile

_KINDS = {
    "prefer": N_("prefer"), "avoid": N_("avoid"), "example": N_("example"), "note": N_("note"),
    "length": N_("length"),
}  # fmt: skip
"""Each kind of change as a reader sees it listed (the kind itself is data: JSON gives it)."""


@dataclass(frozen=True)
class Change:
    """One thing a new profile adds (`+`) or drops (`-`), and where (a locale or a section).

    `text` is what JSON gives, the same in every language, for scripts to compare; `shown` is
    it in the reader's language, for the listing."""

    sign: str
    kind: str
    where: str
    text: str
    shown: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.sign} {_(_KINDS[self.kind])} [{self.where}] {self.shown or self.text}"

    def to_dict(self) -> dict[str, str]:
        return {"sign": self.sign, "kind": self.kind, "where": self.where, "text": self.text}


class _Learned(NamedTuple):
    """One thing a profile holds, under its text (what tells a profile's from another's): with
    what an added one is listed with, and both as the reader sees them."""

    detail: str = ""
    shown: str = ""
    """The text in the reader's language, where it is dco's words and not copy or a note."""
    shown_detail: str = ""


def changes(old: TuningProfile | None, new: TuningProfile) -> list[Change]:
    """The differences from `old` (None: an empty profile) to `new`, locale by locale and
    section by section."""
    old = old or TuningProfile()
    found: list[Change] = []
    for locale in sorted(old.locales.keys() | new.locales.keys()):
        before, after = old.locales.get(locale), new.locales.get(locale)
        found += _compare("prefer", locale, _preferences(before), _preferences(after))
        found += _compare("avoid", locale, _avoided(before), _avoided(after))
    old_sections = {s.key: s for s in old.sections}
    new_sections = {s.key: s for s in new.sections}
    for key in sorted(old_sections.keys() | new_sections.keys()):
        where = "/".join(key)
        was, now = old_sections.get(key), new_sections.get(key)
        found += _compare("example", where, _examples(was), _examples(now))
        found += _compare("note", where, _notes(was), _notes(now))
        found += _compare("length", where, _lengths(was), _lengths(now))
    return found


def _preferences(lessons: LocaleLessons | None) -> dict[str, _Learned]:
    return {
        f"{p.prefer} over {p.avoid}": _Learned(
            f"({p.support} edits by {p.reviewers} reviewer{'' if p.reviewers == 1 else 's'})",
            _("{prefer} over {avoid}").format(prefer=p.prefer, avoid=p.avoid),
            _("({edits} by {reviewers})").format(
                edits=counted(p.support, "edit"), reviewers=counted(p.reviewers, "reviewer")
            ),
        )
        for p in (lessons.preferences if lessons else [])
    }


def _avoided(lessons: LocaleLessons | None) -> dict[str, _Learned]:
    return dict.fromkeys(lessons.avoid if lessons else [], _Learned())


def _notes(section: Section | None) -> dict[str, _Learned]:
    return dict.fromkeys(section.notes if section else [], _Learned())


def _lengths(section: Section | None) -> dict[str, _Learned]:
    lengths = section.lengths if section else {}
    return {
        f"{name} within {share:.0%} of its limit": _Learned(
            shown=_("{field} within {share} of its limit").format(field=name, share=f"{share:.0%}")
        )
        for name, share in lengths.items()
    }


def _examples(section: Section | None) -> dict[str, _Learned]:
    if section is None:
        return {}
    return {" | ".join(t for t in e.fields().values() if t): _Learned() for e in section.examples}


def _compare(
    kind: str, where: str, before: dict[str, _Learned], after: dict[str, _Learned]
) -> list[Change]:
    dropped = [
        Change("-", kind, where, text, learned.shown)
        for text, learned in before.items()
        if text not in after
    ]
    added = []
    for text, learned in after.items():
        if text not in before:
            given = f"{text} {learned.detail}".strip()
            shown = f"{learned.shown or text} {learned.shown_detail}".strip()
            added.append(Change("+", kind, where, given, shown))
    return dropped + added
