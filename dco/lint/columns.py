"""Guessing which of a records file's columns hold copy, to suggest --column mappings."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from dco import resources
from dco.models import COPY_FIELDS

_NOISE = re.compile(r"[\s_\-]+")


def guess_columns(names: Iterable[str]) -> dict[str, str]:
    """{copy field: column name} for the `names` that a known synonym matches, first match
    for each field (see `dco/data/lint_columns.yaml`)."""
    known = _synonyms()
    guessed: dict[str, str] = {}
    for name in names:
        field = known.get(_key(name))
        if field is not None and field not in guessed:
            guessed[field] = name
    return {field: guessed[field] for field in COPY_FIELDS if field in guessed}


def _key(name: str) -> str:
    return _NOISE.sub("", name.strip().casefold())


@functools.cache
def _synonyms() -> dict[str, str]:
    document = resources.load_data("lint_columns.yaml")
    columns = document.data.get("columns", {}) if isinstance(document.data, dict) else {}
    return {
        _key(str(name)): field
        for field, names in columns.items()
        if field in COPY_FIELDS
        for name in names
    }
