"""The behavioural event vocabulary of `Signals` and the compact `name*count@age` string form."""

from __future__ import annotations

import functools
import re
from typing import Any

from dco import resources
from dco.errors import UnknownNameError
from dco.i18n import _, named_briefly

_EVENT = re.compile(
    r"^\s*(?P<name>[a-z][a-z0-9_]*(?::[a-z0-9_]+)?)"
    r"(?:\*(?P<count>\d+))?"
    r"(?:@(?P<age>\d+(?:\.\d+)?)(?P<unit>[mhd]))?\s*$"
)
_HOURS_PER_UNIT = {"m": 1 / 60, "h": 1.0, "d": 24.0}


@functools.cache
def vocabulary() -> dict[str, str]:
    """Every known event name with what it means, from `dco/data/events.yaml`."""
    document = resources.load_data("events.yaml")
    events = document.data.get("events") if isinstance(document.data, dict) else None
    if not isinstance(events, dict) or not events:
        raise resources.data_error(document, ("events",), "expected a mapping of event → meaning")
    return {str(name): str(meaning) for name, meaning in events.items()}


def check_name(name: str) -> str:
    """Return `name` if it is a known event; otherwise raise, listing the known ones."""
    known = vocabulary()
    if name in known:
        return name
    shown, hint = named_briefly(name, list(known))
    raise UnknownNameError(
        _("unknown event {name!r}.{hint} Known events: {known}.").format(
            name=shown, hint=hint, known=", ".join(known)
        )
    )


def parse(text: str) -> dict[str, Any]:
    """Parse `add_to_cart`, `return_visit*3` or `page_view:pricing@2h` into Event fields."""
    match = _EVENT.match(text)
    if not match:
        raise ValueError(
            _(
                "cannot read event {text!r}: write NAME, NAME*COUNT, NAME@AGE or NAME*COUNT@AGE, "
                "e.g. 'add_to_cart', 'return_visit*3', 'page_view:pricing@2h' (age in m, h or d)"
            ).format(text=text)
        )
    fields: dict[str, Any] = {"name": match["name"]}
    if match["count"]:
        fields["count"] = int(match["count"])
    if match["age"]:
        fields["age_hours"] = float(match["age"]) * _HOURS_PER_UNIT[match["unit"]]
    return fields


def format_event(name: str, count: int, age_hours: float | None) -> str:
    """The compact string form of an event, the inverse of `parse` (ages written in hours)."""
    text = name if count == 1 else f"{name}*{count}"
    if age_hours is not None:
        text += f"@{age_hours:g}h"
    return text
