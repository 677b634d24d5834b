"""Where `dco generate` puts variants: the review queue and the JSONL file, both opened before
the first request and written as each brief completes; which briefs a file already holds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import pydantic

from dco.cli.output import error_console
from dco.errors import ConfigError
from dco.generation import GenerationResult
from dco.i18n import _, counted
from dco.models import Brief, Variant
from dco.models.ids import canonical_json
from dco.review import ReviewQueue


class Sinks:
    """The review queue and the JSONL file variants go to, opened before the batch starts."""

    def __init__(self, queue_path: str | None, out: Path | None, *, init: bool = False) -> None:
        self.queue_path, self.out, self.init = queue_path, out, init
        self.queue: ReviewQueue | None = None
        self.file: TextIO | None = None
        self.written = self.added = 0

    def __enter__(self) -> Sinks:
        if self.queue_path is not None:
            self.queue = ReviewQueue(self.queue_path, init=self.init)
        if self.out is not None:
            try:
                self.file = self.out.open("a", encoding="utf-8")
            except OSError as e:
                if self.queue is not None:
                    self.queue.close()
                raise ConfigError(
                    _("{file}: cannot write variants there ({why})").format(
                        file=self.out, why=e.strerror
                    )
                ) from e
        return self

    def write(self, result: GenerationResult | None) -> None:
        """One brief's variants, written and committed before the next brief's."""
        if result:
            self.submit(list(result))

    def submit(self, variants: Sequence[Variant]) -> int:
        """Write `variants` to the file and the queue (a `VariantSink`); how many were new."""
        added = 0
        if self.file is not None:
            self.file.writelines(v.model_dump_json(by_alias=True) + "\n" for v in variants)
            self.file.flush()
            self.written += len(variants)
        if self.queue is not None:
            added = self.queue.submit(variants)
            self.added += added
        return added

    def report(self) -> None:
        if self.queue is not None:
            waiting = self.queue.stats()["pending"]
            error_console().print(
                _("submitted {variants} to {queue} ({waiting} waiting for review)").format(
                    variants=counted(self.added, "new variant"),
                    queue=self.queue.store.location,
                    waiting=waiting,
                )
            )
        if self.file is not None:
            error_console().print(
                _("wrote {variants} to {path}").format(
                    variants=counted(self.written, "variant"), path=self.out
                )
            )

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()
        if self.queue is not None:
            self.queue.close()


def brief_key(brief: Brief) -> str:
    return canonical_json(brief.model_dump(mode="json"))


def briefs_done(out: Path) -> set[str]:
    """The briefs whose variants the JSONL file `out` holds (none when it does not exist). A
    last line cut short (a run stopped while writing it) is dropped from the file, said so."""
    if not out.is_file():
        return set()
    _drop_cut_line(out)
    done = set()
    with out.open(encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            if not line.strip():
                continue
            try:
                brief = json.loads(line)["brief"]
                done.add(brief_key(Brief.model_validate(brief)))
            except (ValueError, KeyError, TypeError, pydantic.ValidationError) as e:
                raise ConfigError(
                    _(
                        "{file}:{line}: not a variant dco wrote ({why}); give --out a file of "
                        "dco's variants to resume from"
                    ).format(file=out, line=number, why=type(e).__name__)
                ) from e
    return done


def _drop_cut_line(out: Path) -> None:
    data = out.read_bytes()
    if not data or data.endswith(b"\n"):
        return
    keep = data.rfind(b"\n") + 1
    with out.open("r+b") as file:
        file.truncate(keep)
    error_console().print(
        f"[yellow]{out}: dropped its last line, cut short when a run stopped writing it[/]"
    )
