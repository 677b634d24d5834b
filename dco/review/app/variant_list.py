"""The list of variants under review: an OptionList whose rows are re-marked one at a time."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList


class VariantList(OptionList):
    """One row per variant; a decision changes the mark on its row and nothing else."""

    # One line per variant, cut with an ellipsis: a reviewer scans the list, the detail reads.
    DEFAULT_CSS = """
    VariantList {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def action_cursor_down(self) -> None:
        """Down, stopping at the last row (OptionList wraps to the top, which loses a reviewer's
        place in a long list)."""
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        """Up, stopping at the first row."""
        if self.highlighted is None or self.highlighted > 0:
            super().action_cursor_up()

    def mark(self, index: int, prompt: Any) -> None:
        """Show `prompt` on row `index`, repainting that row only.

        `OptionList.replace_option_prompt` drops every row's cached rendering and repaints the
        whole list, which a reviewer pays for on every decision in a page of hundreds. A mark
        is as wide as the one it replaces, so the row keeps its height and only its own cached
        rendering goes stale. Relies on OptionList internals; without them, the public call
        does it.
        """
        option = self.get_option_at_index(index)
        cache = getattr(self, "_option_render_cache", None)
        set_prompt = getattr(option, "_set_prompt", None)
        index_to_line = getattr(self, "_index_to_line", {})
        line = index_to_line.get(index)
        if cache is None or set_prompt is None or line is None:
            self.replace_option_prompt_at_index(index, prompt)
            return
        set_prompt(prompt)
        # The cache has no __iter__: its keys() is the way to walk it.
        for key in [key for key in cache.keys() if key[0] is option]:  # noqa: SIM118
            cache.discard(key)
        end = index_to_line.get(index + 1, line + 1)
        self.refresh_lines(line, max(1, end - line))
