"""The `metric` and `readability` rule kinds: Vale's readability formulas over a text's word,
sentence and syllable counts, evaluated safely (arithmetic and `sqrt` only), against a
`condition` such as "> 8" (metric) or a highest acceptable `grade` (readability).

The formulas (Flesch-Kincaid, Gunning fog, SMOG, ...) are calibrated on English, so only English
words are counted and text without any is skipped: Korean copy needs measures of its own.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
import re
from collections.abc import Callable
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from dco.brand.rules import Compiled, Context, Hit, Rule
from dco.brand.sentences import sentence_count
from dco.i18n import _

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_CONDITION = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")
_COMPARE = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}  # fmt: skip
_BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow,
}  # fmt: skip
VARIABLES = (
    "words", "sentences", "syllables", "characters", "complex_words", "polysyllabic_words",
    "long_words", "paragraphs",
)  # fmt: skip
STRUCTURE = (
    *(f"heading.h{level}" for level in range(1, 7)), "list", "blockquote", "table.header",
    "table.cell", "pre",
)  # fmt: skip
"""Counts of a document's blocks a formula may use too (a code block counts as `pre`), as Vale
names them; outside a document, each is 0."""
_IDENTIFIERS = {name.replace(".", "__"): name for name in STRUCTURE}
_DOTTED = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


@functools.lru_cache(maxsize=65_536)
def syllables(word: str) -> int:
    """Syllables in an English word, by vowel groups (a silent final e does not count).

    Cached: copy reuses a small vocabulary, and a lookup costs a tenth of the count."""
    word = word.lower().strip("'’-")
    count = len(_VOWEL_GROUP.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def counts(text: str, needed: frozenset[str] = frozenset(VARIABLES)) -> dict[str, float]:
    """The variables a formula may use, counted in `text` (only those `needed`)."""
    words = _WORD.findall(text)
    values: dict[str, float] = {"words": len(words)}
    if not needed.isdisjoint(_BY_SYLLABLES):
        per_word = list(map(syllables, words))
        if "syllables" in needed:
            values["syllables"] = sum(per_word)
        if "complex_words" in needed or "polysyllabic_words" in needed:
            many = len(per_word) - per_word.count(1) - per_word.count(2)
            values["complex_words"] = values["polysyllabic_words"] = many
    if "sentences" in needed:
        values["sentences"] = max(1, sentence_count(text))
    if "characters" in needed:
        values["characters"] = sum(map(len, words))
    if "long_words" in needed:
        values["long_words"] = sum(1 for w in words if len(w) >= 7)
    if "paragraphs" in needed:
        values["paragraphs"] = max(1, len([p for p in _PARAGRAPH_BREAK.split(text) if p.strip()]))
    return values


_MATH_PREFIX = re.compile(r"\bmath\.(?=sqrt\b)")

_BY_SYLLABLES = frozenset({"syllables", "complex_words", "polysyllabic_words"})

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


class Metric(Rule):
    """Flags text whose `formula` meets `condition` (e.g. a grade level "> 8")."""

    kind: ClassVar[str] = "metric"
    reads_text_alone: ClassVar[bool] = True
    scope: str | list[str] = "summary"
    """As in Vale: the document's prose as a whole (a field of copy, in a record)."""
    formula: str
    condition: str

    @model_validator(mode="after")
    def _compile(self) -> Metric:
        condition = _CONDITION.match(self.condition)
        if not condition:
            raise ValueError(
                _("condition {value!r} should look like '> 8' or '<= 60'").format(
                    value=self.condition
                )
            )
        self.compiled = _compile_formula(self.formula, condition.group(1), condition.group(2))
        return self

    def check(self, text: str, context: Context) -> list[Hit]:
        return _judge(self, text, context)


# Vale's `readability` metrics (as its text-summary library computes them), by their names.
READABILITY_FORMULAS = {
    "Flesch-Kincaid": "0.39 * words / sentences + 11.8 * syllables / words - 15.59",
    "Gunning Fog": "0.4 * (words / sentences + 100 * complex_words / words)",
    "Coleman-Liau": (
        "0.0588 * (characters / words) * 100 - 0.296 * (sentences / words) * 100 - 15.8"
    ),
    "SMOG": "1.0430 * sqrt(polysyllabic_words * 30 / sentences) + 3.1291",
    "Automated Readability": "4.71 * (characters / words) + 0.5 * (words / sentences) - 21.43",
}


class Readability(Rule):
    """Vale's older readability kind: flags text whose average grade over `metrics` passes
    `grade`. The same as a `metric` rule whose formula is that average and condition "> grade"."""

    kind: ClassVar[str] = "readability"
    reads_text_alone: ClassVar[bool] = True
    scope: str | list[str] = "summary"
    """As in Vale: the document's prose as a whole (a field of copy, in a record)."""
    metrics: list[Literal[tuple(READABILITY_FORMULAS)]] = Field(min_length=1)  # type: ignore[valid-type]
    grade: float

    @model_validator(mode="after")
    def _compile(self) -> Readability:
        terms = " + ".join(f"({READABILITY_FORMULAS[name]})" for name in self.metrics)
        formula = f"({terms}) / {len(self.metrics)}"
        self.compiled = _compile_formula(formula, ">", str(self.grade))
        return self

    def check(self, text: str, context: Context) -> list[Hit]:
        return _judge(self, text, context)


def _compile_formula(formula: str, comparison: str, bound: str) -> _CompiledFormula:
    # `math.sqrt` is how Vale's formulas (govaluate) write it: the same function. A block count
    # (`heading.h2`) becomes a name Python reads (`heading__h2`).
    written = _MATH_PREFIX.sub("", formula.strip())
    written = _DOTTED.sub(lambda m: m.group().replace(".", "__"), written)
    try:
        tree = ast.parse(written, mode="eval")
    except SyntaxError as e:
        raise ValueError(
            _("formula is not an arithmetic expression: {why}").format(why=e.msg)
        ) from None
    _check(tree.body)
    compiled = _CompiledFormula()
    # Safe to compile and evaluate: _check admitted numbers, the count variables, arithmetic
    # and sqrt() only, and evaluation sees no builtins.
    compiled.code = compile(tree, "<formula>", "eval")
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    compiled.variables = frozenset(names - _FORMULA_GLOBALS.keys())
    compiled.reads_text = not compiled.variables <= _IDENTIFIERS.keys()
    compiled.compare = _COMPARE[comparison]
    compiled.bound = float(bound)
    return compiled


def _judge(rule: Metric | Readability, text: str, context: Context | None = None) -> list[Hit]:
    """The rule's hit when its formula's score on `text` (and the document's blocks, in
    `context`) meets its condition."""
    compiled = rule.compiled
    values: dict[str, float] = {}
    if compiled.reads_text:
        if not _WORD.search(text):
            return []  # no English words: nothing these formulas can measure
        values = counts(text, compiled.variables)
        if not values["words"]:
            return []
    structure = context.structure if context is not None else {}
    for identifier in compiled.variables & _IDENTIFIERS.keys():
        values[identifier] = structure.get(_IDENTIFIERS[identifier], 0)
    try:
        score = eval(compiled.code, _FORMULA_GLOBALS, values)
    except (ArithmeticError, ValueError):
        return []  # a division by zero, or sqrt of a negative expression: no score to judge
    if isinstance(score, complex):
        return []  # a negative number to a fractional power: no score either
    if compiled.compare(score, compiled.bound):
        return [Hit(0, len(text), rule.format(f"{score:.2f}"), text)]
    return []


_FORMULA_GLOBALS = {"__builtins__": {}, "sqrt": math.sqrt}
"""All a formula sees beside its counts (an expression: it cannot change them)."""


class _CompiledFormula(Compiled):
    """A metric rule's formula compiled once: its code, the counts it reads, its condition."""

    def __init__(self) -> None:
        super().__init__()
        self.code: Any = None
        self.variables: frozenset[str] = frozenset()
        self.reads_text = True
        """Whether the formula counts the text (words, sentences, ...), not blocks alone."""
        self.compare: Callable[[float, float], bool] = operator.gt
        self.bound = 0.0


def _check(node: ast.AST) -> None:
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left)
        _check(node.right)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        _check(node.operand)
    elif isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        pass
    elif isinstance(node, ast.Name):
        if node.id not in VARIABLES and node.id not in _IDENTIFIERS:
            name = node.id.replace("__", ".")
            known = ", ".join((*VARIABLES, *STRUCTURE))
            raise ValueError(
                _("unknown variable {name!r}; formulas use {known}").format(name=name, known=known)
            )
    elif (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id == "sqrt" and len(node.args) == 1
    ):  # fmt: skip
        _check(node.args[0])
    else:
        raise ValueError(_("formulas may use numbers, the count variables, + - * / ** and sqrt()"))
