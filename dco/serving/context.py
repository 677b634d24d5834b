"""Context rules: from a customer's situation (weather, local time, season, place, device,
traffic source) to creative angles and tags, the way DCO platforms' feed rules work.

A rules file (a brand's `context.yaml`, or a campaign's) lists rules; a rule matches when every
condition it names holds for the customer's context, and then contributes its tags (which pick
the variants to serve) and its angle (which the prompt asks copy to be written for).

The context is `Signals.context`, with these keys (any may be missing; a condition on a missing
key does not hold):

- `weather`: a word such as rain, snow, clear, hot
- `time`: an ISO 8601 timestamp; with an offset it is converted to the customer's zone, without
  one it is already local (missing: now)
- `timezone`: the customer's IANA zone (default: the rules file's `timezone`)
- `region`: an ISO 3166-2 code such as KR-11 (a rule's `KR` matches every KR-… region)
- `device`: mobile, desktop, tablet, …
- `source`: the traffic source (naver, kakao, google, instagram, email, …)

>>> rules = ContextRules(rules=[ContextRule(name="rain", when=Condition(weather=["rain"]),
...                                         tags=["indoor"])])
>>> [r.name for r in rules.match({"weather": "Rain"})]
['rain']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, time, timezone
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from dco import yamlfile
from dco.errors import ConfigError
from dco.i18n import _
from dco.models import DcoModel

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Season = Literal["spring", "summer", "autumn", "winter"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NORTHERN_SEASON: dict[int, Season] = {
    12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
    6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn",
}  # fmt: skip
_OPPOSITE: dict[Season, Season] = {
    "winter": "summer", "summer": "winter", "spring": "autumn", "autumn": "spring",
}  # fmt: skip
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


class Condition(DcoModel):
    """What must hold for a rule to match: each condition named, every one of them."""

    weather: list[str] | None = None
    time_of_day: list[str] | None = None
    """Local time spans, "HH:MM-HH:MM" (a span may cross midnight: "22:00-05:00")."""
    day_of_week: list[Day] | None = None
    season: list[Season] | None = None
    region: list[str] | None = None
    device: list[str] | None = None
    source: list[str] | None = None

    @field_validator("time_of_day")
    @classmethod
    def _spans(cls, spans: list[str] | None) -> list[str] | None:
        for span in spans or []:
            match = _SPAN.match(span)
            if not match or int(match[1]) > 23 or int(match[3]) > 24 or int(match[2]) > 59:
                raise ValueError(
                    _("time span {span!r} is not HH:MM-HH:MM (e.g. 07:00-09:30)").format(span=span)
                )
        return spans

    @model_validator(mode="after")
    def _something(self) -> Condition:
        if all(value is None for value in self.model_dump().values()):
            raise ValueError(_("a rule's 'when' needs at least one condition"))
        return self

    @cached_property
    def parsed_spans(self) -> list[tuple[time, time]]:
        spans = []
        for span in self.time_of_day or []:
            match = _SPAN.match(span)
            assert match is not None
            start = time(int(match[1]), int(match[2]))
            end = (
                time(23, 59, 59, 999999) if match[3] == "24" else time(int(match[3]), int(match[4]))
            )
            spans.append((start, end))
        return spans


class ContextRule(DcoModel):
    """When the context is like this, write and serve copy with these tags and this angle."""

    name: str = Field(min_length=1)
    when: Condition
    tags: list[str] = Field(min_length=1)
    angle: str = ""
    """What copy for this situation should be about, as the prompt states it."""


class ContextRules(DcoModel):
    """A rules file: the rules in order, and the zone local times are read in by default."""

    version: int = 1
    timezone: str = "Asia/Seoul"
    hemisphere: Literal["north", "south"] = "north"
    rules: list[ContextRule] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        _zone(name)
        return name

    @classmethod
    def load(cls, path: str | Path) -> ContextRules:
        """Read a rules file; errors name the file, line and key."""
        return yamlfile.load(Path(path)).validate(cls, what="context rules")

    def match(
        self, context: Mapping[str, Any], *, now: datetime | None = None
    ) -> list[ContextRule]:
        """The rules whose every condition holds for `context`, in file order."""
        situation = Situation.of(context, self, now)
        return [rule for rule in self.rules if situation.satisfies(rule.when)]

    def tags(self, context: Mapping[str, Any], *, now: datetime | None = None) -> list[str]:
        """The tags of every matching rule, each once, in rule order."""
        return list(dict.fromkeys(t for rule in self.match(context, now=now) for t in rule.tags))


CONTEXT_KEYS = ("weather", "time", "timezone", "region", "device", "source")
"""What a customer's context may say: the keys context rules' conditions read."""


def check_context(context: Mapping[str, Any]) -> None:
    """A `ConfigError` for a context's time or time zone that cannot be read, whether or not a
    rule reads it: a mistyped time must not wait for the day rules arrive to be found."""
    zone = _zone(str(context.get("timezone") or "UTC"))
    _local_time(context.get("time") or None, zone, datetime.now(timezone.utc))


class Situation:
    """A customer's context read once for matching: folded words, local time, season."""

    def __init__(
        self, words: dict[str, str], local: datetime | None, season: Season | None
    ) -> None:
        self.words = words
        self.local = local
        self.season = season

    @classmethod
    def of(
        cls, context: Mapping[str, Any], rules: ContextRules, now: datetime | None = None
    ) -> Situation:
        words = {
            key: str(context[key]).strip().casefold()
            for key in ("weather", "region", "device", "source")
            if context.get(key) not in (None, "")
        }
        zone = _zone(str(context.get("timezone") or rules.timezone))
        local = _local_time(context.get("time"), zone, now)
        season = None
        if local is not None:
            season = _NORTHERN_SEASON[local.month]
            if rules.hemisphere == "south":
                season = _OPPOSITE[season]
        return cls(words, local, season)

    def satisfies(self, condition: Condition) -> bool:
        for key in ("weather", "device", "source"):
            wanted = getattr(condition, key)
            if wanted is not None and self.words.get(key) not in {w.casefold() for w in wanted}:
                return False
        if condition.region is not None:
            region = self.words.get("region")
            if region is None or not any(
                region == r.casefold() or region.startswith(r.casefold() + "-")
                for r in condition.region
            ):
                return False
        if condition.day_of_week is not None and (
            self.local is None or DAYS[self.local.weekday()] not in condition.day_of_week
        ):
            return False
        if condition.season is not None and self.season not in condition.season:
            return False
        if condition.time_of_day is not None:
            if self.local is None:
                return False
            clock = self.local.time()
            if not any(_within(clock, start, end) for start, end in condition.parsed_spans):
                return False
        return True


def _within(clock: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= clock <= end
    return clock >= start or clock <= end  # the span crosses midnight


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ConfigError(
            _("unknown time zone {name!r}; use an IANA name such as Asia/Seoul").format(name=name)
        ) from e


def _local_time(value: Any, zone: ZoneInfo, now: datetime | None) -> datetime | None:
    if value in (None, ""):
        moment = now or datetime.now(timezone.utc)
        return moment.astimezone(zone) if moment.tzinfo else moment
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as e:
        raise ConfigError(
            _(
                "context time {value!r} is not an ISO 8601 timestamp (e.g. 2026-11-23T08:10+09:00)"
            ).format(value=value)
        ) from e
    return moment.astimezone(zone) if moment.tzinfo else moment
