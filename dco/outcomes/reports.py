"""Reading ad platforms' performance reports (CSV) into outcomes, row by row.

The columns dco reads, and their default headers (map yours with `columns`):

    variant_id   the dco variant id (put it in the ad's label, name or a URL parameter)
    date         the day the row covers: 2026-11-23, 2026/11/23 or 2026.11.23
    impressions  whole numbers; thousands separators (1,234) are fine
    clicks
    conversions  optional (0 when the column is absent)
    segment      optional (the audience segment; "all" when absent or empty)

A bad row is reported with its line number and the rest still land. Files exported as UTF-8 (with
or without a BOM) or as cp949, as Korean spreadsheet tools often write them, are both read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dco.errors import ConfigError, DcoError, OutcomeError
from dco.outcomes.values import ALL_SEGMENTS, Outcome, period_of

COLUMNS = ("variant_id", "date", "impressions", "clicks", "conversions", "segment")
REQUIRED = ("variant_id", "date", "impressions", "clicks")


@dataclass
class Report:
    """The outcomes a report holds by line, and the lines that could not be read, and why."""

    rows: list[tuple[int, Outcome]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def outcomes(self) -> list[Outcome]:
        return [outcome for _, outcome in self.rows]


def read_report(
    path: str | Path, columns: Mapping[str, str] | None = None, *, today: date | None = None
) -> Report:
    """The outcomes in the CSV report at `path`; `columns` maps dco's names to your headers."""
    path = Path(path)
    unknown = [name for name in columns or {} if name not in COLUMNS]
    if unknown:
        raise ConfigError(f"unknown column {unknown[0]!r} to map; dco reads {', '.join(COLUMNS)}")
    headers = {name: (columns or {}).get(name, name) for name in COLUMNS}
    reader = csv.DictReader(io.StringIO(_text(path)))
    present = set(reader.fieldnames or ())
    missing = [name for name in REQUIRED if headers[name] not in present]
    if missing:
        name = missing[0]
        raise ConfigError(
            f"{path}: no column {headers[name]!r} for {name} (the file has "
            f"{', '.join(reader.fieldnames or ()) or 'no header'}); map yours with "
            f"--column {name}=HEADER"
        )
    report = Report()
    today = today or date.today()
    for row in reader:
        line = reader.line_num
        try:
            report.rows.append((line, _outcome(row, headers, present, today)))
        except DcoError as e:
            report.problems.append((line, str(e)))
    return report


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp949")
        except UnicodeDecodeError as e:
            raise ConfigError(f"{path}: neither UTF-8 nor cp949 text") from e


def _outcome(row: dict, headers: dict[str, str], present: set[str], today: date) -> Outcome:
    def value(name: str) -> str:
        header = headers[name]
        return (row.get(header) or "").strip() if header in present else ""

    variant_id, day = value("variant_id"), value("date")
    if not variant_id:
        raise OutcomeError("no variant id")
    if not day:
        raise OutcomeError("no date")
    return Outcome(
        variant_id=variant_id,
        impressions=_count(value("impressions"), "impressions"),
        clicks=_count(value("clicks"), "clicks"),
        conversions=_count(value("conversions") or "0", "conversions"),
        segment=value("segment") or ALL_SEGMENTS,
        period=period_of(day, today),
    ).check()


def _count(text: str, name: str) -> int:
    cleaned = text.replace(",", "").replace(" ", "")
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if not cleaned.isdigit():
        raise OutcomeError(f"{name} {text!r} is not a whole number")
    return int(cleaned)
