"""Scoring a classifier against labelled rows: accuracy, macro-F1, per-class figures, confusion."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from dco import userfiles
from dco.decoding import decode_text
from dco.errors import ConfigError
from dco.i18n import _
from dco.models import STAGES, FunnelStage, Signals
from dco.userfiles import read_bytes
from dco.yamlfile import plain


@dataclass(frozen=True)
class LabelledRow:
    """One labelled example: the signals, the true stage, and where it came from."""

    signals: Signals
    stage: FunnelStage
    line: int
    extra: dict[str, Any] = field(default_factory=dict)
    """The row's other fields (an `id`, a source), carried to the report untouched."""


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
    """The mean F1 over the stages that have gold rows (see `averaged`)."""
    per_class: dict[FunnelStage, ClassScores]
    confusion: dict[FunnelStage, dict[FunnelStage, int]]
    """confusion[true][predicted] = count."""
    errors: list[tuple[LabelledRow, FunnelStage]] = field(default_factory=list)

    @property
    def averaged(self) -> tuple[FunnelStage, ...]:
        """The stages macro-F1 averages over: those with at least one gold row."""
        return tuple(s for s in STAGES if self.per_class[s].support)

    @property
    def left_out(self) -> tuple[FunnelStage, ...]:
        """Stages with no gold row: their F1 says nothing, so the average leaves them out."""
        return tuple(s for s in STAGES if not self.per_class[s].support)

    def to_dict(self) -> dict:
        """Plain data for `--json`."""
        return {
            "total": self.total,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "macro_f1_over": [s.value for s in self.averaged],
            "left_out": [s.value for s in self.left_out],
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
                    **row.extra,
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
    # A stage with no gold rows has F1 0 by construction (or undefined): averaging it in would
    # punish or flatter the classifier for rows that do not exist.
    present = [s for s in STAGES if per_class[s].support]
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
    """Read labelled rows: JSON lines `{"text", "events"?, "locale"?, "context"?, "stage"}`, or
    a CSV file with those columns (events separated by spaces; UTF-8, or cp949 as Excel saves
    Korean). Other fields (an `id`) are kept with the row; blank lines are skipped."""
    path = Path(path)
    raw = read_bytes(path)
    if path.suffix.lower() == ".csv":
        records = _csv_records(path, raw)
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ConfigError(
                _("{path}: not UTF-8 text ({why}); save it as UTF-8").format(
                    path=path, why=e.reason
                )
            ) from e
        records = [
            (number, _json_record(path, number, line))
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip()
        ]
    rows = [_row(path, number, data) for number, data in records]
    if not rows:
        raise ConfigError(
            _("{path}: no labelled rows (expected 'text' and 'stage' in each row)").format(
                path=path
            )
        )
    return rows


def signals_and_extra(data: dict[str, Any], where: str) -> tuple[Signals, dict[str, Any]]:
    """A row's signals, and its other fields (an `id`) to carry along untouched; a signal that
    is not valid is one line at `where`, in plain words."""
    extra = {k: v for k, v in data.items() if k not in Signals.model_fields}
    try:
        signals = Signals.model_validate({k: v for k, v in data.items() if k not in extra})
    except pydantic.ValidationError as e:
        problem = e.errors(include_url=False)[0]
        key = ".".join(str(k) for k in problem["loc"]) or "(row)"
        raise ConfigError(
            f"{where}: " + _("key '{key}': {problem}").format(key=key, problem=plain(problem))
        ) from e
    return signals, extra


def _json_record(path: Path, number: int, line: str) -> dict[str, Any]:
    try:
        data = userfiles.loads(line)
    except userfiles.KeyGivenTwice as e:
        where = f"{path}:{number}"
        raise userfiles.key_twice(where, e) from None
    except json.JSONDecodeError as e:
        raise ConfigError(
            _("{where}: invalid JSON: {why}").format(where=f"{path}:{number}:{e.colno}", why=e.msg)
        ) from e
    if not isinstance(data, dict):
        raise ConfigError(
            _("{where}: expected a JSON object with 'text' and 'stage'").format(
                where=f"{path}:{number}"
            )
        )
    return dict(data)


def _csv_records(path: Path, raw: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = decode_text(raw).text
    except UnicodeDecodeError as e:
        raise ConfigError(
            _("{path}: {what}; save it as UTF-8 CSV").format(
                path=path, what=userfiles.not_text(raw, e)
            )
        ) from None
    rows = userfiles.CsvRows(text, path)
    header = next(rows, None)
    if not header or not {"text", "stage"} <= set(header):
        found = ", ".join(header or []) or _("nothing")
        raise ConfigError(
            _("{path}: a labelled CSV needs 'text' and 'stage' columns (found {found})").format(
                path=path, found=found
            )
        )
    records = []
    for cells in rows:
        # Named by the header, as csv.DictReader would: cells past it and empty ones are no
        # field, and a blank line no row.
        row = dict(zip(header, cells, strict=False))
        data: dict[str, Any] = {name: cell for name, cell in row.items() if cell}
        if "events" in data:
            data["events"] = data["events"].split()
        if data:
            records.append((rows.line_num, data))
    return records


def _row(path: Path, number: int, data: dict[str, Any]) -> LabelledRow:
    where = f"{path}:{number}"
    stage = data.pop("stage", None)
    try:
        stage = FunnelStage(stage)
    except ValueError:
        known = ", ".join(s.value for s in STAGES)
        raise ConfigError(
            _("{where}: key 'stage': {stage!r} is not one of {known}").format(
                where=where, stage=stage, known=known
            )
        ) from None
    signals, extra = signals_and_extra(data, where)
    return LabelledRow(signals=signals, stage=stage, line=number, extra=extra)


def labelled_signals(rows: Iterable[LabelledRow]) -> list[Signals]:
    """The signals of each row, in order."""
    return [row.signals for row in rows]
