"""Loading YAML data files into validated models, with errors naming file, line, column and key."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from dco.errors import ConfigError
from dco.i18n import N_, _, did_you_mean
from dco.userfiles import plainly, read_text

M = TypeVar("M", bound=pydantic.BaseModel)

KeyPath = tuple[str | int, ...]


class Document:
    """A parsed YAML document: its plain data plus where each key and value sits in the file."""

    def __init__(self, path: Path, data: Any, marks: dict[KeyPath, tuple[int, int]]) -> None:
        self.path = path
        self.data = data
        self._marks = marks

    def where(self, keys: KeyPath) -> str:
        """`file:line:col` of the deepest known node on `keys` (1-based line and column)."""
        for depth in range(len(keys), -1, -1):
            mark = self._marks.get(tuple(keys[:depth]))
            if mark is not None:
                return f"{self.path}:{mark[0]}:{mark[1]}"
        return str(self.path)

    def validate(self, model: type[M], *, what: str = "") -> M:
        """Validate the document against `model`, turning its problems into a `ConfigError`."""
        try:
            return model.model_validate(self.data)
        except pydantic.ValidationError as e:
            raise self.error_from(e, what=what) from e

    def error_from(
        self, error: pydantic.ValidationError, *, what: str = "", at: KeyPath = ()
    ) -> ConfigError:
        """A one-line `ConfigError` naming every problem pydantic found, each located in the file
        (the first in full, the others by line and key, so one fix-and-rerun fixes them all).

        `at` is where the validated value sits in the document, when it is not the whole of it.
        """
        problems = error.errors(include_url=False)
        located = [self._located(problem, at) for problem in problems]
        first, *others = sorted(located, key=lambda found: _line_of(found[0]))
        prefix = f"{what}: " if what else ""
        where, dotted, message = first
        line = f"{where}: {prefix}" + _("key '{key}': {problem}").format(
            key=dotted, problem=message
        )
        if others:
            also = _("line {line} key '{key}' {problem}")
            shown = "; ".join(
                also.format(line=_line_of(w), key=d, problem=m) for w, d, m in others[:MORE_SHOWN]
            )
            more = len(others) - MORE_SHOWN
            if more > 0:
                shown += _("; {n} more").format(n=more)
            line += _(" (and {others})").format(others=shown)
        return ConfigError(line)

    def _located(self, problem: Mapping[str, Any], at: KeyPath) -> tuple[str, str, str]:
        """(file:line:col, dotted key, the problem in plain words) for one problem."""
        # "[key]" marks a problem with a mapping key itself: the key is the one before it.
        keys: KeyPath = at + tuple(
            k for k in problem["loc"] if isinstance(k, str | int) and k != "[key]"
        )
        if problem["type"] == "unknown_key":
            keys = (*keys, problem["ctx"]["key"])
        # pydantic names union members in the path; keep the keys that are in the data, plus a
        # missing required key, which is reported at its parent but named in full.
        located = _existing_prefix(self.data, keys)
        named = located + keys[len(located) :][-1:]
        dotted = ".".join(str(k) for k in named) or "(top level)"
        return self.where(located), dotted, plain(problem)


MORE_SHOWN = 4
"""Problems named after the first in one error line; the rest are counted."""


def _line_of(where: str) -> int:
    """The line of a `file:line:col` place (0 when it names only the file)."""
    parts = where.rsplit(":", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0


_PLAIN = {
    "missing": N_("is required"),
    "extra_forbidden": N_("is not a field dco knows; check its spelling"),
    "string_type": N_("must be text"),
    "int_type": N_("must be a whole number"), "int_parsing": N_("must be a whole number"),
    "float_type": N_("must be a number"), "float_parsing": N_("must be a number"),
    "bool_type": N_("must be true or false"), "bool_parsing": N_("must be true or false"),
    "dict_type": N_("must be a mapping (key: value lines)"),
    "model_type": N_("must be a mapping (key: value lines)"),  # a model's fields, given as one
}  # fmt: skip
"""pydantic's error types in a user's words (in the language in use where they are shown)."""


def plain(problem: Mapping[str, Any]) -> str:
    """One validation problem said the way a user writes the file, not the way pydantic
    names types: "benefits must be a list, e.g. [맞춤 플랜]", not "a valid tuple"."""
    kind, given = problem["type"], problem.get("input")
    if kind in ("tuple_type", "list_type", "set_type", "frozen_set_type"):
        example = given if isinstance(given, str | int | float) else "…"
        return _("must be a list, e.g. [{example}]").format(example=example)
    if kind == "unknown_key":  # DcoModel's: the key itself is named where it is reported
        ctx = problem["ctx"]
        hint = did_you_mean(str(ctx["key"]), str(ctx["known"]).split(", "))
        return _("is not a field dco knows.{hint} Known fields: {known}.").format(
            hint=hint, known=ctx["known"]
        )
    if kind == "string_too_long":
        return _("is longer than its limit of {n} characters").format(
            n=problem["ctx"]["max_length"]
        )
    if kind == "string_too_short" and problem.get("ctx", {}).get("min_length") == 1:
        return _("must not be empty")
    if kind in _PLAIN:
        return _(_PLAIN[kind])
    message = str(problem["msg"]).removeprefix("Value error, ")
    return message.replace("Input should be", "must be", 1)


def load(path: str | Path) -> Document:
    """Read and parse a YAML file; a syntax error becomes a `ConfigError` with its position."""
    path = Path(path)
    return parse(read_text(path), path)


def parse(source: str, path: str | Path = "<string>") -> Document:
    """Parse YAML text, recording the position of every mapping key and sequence item."""
    path = Path(path)
    marks: dict[KeyPath, tuple[int, int]] = {}
    try:
        node = _compose(source)
        if node is None:
            return Document(path, None, marks)
        data = _Builder(path, marks, budget=_BUDGET_PER_CHAR * len(source) + 10_000).build(node, ())
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = e.problem or e
        raise ConfigError(
            _("{where}: invalid YAML: {problem}").format(where=where, problem=problem)
        ) from e
    except yaml.YAMLError as e:
        raise ConfigError(
            _("{where}: invalid YAML: {problem}").format(where=path, problem=e)
        ) from e
    except RecursionError:
        raise ConfigError(
            _("{path}: nested too deeply to be a dco file").format(path=path)
        ) from None
    return Document(path, data, marks)


def _compose(source: str) -> yaml.Node | None:
    """The YAML node tree of `source`. A `\\'` in a double-quoted string, which YAML does not
    define but Vale's parser reads as `'` (published styles have it), is read as `'` too.

    libyaml reads a file in a fifteenth of the time (a brand loads hundreds of rule files on
    every command); PyYAML's own parser, where libyaml fails, says best what is wrong."""
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(source, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass  # read again below, for the repair or the message
    for _attempt in range(_MAX_ESCAPE_REPAIRS):
        try:
            return yaml.compose(source, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark
            at = mark.index if mark is not None else -1
            if 'unknown escape character "\'"' not in str(e.problem) or source[at : at + 1] != "'":
                raise
            source = source[: at - 1] + source[at:]  # drop the backslash before the quote
    return yaml.compose(source, Loader=yaml.SafeLoader)


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
"""libyaml's loader, where PyYAML was built with it (its wheels are)."""

_MAX_ESCAPE_REPAIRS = 100
"""How many `\\'` escapes a file may have repaired before its error is reported."""

_BUDGET_PER_CHAR = 20
"""Values a file may expand to per character of its text. Aliases let a few lines stand for
billions of values (the "billion laughs"); a real data file is nowhere near this."""

_MERGE = "tag:yaml.org,2002:merge"


class _Builder:
    """Turns composed YAML nodes into plain data, noting where each key and item starts."""

    def __init__(self, path: Path, marks: dict[KeyPath, tuple[int, int]], budget: int) -> None:
        self.path = path
        self.marks = marks
        self.scalars = yaml.constructor.SafeConstructor()
        self.budget = budget

    def build(self, node: yaml.Node, keys: KeyPath) -> Any:
        self.budget -= 1
        if self.budget < 0:
            line, col = _position(node)
            raise ConfigError(
                _(
                    "{where}: expands to far more values than it has text (aliases of "
                    "aliases?); write the values out"
                ).format(where=f"{self.path}:{line}:{col}")
            )
        self.marks[keys] = _position(node)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            merges = []
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:  # `<<: *defaults`: keys not given here come from there
                    merges.append(value_node)
                    continue
                key = self._scalar(key_node)
                if isinstance(key, list | dict | set):
                    line, col = _position(key_node)
                    raise ConfigError(
                        _("{where}: a key must be a plain value, not a list or mapping").format(
                            where=f"{self.path}:{line}:{col}"
                        )
                    )
                child = (*keys, key)
                value = self.build(value_node, child)
                # A key given twice with one value (as published style packages have) is
                # harmless; with two, which one was meant cannot be known.
                if key in result and result[key] != value:
                    line, col = _position(key_node)
                    raise ConfigError(
                        _(
                            "{where}: duplicate key {key!r} with another value ({first!r}, "
                            "then {second!r}); keep one"
                        ).format(
                            where=f"{self.path}:{line}:{col}",
                            key=key,
                            first=result[key],
                            second=value,
                        )
                    )
                result[key] = value
                # A key's own position is more useful than its value's when pointing at it.
                self.marks[child] = _position(key_node)
            for merged in merges:
                self._merge(result, merged, keys)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*keys, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        """The plain value of `node`; a `ConfigError` at its place for one YAML reads as a value
        Python cannot hold: a date past the calendar (2024-13-01), a number longer than `int()`
        reads."""
        try:
            return self.scalars.construct_object(node, deep=True)
        except ValueError as e:
            line, col = _position(node)
            where = f"{self.path}:{line}:{col}"
            raise ConfigError(
                _(
                    "{where}: {value} cannot be read as YAML reads it ({why}); quote it as text"
                ).format(where=where, value=_shown(node), why=plainly(e))
            ) from None

    def _merge(self, result: dict[Any, Any], node: yaml.Node, keys: KeyPath) -> None:
        merged = self.build(node, keys)
        for mapping in merged if isinstance(merged, list) else [merged]:
            if not isinstance(mapping, dict):
                line, col = _position(node)
                where = f"{self.path}:{line}:{col}"
                raise ConfigError(_("{where}: '<<' merges mappings only").format(where=where))
            for key, value in mapping.items():
                result.setdefault(key, value)


def _shown(node: yaml.Node) -> str:
    """A scalar's text as an error quotes it: a long one cut, as its length says enough."""
    text = str(node.value)
    return repr(text) if len(text) <= 40 else _("a value {n:,} characters long").format(n=len(text))


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _existing_prefix(data: Any, keys: KeyPath) -> KeyPath:
    found: list[str | int] = []
    for key in keys:
        in_mapping = isinstance(data, Mapping) and key in data
        in_list = isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)
        if in_mapping or in_list:
            data = data[key]
        else:
            break
        found.append(key)
    return tuple(found)
