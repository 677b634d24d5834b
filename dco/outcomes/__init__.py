"""Outcomes: what served copy did (impressions, clicks, conversions), read from ad platforms."""

from dco.outcomes.reports import Report, read_report
from dco.outcomes.values import ALL_SEGMENTS, Outcome, Totals

__all__ = ["ALL_SEGMENTS", "Outcome", "Report", "Totals", "read_report"]
