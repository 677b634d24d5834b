"""Running rules over copy: hits become findings with field, line, column and span; safe fixes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as default

from ahocorasick_rs import AhoCorasick

from dco.brand.anchors import fold_case
from dco.brand.patterns import BUDGET_SECONDS
from dco.brand.rules import Context, Hit, Rule, first_filled
from dco.models import Finding, Span
from dco.text.lines import line_and_column, line_offsets
from dco.text.units import FULL_WIDTH, fold_width


class RuleSet:
    """Rules prepared for checking: grouped by the fields they apply to, and by the text one of
    which must be present for a rule to find anything (its anchors), so that most rules skip
    most texts at the cost of one pass over the text that finds every anchor in it. A rule
    with no anchor may still have a gate: a character class the text must hold."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = list(rules)
        self._text_alone = [rule.text_alone() for rule in self.rules]
        """Whether each rule's hits on a text follow from the text and its field alone."""
        self._reads_full_width = [
            bool(FULL_WIDTH.search(str(rule.model_dump(exclude={"compiled"}))))
            for rule in self.rules
        ]
        """Whether each rule names a full-width character (！, ％): it reads text as written.
        The others read it with full-width ASCII folded to half-width, so that a rule for
        "FREE" finds "ＦＲＥＥ"."""
        self._anchors = {id(rule): rule.anchors() for rule in self.rules}
        # Only a rule without anchors needs a gate, and reading one costs a regex parse.
        self._gates = {
            id(rule): rule.gate() for rule in self.rules if _unanchored(self._anchors[id(rule)])
        }
        self._plans: dict[tuple[str, str | None], _FieldPlan] = {}
        self._findings: dict[tuple[int, Hit, str, int, int], Finding] = {}
        """Findings made, by (rule position, hit, field, line, column), to be handed out
        again: they are immutable values, and the assets of one campaign share many (the
        same "(광고)" missing from every variant), each costing more to build than to find."""

    def plan(self, name: str, channel: str | None = None) -> _FieldPlan:
        """The rules relevant to field `name` in `channel`: those that always run, and by anchor."""
        plan = self._plans.get((name, channel))
        if plan is None:
            relevant = [
                (position, rule)
                for position, rule in enumerate(self.rules)
                if rule.relevant(name, channel)
            ]
            plan = self._plans[(name, channel)] = _FieldPlan(relevant, self._anchors, self._gates)
        return plan

    def check(self, fields: dict[str, str], base: Context) -> list[Finding]:
        """Findings on each non-empty field, in field order then position (then load order).

        `fields` is the asset every rule sees as `context.asset`; rules only read it.
        """
        return self.check_many([fields], base)[0]

    def check_many(self, assets: Sequence[dict[str, str]], base: Context) -> list[list[Finding]]:
        """`check` for each of `assets`, with the same findings in the same order.

        The work is done rule by rule rather than asset by asset: one rule runs over every
        text of the batch it is due on before the next rule starts. Its patterns and code then
        stay in the processor's caches, which makes a batch about a third cheaper per asset
        than the same assets checked one at a time.

        A text that fills the same field in several assets (a campaign's variants share a few
        calls to action) is judged once by the rules that read nothing but the text.
        """
        batch = self._schedule(assets, base)
        found_by: list[list[tuple[list[Hit], int]]] = [[] for _ in batch.slots]
        """Each slot's hits, as the rules that found any returned them, by the rule's position
        (in load order)."""
        texts, contexts, written = batch.texts, batch.contexts, batch.written
        gave_up: list[tuple[int, Finding]] = []
        """(slot, finding) where a rule's pattern ran past its time budget on the slot's text."""
        for position in sorted(batch.due_on):
            due, rule = batch.due_on[position], self.rules[position]
            read = written if self._reads_full_width[position] else texts
            try:
                if len(due) == 1:  # a batch of one asset, or a rule for a text only one holds
                    slot = due[0]
                    if found := rule.check(read[slot], contexts[slot]):
                        found_by[slot].append((found, position))
                    continue
                checked = rule.check_each(
                    [read[slot] for slot in due], [contexts[slot] for slot in due]
                )
            except TimeoutError:
                if len(due) == 1:
                    gave_up.append((due[0], _gave_up(rule, batch.slots[due[0]][1])))
                    continue
                # Which text ran away is not known from a batch: judge them one by one.
                checked = []
                for index, slot in enumerate(due):
                    try:
                        if found := rule.check(read[slot], contexts[slot]):
                            checked.append((index, found))
                    except TimeoutError:
                        gave_up.append((slot, _gave_up(rule, batch.slots[slot][1])))
            for index, found in checked:
                found_by[due[index]].append((found, position))
        for slot, seen in batch.repeats:
            shared = [result for result in found_by[seen] if self._text_alone[result[1]]]
            if shared:
                found_by[slot] = sorted(shared + found_by[slot], key=_position)
        findings: list[list[Finding]] = [[] for _ in assets]
        for (index, name), text, results in zip(batch.slots, texts, found_by, strict=True):
            if not results:
                continue  # most fields pass most rules
            pairs = [(hit, position) for found, position in results for hit in found]
            if len(pairs) > 1:
                pairs.sort(key=_start)  # stable: rules in load order where positions tie
            # Where the text's lines start, found once for all its hits (None: a single line,
            # as most fields are): per hit, a long text with many hits would be read again
            # for each one.
            starts = line_offsets(text) if "\n" in text else None
            findings[index] += [
                self._finding(position, hit, name, starts) for hit, position in pairs
            ]
        for slot, made in gave_up:
            findings[batch.slots[slot][0]].append(made)
        return findings

    def _schedule(self, assets: Sequence[dict[str, str]], base: Context) -> _Batch:
        """Each non-empty field of `assets` as a slot, with the rules due on it: the rules
        its plan selects, or for a text an earlier asset has in the same field, those of them
        that read more than the text (the rest are judged once, on the earlier one)."""
        channel_id = base.channel.id if base.channel is not None else None
        batch = _Batch()
        earlier: dict[tuple[str, str], tuple[int, bool, list[int]]] = {}
        """The first slot of each (field name, text), whether it was its asset's first field,
        and the rules due on it ..."""
        readers: dict[int, list[int]] = {}
        """... of which these read more than the text (by that first slot)."""
        sharing: dict[int, tuple[list[int], list[int]]] = {}
        """(rules, slots) by the rules' identity: texts due the same rules (most of a field's
        texts are) join the rules' lists together, not one at a time."""
        many = len(assets) > 1  # the fields of one asset have a text each
        for index, fields in enumerate(assets):
            # Rules that judge the asset as a whole run once, with its first non-empty field.
            first = first_filled(fields)
            whole = "\n".join([text for text in fields.values() if text])
            for name, text in fields.items():
                if not text:
                    continue
                slot = len(batch.slots)
                folded = text if text.isascii() else fold_width(text)
                batch.slots.append((index, name))
                batch.texts.append(folded)
                batch.written.append(text)
                context = Context(
                    name,
                    fields,
                    base.channel,
                    base.stage,
                    base.claims,
                    base.formality,
                    whole,
                    first,
                    base.structure,
                )
                batch.contexts.append(context)
                seen = earlier.get((name, text)) if many else None
                if seen is not None and seen[1] == (name == first):
                    batch.repeats.append((slot, seen[0]))
                    positions = readers.get(seen[0])
                    if positions is None:
                        positions = [p for p in seen[2] if not self._text_alone[p]]
                        readers[seen[0]] = positions
                else:
                    plan = self._plans.get((name, channel_id)) or self.plan(name, channel_id)
                    positions = plan.due(
                        folded, first=name == first, written=None if folded is text else text
                    )
                    if seen is None and many:
                        earlier[name, text] = (slot, name == first, positions)
                # The lists live as long as `sharing` holds them, so no id is reused meanwhile.
                shared = sharing.get(id(positions))
                if shared is None:
                    sharing[id(positions)] = (positions, [slot])
                else:
                    shared[1].append(slot)
        for positions, group in sharing.values():
            for position in positions:
                batch.due_on.setdefault(position, []).extend(group)
        return batch

    def _finding(
        self, position: int, hit: Hit, field: str, line_starts: list[int] | None
    ) -> Finding:
        """`finding` for the rule at `position`, made once for each place and message;
        `line_starts` are the offsets at which the text's lines start (None for one line)."""
        if line_starts is not None:
            line, column = line_and_column(line_starts, hit.start)
        else:
            line, column = 1, hit.start + 1  # a field of one line, as most are
        key = (position, hit, field, line, column)
        made = self._findings.get(key)
        if made is None:
            if len(self._findings) >= _MAX_FINDINGS:
                self._findings.clear()
            made = self._findings[key] = _located(self.rules[position], hit, field, line, column)
        return made


@dataclass(slots=True)
class _Batch:
    """The assets of one `check_many` call, laid out for checking rule by rule."""

    slots: list[tuple[int, str]] = default(default_factory=list)
    """(asset, field name) of each non-empty field, in asset then field order ..."""
    texts: list[str] = default(default_factory=list)
    """... its text, full-width ASCII folded to half-width ..."""
    written: list[str] = default(default_factory=list)
    """... and as written (the same object when it has no full-width character) ..."""
    contexts: list[Context] = default(default_factory=list)
    """... and the context its rules see."""
    due_on: dict[int, list[int]] = default(default_factory=dict)
    """The slots each rule is due on, by the rule's position in load order."""
    repeats: list[tuple[int, int]] = default(default_factory=list)
    """(slot, earlier slot with the same field and text): the earlier one's hits from the
    rules that read only the text are the slot's too."""


def _start(pair: tuple[Hit, int]) -> int:
    return pair[0].start


def _position(result: tuple[list[Hit], int]) -> int:
    return result[1]


_MAX_FINDINGS = 4096
"""Findings kept for reuse per rule set (then forgotten, all at once): enough for the
repeats within a batch, and a bound on what a long-running process holds on to."""


class _FieldPlan:
    """The rules for one field and channel: those that always run, and those behind anchors.

    A set of rules is a number with one bit per rule in load order, so the rules due on a text
    come from OR-ing the anchors' numbers, and the list for each number is built once.
    """

    def __init__(
        self,
        relevant: list[tuple[int, Rule]],
        anchors: dict[int, tuple[str, ...] | None],
        gates: dict[int, re.Pattern[str] | None],
    ) -> None:
        self.positions = [position for position, _ in relevant]
        """Each relevant rule's position in the rule set's load order."""
        rules = [rule for _, rule in relevant]
        # A rule without anchors runs on every text its gate lets through, or on every text
        # when it has none.
        unanchored = {i for i, rule in enumerate(rules) if _unanchored(anchors[id(rule)])}
        gated: dict[tuple[str, int], tuple[re.Pattern[str], int]] = {}
        for index in sorted(unanchored):
            gate = gates[id(rules[index])]
            if gate is not None and not rules[index].per_asset():
                _, bits = gated.get((gate.pattern, gate.flags), (gate, 0))
                gated[gate.pattern, gate.flags] = (gate, bits | 1 << index)
        self._gates = list(gated.values())
        """(character class, rules) for the unanchored rules a text without it cannot trip."""
        gated_bits = 0
        for _, bits in self._gates:
            gated_bits |= bits
        always = [i for i in sorted(unanchored) if not gated_bits >> i & 1]
        self._always_first = _bits_of(always)
        """Unanchored rules, run on the asset's first non-empty field ..."""
        self._always_other = _bits_of(i for i in always if not rules[i].per_asset())
        """... and on its other fields, less those that judge the asset as a whole."""
        anchored: dict[str, int] = {}
        for index, rule in enumerate(rules):
            if index not in unanchored:
                for anchor in anchors[id(rule)] or ():
                    # Texts are searched for anchors with full-width ASCII folded (see `due`).
                    anchor = fold_width(anchor)
                    anchored[anchor] = anchored.get(anchor, 0) | 1 << index
        # Every anchor at once: one pass of an Aho-Corasick automaton over the text reports
        # each anchor it contains (overlapping ones too), by its index in `_anchor_bits`.
        self._find_anchors = (
            AhoCorasick(list(anchored)).find_matches_as_indexes if anchored else None
        )
        self._anchor_bits = list(anchored.values())
        """The rules behind each anchor."""
        self._lists: dict[int, list[int]] = {}

    def due(self, text: str, *, first: bool, written: str | None = None) -> list[int]:
        """The positions (in the rule set) of the rules to run on `text` (full-width ASCII
        folded; `written`, as written, when that differs), in load order: the unanchored
        ones, and those whose anchor it contains. `first`: whether it is the asset's first
        non-empty field."""
        due = self._always_first if first else self._always_other
        if self._find_anchors is not None:
            anchor_bits = self._anchor_bits
            for anchor, _, _ in self._find_anchors(fold_case(text), overlapping=True):
                due |= anchor_bits[anchor]
        for gate, bits in self._gates:
            if gate.search(text) or (written is not None and gate.search(written)):
                due |= bits
        positions = self._lists.get(due)
        if positions is None:
            if len(self._lists) >= _MAX_LISTS:
                self._lists.clear()
            positions = self._lists[due] = [self.positions[i] for i in _indices(due)]
        return positions


_MAX_LISTS = 4096
"""Distinct sets of due rules kept per plan; copy repeats a few anchor combinations."""


def _unanchored(anchors: tuple[str, ...] | None) -> bool:
    """Whether a rule with these anchors must be tried on every text: it has none, or an
    empty one, which every text contains."""
    return not all(anchors or [""])


def _indices(bits: int) -> list[int]:
    return [i for i in range(bits.bit_length()) if bits >> i & 1]


def _bits_of(indices: Iterable[int]) -> int:
    bits = 0
    for index in indices:
        bits |= 1 << index
    return bits


def _gave_up(rule: Rule, field: str) -> Finding:
    """The error that stands for a rule's check of a text that ran past its time budget: the
    text is not known to pass, so the gate must not be green."""
    return Finding.trusted(
        rule=rule.id,
        level="error",
        message=(
            f"{rule.id} gave up: its pattern ran past {BUDGET_SECONDS:g} s on this text, as a "
            "pattern that can backtrack without bound does (a repeat inside a repeat, such as "
            "(a+)+); rewrite the pattern"
        ),
        field=field,
        line=1,
        column=1,
        span=None,
        match="",
        replacement=None,
        link=rule.link,
    )


def finding(rule: Rule, hit: Hit, field: str, text: str) -> Finding:
    """The finding for one hit, located by 1-based line and column (in characters)."""
    return _located(rule, hit, field, *line_and_column(line_offsets(text), hit.start))


def _located(rule: Rule, hit: Hit, field: str, line: int, column: int) -> Finding:
    return Finding.trusted(
        rule=rule.id,
        level=rule.level,
        message=hit.message,
        field=field,
        line=line,
        column=column,
        span=_span(hit.start, hit.end),
        match=hit.match,
        replacement=hit.replacement,
        link=rule.link,
    )


_SPANS: dict[tuple[int, int], Span] = {}


def _span(start: int, end: int) -> Span:
    """The Span for (start, end): spans are immutable values, so one of each is made and
    shared (copy is short and most findings sit at a few hundred distinct offsets)."""
    span = _SPANS.get((start, end))
    if span is None:
        if len(_SPANS) >= 65_536:
            _SPANS.clear()
        span = _SPANS[start, end] = Span.trusted(start=start, end=end)
    return span


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
