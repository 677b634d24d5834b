"""The `metric` rule kind: Vale's readability formulas over a text's word, sentence and syllable
counts, evaluated safely (arithmetic and `sqrt` only), with a `condition` such as "> 8".

The formulas (Flesch-Kincaid, Gunning fog, SMOG, ...) are calibrated on English, so only English
words are counted and text without any is skipped: Korean copy needs measures of its own.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from typing import ClassVar

from pydantic import model_validator

from dco.brand.rules import Compiled, Context, Hit, Rule, sentences

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


def syllables(word: str) -> int:
    """Syllables in an English word, by vowel groups (a silent final e does not count)."""
    word = word.lower().strip("'’-")
    count = len(_VOWEL_GROUP.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def counts(text: str) -> dict[str, float]:
    """The variables a formula may use, counted in `text`."""
    words = _WORD.findall(text)
    per_word = [syllables(w) for w in words]
    complex_words = sum(1 for s in per_word if s >= 3)
    return {
        "words": len(words),
        "sentences": max(1, len(sentences(text))),
        "syllables": sum(per_word),
        "characters": sum(len(w) for w in words),
        "complex_words": complex_words,
        "polysyllabic_words": complex_words,
        "long_words": sum(1 for w in words if len(w) >= 7),
        "paragraphs": max(1, len([p for p in re.split(r"\n\s*\n", text) if p.strip()])),
    }


class Metric(Rule):
    """Flags text whose `formula` meets `condition` (e.g. a grade level "> 8")."""

    kind: ClassVar[str] = "metric"
    formula: str
    condition: str

    @model_validator(mode="after")
    def _compile(self) -> Metric:
        self.compiled = Compiled()
        try:
            tree = ast.parse(self.formula.strip(), mode="eval")
        except SyntaxError as e:
            raise ValueError(f"formula is not an arithmetic expression: {e.msg}") from None
        _check(tree.body)
        if not _CONDITION.match(self.condition):
            raise ValueError(f"condition {self.condition!r} should look like '> 8' or '<= 60'")
        self.compiled.tree = tree
        return self

    def check(self, text: str, context: Context) -> list[Hit]:
        assert self.compiled.tree is not None
        if not _WORD.search(text):
            return []  # no English words: nothing these formulas can measure
        values = counts(text)
        if not values["words"]:
            return []
        try:
            score = _evaluate(self.compiled.tree.body, values)
        except ZeroDivisionError:
            return []
        match = _CONDITION.match(self.condition)
        assert match is not None
        if _COMPARE[match.group(1)](score, float(match.group(2))):
            return [Hit(0, len(text), self.format(f"{score:.2f}"), text)]
        return []


def _check(node: ast.AST) -> None:
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left)
        _check(node.right)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        _check(node.operand)
    elif isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        pass
    elif isinstance(node, ast.Name):
        if node.id not in VARIABLES:
            raise ValueError(f"unknown variable {node.id!r}; formulas use {', '.join(VARIABLES)}")
    elif (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id == "sqrt" and len(node.args) == 1
    ):  # fmt: skip
        _check(node.args[0])
    else:
        raise ValueError("formulas may use numbers, the count variables, + - * / ** and sqrt()")


def _evaluate(node: ast.AST, values: dict[str, float]) -> float:
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate(node.left, values), _evaluate(node.right, values))
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, values)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return values[node.id]
    assert isinstance(node, ast.Call)
    return math.sqrt(_evaluate(node.args[0], values))
