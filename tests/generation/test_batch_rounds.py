"""Splitting a batch job's round into batches, and telling its parts' statuses as one."""

import errno
import os

import pytest

from dco.errors import OptionError
from dco.generation.batch_rounds import BatchLimits, RoundWriter, WholeFile, combined, limits_for
from dco.providers.base import BatchStatus


def part(status, total=2, done=2, errors=()):
    return BatchStatus(f"batch-{status}", status, total=total, completed=done, errors=errors)


def test_a_round_runs_while_any_part_does_and_ends_as_its_worst_part():
    assert combined([part("completed"), part("in_progress")]).status == "in_progress"
    assert combined([part("expired"), part("cancelled"), part("completed")]).status == "cancelled"
    assert combined([part("cancelled"), part("failed", errors=("refused",))]).status == "failed"
    both = combined([part("completed"), part("expired", total=3, done=1)])
    assert (both.id, both.status, both.total, both.completed) == (
        "batch-completed",
        "expired",
        5,
        3,
    )


def test_a_round_writer_rolls_over_at_either_limit_and_never_splits_a_line(tmp_path):
    with RoundWriter(tmp_path, 2, BatchLimits(requests=2, bytes=10)) as writer:
        for line in ("a\n", "b\n", "c\n", "x" * 20 + "\n", "d\n"):
            writer.write(line)
    assert writer.parts == 4
    files = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert files == {"round-2.input.jsonl": "a\nb\n", "round-2-2.input.jsonl": "c\n",
                     "round-2-3.input.jsonl": "x" * 20 + "\n",
                     "round-2-4.input.jsonl": "d\n"}  # fmt: skip


def test_a_round_written_again_into_fewer_parts_leaves_none_of_the_earlier_ones(tmp_path):
    for lines in (["a\n", "b\n", "c\n"], ["d\n"]):
        with RoundWriter(tmp_path, 2, BatchLimits(requests=1, bytes=10)) as writer:
            for line in lines:
                writer.write(line)
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {"round-2.input.jsonl": "d\n"}


def test_a_round_writer_that_fails_leaves_nothing_behind(tmp_path):
    with pytest.raises(RuntimeError), RoundWriter(tmp_path, 1, BatchLimits(1, 100)) as writer:
        writer.write("a\n")
        writer.write("b\n")
        raise RuntimeError("the campaign could not be read")
    assert list(tmp_path.iterdir()) == [] and writer.parts == 0


def test_a_batch_size_above_what_a_batch_may_hold_is_refused():
    assert limits_for(100).requests == 100
    with pytest.raises(OptionError, match="from 1 to 50,000 requests"):
        limits_for(60_000)


def test_a_whole_file_the_disk_refuses_at_its_sync_leaves_the_earlier_one(tmp_path, monkeypatch):
    manifest = tmp_path / "manifest.json"
    manifest.write_text("as it was", encoding="utf-8")

    def full_disk(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"), WholeFile(manifest) as file:
        file.write("new")
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]
    assert manifest.read_text(encoding="utf-8") == "as it was"
