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

import functools
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from dco.brand import Brand
from dco.brand.check import apply_fixes
from dco.channels.catalog import Channel, get_channel
from dco.errors import ConfigError, OptionError
from dco.i18n import _
from dco.lint.markdown import Document, read
from dco.lint.records import lint_records
from dco.lint.results import (
    CHANNEL_RULES,
    MAX_SHOWN_PER_ASSET,
    Asset,
    LintResult,
    Located,
    Snippet,
    channel_findings,
    snippet,
)
from dco.lint.sources import Source, read_source, read_stdin, write_source
from dco.models import Finding
from dco.text.lines import line_and_column, line_end, line_offsets

SUFFIXES = (".txt", ".md", ".markdown", ".json", ".jsonl", ".csv")


STDIN = "-"
"""The path that names standard input, as Vale and most tools take it."""


def expand(paths: list[str | Path], stdin: Path | None = None) -> list[Path]:
    """The copy files named, with folders searched for supported files; "-" is `stdin`, the
    name standard input is read and reported under."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if str(raw) == STDIN and stdin is not None:
            if any(path is stdin for path in found):
                raise ConfigError(_("standard input (-) is named twice; give it once"))
            found.append(stdin)
        elif path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not inside:
                raise ConfigError(
                    _(
                        "{path}: no copy file in it (dco lint reads {suffixes} files); name the "
                        "files or the folder that holds them"
                    ).format(path=path, suffixes=", ".join(SUFFIXES))
                )
            found += inside
        elif path.is_file():
            if path.suffix not in SUFFIXES:
                raise ConfigError(
                    _("{path}: cannot lint {kind}; give {suffixes} files").format(
                        path=path,
                        kind=path.suffix or _("files without a suffix"),
                        suffixes=", ".join(SUFFIXES),
                    )
                )
            found.append(path)
        elif path.exists():
            raise ConfigError(
                _(
                    "{path}: not a file or a folder (a pipe or a device); to lint what a command "
                    "writes, pipe it in and give - (with --ext for its format)"
                ).format(path=path)
            )
        else:
            raise ConfigError(_("{path}: no such file or folder").format(path=path))
    return found


def lint(
    paths: list[str | Path],
    brand: Brand,
    *,
    channel: str | None = None,
    columns: Mapping[str, str] | None = None,
    fix: bool = False,
    encoding: str | None = None,
    stdin_ext: str = ".txt",
) -> LintResult:
    """Check every copy file under `paths` against `brand`; with `fix`, rewrite safe fixes.

    A file that holds no copy to check (empty, or records with no copy field) is an error,
    not a pass. Files are read as UTF-8 or cp949 unless `encoding` is given, and a fixed file
    keeps its encoding, BOM and line endings; what is reported is what remains after fixing.
    A path "-" is standard input, read as a `stdin_ext` file and reported as stdin.txt (or
    .md, …), as Vale reports it; it has no file to rewrite, so `fix` refuses it.
    """
    if stdin_ext not in SUFFIXES:
        raise OptionError(
            _("--ext {ext}: standard input can be one of {suffixes}").format(
                ext=stdin_ext, suffixes=", ".join(SUFFIXES)
            )
        )
    if fix and any(str(path) == STDIN for path in paths):
        raise OptionError(
            _("--fix rewrites files, and standard input (-) is none: lint a file to fix it")
        )
    stdin = Path("stdin" + stdin_ext)
    result = LintResult(
        skipped_rules=[rule.id for rule in brand.skipped],
        descriptions={
            **CHANNEL_RULES,
            **{r.id: r.description or r.message for r in brand.rules if r.description or r.message},
        },
    )
    spec = get_channel(channel) if channel else None
    for path in expand(paths, stdin):
        started = time.perf_counter()
        result.files += 1
        source = read_stdin(path, encoding) if path is stdin else read_source(path, encoding)
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
    return lint_records(path, source, brand, channel, columns, result, fix)


# -- text files ---------------------------------------------------------------------------------


def _lint_text(
    path: Path, file: Source, brand: Brand, channel: Channel | None, result: LintResult, fix: bool
) -> bool:
    source = file.text
    document = read_markdown(source, brand) if path.suffix in MARKDOWN else None
    assets = _markdown_assets(document) if document else list(_line_assets(source))
    if not any(asset.fields.keys() - _WHOLE_FILE for asset in assets):
        what = _("no paragraph or heading outside code and markup") if document else _("no copy")
        raise ConfigError(
            _(
                "{path}: {what} to check ({why}); give files with copy in them, or leave this "
                "one out"
            ).format(
                path=path,
                what=what,
                why=_("an empty file") if not source.strip() else _("nothing read"),
            )
        )
    line_starts = line_offsets(source)
    fixes: list[Finding] = []
    result.assets += sum(1 for asset in assets if asset.fields.keys() - _WHOLE_FILE)
    checked = brand.check_many(
        [asset.fields for asset in assets],
        channel=channel,
        structure=document.structure if document else None,
    )
    seen: set[tuple[str, int, int, str]] = set()
    """A rule that reads a sentence and its paragraph finds a match twice: it is one finding."""
    # Copy files repeat lines (a CTA on every other line): the channel's verdict on a line and
    # the snippet around a match are worked out once per distinct line.
    measured: dict[tuple[tuple[str, str], ...], list[Finding]] = {}
    snippets: dict[tuple[str, int, int], Snippet] = {}
    for asset, findings in zip(assets, checked, strict=True):
        copy = tuple(asset.fields.items())
        over = measured.get(copy)
        if over is None:
            over = measured[copy] = channel_findings(asset, channel)
        findings = findings + over
        shown = 0
        for finding in findings:
            start, end = _file_span(asset, finding)
            if document:
                key = (finding.rule, start, end, finding.message)
                if key in seen:
                    continue
                seen.add(key)
            # As in Vale, comments switch off rules in the copy, not in the file as a whole.
            whole = (finding.field or "") in _WHOLE_FILE
            if document and not whole and document.silenced(finding.rule, start):
                result.silenced += 1
                continue
            if shown == MAX_SHOWN_PER_ASSET:
                result.not_shown[finding.level] += 1
                continue
            shown += 1
            line, column = line_and_column(line_starts, start)
            line_start = line_starts[line - 1]
            spot = (source[line_start : line_end(source, line_starts, line)],
                    start - line_start, end - line_start)  # fmt: skip
            around = snippets.get(spot)
            if around is None:
                around = snippets[spot] = snippet(*spot)
            located = Located(
                str(path), line, column, column + max(1, end - start), finding, snippet=around
            )
            result.findings.append(located)
            # A fix rewrites the file where the match is, only when the file spells it as it
            # was read there (not across markup: `**저렴**한` is left for a person).
            span = finding.span
            if finding.replacement is not None and span and source[start:end] == finding.match:
                moved = span.model_copy(update={"start": start, "end": end})
                fixes.append(finding.model_copy(update={"span": moved}))
    if fix and fixes:
        fixed, count = apply_fixes(source, fixes)
        if count:
            write_source(path, file, fixed)
            result.fixed += count
            return True
    return False


MARKDOWN = (".md", ".markdown")
_WHOLE_FILE = {"raw", "summary"}
"""Pieces that are the file as a whole, not copy of their own: they do not count as assets."""
_OPTIONAL_PIECES = ("strong", "emphasis", "link", "code", "alt", "sentence", "raw", "summary")
"""Pieces read only when a rule of the brand reads them."""


def read_markdown(source: str, brand: Brand) -> Document:
    """`source` read as Vale reads Markdown, with the pieces the brand's rules read."""
    wanted = _pieces_read_by(brand)
    return read(
        source,
        brand.spec.markdown,
        inline=not wanted.isdisjoint(("strong", "emphasis", "link", "code", "alt")),
        sentences="sentence" in wanted,
        raw="raw" in wanted,
        summary="summary" in wanted,
    )


@functools.lru_cache(maxsize=4)
def _pieces_read_by(brand: Brand) -> frozenset[str]:
    """The optional pieces some rule of `brand` reads: found once per brand, not per file (a
    folder of Markdown would otherwise ask every rule about every piece for each file)."""
    return frozenset(
        name for name in _OPTIONAL_PIECES if any(r.applies_to(name) for r in brand.rules)
    )


def _markdown_assets(document: Document) -> list[Asset]:
    return [Asset({p.scope: p.text}, {p.scope: p.positions}) for p in document.pieces]


def _line_assets(source: str) -> Iterator[Asset]:
    """A text file's lines, each a piece of copy (field `text`)."""
    starts = line_offsets(source)
    for number, start in enumerate(starts, 1):
        body = source[start : line_end(source, starts, number)]
        if body.strip():
            yield Asset({"text": body}, {"text": start})


def _file_span(asset: Asset, finding: Finding) -> tuple[int, int]:
    """Where `finding` on one of `asset`'s fields sits in the file: [start, end) offsets."""
    placed = asset.offsets[finding.field or "text"]
    start, end = (finding.span.start, finding.span.end) if finding.span else (0, 0)
    if isinstance(placed, int):
        return placed + start, placed + end
    return placed.span(start, end)
