"""Linting copy files against a brand: reading .txt, .md, .json, .jsonl and .csv into assets,
checking each, and locating every finding in its file.

- ``.txt``: every non-empty line is one piece of copy (field ``text``).
- ``.md``: every paragraph is one piece of copy; headings (``# ...``, or a line over ``===`` or
  ``---``) are ``headline``.
  What Vale does not read is not copy (see `dco.lint.markdown`), and Vale's ``<!-- vale off -->``
  comments silence checking.
- ``.json`` (a list of records, or ``{"variants": [...]}``), ``.jsonl`` and ``.csv``: records
  with ``headline`` / ``body`` / ``cta`` (or dco's own variants, whose copy is under ``copy``),
  an optional ``channel`` and ``id``, and an optional ``lint_ignore`` list of rule ids (``"*"``
  for all) that silences findings for that record. Other column names map with ``columns``.
"""

from __future__ import annotations

import csv
import io
import json
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dco.brand import Brand
from dco.brand.check import apply_fixes
from dco.channels.catalog import Channel, get_channel
from dco.channels.limits import ENCODING_RULE, LENGTH_RULE, length_findings
from dco.errors import ConfigError
from dco.lint.columns import guess_columns
from dco.lint.markdown import Block, mask
from dco.lint.positions import Cell, csv_rows, json_string
from dco.lint.sources import Source, read_source, write_source
from dco.models import COPY_FIELDS, Copy, Finding

SUFFIXES = (".txt", ".md", ".markdown", ".json", ".jsonl", ".csv")
csv.field_size_limit(64 * 1024 * 1024)  # a cell of long copy is copy, not an error (default 128 KB)
LEVELS = {"suggestion": 0, "warning": 1, "error": 2}
MAX_SHOWN_PER_ASSET = 100
"""Findings listed for one piece of copy; the rest are counted (a pasted page of banned words
would otherwise list thousands, and hold them all in memory)."""
CHANNEL_RULES = {
    LENGTH_RULE: "A field is longer than the channel allows, counted in the channel's unit.",
    ENCODING_RULE: "A field holds a character the channel cannot send (emoji in a cp949 SMS).",
}


@dataclass(frozen=True)
class Snippet:
    """The text around a finding, clipped: the match lies at `start`…`end` of `text`, and
    `lead`/`trail` say whether the line or field goes on before or after what is shown."""

    text: str
    start: int
    end: int
    lead: bool = False
    trail: bool = False


def snippet(text: str, start: int, end: int, around: int = 40) -> Snippet:
    """`around` characters each side of `text[start:end]` (and at most `2 * around` of the
    match): what a finding shows, so output grows with the findings, not the line's length."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    end = max(start, min(end, start + 2 * around))
    low, high = max(0, start - around), min(len(text), end + around)
    return Snippet(text[low:high], start - low, end - low, low > 0, high < len(text))


@dataclass(frozen=True)
class Located:
    """A finding and where it is: file, 1-based line and column, and the record for data files."""

    path: str
    line: int
    column: int
    end_column: int
    finding: Finding
    record: str | None = None
    snippet: Snippet | None = None


@dataclass
class LintResult:
    """Everything one lint run found."""

    findings: list[Located] = field(default_factory=list)
    silenced: int = 0
    files: int = 0
    assets: int = 0
    fixed: int = 0
    skipped_rules: list[str] = field(default_factory=list)
    """Ids of the brand's rules of kinds dco does not run (see `Brand.skipped`)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """How long each file took to check, by path (for JUnit's time attributes)."""
    not_shown: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    """Findings past `MAX_SHOWN_PER_ASSET` in one piece of copy, by level: counted, not listed."""
    descriptions: dict[str, str] = field(default_factory=dict)
    """What each rule checks, by id: its description, else its message (for SARIF)."""

    def counts(self) -> dict[str, int]:
        """How many findings there are of each level, those not shown included."""
        counts = dict(self.not_shown)
        for located in self.findings:
            counts[located.finding.level] += 1
        return counts

    def failed(self, fail_level: str) -> bool:
        """True when a finding at or above `fail_level` exists (shown or not)."""
        threshold = LEVELS[fail_level]
        return any(n for level, n in self.counts().items() if LEVELS[level] >= threshold)


@dataclass
class _Asset:
    fields: dict[str, str]
    offsets: dict[str, int]
    """Where each field starts in the file (text files) — absent for records."""
    line: int = 1
    record: str | None = None
    channel: Channel | None = None
    ignore: frozenset[str] = frozenset()


def expand(paths: list[str | Path]) -> list[Path]:
    """The copy files named, with folders searched for supported files."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not inside:
                raise ConfigError(
                    f"{path}: no copy file in it (dco lint reads {', '.join(SUFFIXES)} files); "
                    "name the files or the folder that holds them"
                )
            found += inside
        elif path.is_file():
            if path.suffix not in SUFFIXES:
                raise ConfigError(
                    f"{path}: cannot lint {path.suffix or 'files without a suffix'}; "
                    f"give {', '.join(SUFFIXES)} files"
                )
            found.append(path)
        else:
            raise ConfigError(f"{path}: no such file or folder")
    return found


def lint(
    paths: list[str | Path],
    brand: Brand,
    *,
    channel: str | None = None,
    columns: Mapping[str, str] | None = None,
    fix: bool = False,
    encoding: str | None = None,
) -> LintResult:
    """Check every copy file under `paths` against `brand`; with `fix`, rewrite safe fixes.

    A file that holds no copy to check (empty, or records with no copy field) is an error,
    not a pass. Files are read as UTF-8 or cp949 unless `encoding` is given, and a fixed file
    keeps its encoding, BOM and line endings; what is reported is what remains after fixing.
    """
    result = LintResult(
        skipped_rules=[rule.id for rule in brand.skipped],
        descriptions={
            **CHANNEL_RULES,
            **{r.id: r.description or r.message for r in brand.rules if r.description or r.message},
        },
    )
    spec = get_channel(channel) if channel else None
    for path in expand(paths):
        started = time.perf_counter()
        result.files += 1
        source = read_source(path, encoding)
        mark = (len(result.findings), result.silenced, result.assets, dict(result.not_shown))
        if _lint_file(path, source, brand, spec, columns or {}, result, fix):
            # Report what the fixes left: the file as it now is, checked again.
            del result.findings[mark[0] :]
            result.silenced, result.assets, result.not_shown = mark[1], mark[2], mark[3]
            _lint_file(path, read_source(path, encoding), brand, spec, columns or {}, result)
        result.seconds[str(path)] = time.perf_counter() - started
    return result


def _lint_file(
    path: Path,
    source: Source,
    brand: Brand,
    channel: Channel | None,
    columns: Mapping[str, str],
    result: LintResult,
    fix: bool = False,
) -> bool:
    """Check one file into `result`; True when `fix` rewrote it."""
    if path.suffix in (".txt", ".md", ".markdown"):
        return _lint_text(path, source, brand, channel, result, fix)
    return _lint_records(path, source, brand, channel, columns, result, fix)


# -- text files ---------------------------------------------------------------------------------


def _lint_text(
    path: Path, file: Source, brand: Brand, channel: Channel | None, result: LintResult, fix: bool
) -> bool:
    source = file.text
    markdown = path.suffix in (".md", ".markdown")
    masked = mask(source) if markdown else None
    text = masked.text if masked else source
    line_starts = _line_starts(source)
    fixes: list[Finding] = []
    assets = list(_text_assets(text, masked.blocks if masked else None))
    if not assets:
        what = "no paragraph or heading outside code and markup" if markdown else "no copy"
        raise ConfigError(
            f"{path}: {what} to check ({'an empty file' if not source.strip() else 'nothing read'})"
            "; give files with copy in them, or leave this one out"
        )
    result.assets += len(assets)
    checked = brand.check_many([asset.fields for asset in assets], channel=channel)
    for asset, findings in zip(assets, checked, strict=True):
        findings = findings + _channel_findings(asset, channel)
        shown = 0
        for finding in findings:
            start = asset.offsets[finding.field or "text"] + (
                finding.span.start if finding.span else 0
            )
            if masked and masked.silenced(finding.rule, start):
                result.silenced += 1
                continue
            end = start + ((finding.span.end - finding.span.start) if finding.span else 0)
            if shown == MAX_SHOWN_PER_ASSET:
                result.not_shown[finding.level] += 1
                continue
            shown += 1
            line, column = _position(line_starts, start)
            line_start = line_starts[line - 1]
            around = snippet(
                source[line_start : _line_end(source, line_starts, line)],
                start - line_start, end - line_start,
            )  # fmt: skip
            located = Located(
                str(path), line, column, column + max(1, end - start), finding, snippet=around
            )
            result.findings.append(located)
            if finding.replacement is not None and finding.span is not None:
                fixes.append(finding.model_copy(update={"span": finding.span.model_copy(
                    update={"start": start, "end": end})}))  # fmt: skip
    if fix and fixes:
        fixed, count = apply_fixes(source, fixes)
        if count:
            write_source(path, file, fixed)
            result.fixed += count
            return True
    return False


def _text_assets(text: str, blocks: list[Block] | None) -> Iterator[_Asset]:
    """A Markdown file's headings and paragraphs (`blocks`), or a text file's lines."""
    if blocks is None:
        offset = 0
        for line in text.splitlines(keepends=True):
            body = line.rstrip("\r\n")
            if body.strip():
                yield _Asset({"text": body}, {"text": offset})
            offset += len(line)
        return
    for start, end, heading in blocks:
        piece = text[start:end]
        if not heading:
            yield _Asset({"body": piece.rstrip("\r\n")}, {"body": start})
            continue
        lead = len(piece) - len(piece.lstrip())  # blanked markup: `# **Free** week`
        if piece.strip():
            yield _Asset({"headline": piece.strip()}, {"headline": start + lead})


def _line_starts(source: str) -> list[int]:
    starts = [0]
    index = source.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = source.find("\n", index + 1)
    return starts


def _position(line_starts: list[int], offset: int) -> tuple[int, int]:
    line = bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1


def _line_end(source: str, line_starts: list[int], line: int) -> int:
    return line_starts[line] - 1 if line < len(line_starts) else len(source)


# -- record files -------------------------------------------------------------------------------


def _lint_records(
    path: Path,
    file: Source,
    brand: Brand,
    channel: Channel | None,
    columns: Mapping[str, str],
    result: LintResult,
    fix: bool,
) -> bool:
    records = list(_records(path, file.text))
    changed = False
    assets = [
        (record, asset)
        for index, (line, record) in enumerate(records, start=1)
        if (asset := _record_asset(record, line, index, channel, columns)) is not None
    ]
    where = _locators(path, file.text, records)
    line_starts = _line_starts(file.text)
    if not assets:
        raise ConfigError(_no_copy(path, file.text, records, columns))
    result.assets += len(assets)
    checked = _check_by_channel(brand, [asset for _, asset in assets])
    for (record, asset), findings in zip(assets, checked, strict=True):
        findings = findings + _channel_findings(asset, asset.channel)
        kept = []
        for finding in findings:
            if "*" in asset.ignore or finding.rule in asset.ignore:
                result.silenced += 1
                continue
            kept.append(finding)
            if len(kept) > MAX_SHOWN_PER_ASSET:
                result.not_shown[finding.level] += 1
                continue
            span = finding.span
            length = (span.end - span.start) if span else 1
            text = asset.fields.get(finding.field or "", "")
            cell = where(asset.line, columns.get(finding.field or "", finding.field or ""))
            if cell is not None:  # the file's own line and column of the match
                line, column = _position(line_starts, cell.offset(span.start if span else 0))
            else:
                line, column = asset.line, finding.column
            result.findings.append(Located(
                str(path), line, column, column + max(1, length), finding,
                record=f"{asset.record}.{finding.field}",
                snippet=snippet(text, span.start, span.end) if span else snippet(text, 0, 0),
            ))  # fmt: skip
        if fix:
            for name, text in asset.fields.items():
                new, count = apply_fixes(text, [f for f in kept if f.field == name])
                if count:
                    _set_field(record, name, new, columns)
                    result.fixed += count
                    changed = True
    if fix and changed:
        _write_records(path, [r for _, r in records], file)
    return changed


def _records(path: Path, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    if path.suffix == ".jsonl":
        for number, line in enumerate(source.splitlines(), start=1):
            if line.strip():
                yield number, _json(path, line, number)
    elif path.suffix == ".json":
        data = _json(path, source, None)
        items = data.get("variants") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ConfigError(f'{path}: expected a list of records or {{"variants": [...]}}')
        for number, item in enumerate(items, start=1):
            yield number, item
    else:
        reader = csv.DictReader(io.StringIO(source))
        try:
            for row in reader:
                yield reader.line_num, dict(row)
        except csv.Error as e:
            raise ConfigError(f"{path}:{reader.line_num}: not a CSV row dco can read ({e})") from e


def _locators(
    path: Path, source: str, records: list[tuple[int, Any]]
) -> Callable[[int, str], Cell | None]:
    """For a record (by the line `_records` gave it) and a column or key, where its value is in
    the file; None where that cannot be told (a .json file, a row the scan reads otherwise)."""
    if path.suffix == ".csv":
        rows = list(csv_rows(source))
        names = next(csv.reader(io.StringIO(source)), [])
        if not rows or len(rows) - 1 != len(records) or len(rows[0]) != len(names):
            return lambda line, key: None
        by_line = {line: dict(zip(names, cells, strict=False)) for (line, _), cells in
                   zip(records, rows[1:], strict=True)}  # fmt: skip
        return lambda line, key: by_line.get(line, {}).get(key)
    if path.suffix == ".jsonl":
        starts = _line_starts(source)

        def in_line(line: int, key: str) -> Cell | None:
            cell = json_string(source, key, starts[line - 1])
            ends = _line_end(source, starts, line)
            return cell if cell is not None and cell.start <= ends else None

        return in_line
    return lambda line, key: None


def _json(path: Path, text: str, line: int | None) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise ConfigError(f"{path}{f':{line}' if line else ''}: JSON nested too deeply") from None
    except json.JSONDecodeError as e:
        where = f"{path}:{line}:{e.colno}" if line else f"{path}:{e.lineno}:{e.colno}"
        raise ConfigError(f"{where}: invalid JSON: {e.msg}") from e


def _channel_findings(asset: _Asset, channel: Channel | None) -> list[Finding]:
    """The copy's fields held to the channel's limits, in the channel's unit (the same check
    every generated variant gets). A line of a text file is a whole message: a body."""
    if channel is None:
        return []
    fields = asset.fields
    copy = Copy.trusted(
        headline=fields.get("headline", ""),
        body=fields.get("body", fields.get("text", "")),
        cta=fields.get("cta", ""),
    )
    located = []
    for finding in length_findings(copy, channel):
        # A field the channel composes of several ("headline+body+cta" in an SMS) is reported
        # at the first of them the asset has; a line of a text file, under its own name.
        parts = (finding.field or "").split("+")
        present = ["text"] if "text" in fields else [p for p in parts if p in fields]
        if present:
            located.append(finding.model_copy(update={"field": present[0]}))
    return located


def _no_copy(
    path: Path, text: str, records: list[tuple[int, Any]], columns: Mapping[str, str]
) -> str:
    """What to say of a records file in which no record has a copy field."""
    if not records:
        return f"{path}: no records in it; give a file with a record per line or row"
    wanted = "/".join(columns.get(name, name) for name in COPY_FIELDS)
    if path.suffix == ".csv":
        found = next(csv.reader(io.StringIO(text)), [])
    else:
        found = sorted(
            {str(k) for _, record in records if isinstance(record, dict) for k in record}
        )
    suggestion = (
        " ".join(f"--column {field}={name}" for field, name in guess_columns(found).items())
        or "--column headline=NAME"
    )
    shown = ", ".join(found[:8]) + (", …" if len(found) > 8 else "")
    return (
        f"{path}: no {wanted} {'column' if path.suffix == '.csv' else 'field'} with copy "
        f"(found {shown or 'nothing'}); map yours with {suggestion}"
    )


def _check_by_channel(brand: Brand, assets: list[_Asset]) -> list[list[Finding]]:
    """`brand.check` for each asset, with its own channel: one batch per channel."""
    checked: list[list[Finding]] = [[] for _ in assets]
    by_channel: dict[str | None, list[int]] = {}
    for index, asset in enumerate(assets):
        by_channel.setdefault(asset.channel.id if asset.channel else None, []).append(index)
    for indices in by_channel.values():
        channel = assets[indices[0]].channel
        batch = brand.check_many([assets[i].fields for i in indices], channel=channel)
        for index, findings in zip(indices, batch, strict=True):
            checked[index] = findings
    return checked


def _record_asset(record, line, index, channel, columns) -> _Asset | None:
    if not isinstance(record, dict):
        return None
    nested = record.get("copy")
    source = nested if isinstance(nested, dict) else record
    fields: dict[str, str] = {}
    for name in COPY_FIELDS:
        value = source.get(columns.get(name, name))
        if isinstance(value, str) and value:
            # Half an emoji escaped alone in JSON ("\\ud83d") is no character: print it as one.
            fields[name] = value.encode("utf-8", "replace").decode("utf-8")
    if not fields:
        return None
    ignore = record.get("lint_ignore") or []
    return _Asset(
        fields, {}, line,
        record=str(record.get("id") or f"record {index}"),
        channel=get_channel(record["channel"]) if record.get("channel") else channel,
        ignore=frozenset([ignore] if isinstance(ignore, str) else ignore),
    )  # fmt: skip


def _set_field(record: dict[str, Any], name: str, value: str, columns: Mapping[str, str]) -> None:
    target = record["copy"] if isinstance(record.get("copy"), dict) else record
    target[columns.get(name, name)] = value


def _write_records(path: Path, records: list[dict[str, Any]], file: Source) -> None:
    if path.suffix == ".jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif path.suffix == ".json":
        data = json.loads(file.text)
        if isinstance(data, dict):
            data["variants"] = records
        else:
            data = records
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        fields = list(records[0]) if records else []
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        text = buffer.getvalue()
    write_source(path, file, text)
