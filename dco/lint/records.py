"""Record files (.json, .jsonl, .csv): each record's copy fields checked, located in the file,
and fixed in place."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from dco.brand import Brand
from dco.brand.check import apply_fixes
from dco.channels.catalog import Channel, get_channel
from dco.errors import ConfigError, UnknownNameError
from dco.i18n import _, did_you_mean
from dco.lint.columns import guess_columns
from dco.lint.positions import Cell, csv_rows, json_record_spans, json_string
from dco.lint.results import (
    MAX_SHOWN_PER_ASSET,
    Asset,
    LintResult,
    Located,
    channel_findings,
    snippet,
)
from dco.lint.sources import Source, write_source
from dco.models import COPY_FIELDS, Finding
from dco.text.lines import line_and_column, line_end, line_offsets
from dco.userfiles import KeyGivenTwice, key_twice, loads, unreadable_csv


def lint_records(
    path: Path,
    file: Source,
    brand: Brand,
    channel: Channel | None,
    columns: Mapping[str, str],
    result: LintResult,
    fix: bool,
) -> bool:
    records = list(_records(path, file.text))
    if path.suffix == ".csv":
        _one_column_each(path, file.text, columns)
    changed = False
    assets = [
        (record, asset)
        for index, (line, record) in enumerate(records, start=1)
        if (asset := _record_asset(path, record, line, index, channel, columns)) is not None
    ]
    where = _locators(path, file.text, records)
    line_starts = line_offsets(file.text)
    if not assets:
        raise ConfigError(_no_copy(path, file.text, records, columns))
    if path.suffix != ".csv":  # a CSV's header names the same columns for every row
        _each_names_copy(path, records, columns)
    result.assets += len(assets)
    checked = _check_by_channel(brand, [asset for _, asset in assets])
    for (record, asset), findings in zip(assets, checked, strict=True):
        findings = findings + channel_findings(asset, asset.channel)
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
                line, column = line_and_column(line_starts, cell.offset(span.start if span else 0))
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
        # Lines end at LF (CRLF) only: a JSON string may hold U+2028, which splitlines() splits.
        for number, line in enumerate(source.split("\n"), start=1):
            if line.strip():
                yield number, _json(path, line, number)
    elif path.suffix == ".json":
        data = _json(path, source, None)
        items = data.get("variants") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ConfigError(
                _("{file}: expected a list of records or {example}").format(
                    file=path, example='{"variants": [...]}'
                )
            )
        for number, item in enumerate(items, start=1):
            yield number, item
    else:
        reader = csv.DictReader(io.StringIO(source))
        try:
            for row in reader:
                yield reader.line_num, dict(row)
        except csv.Error as e:
            where = f"{path}:{reader.line_num + 1}"
            raise unreadable_csv(where, e) from e


def _locators(
    path: Path, source: str, records: list[tuple[int, Any]]
) -> Callable[[int, str], Cell | None]:
    """For a record (by the line, or in a .json file the number, `_records` gave it) and a
    column or key, where its value is in the file; None where that cannot be told (a row the
    scan reads otherwise)."""
    if path.suffix == ".csv":
        rows = list(csv_rows(source))
        names = next(csv.reader(io.StringIO(source)), [])
        if not rows or len(rows) - 1 != len(records) or len(rows[0]) != len(names):
            return lambda line, key: None
        by_line = {line: dict(zip(names, cells, strict=False)) for (line, _), cells in
                   zip(records, rows[1:], strict=True)}  # fmt: skip
        return lambda line, key: by_line.get(line, {}).get(key)
    if path.suffix == ".jsonl":
        starts = line_offsets(source)

        def in_line(line: int, key: str) -> Cell | None:
            cell = json_string(source, key, starts[line - 1])
            ends = line_end(source, starts, line)
            return cell if cell is not None and cell.start <= ends else None

        return in_line
    spans = json_record_spans(source)
    if len(spans) != len(records):
        return lambda line, key: None

    def in_record(index: int, key: str) -> Cell | None:
        start, end = spans[index - 1]
        cell = json_string(source, key, start)
        return cell if cell is not None and cell.start < end else None

    return in_record


def _json(path: Path, text: str, line: int | None) -> Any:
    try:
        return loads(text)
    except KeyGivenTwice as e:
        raise key_twice(f"{path}:{line}" if line else path, e) from None
    except json.JSONDecodeError as e:
        where = f"{path}:{line}:{e.colno}" if line else f"{path}:{e.lineno}:{e.colno}"
        raise ConfigError(_("{where}: invalid JSON: {why}").format(where=where, why=e.msg)) from e


def _no_copy(
    path: Path, text: str, records: list[tuple[int, Any]], columns: Mapping[str, str]
) -> str:
    """What to say of a records file in which no record has a copy field."""
    if not records:
        return _("{path}: no records in it; give a file with a record per line or row").format(
            path=path
        )
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
    message = (
        _("{path}: no {wanted} column with copy (found {found}); map yours with {suggestion}")
        if path.suffix == ".csv"
        else _("{path}: no {wanted} field with copy (found {found}); map yours with {suggestion}")
    )
    return message.format(
        path=path, wanted=wanted, found=shown or _("nothing"), suggestion=suggestion
    )


def _check_by_channel(brand: Brand, assets: list[Asset]) -> list[list[Finding]]:
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


def _record_asset(
    path: Path,
    record: Any,
    line: int,
    index: int,
    channel: Channel | None,
    columns: Mapping[str, str],
) -> Asset | None:
    """The copy `record` holds, or None when it holds none; a `ConfigError` naming the file,
    line and key when part of it cannot be read as what it stands for. A gate that passed
    over a record it could not read would pass copy it never checked."""
    where = _record_where(path, line, index)
    if not isinstance(record, dict):
        raise ConfigError(
            _("{where} is {kind}, not an object with {fields}").format(
                where=where, kind=_kind(record), fields="/".join(COPY_FIELDS)
            )
        )
    nested = record.get("copy")
    source = nested if isinstance(nested, dict) else record
    fields: dict[str, str] = {}
    for name in COPY_FIELDS:
        key = columns.get(name, name)
        value = source.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(
                _("{where}: '{key}' is {kind}, not text").format(
                    where=where, key=key, kind=_kind(value)
                )
            )
        if value:
            # Half an emoji escaped alone in JSON ("\\ud83d") is no character: print it as one.
            fields[name] = value.encode("utf-8", "replace").decode("utf-8")
    if not fields:
        return None
    ignore = record.get("lint_ignore") or []
    ignore = [ignore] if isinstance(ignore, str) else ignore
    if not isinstance(ignore, list) or not all(isinstance(rule, str) for rule in ignore):
        given = record["lint_ignore"]
        if isinstance(given, list):
            odd = next(rule for rule in given if not isinstance(rule, str))
            kind = _("a list holding {kind}").format(kind=_kind(odd))
        else:
            kind = _kind(given)
        raise ConfigError(
            _("{where}: 'lint_ignore' is {kind}; give a rule's id or a list of them").format(
                where=where, kind=kind
            )
        )
    return Asset(
        fields, {}, line,
        record=str(record.get("id") or f"record {index}"),
        channel=_record_channel(record.get("channel"), where) or channel,
        ignore=frozenset(ignore),
    )  # fmt: skip


def _record_where(path: Path, line: int, index: int) -> str:
    """How an error names a record: by line, or in a .json file (one document) by number."""
    if path.suffix == ".json":
        return _("{file}: record {index}").format(file=path, index=index)
    return _("{file}:{line}: record {index}").format(file=path, line=line, index=index)


def _each_names_copy(
    path: Path, records: list[tuple[int, Any]], columns: Mapping[str, str]
) -> None:
    """A `ConfigError` for the first record naming none of the copy fields, where others do:
    a misspelt key ("headlne") would otherwise leave its copy unchecked and the gate green.
    (A record whose copy fields are there but empty holds nothing to check.)"""
    names = [columns.get(name, name) for name in COPY_FIELDS]
    for index, (line, record) in enumerate(records, start=1):
        nested = record.get("copy")
        source = nested if isinstance(nested, dict) else record
        if any(name in source for name in names):
            continue
        keys = [str(key) for key in source]
        hint = next((h for key in keys if (h := did_you_mean(key, names))), "")
        raise ConfigError(
            _(
                "{where} has no {wanted} field (its keys: {keys}), so none of it would be "
                "checked; name its copy as the other records do.{hint}"
            ).format(
                where=_record_where(path, line, index), wanted="/".join(names),
                keys=", ".join(keys[:8]) + (", …" if len(keys) > 8 else "") or _("none"),
                hint=hint,
            )
        )  # fmt: skip


def _record_channel(name: Any, where: str) -> Channel | None:
    """The channel a record names for itself, if any."""
    if name is None or name == "":
        return None
    if not isinstance(name, str):
        raise ConfigError(
            _("{where}: 'channel' is {kind}, not a channel's name").format(
                where=where, kind=_kind(name)
            )
        )
    try:
        return get_channel(name)
    except UnknownNameError as e:
        raise ConfigError(_("{where}: {why}").format(where=where, why=e)) from None


def _kind(value: Any) -> str:
    """What a JSON value is, as a reader would name it."""
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, int | float):
        return _("a number ({value})").format(value=value)
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return _("null")


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
        text = _csv_text(path, file.text, records)
    write_source(path, file, text)


def _one_column_each(path: Path, source: str, columns: Mapping[str, str]) -> None:
    """A `ConfigError` when the header names a column dco reads twice: a row would hold only the
    last of the two, and the other's copy would pass the gate unread."""
    header = Counter(next(csv.reader(io.StringIO(source)), []))
    read = [columns.get(name, name) for name in COPY_FIELDS] + ["channel", "id", "lint_ignore"]
    twice = next((name for name in read if header[name] > 1), None)
    if twice is not None:
        raise ConfigError(
            _(
                "{file}: its header names {column!r} twice; dco reads one column each: rename one"
            ).format(file=path, column=twice)
        )


def _csv_text(path: Path, source: str, records: list[dict[Any, Any]]) -> str:
    """The CSV file again with the records' fixed cells: every row as long as it was, its cells
    past the header (csv.DictReader keeps them under None) in place."""
    header = next(csv.reader(io.StringIO(source)), [])
    twice = next((name for name, count in Counter(header).items() if count > 1), None)
    if twice is not None:  # a row holds one of its cells: writing it back would lose the other
        raise ConfigError(
            _(
                "{file}: its header names {column!r} twice, so --fix cannot rewrite it; rename one"
            ).format(file=path, column=twice)
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for record in records:
        cells = [record.get(name) for name in header]
        while cells and cells[-1] is None:  # a short row stays short
            cells.pop()
        writer.writerow(["" if cell is None else cell for cell in cells] + (record.get(None) or []))
    return buffer.getvalue()
