"""The help overlay and the filter prompt."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from dco.i18n import _
from dco.review.stores.base import FILTERS

HELP = _("""\
a  approve           e  edit (re-checked as you type)
r  reject            s  skip (it stays for others)
u  undo your last decision in this window
j/k ↑/↓  move        Home/End  first / last
/  filter: stage=decision channel=sms 무료
?  this help         q  quit (every decision is already saved)

In the list: ✓ approved  ✎ edited  ✗ rejected  » skipped
! an error finding  ~ a warning   A/C/D awareness, consideration, decision
""")


class HelpScreen(ModalScreen[None]):
    """The keys, on any key closed."""

    BINDINGS = [Binding("escape,question_mark,q", "close", _("close"))]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 76; max-width: 100%; height: auto; border: round $accent;
                            padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(HELP)

    def action_close(self) -> None:
        self.dismiss(None)


class FilterScreen(ModalScreen[tuple[dict[str, str], str] | None]):
    """Asks for filters as `campaign=spring stage=decision`, and words the copy must contain
    (`무료`); returns (filters, words). Empty clears them."""

    BINDINGS = [Binding("escape", "cancel", _("cancel"))]
    DEFAULT_CSS = """
    FilterScreen { align: center middle; }
    FilterScreen > Vertical { width: 76; max-width: 100%; height: auto; border: round $accent;
                              padding: 0 1; }
    FilterScreen Label { width: 100%; }
    """

    def __init__(self, current: dict[str, str], words: str = "") -> None:
        super().__init__()
        self.current = current
        self.words = words

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Filter by {keys} and by words in the copy — e.g. stage=decision "
                          "channel=sms 무료").format(keys=", ".join(FILTERS)))  # fmt: skip
            shown = [f"{k}={v}" for k, v in self.current.items()] + self.words.split()
            yield Input(value=" ".join(shown), id="filter")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        filters, words = {}, []
        for part in event.value.split():
            key, equals, value = part.partition("=")
            if not equals:
                words.append(part)
                continue
            if key not in FILTERS or not value:
                self.notify(_("'{part}': write one of {keys} as key=value").format(
                                part=part, keys=", ".join(FILTERS)),
                            severity="error")  # fmt: skip
                return
            filters[key] = value
        self.dismiss((filters, " ".join(words)))

    def action_cancel(self) -> None:
        self.dismiss(None)
