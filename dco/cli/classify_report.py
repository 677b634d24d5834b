"""How `dco classify` prints an evaluation: the figures, per class, the confusion, the misses."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.table import Table

from dco.cli.output import console, stage_label
from dco.funnel.evaluation import Evaluation
from dco.i18n import _
from dco.models import STAGES


def print_evaluation(result: Evaluation, path: Path | str, show_errors: int) -> None:
    out = console()
    over = ", ".join(s.label for s in result.averaged)
    figures = _("{rows} rows  accuracy {accuracy}  macro-F1 {macro_f1} over {stages}").format(
        rows=result.total, accuracy=f"[bold]{result.accuracy:.3f}[/]",
        macro_f1=f"[bold]{result.macro_f1:.3f}[/]", stages=escape(over),
    )  # fmt: skip
    out.print(f"[bold]{escape(str(path))}[/]: {figures}")
    if result.left_out:
        missing = ", ".join(s.label for s in result.left_out)
        left_out = _("left out of macro-F1: {stages} (no gold rows in the file)").format(
            stages=missing
        )
        out.print(f"[yellow]{escape(left_out)}[/]")
    per_class = Table(title=_("per class"), title_justify="left")
    per_class.add_column(_("stage"))
    for column in (_("precision"), _("recall"), "F1", _("support")):
        per_class.add_column(column, justify="right")
    for stage, scores in result.per_class.items():
        per_class.add_row(
            stage_label(stage),
            f"{scores.precision:.3f}",
            f"{scores.recall:.3f}",
            f"{scores.f1:.3f}",
            str(scores.support),
        )
    out.print(per_class)
    confusion = Table(title=_("confusion (rows: true, columns: predicted)"), title_justify="left")
    confusion.add_column("")
    for stage in STAGES:
        confusion.add_column(stage.label, justify="right")
    for true_stage, counts in result.confusion.items():
        confusion.add_row(stage_label(true_stage), *(str(counts[s]) for s in STAGES))
    out.print(confusion)
    if result.errors and show_errors > 0:
        shown = min(show_errors, len(result.errors))
        out.print(
            _("misclassified ({count}; first {shown}):").format(
                count=len(result.errors), shown=shown
            )
        )
        for row, predicted in result.errors[:show_errors]:
            events = " ".join(str(e) for e in row.signals.events)
            miss = _("line {line}: {text} {events} — expected {expected}, got {got}").format(
                line=row.line, text=escape(repr(row.signals.text)), events=escape(events),
                expected=stage_label(row.stage), got=stage_label(predicted),
            )  # fmt: skip
            out.print(f"  {miss}")
