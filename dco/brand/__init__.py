"""Brand guidelines: load a brand folder, check copy against its rules, apply the safe fixes.

>>> brand = Brand.load("runfit")  # a built-in brand, by name
>>> [f.rule for f in brand.check("업계 최고의 코칭")]
['ko-ad-law.Superlatives']
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from dco.brand.check import RuleSet, apply_fixes
from dco.brand.loader import (
    PACKS_DIR,
    BrandSpec,
    SkippedRule,
    available_packs,
    load_rules,
    load_spec,
    style_name,
    vocabulary_rules,
)
from dco.brand.marketing import Required
from dco.brand.rules import Context, Rule
from dco.brand.vale import accepting
from dco.channels.catalog import Channel, get_channel
from dco.errors import ConfigError
from dco.i18n import _
from dco.models import Copy, Finding, Formality, FunnelStage
from dco.resources import brand_folder
from dco.serving.context import ContextRules
from dco.text.surrogates import without_lone_surrogates
from dco.text.units import fold, nfc

if TYPE_CHECKING:
    from dco.funnel import Classifier

CONTEXT_FILE = "context.yaml"


class Brand:
    """A brand's guidelines: its spec (name, voice, formality, claims) and its rules."""

    def __init__(
        self,
        spec: BrandSpec,
        rules: list[Rule],
        folder: Path | None = None,
        skipped: list[SkippedRule] | None = None,
    ) -> None:
        self.spec = spec
        accepted = spec.vocabulary.accept
        self.rules = [accepting(rule, accepted) for rule in rules] if accepted else rules
        """The brand's rules, in load order (read-only: they are prepared once, here), with
        the words the brand accepts excepted."""
        self.folder = folder
        self.skipped = list(skipped or [])
        """Rule files of Vale kinds dco does not run (spelling, sequence, script), to report."""
        self._ruleset = RuleSet(self.rules)
        # The few rules `requirements` reads, found once: generation asks for every brief.
        self._required = [r for r in self.rules if isinstance(r, Required) and r.level == "error"]
        self._claims = frozenset(fold(c.text) for c in spec.claims)

    def __repr__(self) -> str:
        return f"Brand({self.name!r}, rules={len(self.rules)})"

    @classmethod
    def load(cls, path: str | Path) -> Brand:
        """Load the brand folder at `path` (or a built-in brand by name, e.g. "runfit")."""
        folder = brand_folder(path)
        spec, document = load_spec(folder)
        style = style_name(spec.name)
        loaded: list[Rule | SkippedRule] = [*vocabulary_rules(spec, style)]
        for pack in spec.packs:
            loaded += load_rules(PACKS_DIR / pack, pack)
        loaded += load_rules(folder / "rules", style)
        rules = [rule for rule in loaded if isinstance(rule, Rule)]
        skipped = [rule for rule in loaded if isinstance(rule, SkippedRule)]
        for index, rule in enumerate(rules):
            if not isinstance(rule, Required) or rule.supplied_by is None:
                continue
            line = getattr(spec.contact, rule.supplied_by)
            if line and rule.exact:
                rules[index] = rule.for_line(line)
            elif line and not _satisfies(rule, line):
                key = f"contact.{rule.supplied_by}"
                raise ConfigError(
                    _("{where}: key '{key}': {line!r} does not satisfy {rule} ({wanted})").format(
                        where=document.where(("contact", rule.supplied_by)), key=key, line=line,
                        rule=rule.id, wanted=rule.format(rule.pattern),
                    )
                )  # fmt: skip
        return cls(spec, rules, folder, skipped)

    def requirements(self, channel: str | None) -> list[dict[str, str]]:
        """What copy for `channel` must say word for word ({"field", "text", "position"}), for
        the prompt to ask for up front rather than the repair loop to discover: the literal
        text of error-level `required` rules, and the brand's contact lines the others name.

        A rule that needs a contact line the brand has not given is an error saying which.
        """
        needed: list[dict[str, str]] = []
        following: list[tuple[Required, str]] = []
        for rule in self._required:
            if not rule.holds_in(channel):
                continue
            if rule.literal:
                text = rule.pattern
            elif rule.supplied_by is not None:
                text = getattr(self.spec.contact, rule.supplied_by)
                if not text:
                    raise ConfigError(
                        _(
                            "copy for {channel} must carry {what} ({rule}: {wanted}); add "
                            "contact.{key} to {brand}'s brand.yaml"
                        ).format(
                            channel=channel, what=rule.supplied_by.replace("_", " "),
                            rule=rule.id, wanted=rule.format(rule.pattern),
                            key=rule.supplied_by, brand=self.spec.name,
                        )
                    )  # fmt: skip
            else:
                continue  # a pattern only a writer can satisfy: the repair loop reports it
            if rule.after is not None:
                following.append((rule, text))
            else:
                needed.append({"field": rule.field, "text": text, "position": rule.position})
        # Text that follows another ("(광고)", then the sender) is asked for as one opening, so
        # that the writer never puts the prefix in twice.
        for rule, text in following:
            opening = f"{rule.after} {text}"
            for item in needed:
                if (
                    item["field"] == rule.field
                    and item["position"] == "start"
                    and (item["text"] == rule.after)
                ):
                    item["text"] = opening
                    break
            else:
                needed.append({"field": rule.field, "text": opening, "position": "start"})
        return needed

    @functools.cached_property
    def context_rules(self) -> ContextRules | None:
        """The brand's context rules (`context.yaml` beside brand.yaml), or None."""
        path = self.folder / CONTEXT_FILE if self.folder is not None else None
        return ContextRules.load(path) if path is not None and path.is_file() else None

    @functools.cached_property
    def classifier(self) -> Classifier:
        """How the brand places its customers in the funnel: its `funnel.yaml` (lexicon override)
        and `funnel_model.json` (a model trained on its labels) beside brand.yaml, else the
        built-in ones."""
        # The classifier loads on first use: `dco lint` checks copy and never classifies.
        from dco.funnel import load_classifier

        return load_classifier(self.folder)

    # The attributes the generator reads to shape its prompts.
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def voice(self) -> str:
        return self.spec.voice

    @property
    def formality(self) -> Formality | None:
        return self.spec.formality[0] if len(self.spec.formality) == 1 else None

    def check(
        self,
        copy: Copy | Mapping[str, str] | str,
        *,
        channel: str | Channel | None = None,
        stage: FunnelStage | str | None = None,
    ) -> list[Finding]:
        """Findings for `copy` (a Copy, a field → text mapping, or plain text)."""
        return self.check_many([copy], channel=channel, stage=stage)[0]

    def check_many(
        self,
        copies: Iterable[Copy | Mapping[str, str] | str],
        *,
        channel: str | Channel | None = None,
        stage: FunnelStage | str | None = None,
        structure: Mapping[str, int] | None = None,
    ) -> list[list[Finding]]:
        """`check` for each of `copies`: the same findings, in a list per copy, for less work
        per copy than checking them one by one (for many copies, such as a file to lint).
        When the copies are the pieces of one document, `structure` counts its blocks by kind
        for `metric` rules (`heading.h2`, `list`, ...)."""
        assets = [_fields(copy) for copy in copies]
        spec = get_channel(channel) if isinstance(channel, str) else channel
        context = Context(
            channel=spec,
            stage=stage,
            claims=self._claims,
            formality=tuple(self.spec.formality),
            structure=structure or {},
        )
        return self._ruleset.check_many(assets, context)

    def fix(
        self,
        copy: Copy | str,
        *,
        channel: str | Channel | None = None,
        stage: FunnelStage | str | None = None,
    ) -> tuple[Copy | str, int]:
        """`copy` with the safe replacements applied (substitutions), and how many were made."""
        findings = self.check(copy, channel=channel, stage=stage)
        if isinstance(copy, str):
            return apply_fixes(copy, [f for f in findings if f.field == "text"])
        total, fixed = 0, {}
        for name, text in copy.fields().items():
            fixed[name], count = apply_fixes(text, [f for f in findings if f.field == name])
            total += count
        return Copy(**fixed), total


def _fields(copy: Copy | Mapping[str, str] | str) -> dict[str, str]:
    fields: dict[str, str]
    if isinstance(copy, Copy):
        fields = {"headline": copy.headline, "body": copy.body, "cta": copy.cta}
    elif isinstance(copy, str):
        fields = {"text": copy}
    else:
        fields = {str(k): str(v) for k, v in copy.items()}
    return {name: normalise(text) for name, text in fields.items()}


def normalise(text: str) -> str:
    """Text as rules see it: NFC (composed Hangul), and a lone surrogate (from a "\\ud83d"
    escape, half an emoji) as U+FFFD, which is no text. (Full-width characters are folded by
    the checker, for the rules that do not look for them: see `dco.brand.check`.)"""
    if text.isascii():
        return text  # already both: the cheap answer for English copy
    return nfc(without_lone_surrogates(text))


def _satisfies(rule: Required, line: str) -> bool:
    """Whether the brand's contact `line` passes `rule` where the rule would read it."""
    assert rule.compiled.pattern is not None
    return rule.compiled.pattern.search(f"{rule.after} {line}" if rule.after else line) is not None


__all__ = ["Brand", "BrandSpec", "SkippedRule", "available_packs"]
