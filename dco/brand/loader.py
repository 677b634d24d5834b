"""Loading a brand folder: `brand.yaml`, its `rules/` (Vale-style YAML), and the packs it enables.

Every problem is a `ConfigError` naming the file, line, column and key: invalid YAML, an unknown
key (with the nearest valid one), an unknown rule kind, a bad regular expression (with the rule
id), a term both preferred and rejected. A rule of a Vale kind dco does not run (`spelling`,
`sequence`, `script`) is not an error, so that a Vale style folder loads unchanged: it is kept
aside as a `SkippedRule`, for the caller to report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
from pydantic import Field, field_validator

from dco import resources, yamlfile
from dco.brand.marketing import MARKETING_KINDS
from dco.brand.matching import literal_token
from dco.brand.metric import Metric, Readability
from dco.brand.patterns import compile_pattern
from dco.brand.rules import Rule, known_channels
from dco.brand.vale import VALE_KINDS, Existence, Substitution
from dco.errors import ConfigError
from dco.i18n import _, did_you_mean
from dco.models import DcoModel, Formality

KINDS: dict[str, type[Rule]] = {
    **VALE_KINDS,
    Metric.kind: Metric,
    Readability.kind: Readability,
    **MARKETING_KINDS,
}
UNSUPPORTED_KINDS = {
    "spelling": "it needs Hunspell dictionaries",
    "sequence": "it needs a part-of-speech tagger",
    "script": "it runs Tengo scripts",
}
"""Vale's kinds that dco loads but does not run, and why."""
PACKS_DIR = resources.DATA_DIR / "packs"
RULE_SUFFIXES = (".yml", ".yaml")


class ClaimSpec(DcoModel):
    """A claim the brand can back up, with where the evidence is."""

    text: str = Field(min_length=1)
    source: str = Field(min_length=1)
    date: dt.date | str | None = None
    """When the evidence is from: a date (2026-03-01), or a month (2026-03)."""

    @field_validator("date", mode="before")
    @classmethod
    def _a_date(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
                return value
        raise ValueError(
            _("{value!r} is not a date; write YYYY-MM-DD (or YYYY-MM for a month)").format(
                value=value
            )
        )


class Vocabulary(DcoModel):
    """Words the brand prefers (rejected → preferred), words it never uses, and words it
    accepts whatever a style's rules say of them (Vale's vocabulary `accept.txt`)."""

    prefer: dict[str, str] = Field(default_factory=dict)
    reject: list[str] = Field(default_factory=list)
    accept: list[str] = Field(default_factory=list)
    """Exceptions to every existence and substitution rule that reads the vocabulary (`vocab`,
    the default), as Vale adds its accepted terms; a term may be a regular expression."""


class MarkdownReading(DcoModel):
    """How `dco lint` reads Markdown, under the names of Vale's settings that do the same."""

    skipped_scopes: list[str] = Field(
        default_factory=lambda: ["script", "style", "pre", "figure", "noscript", "iframe"]
    )
    """Blocks not read at all, by HTML tag: `blockquote`, `table`, `ul`, `h1`, ..."""
    ignored_scopes: list[str] = Field(default_factory=lambda: ["tt", "code", "kbd"])
    """Inline markup read as `*`s, by HTML tag: `code`, `strong`, `em`, `a`, ..."""
    ignored_classes: list[str] = Field(default_factory=list)
    """Inline HTML whose `class` names one of these is read as `*`s."""
    token_ignores: list[str] = Field(default_factory=list)
    """Regular expressions for inline spans read as `*`s (`\\$[^$\\n]+\\$`: TeX math)."""
    block_ignores: list[str] = Field(default_factory=list)
    """Regular expressions for whole blocks not read (a shortcode's body, say)."""

    @field_validator("token_ignores", "block_ignores")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as e:
                raise ValueError(
                    _("{pattern!r} is not a regular expression: {why}").format(
                        pattern=pattern, why=e
                    )
                ) from None
        return patterns


class Contact(DcoModel):
    """Lines the law makes ad messages carry, as this brand writes them; the generator adds
    them where a pack's `required` rule names them (`supplied_by`)."""

    opt_out: str | None = None
    """A free opt-out for ad SMS/LMS, e.g. 무료수신거부 080-000-0000."""
    sender: str | None = None
    """Who sends the brand's ads and how to reach them, written right after "(광고)" in an ad
    message: 런핏 02-000-0000 (the number may be left out when it is the reply number)."""
    postal_address: str | None = None
    unsubscribe: str | None = None


class BrandSpec(DcoModel):
    """The shape of `brand.yaml`."""

    name: str = Field(min_length=1)
    spellings: dict[str, list[str]] = Field(default_factory=dict)
    """The right spelling of a name → the wrong ones seen in the wild."""
    voice: str = ""
    formality: list[Formality] = Field(default_factory=list)
    vocabulary: Vocabulary = Field(default_factory=Vocabulary)
    claims: list[ClaimSpec] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    locales: list[str] = Field(default_factory=list)
    packs: list[str] = Field(default_factory=list)
    contact: Contact = Field(default_factory=Contact)
    markdown: MarkdownReading = Field(default_factory=MarkdownReading)

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, channels: list[str]) -> list[str]:
        return known_channels(channels)


def available_packs() -> list[str]:
    """The built-in rule packs a brand can enable by name."""
    return sorted(p.name for p in PACKS_DIR.iterdir() if p.is_dir())


def load_spec(folder: Path) -> tuple[BrandSpec, yamlfile.Document]:
    """Read and validate `folder/brand.yaml`."""
    path = folder / "brand.yaml"
    if not path.is_file():
        raise ConfigError(
            _("{folder}: no brand.yaml (a brand folder holds brand.yaml and rules/)").format(
                folder=folder
            )
        )
    document = yamlfile.load(path)
    spec = document.validate(BrandSpec, what="brand")
    overlap = set(spec.vocabulary.prefer.values()) & set(spec.vocabulary.reject)
    if overlap:
        term = sorted(overlap)[0]
        where = document.where(("vocabulary", "reject", spec.vocabulary.reject.index(term)))
        raise ConfigError(
            _(
                "{where}: key 'vocabulary.reject': {term!r} is both preferred and rejected; "
                "remove it from one of the lists"
            ).format(where=where, term=term)
        )
    for index, pack in enumerate(spec.packs):
        if pack not in available_packs():
            raise ConfigError(
                _(
                    "{where}: key 'packs.{index}': unknown pack {pack!r}.{hint} Known packs: "
                    "{known}."
                ).format(
                    where=document.where(("packs", index)), index=index, pack=pack,
                    hint=did_you_mean(pack, available_packs()), known=", ".join(available_packs()),
                )
            )  # fmt: skip
    return spec, document


@dataclass(frozen=True)
class SkippedRule:
    """A rule file of a Vale kind dco does not run: where it is and why it is not run."""

    id: str
    kind: str
    where: str
    """file:line:column of its `extends` key."""

    @property
    def reason(self) -> str:
        return (
            f"{self.where}: rule {self.id} is not run: dco does not implement Vale's "
            f"{self.kind!r} kind ({UNSUPPORTED_KINDS[self.kind]})"
        )


def load_rules(folder: Path, style: str) -> list[Rule | SkippedRule]:
    """Every rule file in `folder`, as rules with ids `<style>.<FileName>`, in name order."""
    if not folder.is_dir():
        return []
    return [
        load_rule(path, f"{style}.{path.stem}")
        for path in sorted(folder.iterdir())
        if path.suffix in RULE_SUFFIXES and path.is_file()
    ]


def load_rule(path: Path, rule_id: str) -> Rule | SkippedRule:
    """One Vale-style rule file (or, for a kind dco does not run, a note of it)."""
    document = yamlfile.load(path)
    data = document.data
    if not isinstance(data, dict):
        raise ConfigError(
            _("{path}: a rule file holds a mapping with 'extends' and its fields").format(path=path)
        )
    kind = data.get("extends")
    if kind in UNSUPPORTED_KINDS:
        return SkippedRule(rule_id, kind, document.where(("extends",)))
    if kind not in KINDS:
        where = document.where(("extends",)) if "extends" in data else str(path)
        hint = did_you_mean(str(kind), list(KINDS)) if kind else ""
        raise ConfigError(
            _(
                "{where}: rule {rule}: key 'extends': unknown rule kind {kind!r}.{hint} Known "
                "kinds: {known}."
            ).format(where=where, rule=rule_id, kind=kind, hint=hint, known=", ".join(KINDS))
        )
    if isinstance(data.get("message"), str):
        # A shipped rule's message is in the catalogues; a team's own reads as written.
        data = {**data, "message": _(data["message"])}
    try:
        rule = KINDS[kind].model_validate(data)
    except pydantic.ValidationError as e:
        raise document.error_from(e, what=f"rule {rule_id}") from e
    except re.error as e:
        key, culprit, error = _bad_pattern(data) or ((), str(e.pattern), e)
        where = document.where(key) if key else str(path)
        named = f"key '{'.'.join(map(str, key))}': " if key else ""
        raise ConfigError(
            _(
                "{where}: rule {rule}: {named}invalid regular expression {pattern!r}: {why} (at "
                "position {at}); fix the pattern"
            ).format(
                where=where, rule=rule_id, named=named, pattern=culprit, why=error.msg,
                at=error.pos,
            )
        ) from e  # fmt: skip
    rule.id = rule_id
    return rule


_PATTERN_LISTS = ("tokens", "exceptions", "conditions")
_PATTERN_SCALARS = ("token", "first", "second", "pattern", "prefix", "match")


def _bad_pattern(data: dict[str, Any]) -> tuple[tuple[str | int, ...], str, re.error] | None:
    """Which of a rule file's patterns does not compile, by its key: the pattern a rule joins
    from them hides which one it was (Vale joins `raw` fragments, so they are tried joined)."""
    candidates: list[tuple[tuple[str | int, ...], str]] = []
    for key in _PATTERN_LISTS:
        values = data.get(key)
        if isinstance(values, list):
            candidates += [((key, i), str(v)) for i, v in enumerate(values)]
    raw = data.get("raw")
    if isinstance(raw, list | str):
        candidates.append((("raw",), "".join(map(str, raw)) if isinstance(raw, list) else raw))
    for key in _PATTERN_SCALARS:
        if isinstance(data.get(key), str) and not str(data[key]).startswith("$"):
            candidates.append(((key,), data[key]))
    for key in ("swap", "either"):
        if isinstance(data.get(key), dict):
            candidates += [((key, k), str(k)) for k in data[key]]
    for where, pattern in candidates:
        try:
            compile_pattern(pattern)
        except re.error as e:
            return where, pattern, e
    return None


def vocabulary_rules(spec: BrandSpec, style: str) -> list[Rule]:
    """The rules `brand.yaml` implies: spellings, preferred words and rejected ones."""
    rules: list[Rule] = []
    # brand.yaml lists words, not patterns (as rule files' tokens are): each is matched as written.
    swap = {
        literal_token(wrong): right for right, wrongs in spec.spellings.items() for wrong in wrongs
    }
    if swap:
        rules.append(Substitution(
            extends="substitution", id=f"{style}.Spelling", level="error", swap=swap,
            message=_("Write {brand}'s names as %s, not '%s'.").format(brand=spec.name),
        ))  # fmt: skip
    if spec.vocabulary.prefer:
        rules.append(Substitution(
            extends="substitution", id=f"{style}.Vocabulary", level="warning",
            swap={literal_token(wrong): right for wrong, right in spec.vocabulary.prefer.items()},
            ignorecase=True,
            message=_("Prefer %s over '%s'."),
        ))  # fmt: skip
    if spec.vocabulary.reject:
        rules.append(Existence(
            extends="existence", id=f"{style}.Rejected", level="error",
            tokens=[literal_token(word) for word in spec.vocabulary.reject], ignorecase=True,
            message=_("'%s' is not a word {brand} uses.").format(brand=spec.name),
        ))  # fmt: skip
    return rules


def style_name(name: str) -> str:
    """A brand's name as a rule-id prefix: Runfit Coaching → RunfitCoaching."""
    return re.sub(r"[^0-9A-Za-z가-힣_]", "", name.title() if " " in name else name) or "Brand"
