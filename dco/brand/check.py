"""Running rules over copy: hits become findings with field, line, column and span; safe fixes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dco.brand.rules import Context, Hit, Rule
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
            plan = self._plans[(name, channel)] = _FieldPlan()
            for rule in self.rules:
                if not rule.relevant(name, channel):
                    continue
                anchors = self._anchors[id(rule)]
                if anchors is None:
                    plan.always.append(rule)
                for anchor in anchors or ():
                    plan.anchored.setdefault(anchor, []).append(rule)
            for anchor, rules in plan.anchored.items():
                plan.by_first.setdefault(anchor[0], []).append((anchor, rules))
        return plan

    def check(self, fields: Mapping[str, str], base: Context) -> list[Finding]:
        """Findings on each non-empty field, in field order then position."""
        findings: list[Finding] = []
        asset = dict(fields)
        channel_id = getattr(base.channel, "id", base.channel)
        for name, text in fields.items():
            if not text:
                continue
            context = Context(
                field=name, asset=asset, channel=base.channel, stage=base.stage,
                claims=base.claims, formality=base.formality,
            )  # fmt: skip
            plan = self.plan(name, channel_id)
            due = list(plan.always)
            folded = text.casefold()
            by_first = plan.by_first
            for char in set(folded):
                for anchor, rules in by_first.get(char, ()):
                    if anchor in folded:
                        due += rules
            # Keyed by id: a rule with several anchors present runs once, in load order.
            for rule in {id(rule): rule for rule in due}.values():
                for hit in rule.check(text, context):
                    findings.append(finding(rule, hit, name, text))
        order = {name: index for index, name in enumerate(fields)}
        findings.sort(key=lambda f: (order.get(f.field, 0), f.line, f.column))
        return findings


class _FieldPlan:
    def __init__(self) -> None:
        self.always: list[Rule] = []
        self.anchored: dict[str, list[Rule]] = {}
        self.by_first: dict[str, list[tuple[str, list[Rule]]]] = {}
        """Anchors by their first character: a text's distinct characters pick the few to test."""


def finding(rule: Rule, hit: Hit, field: str, text: str) -> Finding:
    """The finding for one hit, located by 1-based line and column (in characters)."""
    line = text.count("\n", 0, hit.start) + 1
    column = hit.start - (text.rfind("\n", 0, hit.start) + 1) + 1
    return Finding.model_construct(
        rule=rule.id,
        level=rule.level,
        message=hit.message,
        field=field,
        line=line,
        column=column,
        span=Span.model_construct(start=hit.start, end=hit.end),
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
