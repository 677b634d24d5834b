"""Running rules over copy: hits become findings with field, line, column and span; safe fixes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from dco.brand.rules import Context, Hit, Rule, first_filled
from dco.models import Finding, Span


class RuleSet:
    """Rules prepared for checking: grouped by the fields they apply to, and by the text one of
    which must be present for a rule to find anything (its anchors), so that most rules skip
    most texts at the cost of one substring test per distinct anchor."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = list(rules)
        self._anchors = {id(rule): rule.anchors() for rule in self.rules}
        self._plans: dict[tuple[str, str | None], _FieldPlan] = {}

    def plan(self, name: str, channel: str | None = None) -> _FieldPlan:
        """The rules relevant to field `name` in `channel`: those that always run, and by anchor."""
        plan = self._plans.get((name, channel))
        if plan is None:
            relevant = [rule for rule in self.rules if rule.relevant(name, channel)]
            plan = self._plans[(name, channel)] = _FieldPlan(relevant, self._anchors)
        return plan

    def check(self, fields: Mapping[str, str], base: Context) -> list[Finding]:
        """Findings on each non-empty field, in field order then position."""
        findings: list[Finding] = []
        asset = dict(fields)
        channel_id = getattr(base.channel, "id", base.channel)
        # Rules that judge the asset as a whole run once, with its first non-empty field.
        first = first_filled(asset)
        for name, text in fields.items():
            if not text:
                continue
            context = Context(
                field=name, asset=asset, channel=base.channel, stage=base.stage,
                claims=base.claims, formality=base.formality,
            )  # fmt: skip
            plan = self._plans.get((name, channel_id)) or self.plan(name, channel_id)
            for rule in plan.due(text, first=name == first):
                for hit in rule.check(text, context):
                    findings.append(finding(rule, hit, name, text))
        order = {name: index for index, name in enumerate(fields)}
        findings.sort(key=lambda f: (order.get(f.field, 0), f.line, f.column))
        return findings


class _FieldPlan:
    """The rules for one field and channel: those that always run, and those behind anchors.

    Rules are kept by their position in load order, so the rules due on a text are found as a
    set of numbers and sorted as such.
    """

    def __init__(self, rules: list[Rule], anchors: dict[int, tuple[str, ...] | None]) -> None:
        self.rules = rules
        self._always_first = [i for i, rule in enumerate(rules) if anchors[id(rule)] is None]
        """Unanchored rules, run on the asset's first non-empty field ..."""
        self._always_other = [i for i in self._always_first if not rules[i].per_asset()]
        """... and on its other fields, less those that judge the asset as a whole."""
        self._first = [rules[i] for i in self._always_first]
        self._other = [rules[i] for i in self._always_other]
        self.anchored: dict[str, list[int]] = {}
        for index, rule in enumerate(rules):
            for anchor in anchors[id(rule)] or ():
                self.anchored.setdefault(anchor, []).append(index)
        self.finder: re.Pattern[str] | None = None
        self.implied: dict[str, list[int]] = {}
        self._prepare()

    def due(self, text: str, *, first: bool) -> list[Rule]:
        """The rules to run on `text`, in load order: the unanchored ones, and those whose
        anchor it contains. `first`: whether it is the asset's first non-empty field."""
        found = self.finder.findall(text.casefold()) if self.finder is not None else None
        if not found:
            return self._first if first else self._other
        indices = set(self._always_first if first else self._always_other)
        for anchor in found:
            indices.update(self.implied[anchor])
        return [self.rules[index] for index in sorted(indices)]

    def _prepare(self) -> None:
        """Compile one search for every anchor at once.

        The search looks ahead at each position, so it reports the longest anchor starting
        there; the shorter anchors it contains are present too, so each anchor implies the
        rules of every anchor inside it.
        """
        if not self.anchored:
            return
        by_first: dict[str, list[str]] = {}
        for anchor in sorted(self.anchored, key=len, reverse=True):
            by_first.setdefault(anchor[0], []).append(anchor)
        alternatives = "|".join(
            re.escape(first) + "(?:" + "|".join(re.escape(a[1:]) for a in group) + ")"
            for first, group in by_first.items()
        )
        self.finder = re.compile(f"(?=({alternatives}))")
        for anchor in self.anchored:
            self.implied[anchor] = [
                index
                for inner, indices in self.anchored.items()
                if inner in anchor
                for index in indices
            ]


def finding(rule: Rule, hit: Hit, field: str, text: str) -> Finding:
    """The finding for one hit, located by 1-based line and column (in characters)."""
    line = text.count("\n", 0, hit.start) + 1
    column = hit.start - (text.rfind("\n", 0, hit.start) + 1) + 1
    return Finding.trusted(
        rule=rule.id,
        level=rule.level,
        message=hit.message,
        field=field,
        line=line,
        column=column,
        span=Span.trusted(start=hit.start, end=hit.end),
        match=hit.match,
        replacement=hit.replacement,
        link=rule.link,
    )


def apply_fixes(text: str, findings: Iterable[Finding]) -> tuple[str, int]:
    """`text` with every finding's replacement applied (non-overlapping, right to left)."""
    fixes = sorted(
        (f for f in findings if f.replacement is not None and f.span is not None),
        key=lambda f: f.span.start,  # type: ignore[union-attr]
    )
    kept, last_end = [], -1
    for fix in fixes:
        assert fix.span is not None
        if fix.span.start >= last_end:
            kept.append(fix)
            last_end = fix.span.end
    for fix in reversed(kept):
        assert fix.span is not None and fix.replacement is not None
        text = text[: fix.span.start] + fix.replacement + text[fix.span.end :]
    return text, len(kept)
