"""Build the funnel training set (train.jsonl) from templates.yaml, reproducibly.

    python training/funnel/build.py            # writes training/funnel/train.jsonl
    dco classify --train training/funnel/train.jsonl --out dco/data/funnel_model.json

Every row is generated here from the team's templates and word lists (see templates.yaml and this
folder's README); a row whose text is also in one of dco's evaluation sets is dropped, so those
sets stay unseen.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EVALUATION_SETS = sorted((ROOT / "tests" / "data").glob("funnel_*.jsonl"))
FILLS_PER_TEMPLATE = 22
EVENT_ROWS_PER_STAGE = 420
STAGES = ("awareness", "consideration", "decision")
# People wander back up the funnel, not ahead of themselves: a customer on the pricing page who
# also read a blog post is deciding, so a journey may hold an earlier stage's event, never a later.
EARLIER = {"awareness": [], "consideration": ["awareness"],
           "decision": ["awareness", "consideration"]}  # fmt: skip
STRONG_DECISION_EVENTS = ["add_to_cart", "checkout_start", "page_view:checkout", "cart_abandon"]
SLOT = re.compile(r"\{([^}]+)\}")


def main() -> None:
    spec = yaml.safe_load((HERE / "templates.yaml").read_text(encoding="utf-8"))
    rng = random.Random(20261204)
    unseen = _evaluation_texts()
    rows = [*_text_rows(spec, rng), *_event_rows(spec["journeys"], rng)]
    rows += _text_with_events(rows, spec["journeys"], spec["slots"]["neutral"], rng)
    kept, seen = [], set()
    for row in rows:
        key = (row.get("text", ""), tuple(row.get("events", ())))
        text = row.get("text", "").casefold()
        if key in seen or (text and text in unseen):
            continue
        seen.add(key)
        kept.append(row)
    rng.shuffle(kept)
    out = HERE / "train.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for row in kept:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = {s: sum(r["stage"] == s for r in kept) for s in STAGES}
    print(f"{out}: {len(kept)} rows {counts}", file=sys.stderr)


def _evaluation_texts() -> set[str]:
    texts = set()
    for path in EVALUATION_SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.add(json.loads(line).get("text", "").casefold())
    return texts


def _text_rows(spec: dict, rng: random.Random) -> list[dict]:
    rows = []
    for language, block in spec["templates"].items():
        for line in block.strip().splitlines():
            stage, template = (part.strip() for part in line.split("|", 1))
            for _ in range(FILLS_PER_TEMPLATE):
                text = SLOT.sub(lambda m: str(rng.choice(spec["slots"][m.group(1)])), template)
                rows.append({"text": text, "stage": stage, "source": f"template:{language}"})
    return rows


def _event_rows(journeys: dict, rng: random.Random) -> list[dict]:
    rows = []
    for stage in STAGES:
        for _ in range(EVENT_ROWS_PER_STAGE):
            events = rng.sample(journeys[stage], k=rng.randint(1, 3))
            if EARLIER[stage] and rng.random() < 0.3:
                events.append(rng.choice(journeys[rng.choice(EARLIER[stage])]))
            rows.append({"events": [_decorate(e, rng) for e in events], "stage": stage,
                         "source": "journey"})  # fmt: skip
    return rows


def _text_with_events(
    rows: list[dict], journeys: dict, neutral: list[str], rng: random.Random
) -> list[dict]:
    mixed = []
    # A text with no stage of its own (a product, a topic) beside events: the events tell.
    for _ in range(600):
        stage = rng.choice(STAGES)
        events = rng.sample(journeys[stage], k=rng.randint(1, 2))
        mixed.append({"text": rng.choice(neutral), "events": [_decorate(e, rng) for e in events],
                      "stage": stage, "source": "neutral+journey"})  # fmt: skip
    for row in rng.sample([r for r in rows if "text" in r], k=1500):
        if row["stage"] != "decision" and rng.random() < 0.5:
            # A customer at the checkout is deciding, whatever they searched on the way.
            events, stage = [rng.choice(STRONG_DECISION_EVENTS)], "decision"
        else:
            events, stage = rng.sample(journeys[row["stage"]], k=rng.randint(1, 2)), row["stage"]
        mixed.append({"text": row["text"], "events": [_decorate(e, rng) for e in events],
                      "stage": stage, "source": "template+journey"})  # fmt: skip
    return mixed


def _decorate(event: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return f"{event}*{rng.randint(2, 5)}"
    if roll < 0.25:
        return f"{event}@{rng.randint(1, 72)}h"
    return event


if __name__ == "__main__":
    main()
