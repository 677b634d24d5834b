"""Performance outcomes of served copy: impressions, clicks and conversions per variant, audience
segment and day — recorded idempotently, and totalled for selection and statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dco.errors import OutcomeError
from dco.i18n import _

ALL_SEGMENTS = "all"
"""The segment of figures not broken down by audience."""

MOST_COUNTED = 2**63 - 1
"""The largest figure a queue holds: a BIGINT, as both SQLite and PostgreSQL store it."""


@dataclass(frozen=True)
class Outcome:
    """One variant's figures for one segment and one day."""

    variant_id: str
    impressions: int
    clicks: int = 0
    conversions: int = 0
    segment: str = ALL_SEGMENTS
    period: str = ""
    """The day the figures cover, YYYY-MM-DD."""

    def check(self) -> Outcome:
        """This outcome, or an error saying what is wrong with its figures."""
        for name in ("impressions", "clicks", "conversions"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise OutcomeError(
                    _("{name} must be a whole number ≥ 0, not {value!r}").format(
                        name=name, value=value
                    )
                )
            if value > MOST_COUNTED:
                raise too_large(name, str(value))
        if self.clicks > self.impressions:
            raise OutcomeError(
                _("clicks ({clicks}) exceed impressions ({impressions})").format(
                    clicks=self.clicks, impressions=self.impressions
                )
            )
        if self.conversions > self.clicks:
            raise OutcomeError(
                _(
                    "conversions ({conversions}) exceed clicks ({clicks}); count the clicks that "
                    "converted, once each"
                ).format(conversions=self.conversions, clicks=self.clicks)
            )
        if not self.segment:
            raise OutcomeError(_("the segment is empty; use 'all' for figures not broken down"))
        return self


def too_large(name: str, value: str) -> OutcomeError:
    """The error for a figure past `MOST_COUNTED` (a column read as the wrong one, say)."""
    shown = value if len(value) <= 30 else f"{value[:30]}…"
    return OutcomeError(
        _(
            "{name} {value} is more than a queue can hold (at most {most:,}); check the column"
        ).format(name=name, value=shown, most=MOST_COUNTED)
    )


def period_of(at: date | datetime | str | None, today: date) -> str:
    """The day `at` falls on, as YYYY-MM-DD (None: `today`). Accepts 2026-11-23, 2026/11/23
    and 2026.11.23 (as Korean ad reports write dates), or a datetime."""
    if at is None:
        return today.isoformat()
    if isinstance(at, datetime):
        return at.date().isoformat()
    if isinstance(at, date):
        return at.isoformat()
    text = str(at).strip().rstrip(".")
    for separator in ("/", "."):
        text = text.replace(separator, "-")
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        parts = text.split("-")
        if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
            year, month, day = (int(p) for p in parts)
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                pass
    raise OutcomeError(_("date {value!r} is not a day such as 2026-11-23").format(value=at))


@dataclass(frozen=True)
class Totals:
    """A variant's figures summed over days: per segment, and over all segments."""

    impressions: int = 0
    clicks: int = 0
    conversions: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.impressions + other.impressions,
            self.clicks + other.clicks,
            self.conversions + other.conversions,
        )
