"""The prompt templates: a sandboxed Jinja2 environment, rendering, and prompt version hashes.

Templates come from the built-in `prompts/` folder; a user's own folder overrides them template
by template. User-supplied strings (the brief, the customer's signals) only ever enter a template
as variables, serialised with `tojson` inside tags, so `{{ ... }}` or "ignore previous
instructions" in a brief is inert text: Jinja never renders a variable's content as template code.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import json
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import pydantic
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range

from dco import resources, yamlfile
from dco.errors import ConfigError
from dco.i18n import _
from dco.prompts.policy import PolicyTable

T = TypeVar("T")

TEMPLATES = ("generate.system.j2", "generate.user.j2", "repair.user.j2")
"""The templates that write copy: their text is part of every prompt version."""
CLASSIFY_TEMPLATES = ("classify.system.j2", "classify.user.j2")
"""The templates that ask a model for a funnel stage (a second opinion); copy does not depend on
them, so they stay out of the prompt version."""


class PromptSet:
    """The templates and stage policies used to talk to a model, from one or two folders."""

    def __init__(self, folder: str | Path | None = None) -> None:
        builtin = resources.bundled_dir("prompts")
        folders = [Path(folder), builtin] if folder is not None else [builtin]
        for path in folders:
            if not path.is_dir():
                raise ConfigError(_("prompts folder {path} does not exist").format(path=path))
        self.folders = tuple(folders)
        self.env = _BoundedSandbox(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(p)) for p in folders]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["tojson"] = data_json
        self._templates = {name: self._load(name) for name in (*TEMPLATES, *CLASSIFY_TEMPLATES)}
        self.policies = yamlfile.load(self._policy_file()).validate(PolicyTable, what="policies")
        self.version_seed = self._hash_sources()
        self._rendered: dict[tuple[str, Hashable], str] = {}
        self._memo: dict[Hashable, Any] = {}

    def render(self, name: str, **context: Any) -> str:
        """Render template `name` with `context`; a missing variable is an error, not blank text,
        and so is a render past its bounds (see `_BoundedSandbox`)."""
        budget = _LOOPS_LEFT.set([MOST_LOOP_STEPS])
        try:
            text = self._templates[name].render(**context).strip()
        except jinja2.UndefinedError as e:
            raise ConfigError(
                _("prompt template {name}: {why}").format(name=name, why=e.message)
            ) from e
        except (jinja2.TemplateError, OverflowError) as e:  # the sandbox's refusals included
            raise ConfigError(_("prompt template {name}: {why}").format(name=name, why=e)) from e
        except RecursionError:
            raise ConfigError(
                _(
                    "prompt template {name} calls itself without end (a macro, include or "
                    "extends that comes back to itself)"
                ).format(name=name)
            ) from None
        finally:
            _LOOPS_LEFT.reset(budget)
        if len(text) > MOST_PROMPT_CHARS:
            raise ConfigError(
                _(
                    "prompt template {name} wrote {n:,} characters; no prompt for copy needs more "
                    "than {most:,}: look for a loop or a repeat that runs away"
                ).format(name=name, n=len(text), most=MOST_PROMPT_CHARS)
            )
        return text

    def render_once(self, name: str, key: Hashable, **context: Any) -> str:
        """`render`, remembered under `key`: for a template whose context `key` fully determines.

        The system prompt depends only on the stage policy, brand and language (all in the prompt
        version), so a batch renders it once instead of once per brief.
        """
        cache_key = (name, key)
        text = self._rendered.get(cache_key)
        if text is None:
            if len(self._rendered) >= 256:
                self._rendered.clear()
            text = self._rendered[cache_key] = self.render(name, **context)
        return text

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()`, remembered under `key` for the life of this prompt set.

        For values derived only from the templates, the policy table and `key` (a stage policy
        and its prompt version), which a batch would otherwise rebuild for every brief.
        """
        try:
            return self._memo[key]
        except KeyError:
            if len(self._memo) >= 1024:
                self._memo.clear()
            value = self._memo[key] = make()
            return value

    def version(self, *parts: Any) -> str:
        """The prompt version: a hash of the templates, the policies and any further `parts`.

        `parts` are the inputs that shape the prompt beyond the templates (the resolved stage
        policy, a tuning profile); the same templates and parts always give the same version.
        """
        digest = hashlib.sha256(self.version_seed.encode())
        for part in parts:
            digest.update(
                json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode()
            )
        return "p_" + digest.hexdigest()[:12]

    def _load(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as e:
            raise ConfigError(
                _("{file}:{line}: template syntax error: {why}").format(
                    file=e.filename, line=e.lineno, why=e.message
                )
            ) from e
        except jinja2.TemplateNotFound as e:
            raise ConfigError(
                _("prompt template {name} not found in {folders}").format(
                    name=name, folders=self.folders
                )
            ) from e
        except UnicodeDecodeError as e:
            found = next(folder / name for folder in self.folders if (folder / name).is_file())
            raise ConfigError(
                _("{file}: not UTF-8 text ({why}); save the template as UTF-8").format(
                    file=found, why=e.reason
                )
            ) from None

    def _policy_file(self) -> Path:
        for folder in self.folders:
            if (folder / "policies.yaml").is_file():
                return folder / "policies.yaml"
        raise ConfigError(_("policies.yaml not found in {folders}").format(folders=self.folders))

    def _hash_sources(self) -> str:
        digest = hashlib.sha256()
        for name in TEMPLATES:
            source, _filename, _uptodate = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            digest.update(name.encode() + b"\0" + source.encode() + b"\0")
        digest.update(self.policies.model_dump_json().encode())
        return digest.hexdigest()


MOST_PROMPT_CHARS = 1_000_000
"""The longest prompt a template may write: dco's own are a few thousand characters, and the
largest context a model takes is a few hundred thousand tokens."""
MOST_LOOP_STEPS = 1_000_000
"""The most steps a render's `range()` loops may take in all, nested ones multiplied: a
template's loop over a range is for a handful of examples, not for work without end."""

_LOOPS_LEFT: contextvars.ContextVar[list[int]] = contextvars.ContextVar("dco_loops_left")
"""The loop steps the render in progress may still take (a list, to count down in place)."""


def _budgeted_range(*args: int) -> range:
    """The sandbox's `range`, each one's length taken from the render's budget of steps."""
    steps = safe_range(*args)
    left = _LOOPS_LEFT.get(None)
    if left is not None:
        left[0] -= len(steps)
        if left[0] < 0:
            raise OverflowError(
                _("its loops ran past {most:,} steps; loop over fewer").format(most=MOST_LOOP_STEPS)
            )
    return steps


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with a render's cost bounded: its ranges together by
    `MOST_LOOP_STEPS`, and a text or list repeated with `*` (or a power) by what a prompt could
    hold. A team's own template that runs away is an error, not a hang or a prompt of gigabytes."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _budgeted_range

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                repeated = isinstance(sequence, str | list | tuple) and isinstance(times, int)
                if repeated and len(sequence) * times > MOST_PROMPT_CHARS:
                    raise OverflowError(
                        _("a repeat of {n:,} items; no prompt holds it").format(
                            n=len(sequence) * times
                        )
                    )
        elif isinstance(right, int) and abs(right) > 1000:
            raise OverflowError(_("a power of {n:,}; no prompt needs it").format(n=right))
        return super().call_binop(context, operator, left, right)


_TAG_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"))


class EncodedData(dict[str, Any]):
    """Data a template reads as a mapping, which also remembers its JSON (what `tojson`
    gives for it): for data the same in every prompt of a batch, such as the stage policy,
    encoded once instead of in every render. Not to be changed once made."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.encoded = _encoded(data)


def data_json(value: Any) -> str:
    """User data as JSON for a prompt: Korean kept readable, `<`, `>`, `&` and `'` escaped.

    The escapes keep data from closing the tag it sits in (a brief holding "</brief>" stays
    inside <brief>), as Jinja's own `tojson` does, without its cost on every render.
    """
    if isinstance(value, EncodedData):
        return value.encoded
    if isinstance(value, pydantic.BaseModel):
        value = value.model_dump(mode="json")
    return _encoded(value)


_PROMPT_JSON = json.JSONEncoder(ensure_ascii=False)
"""Made once: `json.dumps` with an option builds an encoder on every call."""


def _encoded(value: Any) -> str:
    text = _PROMPT_JSON.encode(value)
    for char, escape in _TAG_SAFE:
        if char in text:
            text = text.replace(char, escape)
    return text


@functools.cache
def default_prompts() -> PromptSet:
    """The built-in prompts, loaded once per process."""
    return PromptSet()
