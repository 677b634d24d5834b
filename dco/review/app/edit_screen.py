"""The edit dialog: each field labelled, re-measured and re-checked as the reviewer types."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from dco.channels.limits import copy_findings
from dco.i18n import _
from dco.models import Copy, Finding, Variant
from dco.protocols import Checker
from dco.review.app.render import findings_lines, meters


class EditScreen(ModalScreen[tuple[Copy, bool] | None]):
    """Returns (edited copy, forced) on save, None on cancel. Saving copy with an error-level
    finding asks once more: the second save is forced."""

    BINDINGS = [
        Binding("ctrl+s", "save", _("save")),
        Binding("escape", "cancel", _("cancel")),
    ]
    DEFAULT_CSS = """
    EditScreen { align: center middle; }
    EditScreen > Vertical { width: 90%; height: auto; max-height: 100%; border: round $accent;
                            padding: 0 1; }
    EditScreen Input { margin: 0; }
    EditScreen TextArea { height: 4; margin: 0; }
    EditScreen .field { color: $text-muted; }
    """
    LABELS = {"headline": _("Headline"), "body": _("Body"), "cta": _("Call to action")}

    def __init__(self, variant: Variant, checker: Checker | None = None) -> None:
        super().__init__()
        self.variant = variant
        self.checker = checker
        self.confirming = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Edit — ctrl+s save, esc cancel"))
            for name, value in self.variant.copy.fields().items():
                yield Label(self.LABELS[name], classes="field")
                if name == "body":  # the long field: several lines, wrapped
                    yield TextArea(value, id=name, soft_wrap=True, show_line_numbers=False)
                else:
                    # The cursor goes to the end, nothing selected: typing adds to the copy
                    # instead of replacing it.
                    yield Input(value=value, placeholder=name, id=name, select_on_focus=False)
            yield Static(id="meters")
            yield Static(id="findings")

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_position = len(field.value)
        self.query_one("#body", TextArea).move_cursor(
            self.query_one("#body", TextArea).document.end
        )
        self.refresh_checks()

    def on_input_changed(self) -> None:
        self.confirming = False
        self.refresh_checks()

    def on_text_area_changed(self) -> None:
        self.confirming = False
        self.refresh_checks()

    def current(self) -> Copy | None:
        values = {
            "headline": self.query_one("#headline", Input).value,
            "body": self.query_one("#body", TextArea).text,
            "cta": self.query_one("#cta", Input).value,
        }
        return Copy(**values) if any(v.strip() for v in values.values()) else None

    def errors(self, copy: Copy) -> list[Finding]:
        return copy_findings(copy, self.variant.channel, self.checker, self.variant.stage)

    def refresh_checks(self) -> None:
        copy = self.current()
        if copy is None:
            self.query_one("#findings", Static).update(_("copy needs text in at least one field"))
            return
        self.query_one("#meters", Static).update(meters(copy, self.variant.channel))
        self.query_one("#findings", Static).update(findings_lines(self.errors(copy)))

    def action_save(self) -> None:
        copy = self.current()
        if copy is None:
            return
        if any(f.level == "error" for f in self.errors(copy)) and not self.confirming:
            self.confirming = True
            self.notify(_("This edit breaks an error-level rule or a channel limit: ctrl+s "
                          "again to save it anyway (recorded as forced)."),
                        severity="warning")  # fmt: skip
            return
        self.dismiss((copy, self.confirming))

    def action_cancel(self) -> None:
        self.dismiss(None)
