"""Scoring a classifier against labelled rows: accuracy, macro-F1, per-class figures, confusion."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pydantic

from dco.errors import ConfigError
from dco.models import STAGES, FunnelStage, Signals


@dataclass(frozen=True)
class LabelledRow:
    """One labelled example: the signals, the true stage, and where it came from."""

    signals: Signals
    stage: FunnelStage
    line: int


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall and F1 for one stage, with its support (number of true rows)."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """How predictions compare with the truth."""

    total: int
    accuracy: float
    macro_f1: float
    per_class: dict[FunnelStage, ClassScores]
    confusion: dict[FunnelStage, dict[FunnelStage, int]]
    """confusion[true][predicted] = count."""
    errors: list[tuple[LabelledRow, FunnelStage]] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain data for `--json`."""
        return {
            "total": self.total,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_class": {
                stage.value: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for stage, s in self.per_class.items()
            },
            "confusion": {
                t.value: {p.value: n for p, n in row.items()} for t, row in self.confusion.items()
            },
            "errors": [
                {
                    "line": row.line,
                    "text": row.signals.text,
                    "events": [str(e) for e in row.signals.events],
                    "expected": row.stage.value,
                    "predicted": predicted.value,
                }
                for row, predicted in self.errors
            ],
        }


def evaluate(rows: Sequence[LabelledRow], predicted: Sequence[FunnelStage]) -> Evaluation:
    """Compare `predicted` stages with the rows' true stages."""
    if len(rows) != len(predicted):
        raise ValueError(f"{len(rows)} rows but {len(predicted)} predictions")
    confusion = {t: dict.fromkeys(STAGES, 0) for t in STAGES}
    errors = []
    for row, guess in zip(rows, predicted, strict=True):
        confusion[row.stage][guess] += 1
        if guess != row.stage:
            errors.append((row, guess))
    per_class = {}
    for stage in STAGES:
        true_positive = confusion[stage][stage]
        predicted_count = sum(confusion[t][stage] for t in STAGES)
        support = sum(confusion[stage].values())
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[stage] = ClassScores(precision, recall, f1, support)
    present = [s for s in STAGES if per_class[s].support or any(confusion[t][s] for t in STAGES)]
    total = len(rows)
    correct = sum(confusion[s][s] for s in STAGES)
    return Evaluation(
        total=total,
        accuracy=correct / total if total else 0.0,
        macro_f1=sum(per_class[s].f1 for s in present) / len(present) if present else 0.0,
        per_class=per_class,
        confusion=confusion,
        errors=errors,
    )


def read_labelled(path: str | Path) -> list[LabelledRow]:
    """Read JSONL rows `{"text", "events"?, "locale"?, "context"?, "stage"}`, skipping blanks."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the file ({e})") from e
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        rows.append(_row(path, number, line))
    if not rows:
        raise ConfigError(f"{path}: no labelled rows (expected JSON lines with 'text' and 'stage')")
    return rows


def _row(path: Path, number: int, line: str) -> LabelledRow:
    where = f"{path}:{number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        raise ConfigError(f"{where}:{e.colno}: invalid JSON: {e.msg}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a JSON object with 'text' and 'stage'")
    data = dict(data)
    stage = data.pop("stage", None)
    try:
        stage = FunnelStage(stage)
    except ValueError:
        known = ", ".join(s.value for s in STAGES)
        raise ConfigError(f"{where}: key 'stage': {stage!r} is not one of {known}") from None
    try:
        signals = Signals.model_validate(data)
    except pydantic.ValidationError as e:
        problem = e.errors(include_url=False)[0]
        key = ".".join(str(k) for k in problem["loc"]) or "(row)"
        raise ConfigError(f"{where}: key '{key}': {problem['msg']}") from e
    return LabelledRow(signals=signals, stage=stage, line=number)


def labelled_signals(rows: Iterable[LabelledRow]) -> list[Signals]:
    """The signals of each row, in order."""
    return [row.signals for row in rows]
