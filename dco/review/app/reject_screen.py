"""The reject dialog: pick one or more reason tags, add a note if you like."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, SelectionList

from dco.i18n import _

REASON_LABELS = {
    "off-brand": _("off-brand"),
    "wrong-tone": _("wrong tone"),
    "too-long": _("too long"),
    "inaccurate-claim": _("inaccurate claim"),
    "compliance": _("compliance"),
    "duplicate": _("duplicate"),
    "other": _("other"),
}
"""How the built-in reason tags read in the dialog; the tag itself is what the log records,
and a team's own tags show as they are."""


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason)


class RejectScreen(ModalScreen[tuple[list[str], str | None] | None]):
    """Returns (reasons, note) on submit, None on cancel."""

    BINDINGS = [
        Binding("ctrl+s", "submit", _("reject")),
        Binding("escape", "cancel", _("cancel")),
    ]
    DEFAULT_CSS = """
    RejectScreen { align: center middle; }
    RejectScreen > Vertical { width: 64; max-width: 100%; height: auto; border: round $error;
                              padding: 0 1; }
    RejectScreen SelectionList { height: auto; max-height: 12; }
    """

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__()
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Reject: space picks a reason, ctrl+s rejects, esc cancels"))
            yield SelectionList[str](
                *[(reason_label(reason), reason) for reason in self.reasons], id="reasons"
            )
            yield Input(placeholder=_("note (optional)"), id="note")

    def action_submit(self) -> None:
        chosen = list(self.query_one("#reasons", SelectionList).selected)
        if not chosen:
            self.notify(_("Pick at least one reason."), severity="warning")
            return
        note = self.query_one("#note", Input).value.strip() or None
        self.dismiss((chosen, note))

    def action_cancel(self) -> None:
        self.dismiss(None)
