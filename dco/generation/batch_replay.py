"""Replaying a batch job's briefs on the replies kept for them: what collecting a batch does.

Each brief's generation runs again from its first request, answered from the kept replies,
through the same checks as direct generation (the pipeline is deterministic). A `Replayer`
replays one brief; `dco.generation.workers` runs it over a job's briefs in worker processes.

Only a generation still waiting for an answer cannot cross processes (it is a paused
generator); its outcome carries the request it waits on, and the brief is replayed again where
its answer will be asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dco.errors import ConfigError, OptionError, ProviderError
from dco.generation.batch import BatchFailure, came_to_nothing, raised
from dco.generation.batch_answers import Answers, request_digest
from dco.generation.pipeline import GenerationResult, Spend, pipeline
from dco.generation.plan import make_plan
from dco.i18n import _
from dco.models import Brief
from dco.providers.base import BatchProvider, ChatRequest, ChatResult


@dataclass
class Waiting:
    """A brief's generation waiting for the answer to `request`; `direct` of its requests were
    answered directly so far. `steps` is the paused generation, or None when the brief was
    replayed in another process (replay it again to go on)."""

    brief: Brief
    request: ChatRequest
    steps: Generator[ChatRequest, ChatResult, GenerationResult] | None
    direct: int = 0
    spend: Spend = field(default_factory=Spend)
    """What the replies it was given so far cost: paid for, though the brief is not done."""

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "steps": None}  # a paused generator cannot cross processes


@dataclass
class Replayed:
    """What replaying one brief came to: its result, its failure, or the request it waits on."""

    index: int
    result: GenerationResult | None = None
    failure: BatchFailure | None = None
    waiting: Waiting | None = None


@dataclass(frozen=True)
class Replayer:
    """Replays a job's briefs on its kept replies, with the options it is collected with."""

    provider: BatchProvider
    options: Mapping[str, Any]
    answers: Answers
    rounds: int
    """Batch rounds whose replies are in `answers`."""
    briefs_file: Path
    """Where the briefs replayed are kept (named when one cannot be read)."""

    def __call__(self, index: int, line: str) -> Replayed:
        """The brief on this line of the job's briefs file, replayed."""
        try:
            brief = Brief.model_validate_json(line)
        except ValidationError as e:
            raise ConfigError(
                _(
                    "{path} line {line}: not a brief dco wrote ({why}); the job's files were "
                    "changed since it was sent: send the briefs again with `dco generate --batch`"
                ).format(
                    path=self.briefs_file,
                    line=index + 1,
                    why=e.errors()[0]["msg"] if e.errors() else e,
                )
            ) from None
        spend = Spend()
        return guarded(index, brief, lambda: self.replay(index, brief, spend), spend)

    def replay(
        self, index: int, brief: Brief, spend: Spend | None = None
    ) -> GenerationResult | Waiting:
        """Run the brief's generation again from its first request, answering each request
        from the replies kept so far: each batch round's, then those got directly. Returns
        its result, or the request still to be answered. Each reply is counted into `spend`
        as it is given (the result's, and the waiting generation's)."""
        spend = spend if spend is not None else Spend()
        steps = pipeline(make_plan(brief, provider=self.provider, **self.options), spend)
        waiting = Waiting(brief, next(steps), steps, spend=spend)
        number = 1
        while True:
            in_batch = number <= self.rounds
            step = f"r{number}" if in_batch else f"d{waiting.direct + 1}"
            digest = request_digest(waiting.request)
            answer = self.answers.get(index, step, digest)
            if answer is None and self.answers.sent_otherwise(index, step, digest):
                raise OptionError(
                    _(
                        "its replies answer other requests than these options make: collect "
                        "with the options the batch was submitted with, and with the brand, "
                        "prompt templates and tuning profile as they were then"
                    )
                )
            if in_batch:
                number += 1
            elif answer is None or answer.body is None:
                return waiting  # no direct reply kept for it (yet)
            else:
                waiting.direct += 1
            if answer is None or answer.body is None:
                if answer is None or answer.retry:
                    continue  # unanswered: the same request went into the next round
                said = (
                    _("the batch refused the request ({why})")
                    if answer.refused
                    else _("the batch's reply to the request could not be used: {why}")
                )
                raise ProviderError(said.format(why=answer.error))
            reply = self.provider.batch_reply(answer.body, waiting.request)
            try:
                waiting.request = steps.send(reply)
            except StopIteration as done:
                return done.value


def guarded(
    index: int, brief: Brief, work: Callable[[], GenerationResult | Waiting], spend: Spend
) -> Replayed:
    """What `work` on the brief came to. A surprise in one brief is its failure, with `spend`
    (what the work's replies had cost until then), while options that do not fit the job
    (`OptionError`) are an error for the whole."""
    try:
        outcome = work()
    except OptionError:
        raise
    except Exception as e:  # one brief's surprise must not lose the batch
        return Replayed(index, failure=raised(index, brief, e, spend))
    if isinstance(outcome, Waiting):
        return Replayed(index, waiting=outcome)
    return Replayed(index, result=outcome, failure=came_to_nothing(index, brief, outcome))
