"""The learned layer: features, training, cross-validation, the model file."""

import json
import random

import pytest

from dco.errors import ConfigError
from dco.funnel import Classifier, classify, load_model
from dco.funnel.evaluation import LabelledRow, evaluate
from dco.funnel.features import MAX_TOKENS, text_features
from dco.funnel.learned import builtin_model
from dco.funnel.training import TrainingSettings, cross_validate, fit, observe_all
from dco.models import FunnelStage, Signals

A, C, D = FunnelStage.AWARENESS, FunnelStage.CONSIDERATION, FunnelStage.DECISION
LEXICON_ONLY = Classifier(model=None)


def labelled(pairs):
    return [LabelledRow(Signals(text=text), stage, n) for n, (text, stage) in enumerate(pairs, 1)]


def made_up_words_set(rows_per_stage=40, seed=1):
    """Rows whose stage only made-up words tell: 'zorp' is decision, 'blick' awareness, …"""
    rng = random.Random(seed)
    filler = ["alpha", "beta", "gamma", "delta", "omega"]
    words = {A: "blick", C: "vunt", D: "zorp"}
    pairs = []
    for stage, word in words.items():
        for _ in range(rows_per_stage):
            pairs.append((f"{rng.choice(filler)} {word} {rng.choice(filler)}", stage))
    return labelled(pairs)


def test_features_read_words_pairs_hangul_pieces_and_word_families():
    features = text_features("galaxy s25 최저가로 converter")
    assert "s:galaxy" in features  # the first word
    assert "w:s00" in features  # digits read as 0: s25 and s24 are one model family
    assert "b:galaxy s00" in features
    assert {"k:최저", "k:저가", "k:가로"} <= set(features)
    assert "p:conve" in features
    assert len(features) == len(set(features))


def test_features_of_a_long_text_are_bounded():
    assert len(text_features("word " * 10_000)) <= 4 * MAX_TOKENS


def test_training_learns_what_the_lexicon_does_not_know():
    rows = made_up_words_set()
    model = fit(observe_all(LEXICON_ONLY, rows), [r.stage for r in rows])
    result = Classifier(model=model).classify("zorp")
    assert LEXICON_ONLY.classify("zorp").defaulted
    assert result.stage is D
    assert result.decided_by == "learned"
    assert any("'zorp'" in reason for reason in result.reasons)
    assert "no stage cue in the text" in result.reasons[-1]


def test_the_lexicons_reasons_stay_beside_the_learned_ones():
    rows = made_up_words_set()
    model = fit(observe_all(LEXICON_ONLY, rows), [r.stage for r in rows])
    result = Classifier(model=model).classify("zorp 최저가")
    assert result.stage is D
    assert result.reasons[0] == "'최저가' → decision cue (+1.6)"
    assert result.reasons[1].startswith("learned: 'zorp'")


def test_cross_validation_predicts_each_row_with_a_model_that_did_not_see_it():
    # Labels drawn at random over unique words: a model can memorise them but not predict them.
    rng = random.Random(7)

    def word(n):  # letters, not digits: features read every digit as 0
        return "".join(chr(ord("a") + int(digit)) for digit in f"{n:03d}")

    pairs = [(f"q{word(n)} z{word(n)}", rng.choice([A, C, D])) for n in range(150)]
    rows = labelled(pairs)
    settings = TrainingSettings(min_count=1, l2=0, smoothing=0)
    model = fit(observe_all(LEXICON_ONLY, rows), [r.stage for r in rows], settings)
    seen = evaluate(rows, [Classifier(model=model).classify(r.signals).stage for r in rows])
    unseen = cross_validate(LEXICON_ONLY, rows, folds=5, settings=settings)
    assert seen.accuracy > 0.95
    assert unseen.accuracy < 0.5


def test_cross_validation_scores_a_learnable_set_high():
    figures = cross_validate(LEXICON_ONLY, made_up_words_set(), folds=4)
    assert figures.macro_f1 > 0.95


def test_a_saved_model_loads_back_the_same(tmp_path):
    rows = made_up_words_set()
    model = fit(observe_all(LEXICON_ONLY, rows), [r.stage for r in rows])
    path = tmp_path / "funnel_model.json"
    model.save(path)
    loaded = load_model(path)
    assert loaded.features == model.features
    assert loaded.evidence == model.evidence
    assert json.loads(path.read_text())["format"] == "dco-funnel-model"
    assert '    "w:zorp": [' in path.read_text()  # one feature per line, readable


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", r"model\.json:1:2: not JSON"),
        ('{"format": "something-else"}', "not a dco funnel model.*dco classify --train"),
        ('{"format": "dco-funnel-model", "version": 9}', "version 9; this dco reads version 1"),
        (
            '{"format": "dco-funnel-model", "version": 1, '
            '"stages": ["awareness", "consideration", "decision"], "bias": [0, 0]}',
            "key 'bias': expected 3 numbers",
        ),
    ],
)
def test_a_file_that_is_not_a_model_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "model.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_model(path)


def test_the_built_in_model_ships_with_what_it_was_trained_on():
    about = builtin_model().about
    assert about["rows"] >= 2000
    assert set(about["per_stage"]) == {"awareness", "consideration", "decision"}
    assert about["cross_validated"]["folds"] >= 2


def test_the_default_classifier_uses_the_built_in_model():
    assert classify("러닝화 최저가").decided_by == "learned"
    assert LEXICON_ONLY.classify("러닝화 최저가").decided_by == "lexicon"
