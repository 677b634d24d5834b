"""The training set the built-in model learns from: large, bilingual, and apart from the
evaluation sets."""

import json
from pathlib import Path

from tests.conftest import DATA

TRAINING = Path(__file__).resolve().parents[2] / "training" / "funnel" / "train.jsonl"


def rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_it_covers_every_stage_in_korean_english_and_events_alone():
    training = rows(TRAINING)
    assert len(training) >= 2000

    def stages(keep):
        return {r["stage"] for r in training if keep(r)}

    korean = stages(lambda r: any("가" <= ch <= "힣" for ch in r.get("text", "")))
    english = stages(lambda r: r.get("text", "").isascii() and r.get("text"))
    events_only = stages(lambda r: r.get("events") and not r.get("text"))
    assert korean == english == events_only == {"awareness", "consideration", "decision"}


def test_no_text_of_an_evaluation_set_is_in_it():
    training = {r.get("text", "").casefold() for r in rows(TRAINING)} - {""}
    for path in DATA.glob("funnel_*.jsonl"):
        evaluation = {r.get("text", "").casefold() for r in rows(path)} - {""}
        assert not training & evaluation, path.name


def test_every_row_says_where_it_came_from():
    assert all(r.get("source") for r in rows(TRAINING))
