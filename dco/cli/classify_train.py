"""`dco classify --train`: a learned layer fitted on a team's labelled rows, cross-validated
first, written as a model file, and scored on held-out rows when given."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rich.markup import escape

from dco.cli.classify_report import print_evaluation
from dco.cli.output import console, error_console, print_json
from dco.errors import ConfigError
from dco.funnel import Classifier, LearnedLayer
from dco.funnel.evaluation import Evaluation, LabelledRow, evaluate, read_labelled
from dco.i18n import _
from dco.models import STAGES


def run_training(
    classifier: Classifier,
    path: Path,
    out: Path,
    folds: int,
    held_out: Path | None,
    as_json: bool,
) -> None:
    """Fit a learned layer on `path`'s rows (cross-validated first), write it to `out`, and
    score it on `held_out` rows when given."""
    from dco.funnel.training import fit, observe_all  # numpy: only to train

    rows = read_labelled(path)
    testing = read_labelled(held_out) if held_out is not None else None  # bad input fails early
    _say_what_trains(path, rows)
    figures = _cross_validated(classifier, path, rows, folds) if folds else None
    started = time.perf_counter()
    model = fit(observe_all(classifier, rows), [row.stage for row in rows])
    seconds = time.perf_counter() - started
    about: dict[str, Any] = {
        "trained_on": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        **model.about,
    }
    if figures is not None:
        about["cross_validated"] = {
            "folds": folds,
            "macro_f1": round(figures.macro_f1, 4),
            "accuracy": round(figures.accuracy, 4),
            "recall": {s.value: round(c.recall, 4) for s, c in figures.per_class.items()},
        }
    model = LearnedLayer(model.bias, model.evidence, model.features, about)
    try:
        model.save(out)
    except OSError as e:
        raise ConfigError(
            _("{file}: cannot write the model ({why})").format(file=out, why=e.strerror)
        ) from e
    tested = None
    if testing is not None:
        judge = Classifier(classifier.lexicon, model=model)
        tested = evaluate(testing, [judge.classify(row.signals).stage for row in testing])
    if as_json:
        print_json({"model": str(out), **about,
                    "evaluation": figures.to_dict() if figures else None,
                    "held_out": tested.to_dict() if tested else None})  # fmt: skip
        return
    if figures is not None:
        where = _("{path} ({folds}-fold cross-validation)").format(path=path, folds=folds)
        print_evaluation(figures, where, 0)
    if tested is not None and held_out is not None:
        where = _("{path} (held out, with the new model)").format(path=held_out)
        print_evaluation(tested, where, 10)
    wrote = _(
        "wrote {path}: {features} features from {rows} rows in {seconds} s; use it with "
        "--model {path}, or put it in the brand folder as funnel_model.json"
    ).format(path=out, features=len(model.features), rows=len(rows), seconds=f"{seconds:.1f}")
    console().print(escape(wrote))


def _say_what_trains(path: Path, rows: list[LabelledRow]) -> None:
    say = error_console()
    per_stage = Counter(row.stage for row in rows)
    counts = ", ".join(f"{s.label} {per_stage[s]}" for s in STAGES)
    labelled = _("{path}: {rows} labelled rows ({counts})").format(
        path=path, rows=len(rows), counts=counts
    )
    say.print(labelled, highlight=False, markup=False)
    missing = ", ".join(s.label for s in STAGES if not per_stage[s])
    if missing:
        note = _(
            "no labelled rows of {stages}: the model will never answer {stages}; add some"
        ).format(stages=missing)
        say.print(f"[yellow]{_('note:')}[/] {escape(note)}", highlight=False)


def _cross_validated(
    classifier: Classifier, path: Path, rows: list[LabelledRow], folds: int
) -> Evaluation:
    from dco.funnel.training import cross_validate

    if len(rows) < folds:
        raise ConfigError(
            _("{file}: {rows} rows cannot make {folds} folds; give --folds 0 or more rows").format(
                file=path, rows=len(rows), folds=folds
            )
        )
    say = error_console()
    started = time.perf_counter()
    figures = cross_validate(
        classifier, rows, folds=folds,
        progress=lambda step: say.print(
            _("cross-validating: {step}").format(step=step), highlight=False
        ),
    )  # fmt: skip
    seconds = f"{time.perf_counter() - started:.1f}"
    say.print(_("cross-validated in {seconds} s").format(seconds=seconds), highlight=False)
    return figures
