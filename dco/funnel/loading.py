"""A classifier from files: a brand folder's lexicon and model, or paths given one by one.

A brand folder may hold `funnel.yaml` (a lexicon override: its own cues, contexts and
`default_stage`) and `funnel_model.json` (a learned layer trained on the team's labels with
`dco classify --train`). Where it holds neither, the built-in ones serve.
"""

from __future__ import annotations

from pathlib import Path

from dco.funnel.classifier import Classifier, default_classifier
from dco.funnel.learned import load_model
from dco.funnel.lexicon import load_lexicon
from dco.resources import brand_folder

LEXICON_FILE = "funnel.yaml"
MODEL_FILE = "funnel_model.json"


def load_classifier(
    brand: str | Path | None = None,
    *,
    lexicon: str | Path | None = None,
    model: str | Path | None = None,
    learned: bool = True,
) -> Classifier:
    """The classifier for a brand folder (or a built-in brand's name), with `lexicon` and `model`
    files overriding the folder's; `learned=False` leaves the learned layer out."""
    folder = brand_folder(brand) if brand is not None else None
    if lexicon is None and folder is not None and (folder / LEXICON_FILE).is_file():
        lexicon = folder / LEXICON_FILE
    if model is None and folder is not None and (folder / MODEL_FILE).is_file():
        model = folder / MODEL_FILE
    if not learned:
        return Classifier(load_lexicon(lexicon), model=None)
    if lexicon is None and model is None:
        return default_classifier()  # nothing of its own: the one compiled per process
    if model is None:
        return Classifier(load_lexicon(lexicon))
    return Classifier(load_lexicon(lexicon), model=load_model(model))
