"""The detail pane: the highlighted variant in full, re-laid out only when its height changes."""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static


class DetailPane(Static):
    """Shows one variant at a time; moving through a queue repaints it in place.

    `Static.update` lays out the whole screen on every call, because new content may need a
    different height; moving from variant to variant it seldom does, and the layout is most of
    what a keypress costs. So the new content's height is measured first, and the screen laid
    out again only when it differs.
    """

    def show(self, content: VisualType) -> None:
        height = self.size.height
        self.update(content, layout=False)
        width = self.size.width
        if not width or self.get_content_height(self.size, self.app.size, width) != height:
            self.refresh(layout=True)
