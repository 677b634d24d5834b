"""`dco tune`: learn from a review queue's decisions; write the profile the prompts render."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from dco.cli.common import db_argument, load_brand, queue_location
from dco.cli.output import console, error_console, print_json
from dco.errors import ConfigError, OptionError
from dco.i18n import _, counted
from dco.review import ReviewQueue
from dco.tuning import PROFILE_NAME, TuningProfile, tune
from dco.tuning.changes import changes
from dco.tuning.proposals import propose_rules


@click.command("tune")
@db_argument
@click.option(
    "--brand",
    "brand_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="The brand: examples that break its error-level rules are left out, and the profile "
    f"is written beside it as DIR/{PROFILE_NAME}.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Write the profile here (default: DIR/{PROFILE_NAME} with --brand, "
    f"else ./dco-{PROFILE_NAME}).",
)
@click.option(
    "--min-support",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Decisions a preference, an avoided word or a rejection note needs.",
)
@click.option(
    "--max-examples",
    default=3,
    show_default=True,
    type=click.IntRange(min=0),
    help="Few-shot examples per stage × channel × locale.",
)
@click.option("--campaign", help="Learn only from this campaign's decisions.")
@click.option(
    "--propose-rules",
    "proposals",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write each learned preference as a Vale-style substitution rule into DIR, for a "
    "human to move into the brand's rules/ folder.",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def tune_command(
    db: str | None, brand_dir: Path | None, out: Path | None, min_support: int, max_examples: int,
    campaign: str | None, proposals: Path | None, dry_run: bool, as_json: bool,
) -> None:  # fmt: skip
    """Learn from the decisions in QUEUE: examples, preferences, notes.

    Approved and edited copy becomes few-shot examples; replacements reviewers made in at
    least --min-support edits become "prefer X over Y"; frequent rejection reasons become
    notes. The profile is a readable YAML file; `dco generate` renders it (its hash is part of
    every prompt version) and this command prints what changed since the last one.

    \b
    Examples:
      dco tune review.db --brand brand_guidelines/runfit
      dco tune review.db --brand brand_guidelines/runfit --propose-rules proposals/
      dco tune review.db --dry-run --json
    """
    db = queue_location(db)
    brand = load_brand(brand_dir) if brand_dir else None
    if out is None and brand_dir is not None and not Path(brand_dir).is_dir():
        raise OptionError(
            _(
                "{brand} is a built-in brand, whose folder dco does not write to; give --out "
                "FILE (e.g. --out {name}) and pass it to dco generate with --profile"
            ).format(brand=brand_dir, name=PROFILE_NAME)
        )
    out = out or (Path(brand_dir) / PROFILE_NAME if brand_dir else Path(f"dco-{PROFILE_NAME}"))
    previous = TuningProfile.load(out) if out.exists() else None
    with ReviewQueue(db, create=False) as queue:
        profile = tune(
            queue, brand=brand, min_support=min_support, max_examples=max_examples,
            campaign=campaign,
        )  # fmt: skip
    found = changes(previous, profile)
    if as_json:
        print_json({"profile": str(out), "changes": [c.to_dict() for c in found]})
    elif found:
        for change in found:
            colour = "green" if change.sign == "+" else "red"
            console().print(f"[{colour}]{escape(str(change))}[/]", highlight=False)
    else:
        console().print(_("no changes since the last profile"))
    if dry_run:
        error_console().print(f"[dim]{_('dry run: nothing written')}[/]")
        return
    try:
        profile.save(out)
    except OSError as e:
        raise ConfigError(
            _("{file}: cannot write the profile ({why}); give --out").format(
                file=out, why=e.strerror
            )
        ) from e
    examples = sum(len(s.examples) for s in profile.sections)
    preferences = sum(len(x.preferences) for x in profile.locales.values())
    error_console().print(
        _("learned from {decisions}; wrote {path} ({examples}, {preferences})").format(
            decisions=counted(profile.decisions, "decision"),
            path=out,
            examples=counted(examples, "example"),
            preferences=counted(preferences, "preference"),
        ),
        markup=False,
    )
    if proposals is not None:
        written = propose_rules(profile, proposals)
        error_console().print(
            _(
                "wrote {rules} to {folder}; move the ones you accept into your brand's rules/ "
                "folder"
            ).format(rules=counted(len(written), "proposed rule"), folder=proposals),
            markup=False,
        )
