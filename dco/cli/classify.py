"""`dco classify`: where a customer stands in the funnel, and how well the classifier scores."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from dco import userfiles
from dco.cli.classify_report import print_evaluation
from dco.cli.classify_train import run_training
from dco.cli.output import (
    console,
    error_console,
    events_option,
    print_json,
    stage_label,
)
from dco.cli.variants import provider_note
from dco.errors import ConfigError
from dco.funnel import Classifier, load_classifier
from dco.funnel.evaluation import (
    evaluate,
    labelled_signals,
    read_labelled,
    signals_and_extra,
)
from dco.i18n import _, counted
from dco.models import STAGES, Signals, StageResult
from dco.models.events import vocabulary
from dco.opinion import Asking, second_opinion
from dco.protocols import StageClassifier

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command()
@click.argument("text", required=False)
@events_option
@click.option("--locale", help="The customer's locale, e.g. ko-KR or en-US.")
@click.option(
    "--brand",
    "brand_dir",
    metavar="DIR",
    help="A brand folder whose funnel.yaml and funnel_model.json (when there) replace the "
    "built-in lexicon and model.",
)
@click.option(
    "--lexicon", type=_FILE, help="A brand's lexicon override (same shape as funnel.yaml)."
)
@click.option(
    "--model",
    "model_file",
    type=_FILE,
    help="A learned layer trained with --train (default: the brand's, else the built-in one).",
)
@click.option(
    "--lexicon-only", is_flag=True, help="Leave the learned layer out: the lexicon decides alone."
)
@click.option(
    "--train",
    "train_file",
    type=_FILE,
    help="Train a learned layer on labelled rows (JSONL or CSV, like --eval's) and write it "
    "to --out.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --train: where to write the model file (JSON).",
)
@click.option(
    "--folds",
    default=5,
    show_default=True,
    type=click.IntRange(min=0),
    help="With --train: cross-validate over this many folds first (0 to skip).",
)
@click.option(
    "--eval",
    "eval_file",
    type=_FILE,
    help='Score the classifier on labelled JSONL rows {"text", "events"?, "stage"} (with --train: '
    "score the new model on them, held out from training).",
)
@click.option(
    "--show-errors",
    default=10,
    show_default=True,
    metavar="N",
    help="With --eval: how many misclassified rows to list.",
)
@click.option(
    "--provider",
    metavar="SPEC",
    help="Ask a language model (fake, openai or openai/<model>) for a second opinion when the "
    "offline classifier is unsure.",
)
@click.option(
    "--ask-below",
    default=0.6,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="With --provider: ask when the offline confidence is below this.",
)
@click.option("--always-ask", is_flag=True, help="With --provider: ask about every customer.")
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --provider: reuse the model's replies to identical questions from this SQLite file.",
)
@click.option("--list-events", is_flag=True, help="List the known events and what they mean.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def classify(
    text: str | None,
    events: tuple[str, ...],
    locale: str | None,
    brand_dir: str | None,
    lexicon: Path | None,
    model_file: Path | None,
    lexicon_only: bool,
    train_file: Path | None,
    out: Path | None,
    folds: int,
    eval_file: Path | None,
    show_errors: int,
    provider: str | None,
    ask_below: float,
    always_ask: bool,
    cache: Path | None,
    list_events: bool,
    as_json: bool,
) -> None:
    """Say where a customer stands in the funnel: awareness, consideration or decision.

    TEXT is their search or intent text, in Korean or English. Give "-" to classify one customer
    per line of standard input (plain text, or a JSON object with text/events/locale/context).

    \b
    Examples:
      dco classify "하프 마라톤 목표 설정 방법" --event page_view:blog
      dco classify "best half marathon training plan" --json
      dco classify --event add_to_cart --event return_visit*3
      dco classify --eval tests/data/funnel_dev.jsonl
      dco classify --train labelled.jsonl --out brand/funnel_model.json
      dco classify "word to pdf online" --provider openai/gpt-4o-mini

    The lexicon's cues (funnel.yaml) give evidence and reasons; a learned layer trained on
    labelled rows weighs that evidence with the text's words. `--train` fits one on a team's own
    labels and prints cross-validated figures; put the file in the brand folder as
    funnel_model.json and --brand uses it. With --provider, a language model gives a second
    opinion on the customers the offline classifier is unsure of; the output says which decided.

    `dco classify --list-events` prints the event vocabulary.
    """
    if list_events:
        _print_events(as_json)
        return
    if train_file is not None:
        if text or events:
            raise click.UsageError(_("--train fits a model; give no TEXT or --event with it"))
        if out is None:
            raise click.UsageError(_("--train needs --out FILE: where to write the model"))
        if folds == 1:
            raise click.UsageError(
                _(
                    "--folds takes 0 (no cross-validation) or 2 and more: one fold has "
                    "nothing to test on"
                )
            )
        run_training(load_classifier(brand_dir, lexicon=lexicon, learned=False), train_file,
                      out, folds, eval_file, as_json)  # fmt: skip
        return
    if model_file is not None and lexicon_only:
        raise click.UsageError(_("--model and --lexicon-only contradict each other; give one"))
    if (always_ask or cache) and not provider:
        raise click.UsageError(_("--always-ask and --cache go with --provider SPEC"))
    offline = load_classifier(
        brand_dir, lexicon=lexicon, model=model_file, learned=not lexicon_only
    )
    classifier = _with_second_opinion(offline, provider, ask_below, always_ask, cache)
    if eval_file is not None:
        if text or events:
            raise click.UsageError(_("--eval scores a file; give no TEXT or --event with it"))
        _run_eval(classifier, eval_file, show_errors, as_json)
        return
    if text == "-":
        _run_stream(classifier, as_json)
        return
    if not text and not events:
        raise click.UsageError(_("give a TEXT, one or more --event, '-' for stdin, or --eval FILE"))
    signals = Signals(text=text or "", events=events, locale=locale)
    result = classifier.classify(signals)
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        _print_result(signals, result)


def _with_second_opinion(
    offline: Classifier, spec: str | None, below: float, always: bool, cache: Path | None
) -> StageClassifier:
    if spec is None:
        return offline
    from dco.providers import get_provider
    from dco.providers.cache import CachedProvider

    provider = get_provider(spec)
    provider_note(provider, task="stage opinions")
    if cache is not None:
        provider = CachedProvider(provider, cache)
    return Asking(offline, second_opinion(provider, ask_below=below, always_ask=always))


def _print_events(as_json: bool) -> None:
    known = vocabulary()
    if as_json:
        print_json(known)
        return
    table = Table(
        title=_("Events (write {forms}: {examples})").format(
            forms="NAME, NAME*COUNT, NAME@AGE", examples="add_to_cart, return_visit*3@2d"
        )
    )
    table.add_column(_("event"), style="bold")
    table.add_column(_("meaning"))
    for name, meaning in known.items():
        table.add_row(name, escape(_(meaning)))
    console().print(table)


def _print_result(signals: Signals, result: StageResult) -> None:
    out = console()
    deciders = {"lexicon": _("the lexicon"), "learned": _("the learned layer"),
                "default": _("the default stage"), "provider": _("the language model")}  # fmt: skip
    confidence = _("confidence {value}").format(value=f"{result.confidence:.2f}")
    decided = _("decided by {who}").format(who=deciders.get(result.decided_by, result.decided_by))
    out.print(f"{stage_label(result.stage)}  {confidence}  [dim]({decided})[/]")
    scores = "  ".join(f"{stage.label} {result.scores[stage]:.2f}" for stage in STAGES)
    out.print(f"[dim]{scores}[/]")
    for reason in result.reasons:
        out.print(f"  • {escape(reason)}")


def _run_stream(classifier: StageClassifier, as_json: bool) -> None:
    """One customer per line of stdin: text, or a JSON object of signals. Fields that are not
    signals (an `id`, a campaign) are passed through to the JSON output; a line that cannot be
    read is reported by its number and the rest are classified (exit 1 if any was bad)."""
    table = None if as_json else _stream_table()
    bad = 0
    for number, line in enumerate(sys.stdin, start=1):
        line = line.strip()
        if not line:
            continue
        try:
            signals, extra = _signals_from_line(line, number)
        except ConfigError as e:
            error_console().print(f"[red]{escape(str(e))}[/]", highlight=False, soft_wrap=True)
            bad += 1
            continue
        result = classifier.classify(signals)
        if table is None:
            record = {"text": signals.text, "events": [str(e) for e in signals.events]}
            print(json.dumps(extra | record | result.model_dump(mode="json"), ensure_ascii=False))
        else:
            table.add_row(
                escape(signals.text),
                stage_label(result.stage),
                f"{result.confidence:.2f}",
                escape(result.reasons[0]) if result.reasons else "",
            )
    if table is not None:
        console().print(table)
    if bad:
        error_console().print(
            _("{lines} could not be read; fix and classify them again").format(
                lines=counted(bad, "line")
            ),
            highlight=False,
        )
        raise SystemExit(1)


def _stream_table() -> Table:
    table = Table()
    table.add_column(_("text"))
    table.add_column(_("stage"))
    table.add_column(_("conf."), justify="right")
    table.add_column(_("first reason"))
    return table


def _signals_from_line(line: str, number: int) -> tuple[Signals, dict[str, Any]]:
    """The line's signals, and its other fields (kept for the output)."""
    if not line.startswith("{"):
        return Signals(text=line), {}
    try:
        data = userfiles.loads(line)
    except userfiles.KeyGivenTwice as e:
        where = f"<stdin>:{number}"
        raise userfiles.key_twice(where, e) from None
    except json.JSONDecodeError as e:
        raise ConfigError(
            _("<stdin>:{line}: not JSON ({why} at column {column})").format(
                line=number, why=e.msg, column=e.colno
            )
        ) from e
    if not isinstance(data, dict):
        raise ConfigError(
            _("<stdin>:{line}: a JSON object of signals, like {example}").format(
                line=number, example='{"text": …}'
            )
        )
    return signals_and_extra(data, f"<stdin>:{number}")


def _run_eval(classifier: StageClassifier, path: Path, show_errors: int, as_json: bool) -> None:
    rows = read_labelled(path)
    results = [classifier.classify(signals) for signals in labelled_signals(rows)]
    result = evaluate(rows, [r.stage for r in results])
    if isinstance(classifier, Asking):
        # Asked where the offline answer was unsure; a reply that could not be used left that
        # answer in place, so the results alone undercount the questions.
        offline = classifier.offline.classify_many(labelled_signals(rows))
        asked = sum(classifier.opinion.wanted(answer) for answer in offline)
        unusable = asked - sum(r.decided_by == "provider" for r in results)
        said = _("the language model was asked about {asked} of {rows}").format(
            asked=asked, rows=counted(len(rows), "row")
        )
        if unusable:
            said += "; " + _(
                "{count} of its replies could not be used, and those rows kept the offline "
                "answer (their reasons say why)"
            ).format(count=unusable)
        error_console().print(said, highlight=False)
    if as_json:
        print_json(result.to_dict())
        return
    print_evaluation(result, path, show_errors)
