"""The language dco speaks: gettext catalogues in `dco/locale/`, and which one is in use.

Messages are written in English in the code and looked up in the catalogue of the language in
use (`dco/locale/<lang>/LC_MESSAGES/dco.po`, compiled to `dco.mo` beside it). The language is,
first found: `--lang`, `DCO_LANG`, `lang` in dco.toml, the locale (`LANGUAGE`, `LC_ALL`,
`LC_MESSAGES`, `LANG`), English.

    >>> from dco.i18n import _, use
    >>> use("ko")
    >>> _("approved")
    '승인'
    >>> use("en")
    >>> _("approved")
    'approved'
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

from dco.errors import ConfigError, UnknownNameError, closest

DOMAIN = "dco"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "ko")
"""The languages dco speaks: English, in the code, and those with a catalogue."""
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
"""Where a process's locale is read from for messages, strongest first (as gettext reads it)."""

_in_use: gettext.NullTranslations | None = None


def language_from(
    option: str | None = None,
    setting: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The language to speak: `option` (--lang), else `setting` (DCO_LANG or dco.toml), else
    the locale's, else English. An unknown language asked for by name is a `ConfigError`."""
    for asked, where in ((option, "--lang"), (setting, "lang")):
        if asked and asked.strip():
            return _known(asked, where)
    environ = os.environ if environ is None else environ
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value and value not in ("C", "POSIX"):
            first = value.split(":")[0]
            return "ko" if first.lower().startswith("ko") else "en"
    return "en"


def _known(asked: str, where: str) -> str:
    code = asked.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    if code not in LANGUAGES:
        # In English: no language is chosen yet (this is the choosing), and translating here
        # would ask for the language being chosen.
        raise ConfigError(
            f"{where} {asked!r} is not a language dco speaks; use one of {', '.join(LANGUAGES)}"
        )
    return code


def use(language: str) -> None:
    """Speak `language` from now on (one of `LANGUAGES`)."""
    global _in_use
    code = _known(language, "language")
    _in_use = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def _translations() -> gettext.NullTranslations:
    if _in_use is None:
        try:
            use(language_from(setting=os.environ.get("DCO_LANG")))
        except ConfigError:
            use("en")
    assert _in_use is not None
    return _in_use


def _(message: str) -> str:
    """`message` in the language in use (itself when the catalogue lacks it). An empty message
    stays empty: gettext would give the catalogue's header for it."""
    return _translations().gettext(message) if message else message


def did_you_mean(name: str, known: list[str] | tuple[str, ...]) -> str:
    """ " Did you mean 'x'?" in the language in use, for the known name closest to `name`, or ""
    when none is close."""
    close = closest(name, known)
    return _(" Did you mean {name!r}?").format(name=close) if close else ""


def N_(message: str) -> str:
    """`message` itself, marked for the catalogue: for texts defined before the language is
    chosen (module constants), translated with `_()` where they are shown."""
    return message


COUNTED = {
    "error": (N_("{n} error"), N_("{n} errors")),
    "warning": (N_("{n} warning"), N_("{n} warnings")),
    "suggestion": (N_("{n} suggestion"), N_("{n} suggestions")),
    "piece": (N_("{n} piece"), N_("{n} pieces")),
    "file": (N_("{n} file"), N_("{n} files")),
    "rule": (N_("{n} rule"), N_("{n} rules")),
    "approved variant": (N_("{n} approved variant"), N_("{n} approved variants")),
    "responsive search ad": (N_("{n} responsive search ad"), N_("{n} responsive search ads")),
    "ad": (N_("{n} ad"), N_("{n} ads")),
    "decision": (N_("{n} decision"), N_("{n} decisions")),
    "example": (N_("{n} example"), N_("{n} examples")),
    "preference": (N_("{n} preference"), N_("{n} preferences")),
    "proposed rule": (N_("{n} proposed rule"), N_("{n} proposed rules")),
    "brief": (N_("{n} brief"), N_("{n} briefs")),
    "variant": (N_("{n} variant"), N_("{n} variants")),
    "request": (N_("{n} request"), N_("{n} requests")),
    "repair round": (N_("{n} repair round"), N_("{n} repair rounds")),
    "edit": (N_("{n} edit"), N_("{n} edits")),
    "reviewer": (N_("{n} reviewer"), N_("{n} reviewers")),
    "line": (N_("{n} line"), N_("{n} lines")),
    "row": (N_("{n} row"), N_("{n} rows")),
    "new variant": (N_("{n} new variant"), N_("{n} new variants")),
}
"""The counted nouns dco prints, singular and plural, as the catalogue knows them."""


def counted(number: int, noun: str) -> str:
    """A count with its noun in the right number and language: "1 error", "2 errors",
    "오류 2개"."""
    forms = COUNTED.get(noun)
    if forms is None:
        return f"{number} {noun}{'' if number == 1 else 's'}"
    return _(forms[0] if number == 1 else forms[1]).format(n=number)


def unknown_name(kind: str, name: str, known: list[str] | tuple[str, ...]) -> UnknownNameError:
    """Build the error for an unknown `kind` called `name`, suggesting the nearest known one,
    in the language in use. `kind`: channel, provider, unit or report format."""
    messages = {
        "channel": N_("unknown channel {name!r}.{hint} Channels: {known}."),
        "provider": N_("unknown provider {name!r}.{hint} Providers: {known}."),
        "unit": N_("unknown unit {name!r}.{hint} Known units: {known}."),
        "report format": N_("unknown report format {name!r}.{hint} Report formats: {known}."),
    }
    shown, hint = named_briefly(name, known)
    return UnknownNameError(
        _(messages[kind]).format(name=shown, hint=hint, known=", ".join(sorted(known)))
    )


NAME_SHOWN = 80
"""The most of an unknown name an error shows: a name is a few words, and one far longer is
pasted text, shown cut and matched to none."""


def shown_briefly(text: str, most: int = NAME_SHOWN) -> str:
    """`text` as an error quotes it: cut past `most` characters, a mark saying so."""
    return text if len(text) <= most else text[:most] + "…"


def named_briefly(name: str, known: list[str] | tuple[str, ...]) -> tuple[str, str]:
    """An unknown `name` as an error shows it (cut past `NAME_SHOWN`), and the nearest known
    name as a hint (none for a name cut: difflib's cost grows with its length)."""
    if len(name) <= NAME_SHOWN:
        return name, did_you_mean(name, known)
    return shown_briefly(name), ""
