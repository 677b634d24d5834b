"""Campaigns through a provider's Batch API: submit every brief's request at once, collect later.

A job lives in a folder of its own (`dco-batches/<job>/`): the briefs, each round's input file,
each round's replies as downloaded, and a manifest of where it stands. Every step is written
before the next can fail, so a crash at any point is resumed by running the same step again:

- a job's files are written whole or not at all, and its manifest last: a submit killed while
  writing leaves half-written files that no command takes for a job, cleared by a later submit;
- a round's replies are downloaded whole (and kept) before any is read: what was paid for is
  never lost, and never asked for twice (a kept copy removed or changed since, told by the size
  and digest noted when it came, is downloaded again: `batch_kept`);
- a batch is started with the job's id in its metadata, and a start interrupted before its id
  was kept is found again by that metadata instead of started twice;
- collecting replays each brief's generation from its first request (the pipeline is
  deterministic), feeding it the replies of every round so far, so variants come out the same
  each time and a queue that already holds them keeps them once.

Replies that need repair go out as the next round's batch, or (`direct=True`) straight to the
provider, each direct reply written down before it is used. A round larger than one batch may
hold goes out as several (`batch_rounds`), started in order, each id kept as soon as it is known.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from dco.errors import BatchNotStarted, ConfigError, OptionError, ProviderError
from dco.generation.batch import BatchFailure, OnResult
from dco.generation.batch_answers import Answers, custom_id, request_digest
from dco.generation.batch_kept import KeptFile, fingerprint, intact
from dco.generation.batch_manifest import RoundRecord, checked
from dco.generation.batch_replay import Replayed, Replayer, Waiting, guarded
from dco.generation.batch_rounds import (
    BatchLimits,
    RoundWriter,
    WholeFile,
    batch_limits,
    briefs_in,
    combined,
    part_name,
    refusal,
    refused_whole,
)
from dco.generation.pipeline import GenerationResult, Spend, pipeline
from dco.generation.plan import make_plan
from dco.generation.run import planning
from dco.generation.workers import in_workers
from dco.i18n import _, shown_briefly
from dco.models import Brief
from dco.protocols import VariantSink
from dco.providers.base import BatchProvider, BatchStatus, ChatRequest, ChatResult
from dco.providers.retry import DEFAULT_POLICY, complete_with_retries
from dco.userfiles import onto_disk

JOBS_FOLDER = Path("dco-batches")
"""Where jobs are kept unless told otherwise."""

CLOCKS_DIFFER_BY = 60 * 60
"""Seconds this machine's clock may be ahead of the provider's, for the `since` of `find_batch`
and `find_file`."""

ABANDONED_AFTER = 15 * 60
"""Seconds since its last write after which a job folder with no manifest and only half-written
files counts as left by a submit that was killed: a submit still running writes every moment."""


@dataclass
class Round:
    """One round of asking of a job (the first, or repairs): its requests, and the batches
    that carry them (one, unless the round is more than one batch may hold)."""

    number: int
    requests: int
    batch_ids: list[str] = field(default_factory=list)
    """The batches started for it so far, a part each, in order."""
    refused_ids: list[str] = field(default_factory=list)
    """Batches the provider refused for now and that were sent again: the job is still found by
    them."""
    uploaded: list[str] = field(default_factory=list)
    """The provider's ids of the input files uploaded so far, a part each, in order: kept as
    soon as known, so a start interrupted between upload and batch uses the file again. ""
    for an upload begun whose id is not known (nor for parts started by an older dco)."""
    parts: int = 1
    """How many batches it goes out as."""
    collected: bool = False
    written_at: float | None = None
    """When its input files were complete (Unix time): its batches cannot have started before.
    None in jobs from dco versions that did not note it."""
    downloaded: list[str] = field(default_factory=list)
    """The reply files kept for it (each part's output and errors, as the provider had them):
    one removed since is downloaded again, not taken for a reply never sent."""
    kept: dict[str, KeptFile] = field(default_factory=dict)
    """What each reply file held when it was downloaded: one changed since is downloaded
    again. (Files kept by dco versions that did not note it are noted when next read.)"""

    @property
    def batch_id(self) -> str | None:
        """Its first batch: the id the round is known by."""
        return self.batch_ids[0] if self.batch_ids else None

    @property
    def started(self) -> bool:
        return len(self.batch_ids) >= self.parts

    @classmethod
    def from_record(cls, record: RoundRecord) -> Round:
        values = record.model_dump(exclude={"batch_id", "kept"})
        values["kept"] = {name: KeptFile(kept.bytes, kept.blake2b)
                          for name, kept in record.kept.items()}  # fmt: skip
        if "batch_id" in record.model_fields_set:  # written before rounds could be split
            values["batch_ids"] = [record.batch_id] if record.batch_id else []
        return cls(**values)


@dataclass
class BatchJob:
    """A campaign generated through a Batch API: its folder and where it stands."""

    folder: Path
    job_id: str
    provider: str
    model: str
    briefs: int
    rounds: list[Round] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    """What the caller keeps with the job to collect it the same way (the CLI's options)."""
    finished: bool = False

    @property
    def batch_id(self) -> str | None:
        """The first round's batch: the id the job is known by."""
        return self.rounds[0].batch_id if self.rounds else None

    @property
    def current(self) -> Round:
        return self.rounds[-1]

    def save(self) -> None:
        """Write the manifest whole, or not at all."""
        data = asdict(self) | {"folder": None}
        with WholeFile(self.folder / "manifest.json") as manifest:
            manifest.write(json.dumps(data, ensure_ascii=False, indent=1))

    @classmethod
    def load(cls, folder: Path) -> BatchJob:
        path = folder / "manifest.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ConfigError(
                _("{path}: not a batch job dco can read ({why})").format(path=path, why=e)
            ) from e
        record = checked(data, path)
        values = record.model_dump(exclude={"rounds", "folder"})
        return cls(folder=folder, rounds=[Round.from_record(r) for r in record.rounds], **values)

    def path(self, name: str) -> Path:
        return self.folder / name


@dataclass
class Collected:
    """What one collection did: whether the job is done, what came through, what it cost."""

    job: BatchJob
    status: BatchStatus
    done: bool = False
    """Every brief has its outcome (the job needs no more rounds)."""
    accepted: int = 0
    discarded: int = 0
    failures: list[BatchFailure] = field(default_factory=list)
    spend: Spend = field(default_factory=Spend)
    """What the job's replies read so far cost, every brief's: those done (all their rounds)
    and those still waiting for an answer (the rounds they had)."""
    next_batch: str | None = None
    """The follow-up batch started for the requests still to answer, if one was."""
    downloaded_again: list[str] = field(default_factory=list)
    """Reply files kept before, downloaded again because they were removed or changed since."""


def open_job(name: str, folder: Path = JOBS_FOLDER) -> BatchJob:
    """The job named by its id, any of its batches' ids, or its folder."""
    for place in (Path(name), folder / name):
        if _holds_a_job(place):
            return BatchJob.load(place)
    unreadable: list[ConfigError] = []
    for manifest in sorted(folder.glob("*/manifest.json")):
        try:
            job = BatchJob.load(manifest.parent)
        except ConfigError as e:  # another job's broken manifest must not hide this one
            unreadable.append(e)
            continue
        if any(name in r.batch_ids or name in r.refused_ids for r in job.rounds):
            return job
    shown = shown_briefly(name)
    if unreadable:
        raise ConfigError(
            _(
                "{name}: no batch job of that id among those dco could read in {folder}/, and "
                "{count} could not be read: {first}"
            ).format(name=shown, folder=folder, count=len(unreadable), first=unreadable[0])
        )
    raise ConfigError(
        _(
            "{name}: no batch job of that id in {folder}/; `dco generate --batch` prints the "
            "ids (give --batch-dir if the jobs are kept elsewhere)"
        ).format(name=shown, folder=folder)
    )


def _holds_a_job(folder: Path) -> bool:
    """Whether `folder` has a job's manifest: not where its name cannot be a folder's (too
    long, a NUL) or cannot be looked into."""
    try:
        return (folder / "manifest.json").is_file()
    except (OSError, ValueError):
        return False


def submit_batch(
    briefs: Iterable[Brief],
    *,
    provider: BatchProvider,
    folder: Path = JOBS_FOLDER,
    settings: Mapping[str, Any] | None = None,
    on_progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    limits: BatchLimits | None = None,
    **options: Any,
) -> BatchJob:
    """Write every brief's first request as a Batch API input file, upload it and start the
    batch; returns at once with the job (its `batch_id` is the provider's).

    `briefs` are read once, in order, and not kept: a campaign of any size streams through.
    A campaign larger than one batch may hold (`limits`, by default the Batch API's) goes out
    as several, the job known by the first. The requests are rendered by `workers` processes
    (by default, on Linux, one per core once there are 500 briefs; 1: in this one).
    `options` are `generate`'s (stage or signals, n, brand, …); give the same ones to
    `collect_batch`. A batch the provider does not start raises `BatchNotStarted`, the job
    kept: `batch_status` on it starts it.
    """
    if not isinstance(provider, BatchProvider):
        raise OptionError(
            _(
                "the {provider} provider has no Batch API; use --provider openai/<model>, or "
                "generate without --batch"
            ).format(provider=provider.name)
        )
    options = planning(options)
    clear_abandoned(folder)
    job_id = f"job_{time.strftime('%Y%m%d_%H%M%S')}_{uuid.uuid4().hex[:6]}"
    job = BatchJob(folder / job_id, job_id, f"{provider.name}/{provider.model}", provider.model,
                   0, settings=dict(settings or {}))  # fmt: skip
    job.folder.mkdir(parents=True, exist_ok=False)
    try:
        with WholeFile(job.path("briefs.jsonl")) as kept, \
                RoundWriter(job.folder, 1, limits or batch_limits()) as sent:  # fmt: skip
            lines = in_workers(_FirstRequest(provider, options), _kept(briefs, kept),
                               workers=workers,
                               stopped=_("nothing was sent, submit the briefs again"))  # fmt: skip
            with closing(lines):  # the workers stop here, whatever ends the loop
                for line in lines:
                    sent.write(line)
                    job.briefs += 1
                    if on_progress:
                        on_progress(job.briefs)
            if not job.briefs:
                raise OptionError(_("no briefs to send"))
    except BaseException:
        job.folder.rmdir()  # the files were not kept: a half-made job leaves nothing behind
        raise
    job.rounds.append(Round(1, job.briefs, parts=sent.parts, written_at=time.time()))
    job.save()
    try:
        _start(job, provider)
    except ProviderError as e:  # the requests are written: a new submit would write them again
        where = "" if folder == JOBS_FOLDER else f" --batch-dir {folder}"
        raise BatchNotStarted(
            _(
                "{why}; the requests are kept as job {job} in {folder}/: once that is mended, "
                "`dco batch status {job}{where}` starts it"
            ).format(why=e, job=job.job_id, folder=folder, where=where),
            job_id=job.job_id, cause=e,
        ) from e  # fmt: skip
    return job


def clear_abandoned(folder: Path, now: float | None = None) -> list[Path]:
    """Remove what submits killed mid-way (kill -9, a power cut) left in `folder`, and say
    which: a job folder with no manifest, holding only the half-written (`.part`) files of
    an input that was never sent, so nothing is lost with it. Anything else stays."""
    now = time.time() if now is None else now
    removed = []
    for job_folder in sorted(folder.glob("job_*")):
        try:
            if (job_folder / "manifest.json").exists() or not job_folder.is_dir():
                continue
            files = list(job_folder.iterdir())
            if any(f.is_dir() or not f.name.endswith(".part") for f in files):
                continue
            written = max([job_folder.stat().st_mtime, *(f.stat().st_mtime for f in files)])
        except OSError:  # removed meanwhile, or not ours to read
            continue
        if written < now - ABANDONED_AFTER:
            shutil.rmtree(job_folder, ignore_errors=True)
            removed.append(job_folder)
    return removed


def resume_start(job: BatchJob, provider: BatchProvider) -> None:
    """Start the current round's batches that an interrupted run did not (found by metadata
    first)."""
    if not job.current.started and not job.finished:
        _start(job, provider)


def batch_status(job: BatchJob, provider: BatchProvider) -> BatchStatus:
    """Where the job's current round stands: its batches' statuses taken together."""
    return combined(_statuses(job, provider))


def _statuses(job: BatchJob, provider: BatchProvider) -> list[BatchStatus]:
    resume_start(job, provider)
    return [provider.batch_status(batch_id) for batch_id in job.current.batch_ids]


def collect_batch(
    job: BatchJob,
    *,
    provider: BatchProvider,
    sink: VariantSink | None = None,
    direct: bool = False,
    on_result: OnResult | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_download: Callable[[Path], None] | None = None,
    workers: int | None = None,
    limits: BatchLimits | None = None,
    **options: Any,
) -> Collected:
    """Collect the job's current batch once the provider has finished it: download its replies,
    run every brief's checks on them, give accepted variants to `sink` (a `ReviewQueue`), and
    send what needs another request (repairs, requests the batch never answered) as the next
    round's batch (or batches, beyond `limits`), or straight to the provider with `direct`.

    `on_download` hears of each reply file before it is downloaded (a campaign's replies can
    take minutes to arrive), `on_progress` of each brief checked.

    The replies are checked by `workers` processes (by default, on Linux, one per core once
    there are 500 briefs; 1: in this one), and come out in brief order either way.

    Returns at once, with `done` False and nothing collected, while the batch is still running.
    """
    statuses = _statuses(job, provider)
    status = combined(statuses)
    if not status.finished:
        return Collected(job, status)
    refused = {n: part for n, part in enumerate(statuses, 1) if refused_whole(part)}
    if len(refused) == len(statuses):  # nothing of the round was answered
        if all(part.retry_later for part in refused.values()):
            # Refused for now: the round goes out again the next time the job is looked at.
            job.current.refused_ids += job.current.batch_ids
            job.current.batch_ids = []
            job.save()
        raise ProviderError(refusal(next(iter(refused.values()))))
    # A part refused while others were answered: refused only for now, its requests go out
    # again with the next round; refused for what it holds, its briefs fail with the reason.
    refused_briefs = {index: part for n, part in refused.items() if not part.retry_later
                      for index in briefs_in(job.folder, job.current.number, n)}  # fmt: skip
    cancelled = any(part.status == "cancelled" for part in statuses)
    again = _download(job, provider, statuses, on_download)
    collected = Collected(job, status, downloaded_again=again)
    rounds = len(job.rounds)
    carried = 0
    to_submit: list[Any] = []
    with RoundWriter(job.folder, rounds + 1, limits or batch_limits()) as pending, \
            _answers(job) as answers, _DirectLog(job) as log:  # fmt: skip
        replayer = Replayer(provider, planning(options), answers, rounds, job.path("briefs.jsonl"))
        outcomes = in_workers(replayer, _brief_lines(job), workers=workers,
                              stopped=_("nothing is lost, collect again"))  # fmt: skip
        with closing(outcomes):  # the workers stop here, whatever ends the loop
            for outcome in outcomes:
                index, result, failure = outcome.index, outcome.result, outcome.failure
                if (waiting := outcome.waiting) is not None:
                    if not direct or index in refused_briefs:
                        # Its replies so far were paid for: counted while it waits (once done,
                        # its result's spend counts every round's).
                        collected.spend += waiting.spend
                    if (refused_part := refused_briefs.get(index)) is not None:
                        failure = BatchFailure(index, waiting.brief, refusal(refused_part))
                    elif direct:
                        outcome = _finish_directly(index, waiting, replayer, log)
                        result, failure = outcome.result, outcome.failure
                    elif cancelled:
                        # Whoever cancelled it meant to stop paying: nothing more is sent
                        # unless asked for.
                        failure = BatchFailure(index, waiting.brief, _(
                            "its batch was cancelled before the brief was done, so nothing more "
                            "was sent for it; collect with --direct to ask for the rest now"
                        ))  # fmt: skip
                    else:
                        pending.write(_line(provider, waiting.request, index, rounds + 1))
                        carried += 1
                        continue
                if result is not None:
                    collected.accepted += len(result)
                    collected.discarded += len(result.discarded)
                    collected.spend += result.spend
                    to_submit.extend(result)
                    if sink is not None and len(to_submit) >= _SUBMIT_EVERY:
                        sink.submit(to_submit)
                        to_submit = []
                if failure is not None:
                    collected.failures.append(failure)
                    collected.spend += failure.spend  # a brief that failed part way
                if on_result:
                    on_result(index, result, failure)
                if on_progress:
                    on_progress(index + 1, job.briefs)
    if sink is not None and to_submit:
        sink.submit(to_submit)
    job.current.collected = True
    if carried:
        job.rounds.append(Round(rounds + 1, carried, parts=pending.parts, written_at=time.time()))
        job.save()
        _start(job, provider)
        collected.next_batch = job.current.batch_id
    else:
        job.finished = True
        job.save()
        collected.done = True
    return collected


_SUBMIT_EVERY = 1000
"""Variants handed to the sink at a time (the replies they come from are on disk already)."""


# -- the pieces ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FirstRequest:
    """A brief's first request as a line of round 1's input file (a task for `in_workers`).
    The brief comes as the JSON kept in the job, which is what collecting replays."""

    provider: BatchProvider
    options: Mapping[str, Any]

    def __call__(self, index: int, brief_json: str) -> str:
        brief = Brief.model_validate_json(brief_json)
        request = next(pipeline(make_plan(brief, provider=self.provider, **self.options)))
        return _line(self.provider, request, index, 1)


def _kept(briefs: Iterable[Brief], file: IO[str]) -> Iterator[str]:
    """Each brief as JSON, written to the job's briefs file as it is read."""
    for brief in briefs:
        line = brief.model_dump_json()
        file.write(line + "\n")
        yield line


def _line(provider: BatchProvider, request: ChatRequest, index: int, number: int) -> str:
    """The request as a line of the input file."""
    line = provider.batch_line(request, custom_id(index, f"r{number}", request_digest(request)))
    return json.dumps(line, ensure_ascii=False) + "\n"


def _start(job: BatchJob, provider: BatchProvider) -> None:
    """Start the current round's batches not started yet, in order, each unless one started
    with its metadata already exists; each id is kept as soon as it is known."""
    current = job.current
    since = _since(current)
    while not current.started:
        part = len(current.batch_ids) + 1
        metadata = {"dco_job": job.job_id, "dco_round": str(current.number)}
        if part > 1:  # the first part's metadata is what a round of one batch has
            metadata["dco_part"] = str(part)
        batch_id = provider.find_batch(metadata, since)
        if batch_id is None:
            batch_id = provider.start_batch(_uploaded(job, part, provider), metadata)
        current.batch_ids.append(batch_id)
        job.save()


def _since(current: Round) -> float | None:
    """When the round's batches and uploads may have begun, by the provider's clock at the
    earliest: what `find_batch` and `find_file` look back to."""
    return None if current.written_at is None else current.written_at - CLOCKS_DIFFER_BY


def _uploaded(job: BatchJob, part: int, provider: BatchProvider) -> str:
    """The provider's id of the current round's input file for `part`: the one uploaded
    before, if the provider still has it (an interrupted start), else uploaded now."""
    current = job.current
    kept = current.uploaded[part - 1] if len(current.uploaded) >= part else None
    if kept and provider.has_file(kept):
        return kept
    path = job.path(part_name(current.number, part, "input"))
    name = f"dco-{job.job_id}-{path.name}"  # the job's, so no other upload is taken for it
    # Begun, its id never known: the file may have reached the provider all the same, its
    # answer lost with the process. (A kept id the provider no longer has was deleted or has
    # expired, and is not listed either.)
    found = provider.find_file(name, path.stat().st_size, _since(current)) if kept == "" else None
    if found is None:
        _note_upload(current, part, "")  # begun: what a resumed start looks for
        job.save()
        found = provider.upload_batch_input(path, name)
    _note_upload(current, part, found)
    job.save()
    return found


def _note_upload(current: Round, part: int, file_id: str) -> None:
    """Keep `file_id` as the upload of `part` ("": one begun, its id not known yet). A part
    each, in order: parts started by a dco that kept no ids hold their places empty too."""
    current.uploaded[part - 1 :] = [""] * (part - 1 - len(current.uploaded)) + [file_id]


def _download(
    job: BatchJob,
    provider: BatchProvider,
    statuses: list[BatchStatus],
    on_download: Callable[[Path], None] | None,
) -> list[str]:
    """Keep the round's replies and errors on disk before reading any (once), and download
    again any an earlier round kept that has been removed or changed since. Returns the names
    of the files downloaded again."""
    again: list[str] = []
    for earlier in job.rounds[:-1]:
        if not all(_sound(job, earlier, name) for name in earlier.downloaded):
            statuses_then = [provider.batch_status(batch_id) for batch_id in earlier.batch_ids]
            again += _keep_replies(job, provider, earlier, statuses_then, on_download)
    again += _keep_replies(job, provider, job.current, statuses, on_download)
    job.save()  # what was paid for is noted before anything else can fail
    return again


def _sound(job: BatchJob, round_: Round, name: str) -> bool:
    """Whether the round's reply file `name` is on disk as it was downloaded."""
    kept = round_.kept.get(name)
    path = job.path(name)
    return intact(path, kept) if kept else path.exists()


def _keep_replies(
    job: BatchJob,
    provider: BatchProvider,
    round_: Round,
    statuses: list[BatchStatus],
    on_download: Callable[[Path], None] | None,
) -> list[str]:
    """Download the round's reply files not on disk as they were downloaded, noting what each
    holds. Returns the names of those downloaded again (removed or changed since)."""
    again = []
    for part, status in enumerate(statuses, 1):
        for kind, file_id in (("output", status.output_file), ("errors", status.error_file)):
            if not file_id:
                continue
            name = part_name(round_.number, part, kind)
            path = job.path(name)
            if not _sound(job, round_, name):
                if name in round_.downloaded:
                    again.append(name)
                if on_download:
                    on_download(path)
                _fetch(provider, file_id, path, round_, name)
                round_.kept[name] = fingerprint(path)
            elif name not in round_.kept:  # kept by a dco that did not note what it held
                round_.kept[name] = fingerprint(path)
            if name not in round_.downloaded:
                round_.downloaded.append(name)
    return again


def _fetch(provider: BatchProvider, file_id: str, path: Path, round_: Round, name: str) -> None:
    """Download the round's reply file `name`; if that fails, a copy kept before and changed
    since (which stays as it is until a download is whole) is named as the cause."""
    try:
        provider.download(file_id, path, most_lines=round_.requests)
    except ProviderError as e:
        kept = round_.kept.get(name)
        if kept is None or not path.exists():
            raise
        raise ProviderError(
            _(
                "{path} was changed since it was downloaded ({now} bytes where it had {then}), "
                "and downloading it again failed: {why}. Collect again once the provider "
                "answers, or put back the file as it was downloaded"
            ).format(path=path, now=f"{path.stat().st_size:,}", then=f"{kept.bytes:,}", why=e)
        ) from None


def _answers(job: BatchJob) -> Answers:
    """The job's replies so far: each batch round's output and errors, then the direct log."""
    names = [part_name(r.number, part, kind) for r in job.rounds
             for part in range(1, r.parts + 1) for kind in ("output", "errors")]  # fmt: skip
    return Answers(job.briefs, [job.path(name) for name in [*names, "direct.jsonl"]])


def _brief_lines(job: BatchJob) -> Iterator[str]:
    """The job's briefs file, a brief a line, once it is known to hold as many as were sent:
    a brief missing from it would be lost without a word, its replies never read."""
    path = job.path("briefs.jsonl")
    try:
        with path.open("rb") as file:
            count = sum(piece.count(b"\n") for piece in iter(lambda: file.read(2**20), b""))
    except OSError as e:
        raise ConfigError(
            _("{path}: the job's briefs cannot be read ({why}); put the file back").format(
                path=path, why=e.strerror or e
            )
        ) from None
    if count != job.briefs:
        raise ConfigError(
            _(
                "{path} holds {count} briefs where the job sent {sent}; the job's files were "
                "changed since it was sent: put the file back, or send the briefs again with "
                "`dco generate --batch`"
            ).format(path=path, count=f"{count:,}", sent=f"{job.briefs:,}")
        )
    return _lines_of(path)


def _lines_of(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as lines:
        yield from lines


class _DirectLog:
    """Replies got directly (not by batch), written down before they are used, so a collection
    resumed after a crash reads them instead of paying for them again."""

    def __init__(self, job: BatchJob) -> None:
        self.path = job.path("direct.jsonl")

    def __enter__(self) -> _DirectLog:
        self.file = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def write(self, custom_id: str, result: ChatResult) -> None:
        body = {
            "model": result.model,
            "usage": {"prompt_tokens": result.usage.prompt_tokens,
                      "completion_tokens": result.usage.completion_tokens},
            "choices": [{"index": 0, "finish_reason": result.finish_reason,
                         "message": {"role": "assistant", "content": result.text}}],
        }  # fmt: skip
        line = {"custom_id": custom_id, "response": {"status_code": 200, "body": body}}
        self.file.write(json.dumps(line, ensure_ascii=False) + "\n")
        onto_disk(self.file)


def _finish_directly(index: int, waiting: Waiting, replayer: Replayer, log: _DirectLog) -> Replayed:
    """Answer the brief's remaining requests one by one through the provider."""

    # What the generation counts its replies into: replayed anew, it counts them all again.
    spend = waiting.spend if waiting.steps is not None else Spend()

    def answer() -> GenerationResult | Waiting:
        paused = waiting
        if paused.steps is None:  # replayed in another process: pick the generation up here
            again = replayer.replay(index, paused.brief, spend)
            if not isinstance(again, Waiting):
                return again
            paused = again
        assert paused.steps is not None
        request = paused.request
        while True:
            paused.direct += 1
            result = complete_with_retries(replayer.provider.complete, request, DEFAULT_POLICY)
            log.write(custom_id(index, f"d{paused.direct}", request_digest(request)), result)
            try:
                request = paused.steps.send(result)
            except StopIteration as done:
                return done.value

    return guarded(index, waiting.brief, answer, spend)
