"""The tuning profile: what reviewers' decisions taught, as a readable, versioned YAML file.

A profile holds, per locale, the word preferences mined from edits and the words reviewers
rejected as off-tone, and per stage × channel × locale a section of few-shot examples, notes
from frequent rejection reasons and length fractions. The generator renders the section that
matches a brief; the section's digest becomes part of the prompt version.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field

from dco import yamlfile
from dco.errors import ConfigError
from dco.i18n import _
from dco.models import DcoModel

FORMAT_VERSION = 1
PROFILE_NAME = "tuning.yaml"
"""The profile's file name beside a brand's brand.yaml, where `dco tune` writes it and
`dco generate --brand` finds it."""


class Example(DcoModel):
    """Copy reviewers approved (as written, or as they edited it), shown to the model."""

    headline: str = ""
    body: str = ""
    cta: str = ""
    variant_id: str
    edited: bool = False
    seq: int = Field(ge=0, description="The deciding decision's place in the log.")
    ctr: float | None = None
    """Its click-through rate (posterior mean) when it served better than its peers."""

    def fields(self) -> dict[str, str]:
        return {"headline": self.headline, "body": self.body, "cta": self.cta}


class Preference(DcoModel):
    """Reviewers replace `avoid` with `prefer`: how often, by how many people, with examples."""

    prefer: str
    avoid: str
    support: int = Field(ge=1, description="Edits that made this replacement.")
    reviewers: int = Field(ge=1)
    examples: list[str] = Field(default_factory=list)
    """Edits that made it, as "before → after"."""


class Section(DcoModel):
    """What the prompt for one stage × channel × locale learns from."""

    stage: str
    channel: str
    locale: str
    decided: int = 0
    examples: list[Example] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    reasons: dict[str, int] = Field(default_factory=dict)
    lengths: dict[str, float] = Field(default_factory=dict)
    """Per field, the share of the channel limit to write to (set when copy was too long)."""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.stage, self.channel, self.locale


class LocaleLessons(DcoModel):
    """What holds for every prompt in one locale: word preferences and off-tone words."""

    preferences: list[Preference] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list)


class TuningProfile(DcoModel):
    """Everything `tune` learned from one decision log, for one brand."""

    version: int = FORMAT_VERSION
    brand: str | None = None
    decisions: int = Field(0, description="How many standing decisions it was built from.")
    last_seq: int = 0
    settings: dict[str, Any] = Field(default_factory=dict)
    locales: dict[str, LocaleLessons] = Field(default_factory=dict)
    sections: list[Section] = Field(default_factory=list)

    def section(self, stage: str, channel: str, locale: str) -> Guidance:
        """What a prompt for this stage, channel and locale should carry (empty when nothing)."""
        lessons = self.locales.get(locale, LocaleLessons())
        found = next((s for s in self.sections if s.key == (stage, channel, locale)), None)
        return Guidance(found, lessons)

    def save(self, path: str | Path) -> None:
        """Write the profile as YAML (Korean readable, keys in a stable order)."""
        data = self.model_dump(mode="json")
        text = "# dco tuning profile: written by `dco tune`; read by `dco generate --profile`.\n"
        text += yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        Path(path).write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> TuningProfile:
        """Read a profile file; errors name the file, line and key."""
        document = yamlfile.load(Path(path))
        profile = document.validate(cls, what="tuning profile")
        if profile.version > FORMAT_VERSION:
            raise ConfigError(
                _(
                    "{path}: tuning profile format {found} is newer than this dco reads "
                    "({known}); upgrade dco"
                ).format(path=path, found=profile.version, known=FORMAT_VERSION)
            )
        return profile


class Guidance:
    """The part of a profile one prompt uses, with the digest that enters its prompt version."""

    def __init__(self, section: Section | None, lessons: LocaleLessons) -> None:
        self.examples = section.examples if section else []
        self.notes = section.notes if section else []
        self.lengths = section.lengths if section else {}
        self.preferences = lessons.preferences
        self.avoid = lessons.avoid
        content = {
            "examples": [e.fields() for e in self.examples],
            "notes": self.notes,
            "lengths": self.lengths,
            "prefer": [[p.prefer, p.avoid] for p in self.preferences],
            "avoid": self.avoid,
        }
        self.empty = not any(content.values())
        self.digest = (
            ""
            if self.empty
            else hashlib.sha256(
                json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
            ).hexdigest()[:12]
        )

    def prompt_data(self) -> dict[str, Any]:
        """The guidance as prompt data: examples, preferences and avoided words."""
        return {
            "examples": [{k: v for k, v in e.fields().items() if v} for e in self.examples],
            "prefer": [{"use": p.prefer, "instead_of": p.avoid} for p in self.preferences],
            "avoid": list(self.avoid),
        }
