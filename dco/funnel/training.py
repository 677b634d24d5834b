"""Training the learned layer on a team's labelled rows, and cross-validating it.

Multinomial logistic regression, fitted by full-batch Adam on the mean cross-entropy, over
sparse binary text features and the lexicon's evidence. numpy only: the rows of a funnel set
are short, so a sparse product is a gather and a segment sum, and 100,000 rows train in seconds
without a machine-learning library.

- Text features are pulled towards zero (L2); the lexicon's evidence is held near its own
  weighting (one for one, per stage), so the layer corrects the lexicon where the labels say so
  instead of relearning it.
- Each stage weighs the same in the loss, however many rows it has.
- Labels are smoothed, so template-built rows (which are separable) do not push every answer
  to 1.00.
- The bias stays at zero: a learned prior would answer "awareness" for a text it knows nothing
  of (most cue-less rows of a training set are questions), overriding the brand's
  `default_stage`. With no bias, knowing nothing scores every stage alike and the classifier
  falls back to the default the brand chose.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from dco.funnel.classifier import Classifier, Observation
from dco.funnel.evaluation import Evaluation, LabelledRow, evaluate
from dco.funnel.learned import EVIDENCE, LearnedLayer, Weights
from dco.i18n import _
from dco.models import STAGES, FunnelStage


@dataclass(frozen=True)
class TrainingSettings:
    """How hard to fit: a feature must be seen `min_count` times; `l2` pulls weights to zero."""

    min_count: int = 2
    l2: float = 1e-3
    epochs: int = 300
    learning_rate: float = 0.05
    evidence_l2: float = 1.0
    """How firmly the lexicon's evidence keeps its own weight (one per stage, see `_adam`)."""
    smoothing: float = 0.1
    """Label smoothing: the truth a row teaches is (1 - smoothing) its stage, the rest spread over
    the others. Template-built rows are separable, and without it the weights grow until every
    answer is 1.00; with it a confidence stays a confidence."""
    prune_below: float = 0.01
    """Weights this close to zero on every stage are left out of the file."""


Progress = Callable[[str], None]


def observe_all(classifier: Classifier, rows: Sequence[LabelledRow]) -> list[Observation]:
    """The lexicon's evidence and the text features of every row, as the classifier sees them."""
    return [classifier.observe(row.signals, with_features=True) for row in rows]


def fit(
    observations: Sequence[Observation],
    stages: Sequence[FunnelStage],
    settings: TrainingSettings | None = None,
) -> LearnedLayer:
    """A learned layer fitted to the observations and their true stages."""
    settings = settings or TrainingSettings()
    if len(observations) != len(stages):
        raise ValueError(f"{len(observations)} observations but {len(stages)} stages")
    counts = Counter(name for o in observations for name in o.features)
    vocabulary = sorted(name for name, n in counts.items() if n >= settings.min_count)
    index = {name: i for i, name in enumerate(vocabulary)}

    rows = len(observations)
    columns: list[int] = []
    lengths = np.zeros(rows, dtype=np.int64)
    for r, observation in enumerate(observations):
        known = [index[name] for name in observation.features if name in index]
        columns.extend(known)
        lengths[r] = len(known)
    column = np.asarray(columns, dtype=np.int64)
    row_of = np.repeat(np.arange(rows), lengths)
    dense = np.array([o.evidence() for o in observations], dtype=np.float64).reshape(
        rows, len(EVIDENCE)
    )
    true_stage = np.array([STAGES.index(s) for s in stages], dtype=np.int64)
    one_hot = np.zeros((rows, len(STAGES)))
    one_hot[np.arange(rows), true_stage] = 1.0
    smoothed = one_hot * (1 - settings.smoothing) + (1 - one_hot) * (
        settings.smoothing / (len(STAGES) - 1)
    )
    # Each stage weighs the same in the loss however many rows it has, so a set with more
    # decision rows does not teach that an unknown query is probably a decision. A row's weight
    # scales its whole (smoothed) truth; `_adam` reads the weight back as the row's sum.
    per_stage = one_hot.sum(axis=0)
    balance = np.divide(
        rows / len(STAGES), per_stage, out=np.zeros(len(STAGES)), where=per_stage > 0
    )
    truth = smoothed * balance[true_stage][:, None]

    weights, evidence = _adam(column, row_of, dense, truth, len(vocabulary), settings)

    features = {
        name: _triple(weights[i])
        for i, name in enumerate(vocabulary)
        if np.abs(weights[i]).max() >= settings.prune_below
    }
    return LearnedLayer(
        bias=(0.0, 0.0, 0.0),  # see the module docstring
        evidence={name: _triple(evidence[i]) for i, name in enumerate(EVIDENCE)},
        features=features,
        about={
            "rows": rows,
            "per_stage": {s.value: n for s, n in Counter(s for s in stages).items()},
            "features_seen": len(counts),
            "features_kept": len(features),
            "min_count": settings.min_count,
            "l2": settings.l2,
            "epochs": settings.epochs,
        },
    )


def _adam(
    column: np.ndarray,
    row_of: np.ndarray,
    dense: np.ndarray,
    truth: np.ndarray,
    vocabulary: int,
    settings: TrainingSettings,
) -> tuple[np.ndarray, np.ndarray]:
    rows, classes = truth.shape
    # The lexicon's own reading: each stage's evidence counts for that stage, one for one. The
    # layer starts there and is held near it, so it corrects the lexicon where the labels say
    # so instead of relearning from scratch what the lexicon already knows.
    lexicon_prior = np.tile(np.eye(classes), (dense.shape[1] // classes, 1))
    params = [
        np.zeros((vocabulary, classes)),  # text features
        lexicon_prior.copy(),  # the lexicon's evidence
    ]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    for step in range(1, settings.epochs + 1):
        weights, evidence = params
        logits = dense @ evidence
        if column.size:
            for c in range(classes):
                logits[:, c] += np.bincount(row_of, weights=weights[column, c], minlength=rows)
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        error = (probabilities * truth.sum(axis=1, keepdims=True) - truth) / rows
        gradient_weights = np.empty_like(weights)
        for c in range(classes):
            gradient_weights[:, c] = np.bincount(
                column, weights=error[row_of, c], minlength=vocabulary
            )
        gradients = [
            gradient_weights + settings.l2 * weights,
            dense.T @ error + settings.evidence_l2 * (evidence - lexicon_prior),
        ]
        for param, gradient, moment, square in zip(
            params, gradients, moments, squares, strict=True
        ):
            moment *= beta1
            moment += (1 - beta1) * gradient
            square *= beta2
            square += (1 - beta2) * gradient * gradient
            corrected = moment / (1 - beta1**step)
            param -= (
                settings.learning_rate * corrected / (np.sqrt(square / (1 - beta2**step)) + epsilon)
            )
    return params[0], params[1]


def _triple(values: np.ndarray) -> Weights:
    a, c, d = (round(float(x), 4) for x in values)
    return (a, c, d)


def cross_validate(
    classifier: Classifier,
    rows: Sequence[LabelledRow],
    *,
    folds: int = 5,
    settings: TrainingSettings | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> Evaluation:
    """Figures for a model trained this way, each row predicted by a model that did not see it."""
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    if len(rows) < folds:
        raise ValueError(f"{len(rows)} rows cannot make {folds} folds")
    observations = observe_all(classifier, rows)
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    predicted: list[FunnelStage | None] = [None] * len(rows)
    for fold in range(folds):
        if progress:
            progress(_("fold {fold} of {folds}").format(fold=fold + 1, folds=folds))
        held_out = set(order[fold::folds])
        train = [i for i in order if i not in held_out]
        model = fit([observations[i] for i in train], [rows[i].stage for i in train], settings)
        judge = Classifier(classifier.lexicon, model=model)
        for i in held_out:
            predicted[i] = judge.decide(observations[i]).stage
    return evaluate(rows, [p for p in predicted if p is not None])
