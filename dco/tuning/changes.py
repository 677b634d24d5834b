"""What changed between two tuning profiles: examples, preferences, avoided words and notes."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dco.tuning.profile import LocaleLessons, Section, TuningProfile


@dataclass(frozen=True)
class Change:
    """One thing a new profile adds (`+`) or drops (`-`), and where (a locale or a section)."""

    sign: str
    kind: str
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.sign} {self.kind} [{self.where}] {self.text}"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


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


def _preferences(lessons: LocaleLessons | None) -> dict[str, str]:
    return {
        f"{p.prefer} over {p.avoid}": f"({p.support} edits by {p.reviewers} "
        f"reviewer{'' if p.reviewers == 1 else 's'})"
        for p in (lessons.preferences if lessons else [])
    }


def _avoided(lessons: LocaleLessons | None) -> dict[str, str]:
    return dict.fromkeys(lessons.avoid if lessons else [], "")


def _notes(section: Section | None) -> dict[str, str]:
    return dict.fromkeys(section.notes if section else [], "")


def _lengths(section: Section | None) -> dict[str, str]:
    lengths = section.lengths if section else {}
    return {f"{name} within {share:.0%} of its limit": "" for name, share in lengths.items()}


def _examples(section: Section | None) -> dict[str, str]:
    if section is None:
        return {}
    return {" | ".join(t for t in e.fields().values() if t): "" for e in section.examples}


def _compare(kind: str, where: str, before: dict[str, str], after: dict[str, str]) -> list[Change]:
    dropped = [Change("-", kind, where, text) for text in before if text not in after]
    added = [
        Change("+", kind, where, f"{text} {detail}".strip())
        for text, detail in after.items()
        if text not in before
    ]
    return dropped + added
