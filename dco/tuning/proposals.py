"""Learned preferences as Vale-style `substitution` rule files, for a human to accept.

Lint rules never change on their own: `dco tune --propose-rules DIR` writes one file per
preference into DIR; moving a file into a brand's `rules/` folder is the human's decision.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml

from dco.tuning.profile import TuningProfile

_ASCII_WORD = re.compile(r"[^A-Za-z0-9]+")


def rule_name(avoid: str, prefer: str) -> str:
    """A stable file name for the preference: readable when the words are ASCII, else hashed."""
    slug = _ASCII_WORD.sub("", avoid.title())[:24]
    digest = hashlib.sha256(f"{avoid}\0{prefer}".encode()).hexdigest()[:6]
    return f"Prefer{slug}{digest.capitalize()}" if slug else f"Prefer{digest.capitalize()}"


def propose_rules(profile: TuningProfile, folder: str | Path) -> list[Path]:
    """Write a substitution rule per learned preference into `folder`; returns the files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for locale, lessons in sorted(profile.locales.items()):
        for preference in lessons.preferences:
            english = preference.avoid.isascii()
            rule = {
                "extends": "substitution",
                "message": "Reviewers prefer '%s' over '%s'.",
                "level": "suggestion",
                "ignorecase": english,
                "swap": {preference.avoid: preference.prefer},
            }
            header = (
                f"# Proposed by `dco tune` from {preference.support} edits by "
                f"{preference.reviewers} reviewers ({locale}), for example:\n"
                + "".join(f"#   {example}\n" for example in preference.examples)
                + "# Move this file into your brand's rules/ folder to adopt it.\n"
            )
            path = folder / f"{rule_name(preference.avoid, preference.prefer)}.yml"
            path.write_text(
                header + yaml.safe_dump(rule, allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
            written.append(path)
    return written
