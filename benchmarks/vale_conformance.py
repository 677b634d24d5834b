"""How closely dco's rules judge as Vale does, on Vale's own test suite.

    python benchmarks/vale_conformance.py PATH/TO/vale/testdata [--verbose]

Vale's testdata (`features/*.feature`, `fixtures/`, `styles/`) is not part of this project:
name the folder that holds it. Each scenario run as `When I test "FIXTURE"` with an exact
expected output is in scope; of its files, the .md and .txt ones are linted, with the rules its
`.vale.ini` selects (StylesPath, BasedOnStyles and rule switches per file glob, MinAlertLevel).
The alerts dco raises are compared with Vale's expected `file:line:col:Rule:message` lines on
file, line, column and rule, and each scenario prints matched / missing / extra, then the totals.
Alerts of rules dco does not run (the spelling, sequence and script kinds, and Vale's built-in
style, which is not in the styles folder) are counted apart, as not in scope.
"""

from __future__ import annotations

import argparse
import configparser
import fnmatch
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dco.brand import Brand, BrandSpec
from dco.brand.loader import MarkdownReading, SkippedRule, Vocabulary, load_rule, load_rules
from dco.brand.rules import Rule
from dco.errors import DcoError
from dco.lint.files import lint
from dco.lint.results import LEVELS

IN_SCOPE = (".md", ".txt")
_STEPS = (
    # (step, the fixture folder, which of its files)
    (re.compile(r'^\s*When I test "(?P<arg>[^"]+)"\s*$'), "{arg}", "*"),
    (re.compile(r'^\s*When I test scope "(?P<arg>[^"]+)"\s*$'), "scopes/{arg}", "*"),
    (re.compile(r'^\s*When I test patterns for "(?P<arg>[^"]+)"\s*$'), "patterns", "{arg}"),
    (re.compile(r'^\s*When I test comments for "(?P<arg>[^"]+)"\s*$'), "comments", "*{arg}"),
    (re.compile(r'^\s*When I apply style "(?P<arg>[^"]+)"\s*$'), "styles/{arg}", "*"),
    (re.compile(r'^\s*When I lint "(?P<arg>[^"]+)"\s*$'), "formats", "{arg}"),
)  # fmt: skip
_CONFIG_NAMES = (".vale.ini", "_vale.ini", ".vale", "_vale")
"""Where Vale looks for a folder's configuration, in its order."""
_EXPECTED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+):(?P<rule>[^:]+):")


@dataclass
class Scenario:
    name: str
    fixture: str
    files: list[str] = field(default_factory=lambda: ["*"])
    """Which of the fixture's files the step names (space-separated in `When I lint`)."""
    expected: list[str] = field(default_factory=list)


def scenarios(features: Path) -> list[Scenario]:
    """The scenarios run with `When I test` whose output is given exactly."""
    found: list[Scenario] = []
    for path in sorted(features.glob("*.feature")):
        lines = path.read_text(encoding="utf-8").splitlines()
        name, current, in_block = "", None, False
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("#"):
                continue
            if stripped.startswith("Scenario:"):
                name, current = f"{path.stem}: {stripped.removeprefix('Scenario:').strip()}", None
            elif step := _step(line):
                current = Scenario(name, *step)
            elif stripped == "Then the output should contain exactly:" and current:
                found.append(current)
            elif stripped == '"""' and current and found and found[-1] is current:
                in_block = not in_block
                if not in_block:
                    current = None
            elif in_block and current:
                current.expected.append(stripped)
    return found


def _step(line: str) -> tuple[str, list[str]] | None:
    for pattern, folder, files in _STEPS:
        if match := pattern.match(line):
            arg = match["arg"]
            return folder.format(arg=arg), files.format(arg=arg).split()
    return None


def _named(scenario: Scenario, name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in scenario.files)


@dataclass
class Config:
    styles: Path
    min_level: str = "warning"
    """Vale's own default (its code sets warning, whatever its docs say)."""
    sections: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    top: dict[str, str] = field(default_factory=dict)

    def accepted(self) -> list[str]:
        """The terms of the vocabularies named by `Vocab`."""
        terms: list[str] = []
        for name in _listed(self.top.get("Vocab", "")):
            for folder in ("config/vocabularies", "Vocab"):
                path = self.styles / folder / name / "accept.txt"
                if path.is_file():
                    lines = path.read_text(encoding="utf-8").splitlines()
                    terms += [t.strip() for t in lines if t.strip() and not t.startswith("# ")]
        return terms

    def reading(self, name: str) -> MarkdownReading:
        """How Vale reads Markdown file `name`: the scopes and classes it skips or ignores,
        and the token and block patterns of the sections whose glob matches it."""
        values: dict[str, list[str]] = {}
        keys = {"SkippedScopes": "skipped_scopes", "IgnoredScopes": "ignored_scopes",
                "IgnoredClasses": "ignored_classes"}  # fmt: skip
        for key, field_name in keys.items():
            if key in self.top:
                values[field_name] = _listed(self.top[key])
        for settings in self._matching(name):
            for key, field_name in (("TokenIgnores", "token_ignores"),
                                    ("BlockIgnores", "block_ignores"),
                                    ("IgnorePatterns", "block_ignores")):  # fmt: skip
                if key in settings:
                    values[field_name] = _patterns(settings[key])
        return MarkdownReading(**values)

    def _matching(self, name: str) -> list[dict[str, str]]:
        """The settings of the sections whose glob matches file `name`, in order."""
        return [
            values
            for section, values in self.sections
            if section != "formats" and any(fnmatch.fnmatch(name, g) for g in _globs(section))
        ]


def _listed(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _patterns(value: str) -> list[str]:
    """Vale's comma-separated patterns: a comma inside parentheses or brackets is the pattern's."""
    patterns, depth, current = [], 0, ""
    for char in value:
        if char == "," and depth == 0:
            patterns.append(current.strip())
            current = ""
            continue
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        current += char
    return [p for p in [*patterns, current.strip()] if p]


def find_config(fixture: Path) -> Path | None:
    return next((fixture / n for n in _CONFIG_NAMES if (fixture / n).is_file()), None)


def read_config(fixture: Path, path: Path) -> Config:
    text = path.read_text(encoding="utf-8")
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string("[*global*]\n" + text)
    top = dict(parser["*global*"])
    config = Config((fixture / top.get("StylesPath", "styles")).resolve())
    config.min_level = top.get("MinAlertLevel", config.min_level).lower()
    config.sections = [(name, dict(parser[name])) for name in parser.sections()]
    config.top = top
    return config


def _globs(pattern: str) -> list[str]:
    """Vale's `*.{md,txt}` as fnmatch patterns."""
    match = re.search(r"\{([^}]*)\}", pattern)
    if not match:
        return [pattern]
    return [pattern[: match.start()] + part + pattern[match.end() :]
            for part in match.group(1).split(",")]  # fmt: skip


def rules_for(config: Config, name: str) -> tuple[list[Rule], list[str]]:
    """The rules Vale would run on file `name`, and the ids of rules that could not be loaded."""
    styles: list[str] = []
    switches: dict[str, str] = {}
    for section, values in config.sections:
        if section == "formats":
            continue
        if section != "*global*" and not any(fnmatch.fnmatch(name, g) for g in _globs(section)):
            continue
        for key, value in values.items():
            if key == "BasedOnStyles":
                styles = [s.strip() for s in value.split(",") if s.strip()]
            elif "." in key:
                switches[key] = value.strip()
    rules: dict[str, Rule] = {}
    failed: list[str] = []
    for style in styles:
        try:
            for rule in load_rules(config.styles / style, style):
                if isinstance(rule, Rule):
                    rules[rule.id] = rule
        except DcoError as e:
            failed.append(f"{style}: {e}")
    for rule_id, value in switches.items():
        style, _, rule_name = rule_id.partition(".")
        if value.upper() == "NO":
            rules.pop(rule_id, None)
            continue
        if rule_id not in rules:
            path = next((config.styles / style).glob(f"{rule_name}.y*ml"), None)
            if path is None:
                failed.append(f"{rule_id}: not in the styles folder")
                continue
            try:
                loaded = load_rule(path, rule_id)
            except DcoError as e:
                failed.append(f"{rule_id}: {e}")
                continue
            if isinstance(loaded, SkippedRule):
                continue
            rules[rule_id] = loaded
        if value.lower() in LEVELS:
            rules[rule_id] = rules[rule_id].model_copy(update={"level": value.lower()})
    return list(rules.values()), failed


def run(testdata: Path, verbose: bool) -> tuple[int, int, int]:
    totals = Counter[str]()
    for scenario in scenarios(testdata / "features"):
        fixture = (testdata / "fixtures" / scenario.fixture.strip("/")).resolve()
        config_path = find_config(fixture)
        if config_path is None:
            continue
        config = read_config(fixture, config_path)
        alerts = [
            e for e in map(_key, scenario.expected)
            if e and e[0].endswith(IN_SCOPE) and _named(scenario, e[0])
        ]  # fmt: skip
        expected = Counter(e for e in alerts if _runs(config, e[3]))
        out_of_scope = len(alerts) - sum(expected.values())
        got: Counter[tuple[str, int, int, str]] = Counter()
        said: dict[tuple[str, int, int, str], str] = {}
        """Our message for each alert, to compare with Vale's where the alert matched."""
        problems: list[str] = []
        for path in sorted(fixture.iterdir()):
            if path.suffix not in IN_SCOPE or not path.is_file():
                continue
            if not _named(scenario, path.name):
                continue
            rules, failed = rules_for(config, path.name)
            problems += failed
            spec = BrandSpec(
                name="vale",
                vocabulary=Vocabulary(accept=config.accepted()),
                markdown=config.reading(path.name),
            )
            brand = Brand(spec, rules)
            try:
                result = lint([path], brand)
            except DcoError as e:
                problems.append(f"{path.name}: {e}")
                continue
            threshold = LEVELS.get(config.min_level, 0)
            for located in result.findings:
                if LEVELS[located.finding.level] >= threshold:
                    key = (path.name, located.line, located.column, located.finding.rule)
                    got[key] += 1
                    said[key] = located.finding.message
        matched = sum((expected & got).values())
        missing, extra = expected - got, got - expected
        worded = _messages(scenario.expected)
        reworded = sorted(k for k in expected & got if said.get(k) != worded.get(k))
        totals.update(matched=matched, missing=sum(missing.values()), extra=sum(extra.values()))
        totals.update(reworded=len(reworded))
        totals.update(out_of_scope=out_of_scope)
        if expected or got or out_of_scope:
            apart = f"  ({out_of_scope} of kinds dco does not run)" if out_of_scope else ""
            counts = f"missing {sum(missing.values())}, extra {sum(extra.values())}"
            print(f"{scenario.name} ({scenario.fixture}): matched {matched}, {counts}{apart}")
            if verbose:
                for key in sorted(missing):
                    print(f"    missing {':'.join(map(str, key))}")
                for key in sorted(extra):
                    print(f"    extra   {':'.join(map(str, key))}")
                for key in reworded:
                    print(f"    message {':'.join(map(str, key))}: Vale {worded.get(key)!r}")
                    print(f"            {' ' * len(':'.join(map(str, key)))}  dco  {said[key]!r}")
                for problem in sorted(set(problems)):
                    print(f"    not loaded: {problem}")
    print(f"\nnot in scope: {totals['out_of_scope']} expected alerts of rules dco does not run "
          "(spelling, sequence, script, and Vale's built-in style)")  # fmt: skip
    print(f"messages: {totals['reworded']} matched alerts worded otherwise than Vale's")
    return totals["matched"], totals["missing"], totals["extra"]


def _runs(config: Config, rule_id: str) -> bool:
    """True when `rule_id` names a rule file in the styles folder of a kind dco runs."""
    style, _, name = rule_id.partition(".")
    path = next((config.styles / style).glob(f"{name}.y*ml"), None)
    if path is None:
        return False
    try:
        return isinstance(load_rule(path, rule_id), Rule)
    except DcoError:
        return True  # a rule dco should load and does not: a gap, so it counts


def _messages(lines: list[str]) -> dict[tuple[str, int, int, str], str]:
    """Vale's message for each expected alert, by its key."""
    worded = {}
    for line in lines:
        key = _key(line)
        if key is not None:
            worded[key] = line.split(":", 4)[4]
    return worded


def _key(line: str) -> tuple[str, int, int, str] | None:
    match = _EXPECTED.match(line)
    if match is None:
        return None
    return match["file"], int(match["line"]), int(match["col"]), match["rule"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("testdata", type=Path, help="Vale's testdata folder")
    parser.add_argument("--verbose", action="store_true", help="list every difference")
    args = parser.parse_args()
    if not (args.testdata / "features").is_dir():
        sys.exit(f"{args.testdata}: no features/ folder; give the path of Vale's testdata")
    matched, missing, extra = run(args.testdata, args.verbose)
    expected = matched + missing
    share = matched / expected if expected else 0.0
    print(
        f"\nin scope: {expected} expected alerts; matched {matched} ({share:.0%}), "
        f"missing {missing}, extra {extra}  [target: >= 95 % matched, <= 3 extra]"
    )


if __name__ == "__main__":
    main()
