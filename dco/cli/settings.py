"""One config file for every command: `dco.toml` (or `[tool.dco]` in pyproject.toml), with
DCO_* variables over it and command-line options over both.

The settings and the options each fills are data (`dco/data/settings.yaml`); the effective
values become click's `default_map`, so an option given on the command line always wins.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dco.errors import ConfigError
from dco.i18n import _
from dco.resources import load_data
from dco.userfiles import plainly, read_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_FILE = "dco.toml"


@dataclass(frozen=True)
class Setting:
    """One setting: its name, the variable that overrides it, and the options it fills."""

    name: str
    env: str
    help: str
    fills: Mapping[str, str]
    """Command path ("outcomes import") → the parameter it fills."""


@dataclass(frozen=True)
class Effective:
    """A setting's value and where it came from (a file, a variable), or None when unset."""

    value: str | None
    source: str


def catalogue() -> dict[str, Setting]:
    data = load_data("settings.yaml").data["settings"]
    return {name: Setting(name, spec["env"], spec["help"], spec.get("fills") or {})
            for name, spec in data.items()}  # fmt: skip


def config_file(folder: Path) -> tuple[Path, dict[str, Any]] | None:
    """The settings in `folder`'s dco.toml, else in its pyproject.toml's [tool.dco]."""
    for name, table in ((CONFIG_FILE, ()), ("pyproject.toml", ("tool", "dco"))):
        path = folder / name
        if not path.is_file():
            continue
        try:
            # Read as a user's other files are: a BOM from Windows Notepad is no TOML error.
            data: Any = tomllib.loads(read_text(path))
        # ValueError: TOML that is not, or a number past what int() reads; RecursionError:
        # arrays nested deeper than Python's stack.
        except (ValueError, RecursionError) as e:
            why = _("nested too deeply") if isinstance(e, RecursionError) else plainly(e)
            raise ConfigError(
                _("{path}: not TOML dco can read ({why}); fix it or remove it").format(
                    path=path, why=why
                )
            ) from e
        for key in table:
            data = data.get(key) if isinstance(data, dict) else None
        if data is None:
            continue
        return path, data
    return None


def effective(
    folder: Path | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Effective]:
    """Every setting's value and source: the variable if set, else the file, else unset."""
    settings = catalogue()
    environ = os.environ if environ is None else environ
    found = config_file(folder or Path.cwd())
    values: dict[str, Any] = {}
    where = ""
    if found is not None:
        path, values = found
        where = str(path.name if path.parent == Path.cwd() else path)
        if path.name == "pyproject.toml":
            where += " [tool.dco]"
        unknown = sorted(set(values) - set(settings))
        if unknown:
            raise ConfigError(
                _("{path}: unknown setting {name!r}; dco reads {known}").format(
                    path=path, name=unknown[0], known=", ".join(settings)
                )
            )
        for name, value in values.items():
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(
                    _('{path}: {name} must be a string, e.g. {name} = "…"').format(
                        path=path, name=name
                    )
                )
    result = {}
    for name, setting in settings.items():
        if environ.get(setting.env):
            result[name] = Effective(environ[setting.env], setting.env)
        elif name in values:
            result[name] = Effective(values[name], where)
        else:
            result[name] = Effective(None, "not set")
    return result


def apply_model(settings: Mapping[str, Effective]) -> None:
    """A model named in the file reaches the OpenAI provider as DCO_MODEL does (which, set,
    wins): it chooses the model whenever that provider is used, and never the provider."""
    model = settings.get("model")
    if model is not None and model.value and model.source != "DCO_MODEL":
        os.environ.setdefault("DCO_MODEL", model.value)


def default_map(settings: Mapping[str, Effective]) -> dict[str, Any]:
    """Click's `default_map` for the effective settings: command → parameter → value."""
    catalogue_ = catalogue()
    values = {name: e.value for name, e in settings.items() if e.value is not None}
    model = values.pop("model", None)
    if (
        model
        and values.get("provider", "openai") != "fake"
        and "/" not in values.get("provider", "")
    ):
        values["provider"] = f"{values.get('provider', 'openai')}/{model}"
    defaults: dict[str, Any] = {}
    for name, value in values.items():
        for command, parameter in catalogue_[name].fills.items():
            node = defaults
            for part in command.split():
                node = node.setdefault(part, {})
            node[parameter] = value
    return defaults
