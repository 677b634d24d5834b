"""The learned layer: a logistic regression over text features and the lexicon's evidence.

A model file is JSON a person can read: each feature on its own line with its weight per stage
(awareness, consideration, decision), the weights of the lexicon's evidence, and what the model
was trained on. A brand folder may hold one (`funnel_model.json`); `dco classify --train` writes
it, `Classifier(model=load_model(path))` uses it.

Scoring is plain Python over a handful of features per text: at a few dozen features a dict
lookup per feature beats building arrays.
"""

from __future__ import annotations

import functools
import json
import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dco import resources, userfiles
from dco.errors import ConfigError
from dco.i18n import _
from dco.models import STAGES

FORMAT = "dco-funnel-model"
FORMAT_VERSION = 1
EVIDENCE = tuple(f"{kind}:{stage.value}" for kind in ("text", "events") for stage in STAGES)
"""The lexicon's evidence the layer weighs: cue weight in the text and event weight, per stage."""

Weights = tuple[float, float, float]
"""One weight per stage, in funnel order."""


@dataclass(frozen=True, eq=False)
class LearnedLayer:
    """A trained model: bias, weights of the lexicon's evidence, weights of the text features."""

    bias: Weights
    evidence: Mapping[str, Weights]
    features: Mapping[str, Weights]
    about: Mapping[str, Any] = field(default_factory=dict)
    """What it was trained on and how it scored: rows, sources, cross-validated figures."""

    def weigh(
        self, features: Iterable[str], evidence: Sequence[float]
    ) -> tuple[list[float], list[tuple[str, Weights]]]:
        """Unnormalised log-odds per stage (funnel order) for the text's `features` and the
        lexicon's `evidence` (numbers in `EVIDENCE` order), and the features the model knows
        with their weights, for `leaning`."""
        a, c, d = self.bias
        known = []
        weights = self.features
        for name in features:
            w = weights.get(name)
            if w is not None:
                known.append((name, w))
                a += w[0]
                c += w[1]
                d += w[2]
        for w, value in zip(self._evidence_rows, evidence, strict=True):
            if value:
                a += w[0] * value
                c += w[1] * value
                d += w[2] * value
        return [a, c, d], known

    @functools.cached_property
    def _evidence_rows(self) -> tuple[Weights, ...]:
        return tuple(self.evidence[name] for name in EVIDENCE)

    @staticmethod
    def leaning(
        known: Iterable[tuple[str, Weights]], win: int, lose: int, top: int = 3
    ) -> list[tuple[str, float]]:
        """Of the `known` features (from `weigh`), those that pushed most towards stage `win` over
        stage `lose` (indexes in funnel order), with how much."""
        pushes = [(name, w[win] - w[lose]) for name, w in known if w[win] - w[lose] > 0.05]
        pushes.sort(key=_PUSH, reverse=True)
        return pushes[:top]

    def to_json(self) -> str:
        """The model file's text: one feature per line, sorted, so that diffs between two trained
        models read line by line."""

        def weights(w: Weights) -> str:
            return "[" + ", ".join(_number(x) for x in w) + "]"

        def block(items: Mapping[str, Weights]) -> str:
            lines = [
                f"    {json.dumps(name, ensure_ascii=False)}: {weights(w)}"
                for name, w in sorted(items.items())
            ]
            return "{\n" + ",\n".join(lines) + "\n  }"

        about = json.dumps(self.about, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        return (
            "{\n"
            f'  "format": "{FORMAT}",\n'
            f'  "version": {FORMAT_VERSION},\n'
            f'  "stages": {json.dumps([s.value for s in STAGES])},\n'
            f'  "about": {about},\n'
            f'  "bias": {weights(self.bias)},\n'
            f'  "evidence": {block(self.evidence)},\n'
            f'  "features": {block(self.features)}\n'
            "}\n"
        )

    def save(self, path: str | Path) -> None:
        """Write the model file (atomically: a reader never sees half a model)."""
        path = Path(path)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(self.to_json(), encoding="utf-8")
        temporary.replace(path)


_PUSH = operator.itemgetter(1)


def _number(x: float) -> str:
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def softmax(logits: Sequence[float]) -> list[float]:
    """Probabilities from three log-odds (one per stage)."""
    a, c, d = logits
    top = max(a, c, d)
    a, c, d = math.exp(a - top), math.exp(c - top), math.exp(d - top)
    total = a + c + d
    return [a / total, c / total, d / total]


def load_model(path: str | Path) -> LearnedLayer:
    """Read a model file written by `dco classify --train`; a file that is not one is one line."""
    path = Path(path)
    return parse_model(userfiles.read_text(path), str(path))


def parse_model(text: str, where: str) -> LearnedLayer:
    """A model from its file's text; `where` names the file in errors."""
    try:
        data = userfiles.loads(text)
    except userfiles.KeyGivenTwice as e:
        raise userfiles.key_twice(where, e) from None
    except json.JSONDecodeError as e:
        raise ConfigError(
            _("{where}: not JSON ({why})").format(where=f"{where}:{e.lineno}:{e.colno}", why=e.msg)
        ) from e
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(
            _(
                '{where}: not a dco funnel model (expected "format": "{format}"); write one with '
                "dco classify --train LABELLED --out FILE"
            ).format(where=where, format=FORMAT)
        )
    if data.get("version") != FORMAT_VERSION:
        raise ConfigError(
            _(
                "{where}: model format version {found!r}; this dco reads version {known}: train "
                "it again with this dco (dco classify --train)"
            ).format(where=where, found=data.get("version"), known=FORMAT_VERSION)
        )
    if data.get("stages") != [s.value for s in STAGES]:
        raise ConfigError(
            _("{where}: key 'stages' must be {stages}").format(
                where=where, stages=[s.value for s in STAGES]
            )
        )
    try:
        bias = _weights(data["bias"], "bias")
        evidence = {name: _weights(w, name) for name, w in data["evidence"].items()}
        features = {name: _weights(w, name) for name, w in data["features"].items()}
    except KeyError as e:
        raise ConfigError(
            _("{where}: key {key!r} is missing").format(where=where, key=e.args[0])
        ) from None
    except (AttributeError, TypeError, ValueError) as e:
        raise ConfigError(f"{where}: {e}") from None
    missing = [name for name in EVIDENCE if name not in evidence]
    if missing:
        raise ConfigError(
            _("{where}: key 'evidence' lacks {missing}").format(
                where=where, missing=", ".join(missing)
            )
        )
    return LearnedLayer(bias, evidence, features, data.get("about") or {})


def _weights(value: Any, name: str) -> Weights:
    if not isinstance(value, list) or len(value) != len(STAGES):
        raise ValueError(
            _("key {name!r}: expected {count} numbers, one per stage").format(
                name=name, count=len(STAGES)
            )
        )
    a, c, d = (float(x) for x in value)
    return (a, c, d)


@functools.cache
def builtin_model() -> LearnedLayer:
    """The model dco ships, trained on `training/funnel/` (see its README)."""
    path = resources.data_file("funnel_model.json")
    return parse_model(path.read_text(encoding="utf-8"), str(path))
