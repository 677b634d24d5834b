"""The prompt templates: a sandboxed Jinja2 environment, rendering, and prompt version hashes.

Templates come from the built-in `prompts/` folder; a user's own folder overrides them template
by template. User-supplied strings (the brief, the customer's signals) only ever enter a template
as variables, serialised with `tojson` inside tags, so `{{ ... }}` or "ignore previous
instructions" in a brief is inert text: Jinja never renders a variable's content as template code.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import traceback
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import pydantic

from dco import resources, yamlfile
from dco.errors import ConfigError
from dco.i18n import _
from dco.prompts.policy import PolicyTable
from dco.prompts.sandbox import BUDGET, MOST_PROMPT_CHARS, BoundedSandbox, Budget

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
        self.env = BoundedSandbox(
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
        and so is a render past its bounds (see `dco.prompts.sandbox`) or one that fails: each
        names the template and line at fault. A prompt longer than `MOST_PROMPT_CHARS` is
        refused once written: what a render may write is bounded first, in the sandbox."""
        budget = BUDGET.set(Budget())
        try:
            text = self._templates[name].render(**context).strip()
        except RecursionError:
            raise ConfigError(
                _(
                    "prompt template {name} calls itself without end (a macro, include or "
                    "extends that comes back to itself)"
                ).format(name=name)
            ) from None
        except ConfigError:
            raise
        except Exception as e:  # the sandbox's refusals, and a template's own mistakes
            where = self._where(name, e)
            raise ConfigError(
                _("prompt template {where}: {why}").format(where=where, why=_what_went_wrong(e))
            ) from e
        finally:
            BUDGET.reset(budget)
        if len(text) > MOST_PROMPT_CHARS:  # written within the render's bounds (see the sandbox)
            raise ConfigError(
                _(
                    "prompt template {name} wrote more than {most:,} characters, more than "
                    "a prompt for copy needs: look for a loop or a repeat that runs away"
                ).format(name=name, most=MOST_PROMPT_CHARS)
            )
        return text

    def _where(self, name: str, error: BaseException) -> str:
        """The template and line `error` was raised at, as `generate.user.j2:12` (an included
        template's own name where it was there), or `name` where no line is known."""
        where = name
        for frame in traceback.extract_tb(error.__traceback__):
            for folder in self.folders:
                if frame.filename.startswith(f"{folder}{os.sep}"):
                    inside = Path(frame.filename).relative_to(folder).as_posix()
                    where = f"{inside}:{frame.lineno}"
        return where

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


def _what_went_wrong(error: Exception) -> str:
    """An error in a template as its author needs it: Jinja's and the sandbox's own words, or a
    Python error's name and message (`ZeroDivisionError: division by zero`)."""
    if isinstance(error, jinja2.UndefinedError) and error.message:
        return error.message
    if isinstance(error, jinja2.TemplateError | OverflowError):
        return str(error)
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


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
