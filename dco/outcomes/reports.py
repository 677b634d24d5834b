"""Reading ad platforms' performance reports (CSV or tab-separated) into outcomes, row by row.

Each platform's layout is a data file in `dco/data/reports/` (`dco` is the default): the headers
each of dco's columns may go by, a pattern that finds the variant id inside its cell (a label
such as `dco:3f2a…`), the date formats, and the summary rows to pass over. dco's columns:

    variant_id   the dco variant id (put it in the ad's label, name or a URL parameter)
    date         the day the row covers: 2026-11-23, 2026/11/23, 2026.11.23 or the platform's own
    impressions  whole numbers; thousands separators (1,234) are fine
    clicks
    conversions  optional (0 when the column is absent)
    segment      optional (the audience segment; "all" when absent or empty)

The header row is found among the first rows (downloads often start with a title and a date
range); a report without one (an API's) is read by the layout of its column count, and one that
names the platform's own ads is tied to variants through a master report. A bad row is
reported with its line number and the rest still land. Files exported as UTF-8 (with or without
a BOM) or as cp949, as Korean spreadsheet tools often write them, are both read.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field

from dco import resources
from dco.errors import ConfigError, DcoError, OutcomeError
from dco.i18n import _, shown_briefly, unknown_name
from dco.models import DcoModel
from dco.outcomes.values import ALL_SEGMENTS, MOST_COUNTED, Outcome, period_of, too_large
from dco.userfiles import CsvRows, read_text

ColumnName = Literal["variant_id", "date", "impressions", "clicks", "conversions", "segment"]
COLUMNS: tuple[ColumnName, ...] = (
    "variant_id", "date", "impressions", "clicks", "conversions", "segment",
)  # fmt: skip
REQUIRED: tuple[ColumnName, ...] = ("variant_id", "date", "impressions", "clicks")
PLATFORMS = ("dco", "google", "naver")
"""The report layouts dco ships (`dco/data/reports/<name>.yaml`)."""
HEADER_SEARCH_ROWS = 20
"""How many rows from the top may come before the header (titles, date ranges)."""


class ReportColumn(DcoModel):
    """Where one of dco's columns is in a platform's report."""

    headers: tuple[str, ...] = Field(min_length=1)
    """Any of these names the column (case and spaces do not matter)."""
    find: str | None = None
    """A pattern whose first group is the value inside the cell (the id inside a label)."""


class MasterFormat(DcoModel):
    """A second file that ties a platform's own ad ids to dco's variant ids."""

    delimiter: str = ","
    positions: dict[int, tuple[str, ...]]
    """The column names by position, for each column count the file may have (no header)."""
    key: str
    """The column holding the platform's ad id."""
    find_in: tuple[str, ...]
    """The columns searched for the variant id (landing URLs)."""
    find: str
    """A pattern whose first group is the variant id."""


class ReportFormat(DcoModel):
    """A platform's performance report, as its data file describes it."""

    name: str
    title: str
    source: str = Field(min_length=1)
    delimiter: str = ","
    positions: dict[int, tuple[str, ...]] = Field(default_factory=dict)
    """For a file without a header: the column names by position, by column count."""
    master: MasterFormat | None = None
    columns: dict[ColumnName, ReportColumn]
    date_formats: tuple[str, ...] = ()
    summary_rows: tuple[str, ...] = ()
    """First cells that start a totals row rather than a day's figures."""
    empty_cells: tuple[str, ...] = ()
    """What the platform writes for "none" in a figure (read as 0)."""

    def mapped(self, columns: Mapping[str, str]) -> ReportFormat:
        """This format with `columns` (dco's name → your header) replacing its headers."""
        unknown = [name for name in columns if name not in COLUMNS]
        if unknown:
            raise ConfigError(
                _("unknown column {name!r} to map; dco reads {known}").format(
                    name=unknown[0], known=", ".join(COLUMNS)
                )
            )
        changed = dict(self.columns)
        for name in COLUMNS:
            if name in columns:
                old = changed.get(name)
                find = old.find if old else None
                changed[name] = ReportColumn(headers=(columns[name],), find=find)
        return self.model_copy(update={"columns": changed})


@functools.cache
def report_format(platform: str) -> ReportFormat:
    """The shipped layout of `platform`'s reports."""
    if platform not in PLATFORMS:
        raise unknown_name("report format", platform, PLATFORMS)
    document = resources.load_data(f"reports/{platform}.yaml")
    return document.validate(ReportFormat, what=f"{platform} report format")


@dataclass
class Report:
    """The outcomes a report holds by line, and the lines that could not be read, and why."""

    rows: list[tuple[int, Outcome]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def outcomes(self) -> list[Outcome]:
        return [outcome for _, outcome in self.rows]


def read_report(
    path: str | Path,
    columns: Mapping[str, str] | None = None,
    *,
    platform: str = "dco",
    master: str | Path | None = None,
    today: date | None = None,
) -> Report:
    """The outcomes in the report at `path`, laid out as `platform`'s reports are; `columns`
    maps dco's names to your own headers. A platform whose report names its own ads (Naver)
    needs the `master` file that ties each ad to dco's variant id.

    Rows for the same variant, segment and day (a platform's rows per keyword, medium or
    device) are summed into one outcome, kept at the line of the first."""
    path = Path(path)
    layout = report_format(platform)
    if columns:
        layout = layout.mapped(columns)
    variants = _master_ids(layout, master) if layout.master is not None else None
    text = read_text(path)
    rows = CsvRows(text, path, delimiter=layout.delimiter)
    report = Report()
    today = today or date.today()
    fixed: dict[str, int] | None = None
    if not layout.positions:
        found = _header(rows, layout)
        if found is None and layout.delimiter != "\t":
            # Saved tab-separated under a .csv name, as Excel's "Unicode text" and the ad
            # tools' "Excel CSV" downloads are: the header, found only then, says which.
            rows = CsvRows(text, path, delimiter="\t")
            found = _header(rows, layout)
        if found is None:
            raise _no_header(path, text, layout, columns)
        fixed = found[1]
    for cells in rows:
        line = rows.line_num
        if not any(c.strip() for c in cells) or _is_summary(cells, layout):
            continue
        try:
            places = fixed if fixed is not None else _positions(cells, layout.positions, layout)
            outcome = _outcome(cells, places, layout, today)
            if variants is not None:
                outcome = _through_master(outcome, variants)
            report.rows.append((line, outcome))
        except DcoError as e:
            report.problems.append((line, str(e)))
    report.rows = _summed(report.rows, report.problems)
    return report


def _positions(
    cells: list[str], positions: Mapping[int, tuple[str, ...]], layout: ReportFormat
) -> dict[str, int]:
    """Where dco's columns are in a row of a file without a header, by its column count."""
    names = positions.get(len(cells))
    if names is None:
        counts = " or ".join(str(n) for n in sorted(positions))
        raise OutcomeError(
            _("a row of {n} columns; the {name} report has {counts} (is it {title}?)").format(
                n=len(cells), name=layout.name, counts=counts, title=layout.title
            )
        )
    return _places(list(names), layout)


def _master_ids(layout: ReportFormat, master: str | Path | None) -> dict[str, str]:
    """The platform's ad id → dco's variant id, from the master report."""
    spec = layout.master
    assert spec is not None
    if master is None:
        raise ConfigError(
            _(
                "--from {name} needs the ad master report that ties the platform's ads to dco's "
                "variants: give --master FILE"
            ).format(name=layout.name)
        )
    path = Path(master)
    if not path.is_file():
        raise ConfigError(_("{path}: no such master report").format(path=path))
    ids: dict[str, str] = {}
    pattern = re.compile(spec.find)
    for cells in CsvRows(read_text(path), path, delimiter=spec.delimiter):
        names = spec.positions.get(len(cells))
        if names is None:
            continue
        row = dict(zip(names, cells, strict=True))
        for column in spec.find_in:
            found = pattern.search(row.get(column, "")[:10_000])
            if found:
                ids[row[spec.key].strip()] = found.group(1)
                break
    if not ids:
        raise ConfigError(
            _(
                "{path}: no ad in it carries a dco variant id (looked for {pattern!r} in "
                "{columns}); is it the master report of ads dco exported?"
            ).format(path=path, pattern=spec.find, columns=", ".join(spec.find_in))
        )
    return ids


def _through_master(outcome: Outcome, variants: Mapping[str, str]) -> Outcome:
    variant_id = variants.get(outcome.variant_id)
    if variant_id is None:
        raise OutcomeError(
            _(
                "ad {ad!r} is not in the master report with a dco variant id (an ad dco did not "
                "export?)"
            ).format(ad=outcome.variant_id)
        )
    return replace(outcome, variant_id=variant_id)


def _summed(
    rows: list[tuple[int, Outcome]], problems: list[tuple[int, str]]
) -> list[tuple[int, Outcome]]:
    """One outcome per variant, segment and day: the figures of rows that share them added.
    A sum a queue cannot hold is a problem of its first row's, and is left out."""
    kept: dict[tuple[str, str, str], tuple[int, Outcome]] = {}
    added_up: set[tuple[str, str, str]] = set()  # a row alone was checked as it was read
    for line, outcome in rows:
        key = (outcome.variant_id, outcome.segment, outcome.period)
        if key in kept:
            added_up.add(key)
            first, total = kept[key]
            outcome = replace(
                total,
                impressions=total.impressions + outcome.impressions,
                clicks=total.clicks + outcome.clicks,
                conversions=total.conversions + outcome.conversions,
            )
            line = first
        kept[key] = (line, outcome)
    summed = []
    for key, (line, outcome) in kept.items():
        try:
            summed.append((line, outcome.check() if key in added_up else outcome))
        except OutcomeError as e:
            problems.append((line, str(e)))
    return summed


def _header(rows: Iterator[list[str]], layout: ReportFormat) -> tuple[int, dict[str, int]] | None:
    """(line, where each column is) of the first row naming every required column."""
    for line, cells in enumerate(rows, start=1):
        places = _places(cells, layout)
        if all(name in places for name in REQUIRED):
            return line, places
        if line >= HEADER_SEARCH_ROWS:
            break
    return None


def _places(cells: list[str], layout: ReportFormat) -> dict[str, int]:
    index = {_key(cell): i for i, cell in reversed(list(enumerate(cells)))}
    places: dict[str, int] = {}
    for name, column in layout.columns.items():
        for header in column.headers:
            if _key(header) in index:
                places[name] = index[_key(header)]
                break
    return places


def _key(header: str) -> str:
    return "".join(header.split()).casefold()


def _no_header(
    path: Path, text: str, layout: ReportFormat, mapped: Mapping[str, str] | None
) -> ConfigError:
    first = next(CsvRows(text, path, delimiter=layout.delimiter), [])
    missing = [n for n in REQUIRED if n not in _places(first, layout)]
    name = missing[0] if missing else REQUIRED[0]
    wanted = " or ".join(repr(h) for h in layout.columns[name].headers)
    hint = (
        _("map yours with --column {name}=HEADER")
        if layout.name == "dco" or mapped
        else _("is it a {title}? map yours with --column {name}=HEADER")
    ).format(name=name, title=layout.title)
    return ConfigError(
        _(
            "{path}: no column {wanted} for {name} in its first {rows} rows (the first row has "
            "{found}); {hint}"
        ).format(
            path=path,
            wanted=wanted,
            name=name,
            rows=HEADER_SEARCH_ROWS,
            # Cut: a file that is no report may be one row as long as the file.
            found=shown_briefly(", ".join(c for c in first if c.strip()), 200) or _("nothing"),
            hint=hint,
        )
    )


def _is_summary(cells: list[str], layout: ReportFormat) -> bool:
    first = next((c.strip() for c in cells if c.strip()), "")
    return any(first.casefold().startswith(s.casefold()) for s in layout.summary_rows)


def _outcome(
    cells: list[str], places: dict[str, int], layout: ReportFormat, today: date
) -> Outcome:
    def value(name: str) -> str:
        at = places.get(name)
        return cells[at].strip() if at is not None and at < len(cells) else ""

    variant_id = _variant_id(value("variant_id"), layout)
    day = value("date")
    if not day:
        raise OutcomeError(_("no date"))
    return Outcome(
        variant_id=variant_id,
        impressions=_count(value("impressions"), "impressions", layout),
        clicks=_count(value("clicks"), "clicks", layout),
        conversions=_count(value("conversions") or "0", "conversions", layout),
        segment=value("segment") or ALL_SEGMENTS,
        period=_day(day, layout, today),
    ).check()


def _variant_id(cell: str, layout: ReportFormat) -> str:
    pattern = layout.columns["variant_id"].find
    if pattern is None:
        if not cell:
            raise OutcomeError(_("no variant id"))
        return cell
    found = list(dict.fromkeys(re.findall(pattern, cell[:10_000])))
    if not found:
        raise OutcomeError(
            _("no dco variant id in {cell!r} (an ad dco did not export?)").format(cell=cell[:60])
        )
    if len(found) > 1:
        raise OutcomeError(
            _(
                "the ad carries {n} variants ({some}…), exported pooled: its figures cannot be "
                "split by variant; export with --google-ads-layout per-variant to measure each"
            ).format(n=len(found), some=", ".join(found[:3]))
        )
    return found[0]


def _day(text: str, layout: ReportFormat, today: date) -> str:
    for pattern in layout.date_formats:
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return period_of(text, today)


def _count(text: str, name: str, layout: ReportFormat) -> int:
    if text in layout.empty_cells:
        return 0
    cleaned = text.replace(",", "").replace(" ", "")
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if not (cleaned.isascii() and cleaned.isdigit()):  # "²" and "٣" are digits to isdigit()
        raise OutcomeError(
            _("{name} {value!r} is not a whole number").format(name=name, value=text)
        )
    if len(cleaned.lstrip("0")) > len(str(MOST_COUNTED)):  # before int() reads a million digits
        raise too_large(name, cleaned)
    return int(cleaned)
