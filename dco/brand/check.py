"""Running rules over copy: hits become findings with field, line, column and span; safe fixes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dco.brand.rules import Context, Hit, Rule
from dco.models import Finding, Span


def check_fields(rules: Iterable[Rule], fields: Mapping[str, str], base: Context) -> list[Finding]:
    """Findings of `rules` on each non-empty field, in field order then position."""
    findings: list[Finding] = []
    rules = list(rules)
    asset = {name: text for name, text in fields.items()}
    for name, text in fields.items():
        if not text:
            continue
        context = Context(
            field=name, asset=asset, channel=base.channel, stage=base.stage,
            claims=base.claims, formality=base.formality,
        )  # fmt: skip
        for rule in rules:
            if not rule.applies_to(name):
                continue
            for hit in rule.check(text, context):
                findings.append(finding(rule, hit, name, text))
    findings.sort(key=lambda f: (list(fields).index(f.field) if f.field in fields else 0,
                                 f.line, f.column))  # fmt: skip
    return findings


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
