"""Drive the review app in Korean at 80×24 and print what it showed, as JSON.

Run in its own process (by test_app_korean.py) with DCO_LANG=ko: the app's key labels are read
when its modules load, so the language must be chosen before they are imported."""

import asyncio
import json
import sys
from pathlib import Path

from dco.generation import generate
from dco.models import Brief
from dco.review import ReviewQueue
from dco.review.app import create_app
from dco.testing import FakeProvider


def main(folder: Path, key: str) -> None:
    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel="sms", campaign="fall")
    with ReviewQueue(folder / "review.db") as queue:
        queue.submit(generate(brief, stage="decision", n=3, provider=FakeProvider(), seed=1))
        app = create_app(queue, "민지")

        async def run() -> dict:
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                footer = app.screen.query_one("Footer")
                shown = {"footer": " ".join(str(w.render()) for w in footer.query("*"))}
                await pilot.press(key)
                await pilot.pause()
                screen = app.screen
                shown["dialog"] = " ".join(
                    str(w.render()) for w in screen.query("Static, Label") if w.display
                )
                shown["outside"] = [
                    type(w).__name__
                    for w in screen.query("*")
                    if w.display and w.region.area and (w.region.right > 80 or w.region.bottom > 24)
                ]
                return shown

        print(json.dumps(asyncio.run(run()), ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
