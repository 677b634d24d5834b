"""The sandbox prompt templates render in: Jinja's immutable sandbox, each render's cost bounded.

A team's own template may, by mistake, loop without end or grow a text by doubling it again
and again. Either is refused with an error that says which, before the work is done, instead of
a hang or gigabytes held. Loops are bounded by the steps they take in all; every text, list and
number a template makes, by what a prompt could hold. A template makes values in few places the
sandbox lets dco watch: calls (functions, macros, a text's methods), operators, filters and
assignments to a namespace. Each checks what it is about to make, from its arguments, before
making it. Text written out is counted as it is written (see `PromptSet.render`).

Loops take a step from the render's budget for each item they go through, whatever they loop
over, and so does each call. What a render writes counts against what it may write in all,
inside a macro or a `{% set %}` block too: every expression's text as it is written, and the
template's own text in a loop's body at each step. Not watched: texts joined with `~` within
one expression, and the template's own text outside loops, which grow only with the template's
length.
"""

from __future__ import annotations

import contextvars
import functools
import re
import string
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sized
from typing import Any

from jinja2 import nodes
from jinja2.runtime import Namespace
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.utils import generate_lorem_ipsum

from dco.i18n import _

MOST_PROMPT_CHARS = 1_000_000
"""The longest prompt a template may write, and the longest text or list it may make: dco's own
are a few thousand characters, and the largest context a model takes is a few hundred thousand
tokens."""
MOST_STEPS = 1_000_000
"""The most steps a render may take in all: an item a loop goes through, a number `range()`
makes, a call (a macro that calls itself twice takes twice the steps at each depth). A
template's loops are for a handful of examples, not for work without end."""
MOST_NUMBER_BITS = 100_000
"""The largest whole number a template may make, about 30,000 digits: Python writes none past
4,300 digits as text, so a larger one could only cost time."""
MOST_EXPONENT = 1000
"""The largest power a template may raise a number to."""
MOST_NESTING = 100
"""The deepest a list or mapping a template makes may nest."""
MOST_WRITTEN = 4 * MOST_PROMPT_CHARS
"""The most characters a render may write in all, counting what a macro returns or a `{% set %}`
block captures as well as the prompt: room for text captured and written again, not for a loop
that writes without end where no one sees it. The prompt itself is held to `MOST_PROMPT_CHARS`
once written, which this bounds first."""


class Budget:
    """What the render in progress has spent: its steps (`MOST_STEPS`), the characters it has
    written (`MOST_WRITTEN`), and the weights of the lists and mappings it has weighed,
    remembered with them (a list weighed at every call of a loop is weighed once; holding it
    keeps its id from being another's)."""

    def __init__(self) -> None:
        self.steps_left = MOST_STEPS
        self.written = 0
        self.weights: dict[int, tuple[Any, int]] = {}

    def write(self, characters: int) -> None:
        """Count `characters` written; past `MOST_WRITTEN`, stop the render."""
        self.written += characters
        if self.written > MOST_WRITTEN:
            raise OverflowError(
                _("it wrote more than {most:,} characters in all; no prompt needs it").format(
                    most=MOST_WRITTEN
                )
            )

    def take_steps(self, steps: int) -> None:
        """Spend `steps`; past `MOST_STEPS`, stop the render."""
        self.steps_left -= steps
        if self.steps_left < 0:
            raise OverflowError(
                _("its loops and calls ran past {most:,} steps; loop or call fewer").format(
                    most=MOST_STEPS
                )
            )


BUDGET: contextvars.ContextVar[Budget] = contextvars.ContextVar("dco_render_budget")
"""The budget of the render in progress: the renderer sets a fresh one for each render."""


def weight(value: Any, depth: int = 0) -> int:
    """About how many characters `value` takes written out: a text its length, a number its
    digits, a list or mapping its items' weights and a separator each. What a template makes is
    bounded by this rather than by a list's length: a list that holds one long text many times,
    or a list of itself twice over and again, is short and no prompt could hold it written out.
    Counting stops once past any prompt's length, which is all a refusal needs to know."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, int):
        return value.bit_length() * 30103 // 100000 + 1
    if not isinstance(value, Mapping | list | tuple | set | frozenset):
        return 8  # a float, None, an object: its text is short
    budget = BUDGET.get(None)
    if budget is not None and (known := budget.weights.get(id(value))) is not None:
        return known[1]
    if depth > MOST_NESTING:
        raise OverflowError(
            _("a list or mapping nested more than {most} deep; no prompt needs it").format(
                most=MOST_NESTING
            )
        )
    items = [*value.keys(), *value.values()] if isinstance(value, Mapping) else value
    total = 2
    for item in items:
        total += 1 + weight(item, depth + 1)
        if total > MOST_PROMPT_CHARS:
            break
    if budget is not None:
        budget.weights[id(value)] = (value, total)
    return total


def _refuse_long(length: int) -> None:
    """Stop a render about to make a text or list `length` characters long written out (see
    `weight`), if no prompt holds it."""
    if length > MOST_PROMPT_CHARS:
        raise OverflowError(_("a text or list {n:,} long; no prompt holds it").format(n=length))


def _refuse_huge_number(bits: int) -> None:
    if bits > MOST_NUMBER_BITS:
        raise OverflowError(
            _("a number of about {n:,} digits; no prompt needs it").format(n=int(bits * 0.30103))
        )


def _refuse_oversized(value: Any) -> None:
    """Stop a render holding a value larger than any prompt could show."""
    if isinstance(value, int):
        _refuse_huge_number(value.bit_length())
    else:
        _refuse_long(weight(value))


def _count(value: Any) -> int:
    """A width or count as given, or 0 where it is not a whole number (the call itself then
    says what is wrong with it)."""
    return value if isinstance(value, int) else 0


def _text_length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _numbers_in(values: Any) -> list[int]:
    """The whole numbers among the values a format fills its fields with."""
    if isinstance(values, Mapping):
        values = values.values()
    elif not isinstance(values, tuple | list):
        values = (values,)
    return [value for value in values if isinstance(value, int)]


# How long each growing operation's result would be, from its arguments alone: checked before
# the operation runs, which could otherwise take the memory first and fail after. Each takes
# its operation's arguments as given, and reads a value it does not understand as adding
# nothing: the operation itself then says what is wrong with it.


def _padded(text: Any, width: Any = 0, *_rest: Any, **options: Any) -> int:
    return max(_text_length(text), _count(options.get("width", width)))


def _replaced(text: Any, old: Any = "", new: Any = "", count: Any = None, **_options: Any) -> int:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return 0
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(0, len(new) - len(old))


def _tabs_expanded(text: str, tabsize: Any = 8, **options: Any) -> int:
    return len(text) + text.count("\t") * _count(options.get("tabsize", tabsize))


def _joined(separator: Any, items: Any = (), *_rest: Any, **_options: Any) -> int:
    if not isinstance(items, Collection) or isinstance(items, Mapping):
        return 0  # made one by one: the text is checked once made
    return sum(map(weight, items)) + _text_length(separator) * len(items)


def _joined_by_filter(items: Any = (), d: Any = "", *_rest: Any, **options: Any) -> int:
    return _joined(options.get("d", d), items)


def _indented(text: Any, width: Any = 4, *_rest: Any, **options: Any) -> int:
    width = options.get("width", width)
    indent = len(width) if isinstance(width, str) else _count(width)
    lines = text.count("\n") + 1 if isinstance(text, str) else 0
    return _text_length(text) + lines * indent


def _wrapped(text: Any, width: Any = 79, _long: Any = True, wrapstring: Any = None,
             *_rest: Any, **options: Any) -> int:  # fmt: skip
    width, wrapstring = options.get("width", width), options.get("wrapstring", wrapstring)
    if not isinstance(text, str) or not isinstance(wrapstring, str):
        return _text_length(text)
    lines = len(text) // max(1, _count(width)) + text.count("\n") + 1
    return len(text) + lines * len(wrapstring)


def _batched(_items: Any = (), linecount: Any = 0, *_rest: Any, **options: Any) -> int:
    return _count(options.get("linecount", linecount))


def _sliced(_items: Any = (), slices: Any = 0, *_rest: Any, **options: Any) -> int:
    return _count(options.get("slices", slices))


def _lorem_ipsum(n: Any = 5, *rest: Any, **options: Any) -> int:
    most_words = options.get("max", rest[2] if len(rest) > 2 else 100)
    return _count(options.get("n", n)) * _count(most_words) * 10  # a word and its space


_PRINTF_FIELD = re.compile(r"%(?:\([^)]{0,200}\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
"""A printf field's width and precision (`%-10.2f`, `%*s`): `%` and the `format` filter."""
_FORMAT_SIZE = re.compile(r"\{[^{}]{0,200}\}|\d+")
"""Within a `str.format` field's spec, a number, or a nested field that gives one."""


def _widest(sizes: list[str], values: Any) -> int:
    """The widest of fields whose widths and precisions are `sizes`, written out (digits) or
    taken from the values filled in (`*`): as wide as the largest number among them."""
    widest = 0
    for size in sizes:
        if size.isdigit():
            # Past 18 digits, reading the number would cost time only to refuse it.
            widest = max(widest, int(size) if len(size) <= 18 else 10**18)
        elif size:  # `*`, or a nested field such as `{width}`
            widest = max(widest, *_numbers_in(values), 0)
    return widest


def _printf_width(template: Any, values: Any = ()) -> int:
    if not isinstance(template, str) or "%" not in template:
        return 0
    fields = _PRINTF_FIELD.finditer(template)
    return _widest([size for field in fields for size in field.groups("")], values)


def _formatted(template: Any = "", *args: Any, **kwargs: Any) -> int:
    """The `format` filter: printf fields, filled from `kwargs` or else `args`."""
    return _printf_width(template, kwargs or args)


def _format_width(template: str, values: Any) -> int:
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return 0  # not a format: the call says so
    specs = [spec for _text, name, spec, _conversion in fields if name is not None and spec]
    sizes = [size for spec in specs for size in _FORMAT_SIZE.findall(spec)]
    return _widest(sizes, values)


_TEXT_METHOD_GROWTH: dict[str, Callable[..., int]] = {
    "center": _padded, "ljust": _padded, "rjust": _padded, "zfill": _padded,
    "expandtabs": _tabs_expanded, "replace": _replaced, "join": _joined,
}  # fmt: skip
_FILTER_GROWTH: dict[str, Callable[..., int]] = {
    "center": _padded, "indent": _indented, "replace": _replaced, "join": _joined_by_filter,
    "wordwrap": _wrapped, "format": _formatted, "batch": _batched, "slice": _sliced,
}  # fmt: skip


def _bounded(make: Callable[..., Any], grows: Callable[..., int]) -> Callable[..., Any]:
    """`make` (a filter or a global), refused when `grows` says its result would be longer than
    a prompt. A filter's environment or context, which Jinja passes first, is not measured."""
    passed = 0 if getattr(make, "jinja_pass_arg", None) is None else 1

    @functools.wraps(make)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _refuse_long(grows(*args[passed:], **kwargs))
        return make(*args, **kwargs)

    return bounded


def _budgeted_range(*args: int) -> range:
    """The sandbox's `range`, each one's length taken from the render's budget of steps."""
    steps = safe_range(*args)
    budget = BUDGET.get(None)
    if budget is not None:
        budget.take_steps(len(steps))
    return steps


def _stepped(items: Any, text_per_step: int = 0) -> Any:
    """What a loop goes through, a step from the render's budget for each item, and the
    template's own text in the loop's body (`text_per_step`) from what it may write: nested
    loops over a list of a thousand items would otherwise take a billion steps, with no
    `range()` to count them. (Wrapped round every `{% for %}`'s items as templates are parsed.)"""
    budget = BUDGET.get(None)
    if budget is None:  # folding a constant as the template compiles: nothing runs yet
        return items
    return _each_a_step(items, text_per_step, budget)


def _each_a_step(items: Any, text_per_step: int, budget: Budget) -> Iterator[Any]:
    for item in items:
        budget.take_steps(1)
        budget.write(text_per_step)
        yield item


def _own_text(body: Iterable[nodes.Node]) -> int:
    """The length of the template's own text in a loop's body, as written once a step: a loop
    inside it counts its own."""
    length = 0
    for node in body:
        if isinstance(node, nodes.TemplateData):
            length += len(node.data)
        elif not isinstance(node, nodes.For):
            length += _own_text(node.iter_child_nodes())
    return length


def _counted_output(value: Any) -> Any:
    """An expression's value as it is written, its text counted against what the render may
    write in all (the sandbox's `finalize`): in a macro or a `{% set %}` block, nothing else
    sees it. The value goes on as it came, for Jinja to write (and escape, where a template
    turns escaping on) as it would have."""
    budget = BUDGET.get(None)
    if budget is not None:
        budget.write(len(value if isinstance(value, str) else str(value)))
    return value


class _BoundedNamespace(Namespace):
    """`namespace()`, whose attributes hold no more than a prompt could: the one place a value
    outlives a loop's step, so the one place a text doubled at each step could keep growing."""

    def __setitem__(self, name: str, value: Any) -> None:
        _refuse_oversized(value)
        super().__setitem__(name, value)


_STEPPED = "dco_stepped"
"""The filter `_stepped` is known by in templates (a name no team's own filter would take)."""


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with a render's cost bounded (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=_counted_output, **options)
        self.filters[_STEPPED] = _stepped
        self.globals["range"] = _budgeted_range
        self.globals["namespace"] = _BoundedNamespace
        self.globals["lipsum"] = _bounded(generate_lorem_ipsum, _lorem_ipsum)
        for name, grows in _FILTER_GROWTH.items():
            self.filters[name] = _bounded(self.filters[name], grows)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # Jinja has no public hook between parsing and compiling; this is where every loop's
        # items are wrapped in `_stepped`, so that no loop goes uncounted.
        template = super()._parse(source, name, filename)
        for loop in template.find_all(nodes.For):
            text = nodes.Const(_own_text(loop.body))
            loop.iter = nodes.Filter(
                loop.iter, _STEPPED, [text], [], None, None, lineno=loop.lineno
            )
        return template

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            self._refuse_a_long_product(left, right)
        elif operator == "**":
            if isinstance(right, int) and abs(right) > MOST_EXPONENT:
                raise OverflowError(_("a power of {n:,}; no prompt needs it").format(n=right))
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                _refuse_huge_number(left.bit_length() * right)
        elif operator == "+":
            if isinstance(left, Sized) and isinstance(right, Sized):
                _refuse_long(weight(left) + weight(right))
        elif operator == "%":
            _refuse_long(_printf_width(left, right))
        return super().call_binop(context, operator, left, right)

    @staticmethod
    def _refuse_a_long_product(left: Any, right: Any) -> None:
        if isinstance(left, int) and isinstance(right, int):
            _refuse_huge_number(left.bit_length() + right.bit_length())
            return
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, str | list | tuple) and isinstance(times, int):
                repeated = weight(sequence) * times
                if repeated > MOST_PROMPT_CHARS:
                    raise OverflowError(
                        _("a repeat of {n:,} characters written out; no prompt holds it").format(
                            n=repeated
                        )
                    )

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # A call is a step: a macro calling itself twice at each depth would otherwise take
        # time doubling with the depth, with no loop to count it. A macro that calls itself
        # with its argument doubled is stopped here, at the call whose argument no prompt could
        # hold; the call's result is checked for the same.
        budget = BUDGET.get(None)
        if budget is not None:
            budget.take_steps(1)
        for value in (*args, *kwargs.values()):
            _refuse_oversized(value)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            grows = _TEXT_METHOD_GROWTH.get(getattr(__obj, "__name__", ""))
            if grows is not None:
                _refuse_long(grows(owner, *args, **kwargs))
        made = super().call(__context, __obj, *args, **kwargs)
        _refuse_oversized(made)
        return made

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        formats = super().wrap_str_format(value)
        if formats is None:
            return None
        template: str = value.__self__
        mapped = value.__name__ == "format_map"

        @functools.wraps(formats)
        def bounded(*args: Any, **kwargs: Any) -> str:
            given = args[0] if mapped and args else (*args, *kwargs.values())
            _refuse_long(_format_width(template, given))
            made = formats(*args, **kwargs)
            _refuse_long(len(made))
            return made

        return bounded
