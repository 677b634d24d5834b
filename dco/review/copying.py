"""Moving a queue between stores (a SQLite file to a team's PostgreSQL server) with proof.

Each record table is copied in a fixed order and digested on both sides; the copy is good when
the counts and the digests agree. Leases are a moment's state and stay behind.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from dco.errors import StoreError
from dco.i18n import _
from dco.review.stores import QueueStore
from dco.review.stores.base import TABLE_KEYS, TABLES


@dataclass
class CopyReport:
    """What was copied: rows per table, and each side's digest."""

    counts: dict[str, int] = field(default_factory=dict)
    source_digest: str = ""
    target_digest: str = ""
    arrived: dict[str, int] = field(default_factory=dict)
    """Variants and decisions the source gained while it was copied (a queue still in use), and
    outcomes recorded or updated in it meanwhile, which the copy, of the source as it stood when
    the copy began, does not hold."""

    @property
    def ok(self) -> bool:
        return bool(self.source_digest) and self.source_digest == self.target_digest

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "counts": self.counts, "source_digest": self.source_digest,
                "target_digest": self.target_digest, "arrived_since": self.arrived}  # fmt: skip


def digest(store: QueueStore) -> tuple[str, dict[str, int]]:
    """A SHA-256 of every record row, in order, and the number of rows in each table."""
    hasher = hashlib.sha256()
    counts = {}
    for table in TABLES:
        counts[table] = 0
        hasher.update(f"\x00{table}\x00".encode())
        for row in store.table_rows(table):
            hasher.update(json.dumps(row, ensure_ascii=False).encode())
            hasher.update(b"\n")
            counts[table] += 1
    return hasher.hexdigest(), counts


def copy_queue(
    source: QueueStore,
    target: QueueStore,
    *,
    on_table: Callable[[str, int], None] = lambda table, rows: None,
) -> CopyReport:
    """Copy every variant, decision and outcome from `source` into the empty `target`, then
    compare the two by counts and digest. `on_table` hears of each table as it is done.

    The source is read as it stood when the copy began (reviewers may go on deciding in it,
    platforms' figures go on arriving); what it gained since is counted in the report's
    `arrived`, not copied."""
    if not target.is_empty():
        raise StoreError(
            _(
                "{queue} already holds variants; copy into a new, empty queue so nothing is "
                "merged by accident"
            ).format(queue=target.location)
        )
    report = CopyReport()
    with source.snapshot():
        before = _sizes(source)
        for table in TABLES:
            report.counts[table] = target.load_rows(table, source.table_rows(table))
            on_table(table, report.counts[table])
        report.source_digest, source_counts = digest(source)
    report.arrived = {kind: now - before[kind] for kind, now in _sizes(source).items()}
    report.arrived["outcomes"] = _rows_not_copied(source, target, "outcomes")
    report.target_digest, target_counts = digest(target)
    if source_counts != target_counts or not report.ok:
        raise StoreError(
            _(
                "the copy in {target} differs from {source} ({source_rows} rows vs "
                "{target_rows}); do not use it, and report this"
            ).format(
                target=target.location,
                source=source.location,
                source_rows=source_counts,
                target_rows=target_counts,
            )
        )
    return report


def _sizes(store: QueueStore) -> dict[str, int]:
    """How many variants and decisions the store holds."""
    statuses, actions = store.counts()
    return {"variants": sum(statuses.values()), "decisions": sum(actions.values())}


def _rows_not_copied(source: QueueStore, target: QueueStore, table: str) -> int:
    """Rows of `table` the source holds now and the copy does not hold as they are: added or
    updated since the copy began. (Counted, not copied: outcomes are updated in place, so
    their number alone does not tell.) Both are read in key order, side by side."""
    copied = iter(target.table_rows(table))
    theirs = next(copied, None)
    key = len(TABLE_KEYS[table].split(","))
    differing = 0
    for row in source.table_rows(table):
        # Text keys in byte order, as both engines read them (TABLE_KEYS), is code point order.
        while theirs is not None and theirs[:key] < row[:key]:
            theirs = next(copied, None)
        if theirs != row:
            differing += 1
    return differing
