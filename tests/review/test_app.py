"""The review app driven by Textual's Pilot, asserting what lands in the store."""

import asyncio
import threading
from collections import Counter

import pytest

from dco.brand import Brand
from dco.generation import generate
from dco.models import Brief, Copy, FunnelStage, Variant
from dco.review import ReviewQueue
from dco.review.app import create_app
from dco.review.app.detail_pane import DetailPane
from dco.review.app.progress_header import ProgressHeader
from dco.review.app.variant_list import VariantList
from dco.testing import FakeProvider


@pytest.fixture
def queue(tmp_path):
    brief = Brief(
        product="하프 마라톤 코칭", offer="첫 주 무료", channel="google_rsa", campaign="spring"
    )
    sms = brief.model_copy(update={"channel": "sms", "campaign": "fall"})
    with ReviewQueue(tmp_path / "review.db") as q:
        q.submit(generate(brief, stage="decision", n=3, provider=FakeProvider(), seed=1))
        q.submit(generate(sms, stage="awareness", n=1, provider=FakeProvider(), seed=1))
        yield q


def drive(queue, *keys, checker=None, size=(80, 24)):
    """Run the app, press `keys`, return it (after it stopped)."""
    app = create_app(queue, "minji", checker=checker)

    async def run():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            return app

    return asyncio.run(run())


def first_pending(queue):
    return queue.pending()[0]


def test_approve_records_the_decision(queue):
    target = first_pending(queue)
    drive(queue, "a")
    assert queue.status(target.id) == "approved"
    assert queue.history(target.id)[0].reviewer == "minji"


def test_move_then_approve_the_second(queue):
    first, second = queue.pending()[:2]
    drive(queue, "j", "a")
    assert queue.status(second.id) == "approved" and queue.status(first.id) == "pending"


def test_reject_with_a_reason_and_a_note(queue):
    target = first_pending(queue)
    drive(queue, "r", "space", "tab", *"too much", "ctrl+s")
    (decision,) = queue.history(target.id)
    assert decision.action == "reject" and decision.reasons == ("off-brand",)
    assert decision.note == "too much"


def test_reject_without_a_reason_is_refused(queue):
    target = first_pending(queue)
    drive(queue, "r", "ctrl+s", "escape")
    assert queue.status(target.id) == "pending"


def test_edit_shows_a_live_finding_and_saves_only_when_confirmed(queue):
    target = first_pending(queue)
    brand = Brand.load("runfit")
    app = create_app(queue, "minji", checker=brand)

    async def run():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("e")
            await pilot.pause()
            headline = app.screen.query_one("#headline")
            headline.value = "업계 최고의 코칭"
            await pilot.pause()
            findings = str(app.screen.query_one("#findings").render())
            assert "Superlatives" in findings or "absolute claim" in findings
            await pilot.press("ctrl+s")  # refused once: an error-level finding
            await pilot.pause()
            assert queue.status(target.id) == "pending"
            await pilot.press("ctrl+s")  # confirmed
            await pilot.pause()

    asyncio.run(run())
    (decision,) = queue.history(target.id)
    assert decision.action == "edit" and decision.edited.headline == "업계 최고의 코칭"


def test_undo_puts_the_variant_back(queue):
    target = first_pending(queue)
    drive(queue, "a", "u")
    assert queue.status(target.id) == "pending"
    assert [d.action for d in queue.history(target.id)] == ["approve", "undo"]


def test_filter_narrows_the_list(queue):
    app = drive(queue, "slash", *"channel=sms", "enter")
    assert app.filters == {"channel": "sms"}
    assert [row.channel for row in app.rows] == ["sms"]


def test_quitting_mid_queue_keeps_every_decision(queue):
    first, second = queue.pending()[:2]
    drive(queue, "a", "a", "q")
    assert queue.status(first.id) == "approved" and queue.status(second.id) == "approved"
    assert queue.stats()["pending"] == 2


def test_header_shows_progress_and_reviewer(queue):
    app = create_app(queue, "minji")

    async def header_after_approving():
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("a")
            await pilot.pause()
            return str(app.query_one(ProgressHeader).render())

    header = asyncio.run(header_after_approving())
    assert "dco review" in header and "minji" in header
    assert "reviewed 1" in header and "remaining 3" in header


def test_each_variant_takes_one_line_of_the_list_at_80_columns(queue):
    app = create_app(queue, "minji")

    async def list_height():
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            return app.query_one(VariantList).virtual_size.height, len(app.rows)

    height, rows = asyncio.run(list_height())
    assert rows == 4 and height == rows


def test_detail_pane_takes_the_height_each_variant_needs(tmp_path):
    brief = Brief(product="하프 마라톤 코칭", channel="sms")
    long_body = " ".join(["코치가 짜 주는 맞춤 훈련으로 첫 하프를 완주해요."] * 12)
    short, long_ = (
        Variant(copy=Copy(headline="첫 하프", body=body, cta="신청"), brief=brief,
                stage=FunnelStage.DECISION, channel="sms")
        for body in ("짧아요.", long_body)
    )  # fmt: skip
    with ReviewQueue(tmp_path / "review.db") as q:
        q.submit([short, long_])
        app = create_app(q, "minji")

        async def heights():
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                seen = []
                for key in ("j", "k"):
                    seen.append(app.query_one(DetailPane).size.height)
                    await pilot.press(key)
                    await pilot.pause()
                return [*seen, app.query_one(DetailPane).size.height]

        first, second, back = asyncio.run(heights())
    assert second > first + 3 and back == first


def test_help_opens_and_closes(queue):
    app = create_app(queue, "minji")

    async def run():
        async with app.run_test() as pilot:
            await pilot.press("question_mark")
            assert type(app.screen).__name__ == "HelpScreen"
            await pilot.press("escape")
            assert len(app.screen_stack) == 1

    asyncio.run(run())


def test_leaving_the_app_gives_back_the_lease(queue):
    target = first_pending(queue)
    drive(queue, "q")
    assert queue.hold(target.id, "someone-else") is None  # free again


def test_another_reviewers_variant_is_marked_in_the_detail(queue):
    target = first_pending(queue)
    queue.hold(target.id, "jun")
    app = create_app(queue, "minji")

    async def run():
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app.current.id != target.id  # the app starts on the next free variant
            await pilot.press("k")
            await pilot.pause()
            assert "being reviewed by jun" in str(app.query_one("#detail").render())
            await pilot.press("a")  # refused in the app's words, nothing recorded
            await pilot.pause()

    asyncio.run(run())
    assert queue.status(target.id) == "pending"


def test_a_decided_row_shows_its_mark_and_the_others_keep_theirs(queue):
    from dco.review.app.variant_list import VariantList

    app = create_app(queue, "minji")

    async def run():
        async with app.run_test(size=(100, 24)) as pilot:
            await pilot.pause()
            for key in ("a", "r"):
                await pilot.press(key)
                await pilot.pause()
            await pilot.press("space", "ctrl+s")  # the first reason tag, then save
            await pilot.pause()
            listing = app.query_one(VariantList)
            return [listing.render_line(y).text.strip() for y in range(listing.size.height)]

    lines = asyncio.run(run())
    marks = [line[0] for line in lines if line and line[0] in "✓✗✎»·"]
    assert marks == ["✓", "✗", "·", "·"]


@pytest.fixture
def shared(queue_location):
    """A queue two reviewers open, each through their own connection: on a SQLite file and on
    a PostgreSQL server."""
    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel="google_rsa",
                  campaign="spring")  # fmt: skip
    with ReviewQueue(queue_location) as q:
        q.submit(generate(brief, stage="decision", n=4, provider=FakeProvider(), seed=1))
    with ReviewQueue(queue_location) as mine, ReviewQueue(queue_location) as theirs:
        yield mine, theirs


async def until(pilot, condition, seconds=10.0):
    """Let the app run until `condition()` holds (or `seconds` pass)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


def test_a_variant_decided_by_another_reviewer_leaves_the_list(shared):
    mine, theirs = shared
    second = mine.pending()[1]
    app = create_app(mine, "minji", refresh_seconds=0.05)

    async def run():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert app.remaining == 4 and second.id in [row.id for row in app.rows]
            theirs.approve(second.id, "jun")
            assert await until(pilot, lambda: second.id not in [row.id for row in app.rows])
            assert app.remaining == 3
            assert app.query_one(VariantList).option_count == 3
            await pilot.press("j", "a")  # the row below the first is now the third variant
            await pilot.pause()

    asyncio.run(run())
    assert mine.status(second.id) == "approved" and len(mine.pending()) == 2


def test_the_apps_own_decision_announced_back_to_it_is_not_read_again(shared, monkeypatch):
    """Every read is a round trip to a server that may be far away: the next row is read and
    held in one, and hearing of its own approval, the app neither recounts the queue nor takes
    the next row's lease again; the log is read away from the keys (in its watcher's thread),
    and not at all where the server says which variant was decided."""
    mine, theirs = shared
    announced = mine.checkup().announced
    app = create_app(mine, "minji", refresh_seconds=0.05)
    on_keys: Counter[str] = Counter()  # calls in the app's thread, which the keys wait for
    off_keys: Counter[str] = Counter()
    for name in ("get", "hold", "take", "pending_count", "decisions_since"):
        real = getattr(mine, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            main = threading.current_thread() is threading.main_thread()
            (on_keys if main else off_keys)[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(mine, name, counted)

    async def run():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            listed = [row.id for row in app.rows]
            on_keys.clear()
            off_keys.clear()
            await pilot.press("a")
            await pilot.pause(0.5)  # heard back: at once where announced, else looked for
            assert on_keys == {"take": 1}  # the next row, read and held together, once
            if announced:
                assert off_keys["decisions_since"] == 0
            theirs.approve(listed[3], "jun")  # others' decisions are still followed
            assert await until(pilot, lambda: listed[3] not in [row.id for row in app.rows])

    asyncio.run(run())
    assert app.remaining == 2


def test_opening_the_app_reads_and_holds_its_first_variant_once(shared, monkeypatch):
    mine, _theirs = shared
    app = create_app(mine, "minji")
    taken: list[str] = []
    real = mine.take

    def take(variant_id, reviewer):
        taken.append(variant_id)
        return real(variant_id, reviewer)

    monkeypatch.setattr(mine, "take", take)

    async def run():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.pause(0.2)

    asyncio.run(run())
    assert taken == [app.rows[0].id]


def test_a_row_above_leaving_the_list_does_not_move_the_cursor_to_another_variant(shared):
    mine, theirs = shared
    first, second, third = mine.pending()[:3]
    app = create_app(mine, "minji", refresh_seconds=0.05)

    async def run():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("j")  # reading the second
            await pilot.pause()
            theirs.approve(first.id, "jun")
            assert await until(pilot, lambda: first.id not in [row.id for row in app.rows])
            assert app.current.id == second.id
            await pilot.press("a")  # decides what is on screen, not the row that slid under
            await pilot.pause()

    asyncio.run(run())
    assert mine.status(second.id) == "approved" and mine.status(third.id) == "pending"


def test_undo_in_the_app_undoes_its_own_decision_not_another_windows(shared):
    mine, theirs = shared
    first, second = mine.pending()[:2]
    app = create_app(mine, "minji", refresh_seconds=0.05)

    async def run():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("a")  # approves the first, here
            await pilot.pause()
            theirs.approve(second.id, "minji")  # the same reviewer, in another window
            await pilot.press("u")
            await pilot.pause()

    asyncio.run(run())
    assert mine.status(first.id) == "pending"
    assert mine.status(second.id) == "approved"


def test_undo_in_the_app_names_the_decision_it_took_back(shared):
    """The notice and the count follow what this app decided, not the variant's latest
    decision: here a skip, which another reviewer's approval came after."""
    mine, theirs = shared
    first = mine.pending()[0]
    app = create_app(mine, "minji", refresh_seconds=0.05)

    async def run():
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("s")  # skips the first, here
            await pilot.pause()
            theirs.approve(first.id, "jun")
            await pilot.press("u")
            await pilot.pause()
            return shown_notifications(app)

    shown = asyncio.run(run())
    assert f"Undid your skip of “{first.copy.headline}”: it comes to you again." in shown
    assert app.decided["skip"] == 0 and app.decided["approve"] == 0
    assert [d.action for d in mine.history(first.id)] == ["skip", "approve", "undo"]


def test_undo_in_the_app_of_a_decision_made_through_its_queue_by_a_script(queue):
    first, second = queue.pending()[:2]
    app = create_app(queue, "minji")

    async def run():
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await pilot.pause()
            queue.approve(second.id, "minji")  # through the app's own queue object
            await pilot.press("u")
            await pilot.pause()
            return shown_notifications(app)

    assert asyncio.run(run()) == [f"Undid your decision on “{second.copy.headline}”."]
    assert queue.status(second.id) == "pending" and queue.status(first.id) == "pending"


def test_the_whole_campaign_is_in_the_list_and_the_ends_do_not_wrap(tmp_path):
    from tests.review.test_durability import many_variants

    with ReviewQueue(tmp_path / "review.db") as q:
        q.submit(many_variants(450))
        app = create_app(q, "minji")

        async def run():
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                assert "1 of 450" in str(app.query_one(ProgressHeader).render())
                await pilot.press("end")
                await pilot.pause()
                at_end = app.query_one(VariantList).highlighted
                await pilot.press("j")
                await pilot.pause()
                return at_end, app.query_one(VariantList).highlighted, app.current.copy.headline

        at_end, after_j, headline = asyncio.run(run())
    assert at_end == after_j == 449 and headline == "헤드라인 449"


def test_a_skip_is_not_a_review_and_quitting_sums_up_the_session(queue):
    app = drive(queue, "a", "s", "r", "space", "ctrl+s")
    assert app.reviewed == 2
    assert app.summary() == "reviewed 2 (1 approved, 1 rejected), skipped 1; 2 remaining"


def test_each_reviewer_starts_on_the_next_free_variant(queue):
    first, second = queue.pending()[:2]
    assert queue.claim("jun").variant.id == first.id
    app = create_app(queue, "minji")

    async def run():
        async with app.run_test() as pilot:
            await pilot.pause()
            return app.current.id

    assert asyncio.run(run()) == second.id


def test_typing_in_the_edit_screen_adds_to_the_copy_and_an_over_limit_edit_needs_a_second_save(
    queue,
):
    target = first_pending(queue)
    app = create_app(queue, "minji")

    async def run():
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("e")
            await pilot.pause()
            labels = [str(label.render()) for label in app.screen.query(".field")]
            assert labels == ["Headline", "Body", "Call to action"]
            await pilot.press(*"!!")  # the headline has focus, the cursor at its end
            await pilot.pause()
            assert app.screen.query_one("#headline").value == target.copy.headline + "!!"
            app.screen.query_one("#cta").value = "가" * 60  # over the channel's limit
            await pilot.pause()
            await pilot.press("ctrl+s")  # refused once
            await pilot.pause()
            assert queue.status(target.id) == "pending"
            await pilot.press("ctrl+s")
            await pilot.pause()

    asyncio.run(run())
    (decision,) = queue.history(target.id)
    assert decision.edited.headline == target.copy.headline + "!!"
    assert decision.edited.cta == "가" * 60 and decision.note == "forced past dco.Length"


def test_words_in_the_filter_narrow_the_list_to_copy_that_contains_them(queue):
    pending = queue.pending()
    wanted = pending[1]
    others = " ".join(" ".join(v.copy.fields().values()) for v in pending if v is not wanted)
    word = next(w for f in wanted.copy.fields().values() for w in f.split() if w not in others)
    app = drive(queue, "slash", *f"channel={wanted.channel} {word}", "enter")
    assert app.filters == {"channel": wanted.channel} and app.words == word
    assert [row.id for row in app.rows] == [wanted.id] and app.remaining == 1


def test_rows_with_findings_are_marked_in_the_list(tmp_path):
    brief = Brief(product="하프 마라톤 코칭", channel="google_rsa")
    fine, over = (
        Variant(copy=Copy(headline=headline, body="함께 달려요.", cta="신청"), brief=brief,
                stage=FunnelStage.DECISION, channel="google_rsa")
        for headline in ("첫 하프", "첫 하프 마라톤을 코치와 함께 완주하는 열 주")
    )  # fmt: skip
    with ReviewQueue(tmp_path / "review.db") as q:
        q.submit([fine, over])
        app = create_app(q, "minji")

        async def run():
            async with app.run_test(size=(80, 24)) as pilot:
                assert await until(pilot, lambda: over.id in app.flags)
                await pilot.pause()
                listing = app.query_one(VariantList)
                return [listing.render_line(y).text.strip()[:1] for y in range(2)]

        marks = asyncio.run(run())
    assert app.flags == {over.id: "error"} and marks == ["·", "!"]


@pytest.mark.parametrize("key", ["question_mark", "r", "e", "slash"])
def test_every_screen_fits_80_by_24(queue, key):
    app = create_app(queue, "minji")

    async def run():
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            screen = app.screen
            assert screen is not app.screen_stack[0]  # the dialog is open
            return [
                (type(widget).__name__, widget.region)
                for widget in screen.query("*")
                if widget.display and widget.region.area
            ]

    placed = asyncio.run(run())
    outside = [(name, r) for name, r in placed if r.right > 80 or r.bottom > 24 or r.x < 0]
    assert placed and outside == []


def test_a_row_shows_the_whole_channel_id_and_the_stage_as_a_letter(tmp_path):
    brief = Brief(product="러닝 코칭", channel="kakao_friendtalk")
    variant = Variant(
        copy=Copy(headline="봄 러닝", body="함께 달려요.", cta="신청"), brief=brief,
        stage=FunnelStage.CONSIDERATION, channel="kakao_friendtalk",
    )  # fmt: skip
    with ReviewQueue(tmp_path / "review.db") as q:
        q.submit([variant])
        app = create_app(q, "minji")

        async def run():
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                return app.query_one(VariantList).render_line(0).text

        line = asyncio.run(run())
    assert "· C kakao_friendtalk 봄" in line


def test_the_app_carries_on_through_a_postgres_server_ending_its_sessions(postgres_url):
    from tests.review.test_store_errors import end_sessions

    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel="google_rsa",
                  campaign="spring")  # fmt: skip
    with ReviewQueue(postgres_url) as mine, ReviewQueue(postgres_url) as theirs:
        mine.submit(generate(brief, stage="decision", n=4, provider=FakeProvider(), seed=1))
        first, second = mine.pending()[:2]
        app = create_app(mine, "minji", refresh_seconds=0.05)

        async def run():
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.pause()
                end_sessions(postgres_url)  # the listener's and both queues' sessions
                theirs.approve(second.id, "jun")
                assert await until(pilot, lambda: second.id not in [row.id for row in app.rows])
                await pilot.press("a")
                await pilot.pause()

        asyncio.run(run())
        assert app.return_code in (None, 0)
        assert mine.status(first.id) == "approved"


def test_the_app_says_when_the_database_is_out_of_reach_and_goes_on_when_it_is_back(
    postgres_url, monkeypatch
):
    import os
    import socket

    import psycopg

    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel="google_rsa",
                  campaign="spring")  # fmt: skip
    with ReviewQueue(postgres_url) as queue:
        queue.submit(generate(brief, stage="decision", n=4, provider=FakeProvider(), seed=1))
        second = queue.pending()[1]
        app = create_app(queue, "minji", refresh_seconds=0.05)
        store = queue.store

        def refused():
            raise psycopg.OperationalError("connection refused")

        async def run():
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.pause()
                # The server goes away: its connection ends, and connecting again fails.
                monkeypatch.setattr(store, "_connect", refused)
                socket.socket(fileno=os.dup(store.db.fileno())).shutdown(socket.SHUT_RDWR)
                await pilot.press("j", "a")
                await pilot.pause()
                shown = str(app.query_one("#detail").render())
                assert "the connection to the server was lost" in shown
                assert "Move (j, k) to try again" in shown
                monkeypatch.undo()  # it is back
                await pilot.press("a")
                await pilot.pause()

        asyncio.run(run())
        assert app.return_code in (None, 0)
        assert queue.status(second.id) == "approved"
        assert queue.stats()["approved"] == 1


def test_two_review_apps_on_one_queue_share_the_work_and_see_each_others_decisions(
    queue_location,
):
    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel="google_rsa",
                  campaign="spring")  # fmt: skip
    with ReviewQueue(queue_location) as q:
        q.submit(generate(brief, stage="decision", n=6, provider=FakeProvider(), seed=1))
    with ReviewQueue(queue_location) as mine, ReviewQueue(queue_location) as theirs:
        minji = create_app(mine, "minji", refresh_seconds=0.05)
        jun = create_app(theirs, "jun", refresh_seconds=0.05)
        shown: dict[str, str] = {}

        async def both():
            async with (
                minji.run_test(size=(100, 30)) as at_minji,
                jun.run_test(size=(100, 30)) as at_jun,
            ):
                await at_minji.pause()
                await at_jun.pause()
                # Each starts on a variant of their own, and decides it.
                shown["minji"], shown["jun"] = minji.current.id, jun.current.id
                await at_minji.press("a")
                await at_jun.press("a")
                await at_minji.pause()
                await at_jun.pause()
                decided = {shown["minji"], shown["jun"]}
                # Each one's decision leaves the other's list, and both count what remains.
                assert await until(at_minji, lambda: shown["jun"] not in rows_of(minji))
                assert await until(at_jun, lambda: shown["minji"] not in rows_of(jun))
                assert minji.remaining == jun.remaining == 4
                assert not decided & {minji.current.id, jun.current.id}

        def rows_of(app):
            return {row.id for row in app.rows if row.id not in app.decided_here}

        asyncio.run(both())
        assert shown["minji"] != shown["jun"]
        stats = mine.stats()
        assert stats["approved"] == 2 and stats["pending"] == 4
        assert {d.reviewer for v in (shown["minji"], shown["jun"]) for d in mine.history(v)} == {
            "minji",
            "jun",
        }


def shown_notifications(app):
    """The text of each notification on screen (Textual's toasts, found by their type name)."""
    return [toast.render().plain for toast in app.screen.query("Toast")]


@pytest.mark.parametrize(
    "headline", ["[/bold] 50% 할인", "[b]굵게[/b] 코칭", "[@click=app.quit]여기[/]"]
)
def test_copy_that_looks_like_markup_is_shown_as_written_in_notifications(tmp_path, headline):
    brief = Brief(product="하프 마라톤 코칭", channel="sms")
    variant = Variant(copy=Copy(headline=headline, body="코치와 함께 달려요.", cta="신청"),
                      brief=brief, stage=FunnelStage.DECISION, channel="sms")  # fmt: skip
    with ReviewQueue(tmp_path / "review.db") as q:
        q.submit([variant])
        app = create_app(q, "minji")

        async def approve_and_undo():
            async with app.run_test(size=(100, 30), notifications=True) as pilot:
                for key in ("a", "u"):
                    await pilot.press(key)
                    await pilot.pause()
                return shown_notifications(app)

        shown = asyncio.run(approve_and_undo())
        assert q.status(variant.id) == "pending"
    assert shown == [f"Undid your approval of “{headline}”: it is back in the list."]


def test_a_filter_that_looks_like_markup_is_named_as_typed(queue):
    app = create_app(queue, "minji")

    async def filter_by():
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            for key in ("slash", *"[/b]=x", "enter"):
                await pilot.press(key)
            await pilot.pause()
            return shown_notifications(app)

    (shown,) = asyncio.run(filter_by())
    assert shown.startswith("'[/b]=x': write one of ")


class EchoingChecker:
    """A brand whose one rule quotes the headline, as rules that name what they matched do."""

    def check(self, copy, *, channel=None, stage=None):
        from dco.models import Finding

        return [Finding(rule="echo", level="warning", field="headline",
                        message=f"check “{copy.headline}”")]  # fmt: skip


def test_an_edit_that_looks_like_markup_is_checked_and_shown_as_typed(queue):
    app = create_app(queue, "minji", checker=EchoingChecker())

    async def edit():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("e")
            await pilot.pause()
            app.screen.query_one("#headline").value = "[/b] 첫 주 [b]무료"
            await pilot.pause()
            return str(app.screen.query_one("#findings").render())

    assert asyncio.run(edit()) == "warning headline: check “[/b] 첫 주 [b]무료”"
