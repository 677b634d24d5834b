"""The review queue: submit variants, hand them to reviewers under leases, record their decisions.

>>> queue = ReviewQueue(":memory:")
>>> queue.stats()["pending"]
0
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from pydantic_core import PydanticSerializationError

from dco.channels.limits import copy_findings
from dco.errors import ReviewError, StoreError
from dco.i18n import _
from dco.models import Copy, Decision, DecisionAction, Finding, Variant
from dco.protocols import Checker
from dco.review.log import LogReaders
from dco.review.outcome_tables import OutcomeTables
from dco.review.rows import decision_from_row, variant_from_record
from dco.review.stores import QueueStore, default_location, open_store
from dco.review.stores.base import (
    Heard,
    Held,
    QueueCheckup,
    Refused,
    VariantRow,
    check_filters,
    storable,
)
from dco.text.distance import copy_distance

REASON_TAGS = (
    "off-brand", "wrong-tone", "too-long", "inaccurate-claim", "compliance", "duplicate", "other",
)  # fmt: skip


class PendingRow(NamedTuple):
    """A pending variant as a list shows it: what a row needs, without the full record."""

    id: str
    stage: str
    channel: str
    headline: str
    copy: dict[str, str]

    @property
    def text(self) -> str:
        """Every field of the copy, for finding a variant by what it says."""
        return "\n".join(self.copy.values())


@dataclass(frozen=True)
class Claimed:
    """A variant handed to a reviewer, and until when it is theirs."""

    variant: Variant
    expires_at: float


class Taken(NamedTuple):
    """A variant as it comes on a reviewer's screen (see `ReviewQueue.take`)."""

    variant: Variant
    held_by: str | None
    """The other reviewer who holds it; None when it is this reviewer's now."""


@dataclass
class _ClaimLoop:
    """A reviewer's `ReviewQueue.claims` loop: the variant it handed out last and, once that
    one is decided, the next, claimed with the decision: its record and lease's end (None when
    nothing was left). Read only as it is handed out: a record that cannot be read is an error
    of the loop, not of the decision, which was recorded."""

    filters: dict[str, str]
    handed_out: str = ""
    decided: bool = False
    ahead: tuple[str, float] | None = None


class ReviewQueue(LogReaders, OutcomeTables):
    """Variants awaiting review and the append-only log of what reviewers decided.

    The workflow is here: submitting, claiming under leases, deciding and undoing. Reading the
    log (`LogReaders`: history, counts, approved and decided copy) and recording outcomes
    (`OutcomeTables`) come from the classes it is built of, over the same store.

    `location` is a SQLite file or a `postgresql://` URL; by default `$DCO_QUEUE`, else
    ./dco-review.db. Both give the same guarantees. A new file or an empty database becomes a
    queue, unless `create=False` (for readers: then it is an error saying how to make one).
    `init` lets dco add its tables to a database that holds another application's.

    `checker` (a `dco.Brand`, or anything with `check(copy, channel=, stage=)`) re-checks edited
    copy: an edit that introduces an error-level finding raises unless `force=True`.

    A claim holds its variant for `lease_seconds`. `clock` says what time it is (Unix seconds):
    by default this machine's, set by the server's clock where the queue is on PostgreSQL, so
    reviewers on machines whose clocks differ agree when a lease ends.
    """

    def __init__(
        self,
        location: str | Path | None = None,
        *,
        checker: Checker | None = None,
        reasons: Iterable[str] = REASON_TAGS,
        lease_seconds: float = 600.0,
        clock: Callable[[], float] | None = None,
        init: bool = False,
        create: bool = True,
    ) -> None:
        self.store: QueueStore = open_store(
            location if location is not None else default_location(), init=init, create=create
        )
        self._recorded: list[tuple[str, int]] = []  # (reviewer, seq) recorded through this object
        self._loops: dict[str, _ClaimLoop] = {}  # each reviewer's claims() loop, while it runs
        self._closed = False
        self.checker = checker
        self.reasons = tuple(reasons)
        self.lease_seconds = lease_seconds
        self.clock = clock if clock is not None else self._agreed_time

    def _agreed_time(self) -> float:
        """This machine's time, set by the server's clock where the queue is on one: leases
        end when the server says, for every reviewer, whatever their machines' clocks say."""
        return time.time() + self.store.clock_offset

    def close(self) -> None:
        self._closed = True
        self.store.close()

    def __enter__(self) -> ReviewQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- submitting and finding work ------------------------------------------------------------

    def submit(self, variants: Iterable[Variant]) -> int:
        """Store variants for review; one already stored (same id) is kept once. Returns how
        many were new."""
        now = self.clock()
        rows = [_variant_row(v, now) for v in variants]
        return self.store.add_variants(rows) if rows else 0

    def pending(self, *, limit: int | None = None, **filters: str | None) -> list[Variant]:
        """Variants no one has approved, edited or rejected yet, oldest first."""
        records = self.store.pending_records(check_filters(filters), limit)
        return [variant_from_record(data, self.store.location) for data in records]

    def pending_rows(self, **filters: str | None) -> list[PendingRow]:
        """Every pending variant (with the filters) as a light row, oldest first: a whole
        campaign's list in one read, each full record fetched (`get`) when it is looked at."""
        rows = []
        for variant_id, stage, channel, copy in self.store.pending_rows(check_filters(filters)):
            fields = json.loads(copy)
            rows.append(PendingRow(variant_id, stage, channel, fields.get("headline", ""), fields))
        return rows

    def pending_count(self, **filters: str | None) -> int:
        """How many variants are pending (with the filters)."""
        return self.store.pending_count(check_filters(filters))

    def get(self, variant_id: str) -> Variant:
        """One stored variant."""
        data = self.store.variant_record(storable(variant_id, _("variant id")))
        if data is None:
            raise ReviewError(
                _("no variant {id!r} in {queue}").format(id=variant_id, queue=self.store.location)
            )
        return variant_from_record(data, self.store.location, variant_id)

    def claim(self, reviewer: str, **filters: str | None) -> Claimed | None:
        """The oldest pending variant nobody else holds, leased to `reviewer`; None when none.

        A reviewer who already holds one gets that one back, so a restart resumes where it was.
        """
        return self._claim(checked_reviewer(reviewer), check_filters(filters))

    def _claim(self, reviewer: str, filters: dict[str, str]) -> Claimed | None:
        now = self.clock()
        expires = now + self.lease_seconds
        data = self.store.claim(reviewer, filters, now, expires)
        if data is None:
            return None
        return Claimed(variant_from_record(data, self.store.location), expires)

    def claims(self, reviewer: str, **filters: str | None) -> Iterator[Claimed]:
        """Claim after claim for `reviewer`, oldest first, until none is left: a script that
        works through the queue decides on each (approve, edit, reject, or skip to pass over
        it) before the loop goes on.

        Deciding on the variant just handed out also claims the next, together: on PostgreSQL
        in one round trip instead of two. Leaving the loop early gives that one back.

        >>> for claimed in queue.claims("kim", campaign="spring"):  # doctest: +SKIP
        ...     queue.approve(claimed.variant.id, "kim")
        """
        reviewer, checked = checked_reviewer(reviewer), check_filters(filters)
        if reviewer in self._loops:
            raise ReviewError(
                _(
                    "{reviewer} is already working through this queue in another claims() loop; "
                    "finish that one first"
                ).format(reviewer=reviewer)
            )
        loop = self._loops[reviewer] = _ClaimLoop(checked)
        try:
            claimed = self._claim(reviewer, checked)
            while claimed is not None:
                loop.handed_out, loop.decided, loop.ahead = claimed.variant.id, False, None
                yield claimed
                if loop.decided:
                    ahead, loop.ahead = loop.ahead, None
                    if ahead is None:
                        return
                    claimed = Claimed(variant_from_record(ahead[0], self.store.location), ahead[1])
                    continue
                claimed = self._claim(reviewer, checked)  # decided elsewhere, or not at all
                if claimed is not None and claimed.variant.id == loop.handed_out:
                    raise ReviewError(
                        _(
                            "{id} came back undecided: decide on each variant claims() hands "
                            "out (skip passes over one) before the loop goes on"
                        ).format(id=loop.handed_out)
                    )
        finally:
            del self._loops[reviewer]
            if loop.ahead is not None:  # claimed with the last decision, never handed out
                self._give_back(loop.ahead[0], reviewer)

    def _give_back(self, record: str, reviewer: str) -> None:
        """Release the variant of `record`, as a loop ends: when it cannot be (the queue
        closed, the connection gone, the record unreadable), the lease lapses at its end
        instead, and the loop ends with its own error, if any, rather than this one."""
        if self._closed:  # nothing to try: a loop left for Python to end as it exits ends here
            return
        with suppress(StoreError):
            self.release(variant_from_record(record, self.store.location).id, reviewer)

    def checkup(self) -> QueueCheckup:
        """What holds the queue, which rights this user lacks (and what gives them), and
        whether review apps hear of decisions at once: what `dco doctor --queue` prints."""
        return self.store.checkup()

    def hold(self, variant_id: str, reviewer: str, *, only: bool = False) -> str | None:
        """Lease `variant_id` to `reviewer` if no one else holds it; returns the other holder.

        With `only`, the reviewer's other leases are given back in the same transaction (the
        review app holds just the variant on screen).
        """
        return self._hold(variant_id, reviewer, only).held_by

    def take(self, variant_id: str, reviewer: str) -> Taken:
        """Read `variant_id` and lease it to `reviewer` unless someone else holds it, giving
        back the reviewer's other leases: what a review app does as a variant comes on screen,
        in one round trip on PostgreSQL (a reviewer far from the server waits for each)."""
        held = self._hold(variant_id, reviewer, only=True)
        assert held.record is not None  # _hold refuses a variant there is not
        variant = variant_from_record(held.record, self.store.location, variant_id)
        return Taken(variant, held.held_by)

    def _hold(self, variant_id: str, reviewer: str, only: bool) -> Held:
        variant_id, reviewer = storable(variant_id, _("variant id")), checked_reviewer(reviewer)
        now = self.clock()
        held = self.store.hold(variant_id, reviewer, now, now + self.lease_seconds, only)
        if held.record is None:
            raise ReviewError(
                _("no variant {id!r} in {queue}").format(id=variant_id, queue=self.store.location)
            )
        return held

    def release(self, variant_id: str, reviewer: str) -> None:
        """Give back a lease before it expires."""
        self.store.release(storable(variant_id, _("variant id")), checked_reviewer(reviewer))

    # -- decisions ------------------------------------------------------------------------------

    def approve(self, variant_id: str, reviewer: str, *, override: bool = False) -> Decision:
        """Approve the variant as written."""
        return self._decide(self._decision(variant_id, "approve", reviewer), override)

    def edit(
        self,
        variant_id: str,
        reviewer: str,
        copy: Copy | Mapping[str, str],
        *,
        note: str | None = None,
        force: bool = False,
        override: bool = False,
    ) -> Decision:
        """Approve the variant with `copy` in place of its own, re-checked as generated copy is:
        against the channel's limits and the brand's rules. `force` records it regardless, its
        note naming the rules it was forced past."""
        edited = copy if isinstance(copy, Copy) else Copy(**dict(copy))
        for field, text in edited.fields().items():
            storable(text, field)
        variant = self.get(variant_id)
        found = copy_findings(edited, variant.channel, self.checker, variant.stage)
        errors = [f for f in found if f.level == "error"]
        if errors and not force:
            raise ReviewError(_describe_errors(errors))
        if errors:  # recorded as forced, with what it overrode
            overrode = ", ".join(dict.fromkeys(f.rule for f in errors))
            note = f"forced past {overrode}" + (f"; {note}" if note else "")
        decision = self._decision(variant_id, "edit", reviewer, edited=edited, note=note)
        # A variant's own copy never changes once stored, so the edit's size can be measured
        # before the transaction that records it.
        distance = copy_distance(variant.copy.fields(), edited.fields())
        return self._decide(decision, override, distance)

    def reject(
        self,
        variant_id: str,
        reviewer: str,
        reasons: Iterable[str],
        *,
        note: str | None = None,
        override: bool = False,
    ) -> Decision:
        """Reject the variant for one or more of the configured reasons."""
        reasons = tuple(reasons)
        unknown = [r for r in reasons if r not in self.reasons]
        if unknown:
            raise ReviewError(
                _("unknown reason {reason!r}; use one of {known}").format(
                    reason=unknown[0], known=", ".join(self.reasons)
                )
            )
        decision = self._decision(variant_id, "reject", reviewer, reasons=reasons, note=note)
        return self._decide(decision, override)

    def skip(self, variant_id: str, reviewer: str) -> Decision:
        """Pass the variant over: it stays pending for others, and the lease is released."""
        return self._decide(self._decision(variant_id, "skip", reviewer), override=False)

    def undo(self, reviewer: str, *, made_here: bool = False) -> Decision | None:
        """Reverse `reviewer`'s last decision not yet undone, by appending an `undo`.

        With `made_here`, only a decision recorded through this queue object counts: a review
        app undoes its own last decision, not one the same reviewer made in another window.
        """
        reviewer, at = checked_reviewer(reviewer), self._now()
        if not made_here:
            variant_id = self.store.undo(reviewer, at, None)
        else:
            variant_id = None
            mine = [seq for who, seq in self._recorded if who == reviewer]
            while mine and variant_id is None:
                seq = mine.pop()
                self._recorded.remove((reviewer, seq))
                variant_id = self.store.undo(reviewer, at, seq)
        if variant_id is None:
            return None
        return Decision(variant_id=variant_id, action="undo", reviewer=reviewer, at=at)

    def log_position(self) -> int:
        """Where the decision log ends now: pass it to `decisions_since` later."""
        return self.store.log_position()

    def wait_for_decisions(self, timeout: float, stop: threading.Event | None = None) -> Heard:
        """Block up to `timeout` seconds, or until `stop` is set, until decisions may have been
        made elsewhere (announced on PostgreSQL, with the variants decided; on SQLite, after
        the wait): whether to look at the log, and which variants it will show when known."""
        return self.store.wait_for_decisions(timeout, stop)

    def decisions_since(self, seq: int) -> list[tuple[int, Decision]]:
        """Decisions recorded after log position `seq` (by anyone, anywhere), with their
        positions: how a review app learns what others decided since it last looked."""
        queue = self.store.location
        return [(row.seq, decision_from_row(row, queue)) for row in self.store.decisions_since(seq)]

    # -- internals --------------------------------------------------------------------------------

    def _decision(
        self, variant_id: str, action: DecisionAction, reviewer: str, *, note: str | None = None,
        **rest: object,
    ) -> Decision:  # fmt: skip
        """A decision made now, its texts checked as ones the queue can hold."""
        return Decision(
            variant_id=storable(variant_id, _("variant id")), action=action,
            reviewer=checked_reviewer(reviewer), at=self._now(),
            note=None if note is None else storable(note, _("note")), **rest,
        )  # fmt: skip

    def _decide(
        self, decision: Decision, override: bool, distance: float | None = None
    ) -> Decision:
        loop = self._loops.get(decision.reviewer)
        if loop is not None and loop.handed_out == decision.variant_id:
            now = self.clock()
            expires = now + self.lease_seconds
            both = self.store.decide_then_claim(
                decision, now, distance, override, loop.filters, expires
            )
            recorded = both.recorded
            if both.claim_made:  # else the loop claims on its own, as after one decided elsewhere
                loop.decided = True
                loop.ahead = None if both.record is None else (both.record, expires)
        else:
            recorded = self.store.decide(decision, self.clock(), distance, override)
        if isinstance(recorded, Refused):
            raise ReviewError(_refusal(decision.variant_id, recorded))
        self._recorded.append((decision.reviewer, recorded))
        return decision

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), timezone.utc)


def checked_reviewer(reviewer: str) -> str:
    """`reviewer` as a queue records them; a `ReviewError` for a blank name, or one no database
    can hold."""
    if not reviewer.strip():
        raise ReviewError(_("a decision needs the reviewer's name: give one that is not blank"))
    return storable(reviewer, _("reviewer"))


def _variant_row(variant: Variant, now: float) -> VariantRow:
    """The row that stores `variant`; a `ReviewError` naming it when its text cannot be stored
    (a lone surrogate, half an emoji, in a model built in Python: files and replies are
    cleaned of them before they become variants)."""
    try:
        record, copy = variant.model_dump_json(by_alias=True), variant.copy.model_dump_json()
    except PydanticSerializationError as e:
        why = str(e).removeprefix("Error serializing to JSON: ")
        fix = (
            _("a lone surrogate is half an emoji, which no file or database holds: replace it")
            if "surrogates not allowed" in why
            else _("give it values JSON can hold")
        )
        raise ReviewError(
            _("variant {id} cannot be stored: {why}; {fix}").format(id=variant.id, why=why, fix=fix)
        ) from None
    provenance = variant.provenance
    return VariantRow(
        variant.id, variant.brief.campaign, variant.stage.value, variant.channel, variant.locale,
        provenance.prompt_version if provenance else None,
        provenance.model if provenance else None, record, copy, now,
    )  # fmt: skip


def _refusal(variant_id: str, refused: Refused) -> str:
    if refused.reason == "missing":
        return f"no variant {variant_id!r} to decide on"
    if refused.reason == "held":
        return (
            f"{variant_id} is being reviewed by {refused.detail}; wait for their lease to end, "
            "or pass override=True"
        )
    return (
        f"{variant_id} is already {refused.detail}; undo that decision first, or pass override=True"
    )


def _describe_errors(errors: list[Finding]) -> str:
    shown = "; ".join(f"{f.field}: {f.message} [{f.rule}]" for f in errors[:3])
    return f"the edit breaks the brand's rules ({shown}); fix it, or pass force=True"
