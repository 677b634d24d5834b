"""`dco lint`: the CI gate — brand-guideline findings in copy files, for people and for machines."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape

from dco.cli.common import key_values, load_brand
from dco.cli.output import console, error_console
from dco.i18n import _, counted
from dco.lint.files import STDIN, lint
from dco.lint.formats import to_github, to_json, to_junit, to_sarif
from dco.lint.results import LEVELS, MAX_SHOWN_PER_ASSET, LintResult, Located

_STYLE = {"error": "bold red", "warning": "yellow", "suggestion": "cyan"}
_FORMATS = {"json": to_json, "sarif": to_sarif, "github": to_github, "junit": to_junit}


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--brand",
    "brand_dir",
    required=True,
    metavar="DIR",
    help="The brand folder (brand.yaml + rules/), or a built-in brand's name.",
)
@click.option(
    "--channel",
    metavar="NAME",
    help="The channel the copy runs in, for channel rules (records may name their own).",
)
@click.option(
    "--format",
    "output",
    default="text",
    show_default=True,
    type=click.Choice(["text", *_FORMATS]),
    help="How to print the findings.",
)
@click.option(
    "--fail-level",
    default="error",
    show_default=True,
    type=click.Choice(list(LEVELS)[::-1]),
    help="Exit 1 when a finding at or above this level exists.",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=NAME",
    help="Read a copy field from another column of .csv/.json records, e.g. body=본문.",
)
@click.option(
    "--encoding",
    metavar="NAME",
    help="Read the files in this encoding (e.g. euc-kr) [default: UTF-8, or cp949 when a file "
    "is not UTF-8].",
)
@click.option(
    "--ext",
    "stdin_ext",
    default=".txt",
    show_default=True,
    metavar="SUFFIX",
    help="What standard input (PATHS -) holds, as a file's suffix would say: .txt, .md, "
    ".json, .jsonl or .csv. Its findings are reported as stdin.txt (or .md, …), as Vale does.",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Rewrite the files with the safe replacements, keeping their encoding and line endings; "
    "the findings printed are those that remain.",
)
def lint_command(
    paths: tuple[Path, ...], brand_dir: str, channel: str | None, output: str, fail_level: str,
    columns: tuple[str, ...], encoding: str | None, stdin_ext: str, fix: bool,
) -> None:  # fmt: skip
    """Check copy files against a brand's guidelines: exit 0 clean, 1 findings, 2 bad setup.

    PATHS are .txt (a piece of copy per line), .md (headings are headlines, paragraphs bodies;
    code, URLs, markup and front matter are skipped), .json/.jsonl/.csv records with
    headline/body/cta, or folders of them; - is standard input (see --ext). A file with no
    copy in it is an error (exit 2), never a pass. With --channel (or a record's channel), each
    field is also held to the channel's limits in its own unit: over a hard limit, or a
    character the channel cannot send, is an error (dco.Length, dco.Encoding); over a
    recommended length, a warning.

    \b
    Examples:
      dco lint copy/ --brand brand_guidelines/runfit
      dco lint ads.csv --brand runfit --channel google_rsa --format sarif > dco.sarif
      dco lint sms.jsonl --brand runfit --channel sms --format github --fail-level warning
      dco lint 소재.csv --brand runfit --column headline=제목 --column body=본문
      generate-copy | dco lint - --ext .jsonl --brand runfit

    Silence a finding in Markdown with <!-- vale Rule.Id = NO --> ... <!-- vale Rule.Id = YES -->
    or <!-- vale off --> ... <!-- vale on -->, and in a record with "lint_ignore": ["Rule.Id"].
    """
    brand = load_brand(brand_dir)
    mapping = key_values(columns, "--column", shape="FIELD=NAME", keys=("headline", "body", "cta"))
    if any(str(path) == STDIN for path in paths) and sys.stdin.isatty():
        # Nothing piped in: the copy is typed, and a gate that seems to hang says why.
        note = _("reading copy from the terminal: end it with Ctrl-D (Ctrl-Z, Enter on Windows)")
        error_console().print(f"[dim]{escape(note)}[/]")
    result = lint(list(paths), brand, channel=channel, columns=mapping, fix=fix,
                  encoding=encoding, stdin_ext=stdin_ext)  # fmt: skip
    if output == "text":
        _print_text(result)
    else:
        write = _FORMATS[output]
        text = to_junit(result, fail_level) if write is to_junit else write(result)
        sys.stdout.write(text + "\n")
    if result.failed(fail_level):
        sys.exit(1)


def _print_text(result: LintResult) -> None:
    out = console()
    for located in result.findings:
        finding = located.finding
        where = f"{located.path}:{located.line}:{located.column}"
        if located.record:
            where += f" ({located.record})"
        out.print(
            f"[bold]{escape(where)}[/] [{_STYLE[finding.level]}]{finding.level}[/] "
            f"[dim]{escape(finding.rule)}[/] {escape(finding.message)}",
            soft_wrap=True,
        )
        if located.snippet is not None and located.snippet.text:
            out.print(_excerpt(located), highlight=False, soft_wrap=True)
    counts = result.counts()
    summary = _("{errors}, {warnings}, {suggestions} in {pieces} of copy across {files}").format(
        errors=counted(counts["error"], "error"),
        warnings=counted(counts["warning"], "warning"),
        suggestions=counted(counts["suggestion"], "suggestion"),
        pieces=counted(result.assets, "piece"),
        files=counted(result.files, "file"),
    )
    hidden = sum(result.not_shown.values())
    if hidden:
        summary += _("; {n} not listed (over {most} in one piece of copy)").format(
            n=hidden, most=MAX_SHOWN_PER_ASSET
        )
    if result.silenced:
        summary += _("; {n} silenced").format(n=result.silenced)
    if result.fixed:
        summary += _("; {n} fixed").format(n=result.fixed)
    if result.skipped_rules:
        summary += _("; {rules} not run (see the notes above)").format(
            rules=counted(len(result.skipped_rules), "rule")
        )
    error_console().print(("✔ " if not result.findings else "✖ ") + summary)


def _excerpt(located: Located) -> str:
    around = located.snippet
    assert around is not None
    text, start, end = around.text, around.start, around.end
    return (
        f"    {'…' if around.lead else ''}{escape(text[:start])}[reverse]{escape(text[start:end])}"
        f"[/]{escape(text[end:])}{'…' if around.trail else ''}"
    )
