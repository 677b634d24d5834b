"""Lint results as data for machines: JSON, SARIF 2.1.0, GitHub Actions annotations, JUnit XML."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

from dco._version import __version__
from dco.lint.results import LEVELS, LintResult, Located
from dco.models import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "suggestion": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "suggestion": "notice"}


_ONE_LINE = json.JSONEncoder(ensure_ascii=False)
"""One encoder for every finding: `json.dumps` with options builds a new one per call."""


def to_json(result: LintResult) -> str:
    """Every finding with its location, a line each, and a summary.

    (Written a finding at a time rather than as one indented document: Python encodes JSON in
    C only without indentation, and a large file's findings took most of a run to indent. A
    finding's own part is encoded once however many places share it, as the lines of a copy
    file that repeat do.)"""
    own: dict[int, str] = {}
    where: dict[tuple[str, str | None], str] = {}
    lines = []
    for located in result.findings:
        finding = located.finding
        # Keyed by identity: every finding stays alive in `result` while this runs.
        tail = own.get(id(finding))
        if tail is None:
            tail = own[id(finding)] = _finding_part(finding)
        head = where.get((located.path, located.record))
        if head is None:
            head = where[(located.path, located.record)] = (
                f'"path": {_ONE_LINE.encode(located.path)}, '
                f'"record": {_ONE_LINE.encode(located.record)}'
            )
        lines.append(
            f'    {{{head}, "line": {located.line:d}, "column": {located.column:d}, '
            f'"end_column": {located.end_column:d}, {tail}}}'
        )
    findings = ",\n".join(lines)
    summary = json.dumps(_summary(result), ensure_ascii=False, indent=2).replace("\n", "\n  ")
    listed = f"[\n{findings}\n  ]" if findings else "[]"
    return f'{{\n  "findings": {listed},\n  "summary": {summary}\n}}'


def _finding_part(finding: Finding) -> str:
    """The finding's own keys of a line of `to_json`, as `json.dumps` writes them."""
    encode = _ONE_LINE.encode
    return (
        f'"rule": {encode(finding.rule)}, "level": {encode(finding.level)}, '
        f'"message": {encode(finding.message)}, "field": {encode(finding.field)}, '
        f'"match": {encode(finding.match)}, "replacement": {encode(finding.replacement)}, '
        f'"link": {encode(finding.link)}'
    )


def _summary(result: LintResult) -> dict[str, Any]:
    return {
        "files": result.files,
        "assets": result.assets,
        **result.counts(),
        "not_listed": sum(result.not_shown.values()),
        "silenced": result.silenced,
        "fixed": result.fixed,
        "skipped_rules": result.skipped_rules,
    }


def to_sarif(result: LintResult) -> str:
    """A SARIF 2.1.0 log, as GitHub code scanning accepts it."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for located in result.findings:
        finding = located.finding
        if finding.rule not in rules:
            described = result.descriptions.get(finding.rule) or finding.message
            rule: dict[str, Any] = {
                "id": finding.rule,
                "shortDescription": {"text": described},
                "defaultConfiguration": {"level": _SARIF_LEVEL[finding.level]},
            }
            if finding.link:
                rule["helpUri"] = _uri(finding.link)
            rules[finding.rule] = rule
        results.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": list(rules).index(finding.rule),
                "level": _SARIF_LEVEL[finding.level],
                "message": {"text": finding.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(Path(located.path).as_posix())},
                            "region": {
                                "startLine": located.line,
                                "startColumn": located.column,
                                "endColumn": max(located.end_column, located.column + 1),
                            },
                        }
                    }
                ],
                **(
                    {"properties": {"record": located.record}} if located.record is not None else {}
                ),
            }
        )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dco",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/dco-loop/",
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
                # Columns count characters (code points), as dco counts them, not UTF-16 units.
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2)


def _uri(text: str) -> str:
    """`text` as a URI reference: Korean paths and law.go.kr links percent-encoded (UTF-8),
    what is already a URI left as it is."""
    return quote(text, safe=":/?#[]@!$&'()*+,;=%~")


def to_github(result: LintResult) -> str:
    """GitHub Actions workflow commands: one `::error file=…,line=…,col=…::message` a finding."""
    lines = []
    for located in result.findings:
        finding = located.finding
        where = f"{located.record}: " if located.record else ""
        properties = ",".join(
            [
                f"file={_property(located.path)}",
                f"line={located.line}",
                f"col={located.column}",
                f"endColumn={located.end_column}",
                f"title={_property(finding.rule)}",
            ]
        )
        message = _data(f"{where}{finding.message}")
        lines.append(f"::{_GITHUB_LEVEL[finding.level]} {properties}::{message}")
    return "\n".join(lines)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def to_junit(result: LintResult, fail_level: str = "error") -> str:
    """JUnit XML: a suite per file and a test case per finding, failing when the finding is at
    or above `fail_level` (a job that passes shows no red test), else passing with the finding
    in its output; a clean run is one passing case."""
    threshold = LEVELS[fail_level]
    by_file: dict[str, list[Located]] = defaultdict(list)
    for located in result.findings:
        by_file[located.path].append(located)
    failing = sum(LEVELS[f.finding.level] >= threshold for f in result.findings)
    root = ElementTree.Element(
        "testsuites", name="dco lint", tests=str(max(1, len(result.findings))),
        failures=str(failing), errors="0", time=_seconds(sum(result.seconds.values())),
    )  # fmt: skip
    if not by_file:
        suite = ElementTree.SubElement(
            root, "testsuite", name="dco lint", tests="1", failures="0", errors="0",
            skipped="0", time=_seconds(sum(result.seconds.values())),
        )  # fmt: skip
        ElementTree.SubElement(
            suite, "testcase", classname="dco", name="brand guidelines", time="0"
        )
    for path, items in by_file.items():
        fails = [LEVELS[located.finding.level] >= threshold for located in items]
        suite = ElementTree.SubElement(
            root, "testsuite", name=path, tests=str(len(items)), failures=str(sum(fails)),
            errors="0", skipped="0", time=_seconds(result.seconds.get(path, 0.0)),
        )  # fmt: skip
        for located, fails_job in zip(items, fails, strict=True):
            finding = located.finding
            case = ElementTree.SubElement(
                suite, "testcase", classname=finding.rule,
                name=f"{path}:{located.line}:{located.column}", time="0",
            )  # fmt: skip
            where = f"{finding.rule} ({finding.level}) at {path}:{located.line}:{located.column}"
            if fails_job:
                failure = ElementTree.SubElement(
                    case, "failure", message=finding.message, type=finding.level
                )
                failure.text = where
            else:
                ElementTree.SubElement(case, "system-out").text = f"{where}: {finding.message}"
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True)


def _seconds(value: float) -> str:
    return f"{value:.3f}"
