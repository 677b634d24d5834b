"""The review app: a list of pending variants and the detail of the highlighted one.

Every decision is written to the queue (one transaction) the moment the key is pressed, so
quitting or crashing loses nothing. `create_app` is the one way to build it: the `dco review`
command and the tests both use it.
"""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import suppress

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.notifications import SeverityLevel
from textual.widgets import Footer, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from dco.channels.limits import copy_findings
from dco.errors import ReviewError, StoreError
from dco.i18n import _
from dco.models import Copy, Decision, FunnelStage, Variant
from dco.protocols import Checker
from dco.review.app.detail_pane import DetailPane
from dco.review.app.edit_screen import EditScreen
from dco.review.app.progress_header import ProgressHeader
from dco.review.app.reject_screen import RejectScreen
from dco.review.app.render import detail
from dco.review.app.small_screens import FilterScreen, HelpScreen
from dco.review.app.variant_list import VariantList
from dco.review.queue import PendingRow, ReviewQueue

MARKS = {"approve": "✓", "edit": "✎", "reject": "✗", "skip": "»"}
FLAGS = {"error": ("!", "bold red"), "warning": ("~", "yellow")}
"""How an undecided row shows the worst of its findings, once they are known."""
REFRESH_SECONDS = 2.0
"""How long the app waits for other reviewers' decisions between looks (on PostgreSQL it hears
of them at once; this bounds how soon it notices quitting)."""


class ReviewApp(App[None]):
    """Work a review queue by keyboard."""

    TITLE = "dco review"
    BINDINGS = [
        Binding("a", "approve", _("approve")),
        Binding("e", "edit", _("edit")),
        Binding("r", "reject", _("reject")),
        Binding("s", "skip", _("skip")),
        Binding("u", "undo", _("undo")),
        Binding("j", "down", _("down"), show=False),
        Binding("k", "up", _("up"), show=False),
        Binding("slash", "filter", _("filter")),
        Binding("question_mark", "help", _("help")),
        Binding("q", "quit", _("quit")),
    ]
    DEFAULT_CSS = """
    #list { width: 45%; }
    #detail-scroll { width: 55%; border-left: solid $primary; padding: 0 1; }
    """

    def __init__(
        self, queue: ReviewQueue, reviewer: str, *, checker: Checker | None = None,
        filters: dict[str, str] | None = None, refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:  # fmt: skip
        super().__init__()
        self.queue = queue
        self.refresh_seconds = refresh_seconds
        self.decided_here: dict[str, str] = {}
        """Variants this app recorded a decision on, with its kind: their rows stay, marked."""
        self.log_seen = 0
        """The decision log's end when the app last looked at what others decided."""
        self.stopping = threading.Event()
        self.reviewer = reviewer
        self.checker = checker
        self.filters = dict(filters or {})
        self.words = ""
        """Words every listed variant's copy contains (the free-text part of the filter)."""
        self.rows: list[PendingRow] = []
        """Every pending variant of the queue (with the filters), light: a whole campaign."""
        self.loaded: Variant | None = None
        """The full record of the highlighted row, read when it is highlighted."""
        self.out_of_reach: StoreError | None = None
        """Why the highlighted row could not be read, while the database is out of reach."""
        self.decided: Counter[str] = Counter()
        """Decisions made in this app, by kind (skips are not reviews)."""
        self.remaining = 0
        self.index_of: dict[str, int] = {}
        self.flags: dict[str, str] = {}
        """The worst finding's level of each listed variant that has one."""
        self.holding: str | None = None
        """The variant this reviewer leases: the highlighted one, given back on leaving it."""
        self.deciding: str | None = None
        """The variant whose decision is on its way to the queue, while it is."""
        self.made: list[tuple[str, str, str]] = []
        """Each decision made here (variant, kind, headline), newest last: what undo takes back."""

    def compose(self) -> ComposeResult:
        yield ProgressHeader()
        with Horizontal():
            yield VariantList(id="list")
            with VerticalScroll(id="detail-scroll"):
                yield DetailPane(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.log_seen = self.queue.log_position()
        self.reload(start=self.next_free())
        self.query_one(OptionList).focus()
        self.watch_others()

    # -- findings in the list ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="flags")
    def flag_rows(self, rows: list[PendingRow]) -> None:
        """Check every listed variant (channel limits, and the brand's rules when given) and
        mark the rows with findings, a few hundred at a time, while the reviewer works."""
        worker = get_current_worker()
        flagged: list[tuple[str, str]] = []
        for number, row in enumerate(rows, 1):
            if worker.is_cancelled or self.stopping.is_set():
                return
            found = copy_findings(Copy(**row.copy), row.channel, self.checker,
                                  FunnelStage(row.stage))  # fmt: skip
            levels = {f.level for f in found}
            worst = "error" if "error" in levels else "warning" if "warning" in levels else None
            if worst:
                flagged.append((row.id, worst))
            if flagged and (number % 200 == 0 or number == len(rows)):
                self.call_from_thread(self.show_flags, flagged)
                flagged = []

    def show_flags(self, flagged: list[tuple[str, str]]) -> None:
        listing = self.query_one(VariantList)
        for variant_id, level in flagged:
            self.flags[variant_id] = level
            index = self.index_of.get(variant_id)
            if index is not None and variant_id not in self.decided_here:
                listing.mark(index, _row("·", self.rows[index], level))

    @property
    def reviewed(self) -> int:
        return sum(n for action, n in self.decided.items() if action != "skip")

    def next_free(self) -> str | None:
        """The variant this reviewer should start on: the oldest no one else holds (claimed,
        so two reviewers opening the queue together start on different ones)."""
        claimed = self.queue.claim(self.reviewer, **self.filters)
        return claimed.variant.id if claimed else None

    def summary(self) -> str:
        """What this session did, for the line printed on quitting."""
        kinds = ", ".join(word.format(n=self.decided[a]) for a, word in (
            ("approve", _("{n} approved")), ("edit", _("{n} edited")),
            ("reject", _("{n} rejected")),
        ) if self.decided[a])  # fmt: skip
        line = _("reviewed {n}").format(n=self.reviewed) + (f" ({kinds})" if kinds else "")
        if self.decided["skip"]:
            line += _(", skipped {n}").format(n=self.decided["skip"])
        return _("{done}; {n} remaining").format(done=line, n=self.remaining)

    # -- other reviewers ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="watch")
    def watch_others(self) -> None:
        """Wait for decisions made elsewhere (another reviewer, another window) and refresh."""
        worker = get_current_worker()
        told = False
        while not (worker.is_cancelled or self.stopping.is_set()):
            try:
                heard = self.queue.wait_for_decisions(self.refresh_seconds, self.stopping)
            except StoreError as e:  # the server restarting, say: the app goes on, and so do we
                if not told:  # once, not on every try while it is away
                    self.call_from_thread(
                        self.notify, _("Decisions made elsewhere are not followed for now: "
                                       "{why}").format(why=e), severity="warning", timeout=10,
                    )  # fmt: skip
                    told = True
                self.stopping.wait(self.refresh_seconds)
                continue
            told = False
            if not heard.look or worker.is_cancelled or self.stopping.is_set():
                continue
            if heard.variants is not None and all(map(self.decided_by_this_app, heard.variants)):
                continue  # its own, heard back: the log is read when others decide
            self.look_at_the_log()

    def decided_by_this_app(self, variant_id: str) -> bool:
        """Whether this app decided the variant, or is deciding it now (its announcement may
        come before the decision's answer). Asked from the watcher's thread, while the app's
        own adds to what it decided: one lookup, never a walk over it."""
        return variant_id in self.decided_here or variant_id == self.deciding

    def look_at_the_log(self) -> None:
        """Read what was decided since the app last looked, in the watcher's thread, and have
        the list refreshed only when some of it was decided elsewhere: the reviewer's own
        decisions, heard back, keep the keys waiting for no read (a round trip to a server
        that may be far away)."""
        try:
            changes = self.queue.decisions_since(self.log_seen)
        except StoreError:
            return  # the watcher says so, and the next look reads them again
        if not changes:
            return
        if all(self.decided_by_this_app(d.variant_id) for _at, d in changes):
            self.call_from_thread(self.read_up_to, changes[-1][0])
        else:
            self.call_from_thread(self.refresh_from_others, changes)

    def read_up_to(self, seq: int) -> None:
        self.log_seen = max(self.log_seen, seq)

    def refresh_from_others(self, changes: list[tuple[int, Decision]] | None = None) -> None:
        """Take variants decided elsewhere out of the list, and count what remains afresh.
        `changes` the watcher read already spare the log a second read (a round trip to a
        server that may be far away); those this app has seen since are passed over."""
        try:
            if changes is None:
                changes = self.queue.decisions_since(self.log_seen)
            else:
                changes = [(at, d) for at, d in changes if at > self.log_seen]
            listed = {row.id for row in self.rows}
            touched = {d.variant_id for _at, d in changes} & listed - set(self.decided_here)
            gone = [vid for vid in touched if self.queue.status(vid) != "pending"]
        except StoreError:
            return  # the watcher says so, and the next announcement reads them again
        if not changes:
            return
        self.log_seen = changes[-1][0]
        if not gone and all(d.variant_id in self.decided_here for _at, d in changes):
            return  # this app's own decisions, already shown: nothing to read again
        current = self.current
        listing = self.query_one(VariantList)
        # The cursor stays on the variant it was on (or moves to the next one still listed):
        # left to the list, it keeps its place while rows above it leave, and so slides onto
        # a variant the reviewer has not read, which the next key would decide.
        at = listing.highlighted
        staying = (
            None
            if at is None
            else next((row.id for row in self.rows[at:] if row.id not in gone), None)
        )
        for variant_id in gone:
            listing.remove_option(variant_id)
        self.rows = [row for row in self.rows if row.id not in gone]
        self.index_of = {row.id: index for index, row in enumerate(self.rows)}
        if staying is not None:
            listing.highlighted = self.index_of[staying]
        try:
            self.remaining = self.count_remaining()
        except StoreError:
            self.remaining -= len(gone)  # counted afresh on the next announcement
        if current is not None and current.id in gone:
            by = next(d.reviewer for _at, d in reversed(changes) if d.variant_id == current.id)
            self.notify(
                _("“{headline}” was just decided by {reviewer}; moved on.").format(
                    headline=current.copy.headline, reviewer=by
                )
            )
        if not self.rows:
            self.reload()
            return
        self.show_current()

    # -- the list --------------------------------------------------------------------------------

    def count_remaining(self) -> int:
        """Pending variants under the filters: counted by the queue, or among the listed rows
        when words narrow the list (the queue cannot count those)."""
        if not self.words:
            return self.queue.pending_count(**self.filters)
        return sum(1 for row in self.rows if self.decided_here.get(row.id) in (None, "skip"))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notification, always as plain text (every screen's comes here too): what they say
        holds a model's copy, a reviewer's words and the server's, which read as markup would
        stop the app (`[/b]`), hide text (`[b]`) or make a link (`[@click=…]`)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def notify_unreachable(self, error: StoreError) -> None:
        """Say the database could not be reached (or refused), long enough to be read; the key
        that met it tries again once it is back."""
        self.notify(str(error), severity="error", timeout=10)

    def reload(self, start: str | None = None) -> None:
        """Load every pending variant (with the filters) into the list, highlighting `start`."""
        listing = self.query_one(OptionList)
        try:
            rows = self.queue.pending_rows(**self.filters)
        except StoreError as e:  # the list stays as it is until the database is back
            self.notify_unreachable(e)
            return
        self.decided_here = {}  # rows marked so far leave the list now
        self.rows, self.out_of_reach = rows, None
        if self.words:
            wanted = self.words.casefold().split()
            self.rows = [r for r in self.rows if all(w in r.text.casefold() for w in wanted)]
        self.remaining = len(self.rows)
        self.index_of = {row.id: index for index, row in enumerate(self.rows)}
        listing.set_options(
            Option(_row("·", row, self.flags.get(row.id)), id=row.id) for row in self.rows
        )
        self.flag_rows([row for row in self.rows if row.id not in self.flags])
        if self.rows:
            at = next((i for i, row in enumerate(self.rows) if row.id == start), 0)
            listing.highlighted = at
        self.show_current()

    @property
    def highlighted_row(self) -> PendingRow | None:
        """The listed row the cursor is on; None on an empty list."""
        index = self.query_one(OptionList).highlighted
        return self.rows[index] if index is not None and index < len(self.rows) else None

    @property
    def current(self) -> Variant | None:
        row = self.highlighted_row
        if row is None:
            return None
        if self.loaded is None or self.loaded.id != row.id:
            try:
                self.loaded, self.out_of_reach = self.queue.get(row.id), None
            except StoreError as e:  # the detail pane says so; moving tries again
                self.loaded, self.out_of_reach = None, e
        return self.loaded

    def on_option_list_option_highlighted(self) -> None:
        row = self.highlighted_row
        if row is not None and self.loaded is not None and row.id == self.loaded.id == self.holding:
            # Shown and held already: by the `reload` that set this highlight, or by a move
            # the keys made before this one's message came.
            self.update_title()
            return
        self.show_current()

    def show_current(self) -> None:
        """Read the highlighted variant and hold it (one round trip: see `ReviewQueue.take`),
        and show it with its findings and who else holds it."""
        self.update_title()
        row = self.highlighted_row
        panel = self.query_one(DetailPane)
        taken = None
        if row is not None:
            try:
                taken = self.queue.take(row.id, self.reviewer)
                self.loaded, self.out_of_reach = taken.variant, None
            except StoreError as e:  # the detail pane says so; moving tries again
                self.loaded, self.out_of_reach = None, e
        if taken is None:
            self.holding = None
            if self.out_of_reach is not None:
                panel.show(_("{why}\n\nMove (j, k) to try again.").format(why=self.out_of_reach))
            else:
                panel.show(_("Nothing to review here. / to change the filter, q to quit."))
            return
        variant = taken.variant
        self.holding = None if taken.held_by else variant.id
        findings = self.checker.check(variant.copy, channel=variant.channel,
                                      stage=variant.stage) if self.checker else []  # fmt: skip
        panel.show(detail(variant, list(findings), taken.held_by))

    def update_title(self) -> None:
        filters = " ".join([f"{k}={v}" for k, v in self.filters.items()] + self.words.split())
        index = self.query_one(OptionList).highlighted
        position = (
            _("{n} of {total}").format(n=f"{index + 1:,}", total=f"{len(self.rows):,}") + " · "
            if index is not None
            else ""
        )
        progress = _("reviewed {n} · remaining {left}").format(n=self.reviewed, left=self.remaining)
        self.sub_title = f"{self.reviewer} · {position}{progress}" + (
            f" · {filters}" if filters else ""
        )
        self.query_one(ProgressHeader).show(self.title, self.sub_title)

    def mark_current(self, action: str) -> None:
        """Show the decision on the row and move on. Rows stay in place (a decided row is marked,
        not removed) so the list never re-lays out under the reviewer's cursor."""
        listing = self.query_one(VariantList)
        variant = self.current
        assert variant is not None and listing.highlighted is not None
        listing.mark(listing.highlighted, _row(MARKS[action], self.rows[listing.highlighted]))
        self.decided_here[variant.id] = action
        self.made.append((variant.id, action, variant.copy.headline))
        self.decided[action] += 1
        if action != "skip":  # a skipped variant stays pending for others
            self.remaining -= 1
        if listing.highlighted >= len(self.rows) - 1:
            self.reload()  # the end of the list: what is still pending, from the top
            return
        listing.highlighted += 1

    async def action_quit(self) -> None:
        self.stopping.set()  # the watcher stops waiting, so quitting is immediate
        await super().action_quit()

    def on_unmount(self) -> None:
        self.stopping.set()
        if self.holding is not None:
            with suppress(StoreError):  # out of reach: the lease lapses by itself
                self.queue.release(self.holding, self.reviewer)

    # -- decisions -------------------------------------------------------------------------------

    def decide(self, record) -> bool:
        """Run a queue call; a refusal becomes a notice saying what to do here, not a crash."""
        variant = self.current
        if variant is not None and self.holding != variant.id:
            self.show_current()  # holds it if no one else does: it may have been out of reach
        if variant is not None and self.holding != variant.id:
            if self.out_of_reach is not None:
                self.notify_unreachable(self.out_of_reach)
                return False
            self.notify(
                _("“{headline}” is being reviewed by someone else: move on (j), or come back "
                  "to it once they are done").format(headline=variant.copy.headline),
                severity="warning", timeout=8,
            )  # fmt: skip
            return False
        self.deciding = variant.id if variant is not None else None
        try:
            record()
        except ReviewError as e:
            self.deciding = None  # refused: not this app's decision
            try:
                status = self.queue.status(variant.id) if variant is not None else "pending"
            except StoreError as lost:
                self.notify_unreachable(lost)
                return False
            if variant is not None and status != "pending":
                self.notify(_("“{headline}” was decided elsewhere meanwhile; it leaves the "
                              "list.").format(headline=variant.copy.headline),
                            severity="warning")  # fmt: skip
                self.refresh_from_others()
            else:
                self.notify(str(e), severity="error", timeout=8)
            return False
        except StoreError as e:  # the database out of reach: say so; the key tries again
            self.deciding = None
            self.notify_unreachable(e)
            return False
        return True

    def action_approve(self) -> None:
        if (variant := self.current) and self.decide(
            lambda: self.queue.approve(variant.id, self.reviewer)
        ):
            self.mark_current("approve")

    def action_skip(self) -> None:
        if (variant := self.current) and self.decide(
            lambda: self.queue.skip(variant.id, self.reviewer)
        ):
            self.mark_current("skip")

    def action_edit(self) -> None:
        variant = self.current
        if variant is None:
            return

        def done(result: tuple[Copy, bool] | None) -> None:
            if result is None:
                return
            copy, forced = result
            if self.decide(lambda: self.queue.edit(variant.id, self.reviewer, copy, force=forced)):
                self.mark_current("edit")

        self.push_screen(EditScreen(variant, self.checker), done)

    def action_reject(self) -> None:
        variant = self.current
        if variant is None:
            return

        def done(result: tuple[list[str], str | None] | None) -> None:
            if result is None:
                return
            reasons, note = result
            if self.decide(lambda: self.queue.reject(variant.id, self.reviewer, reasons,
                                                     note=note)):  # fmt: skip
                self.mark_current("reject")

        self.push_screen(RejectScreen(self.queue.reasons), done)

    def action_undo(self) -> None:
        try:
            undone = self.queue.undo(self.reviewer, made_here=True)
        except StoreError as e:
            self.notify_unreachable(e)
            return
        if undone is None:
            self.notify(_("Nothing to undo in this window."))
            return
        action, headline = self.taken_back(undone.variant_id)
        if action is not None:
            self.decided[action] = max(0, self.decided[action] - 1)
        self.reload(start=undone.variant_id)
        notice = UNDONE_ANY if action is None else UNDONE.get(action, UNDONE_ANY)
        self.notify(notice.format(headline=headline))

    def taken_back(self, variant_id: str) -> tuple[str | None, str]:
        """The kind and headline of the decision an undo here took back: the newest this app
        made on `variant_id`. Newer ones it passes over were undone elsewhere already (the
        queue passed over them too), and the log is not asked: someone else's decision on the
        variant since would answer for this app's. (A script deciding through the app's own
        queue object makes decisions the app did not: those are named without their kind.)"""
        while self.made:
            made_on, action, headline = self.made.pop()
            if made_on == variant_id:
                return action, headline
        try:
            return None, self.queue.get(variant_id).copy.headline
        except StoreError:
            return None, variant_id

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_filter(self) -> None:
        def done(chosen: tuple[dict[str, str], str] | None) -> None:
            if chosen is not None:
                self.filters, self.words = chosen
                self.reload()

        self.push_screen(FilterScreen(self.filters, self.words), done)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())


UNDONE = {
    "approve": _("Undid your approval of “{headline}”: it is back in the list."),
    "edit": _("Undid your edit of “{headline}”: it is back in the list."),
    "reject": _("Undid your rejection of “{headline}”: it is back in the list."),
    "skip": _("Undid your skip of “{headline}”: it comes to you again."),
}
UNDONE_ANY = _("Undid your decision on “{headline}”.")
"""The notice after an undo, by the kind of decision undone."""
STAGE_LETTERS = {"awareness": ("A", "cyan"), "consideration": ("C", "yellow"),
                 "decision": ("D", "magenta")}  # fmt: skip
"""A row's stage in one column (the help explains the letters): a clipped name misleads."""


def _row(mark: str, row: PendingRow, flag: str | None = None) -> Text:
    if mark == "·" and flag in FLAGS:
        shown, style = FLAGS[flag]
        text = Text(f"{shown} ", style=style)
    else:
        text = Text(f"{mark} ", style="bold")
    letter, colour = STAGE_LETTERS.get(row.stage, (row.stage[:1].upper(), "dim"))
    text.append(f"{letter} ", style=f"bold {colour}")
    text.append(f"{row.channel} ", style="dim")
    text.append(row.headline)
    return text


def create_app(
    queue: ReviewQueue, reviewer: str, *, checker: Checker | None = None,
    filters: dict[str, str] | None = None, refresh_seconds: float = REFRESH_SECONDS,
) -> ReviewApp:  # fmt: skip
    """The review app over `queue` for `reviewer`, re-checking edits with `checker`; it looks
    for other reviewers' decisions every `refresh_seconds` (at once on PostgreSQL)."""
    return ReviewApp(queue, reviewer, checker=checker, filters=filters,
                     refresh_seconds=refresh_seconds)  # fmt: skip
