"""How `dco classify` prints an evaluation: the figures, per class, the confusion, the misses."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.table import Table

from dco.cli.output import console, stage_label
from dco.funnel.evaluation import Evaluation
from dco.models import STAGES


def print_evaluation(result: Evaluation, path: Path | str, show_errors: int) -> None:
    out = console()
    over = ", ".join(s.value for s in result.averaged)
    out.print(
        f"[bold]{escape(str(path))}[/]: {result.total} rows  "
        f"accuracy [bold]{result.accuracy:.3f}[/]  "
        f"macro-F1 [bold]{result.macro_f1:.3f}[/] over {over}"
    )
    if result.left_out:
        missing = ", ".join(s.value for s in result.left_out)
        out.print(f"[yellow]left out of macro-F1: {missing} (no gold rows in the file)[/]")
    per_class = Table(title="per class", title_justify="left")
    for column in ("stage", "precision", "recall", "F1", "support"):
        per_class.add_column(column, justify="left" if column == "stage" else "right")
    for stage, scores in result.per_class.items():
        per_class.add_row(
            stage_label(stage),
            f"{scores.precision:.3f}",
            f"{scores.recall:.3f}",
            f"{scores.f1:.3f}",
            str(scores.support),
        )
    out.print(per_class)
    confusion = Table(title="confusion (rows: true, columns: predicted)", title_justify="left")
    confusion.add_column("")
    for stage in STAGES:
        confusion.add_column(stage.value, justify="right")
    for true_stage, counts in result.confusion.items():
        confusion.add_row(stage_label(true_stage), *(str(counts[s]) for s in STAGES))
    out.print(confusion)
    if result.errors and show_errors > 0:
        out.print(
            f"misclassified ({len(result.errors)}; first {min(show_errors, len(result.errors))}):"
        )
        for row, predicted in result.errors[:show_errors]:
            events = " ".join(str(e) for e in row.signals.events)
            out.print(
                f"  line {row.line}: {escape(repr(row.signals.text))} {events} — expected "
                f"{stage_label(row.stage)}, got {stage_label(predicted)}"
            )
