"""Keeping the catalogues whole: every message dco shows, found in its code, and each language's
catalogue updated (new messages added untranslated, gone ones dropped) and compiled.

    python -m dco.cli.translations            # update dco/locale/*/LC_MESSAGES/dco.po, compile .mo
    python -m dco.cli.translations --check    # exit 1 naming each message with no translation

The messages are the help of every command and option (read from the commands themselves), the
strings passed to `_()` and `N_()` in dco's code, the messages of the rules dco ships (its packs
and built-in brands), the labels of the built-in funnel lexicon, what the data files say to a
reader (events' meanings, settings' help, channels' names, notes and field labels), and the
strings of click's own that dco's help and errors show. Needs the dev extra (`polib`).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from dco.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

if TYPE_CHECKING:
    import polib

PACKAGE_DIR = LOCALE_DIR.parent
CLICK_MESSAGES = (
    "Usage:", "Options", "Commands", "Show this message and exit.", "Show the version and exit.",
    "default: {default}", "required", "Missing argument", "Missing option",
    "No such command {name!r}.", "No such option {name!r}.", "Missing command.",
    "Invalid value for {param_hint}: {message}", "Try '{command} {option}' for help.",
    "Error: {message}", "{name} {filename!r} does not exist.", "Aborted!",
)  # fmt: skip
"""click's strings that appear in dco's help and usage errors (click looks them up through
gettext in dco's catalogue once the CLI has chosen a language)."""
CLICK_PLURALS = (("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),)
"""click's strings with a plural form (looked up with `ngettext`): (singular, plural)."""


def messages() -> dict[str, str]:
    """Every message dco shows → where it was found."""
    found: dict[str, str] = {}
    for text, where in (
        *_command_help(),
        *_marked_in_code(),
        *_rule_messages(),
        *_lexicon_labels(),
        *_data_texts(),
    ):
        found.setdefault(text, where)
    for text in (*CLICK_MESSAGES, *(singular for singular, _plural in CLICK_PLURALS)):
        found.setdefault(text, "click")
    return found


def _command_help() -> Iterator[tuple[str, str]]:
    import click

    from dco import i18n
    from dco.cli import cli

    i18n.use("en")  # the texts as written, the msgids

    def walk(command: click.Command, path: str) -> Iterator[tuple[str, str]]:
        for text in (command.help, command.short_help, command.epilog):
            if text:
                yield text, path
        for param in command.params:
            text = getattr(param, "help", None)
            if text:
                yield text, f"{path} {param.opts[-1] if param.opts else param.name}"
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                if sub is not None:
                    yield from walk(sub, f"{path} {name}")

    yield from walk(cli, "dco")


def _marked_in_code() -> Iterator[tuple[str, str]]:
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            count = {"_": 1, "N_": 1}.get(node.func.id, 0)
            for arg in node.args[:count]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield arg.value, f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}"


def _rule_messages() -> Iterator[tuple[str, str]]:
    """The messages of the rules dco ships: its packs and the built-in brands' rules."""
    import yaml

    from dco.resources import DATA_DIR, bundled_dir

    for folder in (DATA_DIR / "packs", bundled_dir("brand_guidelines")):
        for path in sorted(folder.rglob("*.y*ml")):
            if path.parent.name != "rules" and path.parent.parent != DATA_DIR / "packs":
                continue
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("message"), str):
                yield data["message"], str(path.relative_to(folder.parent))


def _lexicon_labels() -> Iterator[tuple[str, str]]:
    """The labels the built-in funnel lexicon gives its cues and context groups in reasons."""
    import yaml

    from dco.resources import data_file

    def walk(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "label" and isinstance(value, str):
                    yield value
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    path = data_file("funnel.yaml")
    for label in walk(yaml.safe_load(path.read_text(encoding="utf-8"))):
        yield label, "dco/data/funnel.yaml"


def _data_texts() -> Iterator[tuple[str, str]]:
    """What dco's data files say to a reader: each event's meaning, each setting's help, and
    each channel's name, notes and field labels (not its source, a citation kept as written)."""
    import yaml

    from dco.resources import data_file

    def read(name: str) -> dict:
        return yaml.safe_load(data_file(name).read_text(encoding="utf-8"))

    for meaning in read("events.yaml")["events"].values():
        yield meaning, "dco/data/events.yaml"
    for setting in read("settings.yaml")["settings"].values():
        yield setting["help"], "dco/data/settings.yaml"
    for channel in read("channels.yaml")["channels"].values():
        texts = [channel.get("name"), channel.get("notes")]
        texts += [field.get("label") for field in channel.get("fields", {}).values()]
        yield from ((text, "dco/data/channels.yaml") for text in texts if text)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def untranslated(language: str) -> list[tuple[str, str]]:
    """(message, where) for each message the catalogue of `language` does not translate."""
    import polib

    path = po_path(language)
    done = {e.msgid for e in polib.pofile(str(path)) if e.translated()} if path.exists() else set()
    return [(text, where) for text, where in messages().items() if text not in done]


def update(language: str) -> int:
    """Bring `language`'s catalogue up to the code, compile it, and return how many messages
    still wait for a translation."""
    import polib

    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    catalogue = polib.pofile(str(path)) if path.exists() else _new_catalogue(language)
    wanted = messages()
    known = {entry.msgid: entry for entry in catalogue}
    for text, where in wanted.items():
        entry = known.get(text)
        if entry is None:
            plural = dict(CLICK_PLURALS).get(text)
            if plural is None:
                entry = polib.POEntry(msgid=text, msgstr="")
            else:  # one form in each language dco speaks (Korean counts no plural)
                entry = polib.POEntry(msgid=text, msgid_plural=plural, msgstr_plural={0: ""})
            catalogue.append(entry)
        entry.occurrences = [(where, "")]
        if "{" in text:
            entry.flags = sorted(set(entry.flags) | {"python-brace-format"})
    for entry in [e for e in catalogue if e.msgid not in wanted]:
        catalogue.remove(entry)
    catalogue.sort(key=lambda e: e.occurrences[0][0] if e.occurrences else "")
    catalogue.save(str(path))
    catalogue.save_as_mofile(str(path.with_suffix(".mo")))
    return len([e for e in catalogue if not e.translated()])


def _new_catalogue(language: str) -> polib.POFile:
    import polib

    catalogue = polib.POFile(wrapwidth=100)
    catalogue.metadata = {
        "Project-Id-Version": "dco",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    return catalogue


def main(argv: list[str]) -> int:
    check = "--check" in argv
    missing = 0
    for language in LANGUAGES[1:]:
        if check:
            lacking = untranslated(language)
            for text, where in lacking:
                print(f"{language}: {where}: no translation for {text[:70]!r}")
            missing += len(lacking)
        else:
            waiting = update(language)
            print(f"{po_path(language)}: {waiting} messages wait for a translation")
    return 1 if check and missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
