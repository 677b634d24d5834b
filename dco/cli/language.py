"""The CLI's language: chosen before any command is built, and applied to each command's help."""

from __future__ import annotations

import gettext
import os
from collections.abc import Sequence

import click

from dco import i18n
from dco.i18n import _


def choose(argv: Sequence[str], setting: str | None) -> list[str]:
    """Speak the language `--lang` in `argv` names, else `setting`, else the locale's, and
    return `argv` without the option (it may follow any command). click's own strings (Usage,
    Options, its usage errors) are looked up in the same catalogue."""
    asked, rest = _option(argv)
    language = i18n.language_from(asked, setting)
    i18n.use(language)
    # click fetches its strings through gettext's global domain as it formats them.
    gettext.bindtextdomain(i18n.DOMAIN, str(i18n.LOCALE_DIR))
    gettext.textdomain(i18n.DOMAIN)
    os.environ["LANGUAGE"] = language
    _measure_help_in_columns()
    return rest


def _measure_help_in_columns() -> None:
    """Make click wrap help by the columns text takes on screen, not by its characters: a
    Hangul syllable takes two columns, so Korean help measured in characters runs past the
    terminal's edge. click routes every width it measures through one function, `term_len`,
    which its wrapper and formatter import by name; both are replaced (when a click version
    lacks them, help is wrapped as before)."""
    import click._textwrap
    import click.formatting
    from click._compat import strip_ansi
    from rich.cells import cell_len

    def columns(text: str) -> int:
        return cell_len(strip_ansi(text))

    for module in (click._textwrap, click.formatting):
        if hasattr(module, "term_len"):
            module.term_len = columns  # type: ignore[attr-defined]


def _option(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """The value of --lang in `argv` and the other arguments: read before click parses, as
    the help is built in the language first."""
    asked, rest = None, list(argv)
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(rest):
            asked = rest[i + 1]
            del rest[i : i + 2]
        elif arg.startswith("--lang="):
            asked = arg.split("=", 1)[1]
            del rest[i]
        else:
            i += 1
    return asked, rest


def translate(command: click.Command) -> click.Command:
    """`command` (and its subcommands) with its help and its options' help in the language in
    use. The English texts are kept aside on each object, so translating again (into another
    language) starts from them."""
    _translate_fields(command, ("help", "short_help", "epilog"))
    for param in command.params:
        if isinstance(param, click.Option):
            _translate_fields(param, ("help",))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            translate(sub)
    return command


def _translate_fields(owner: object, names: tuple[str, ...]) -> None:
    english = owner.__dict__.setdefault("_dco_english", {n: getattr(owner, n) for n in names})
    for name, text in english.items():
        setattr(owner, name, _(text) if text else text)
