"""The header line: the app's title, the reviewer, and how far through the queue they are."""

from __future__ import annotations

from textual.widgets import Static


class ProgressHeader(Static):
    """A one-line header repainted in place as decisions are made.

    Textual's own `Header` lays the whole screen out again whenever its title changes; progress
    changes with every decision, and that layout would be most of what the keypress costs. This
    line's box never changes (one line, the full width), so new text needs no layout at all.
    """

    DEFAULT_CSS = """
    ProgressHeader {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
        content-align: center middle;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def show(self, title: str, sub_title: str) -> None:
        self.update(self.app.format_title(title, sub_title), layout=False)
