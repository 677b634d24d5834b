import pytest

from dco.brand import Brand
from dco.errors import ReviewError, StoreError
from dco.generation import generate
from dco.models import Brief, Copy
from dco.review import ReviewQueue
from dco.testing import FakeProvider


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def variants(n=3, campaign="spring", channel="google_rsa"):
    brief = Brief(
        product="하프 마라톤 코칭", offer="첫 주 무료", channel=channel, campaign=campaign
    )
    return list(generate(brief, stage="decision", n=n, provider=FakeProvider(), seed=1))


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def queue(queue_location, clock):
    """A queue in a SQLite file, and again on a PostgreSQL server: every test runs on both."""
    with ReviewQueue(queue_location, clock=clock, lease_seconds=60) as q:
        yield q


def test_submitting_the_same_variant_twice_stores_it_once(queue):
    batch = variants()
    assert queue.submit(batch) == 3
    assert queue.submit(batch) == 0
    assert queue.stats()["total"] == 3


def test_pending_filters_by_campaign_and_channel(queue):
    queue.submit(variants(2, campaign="spring") + variants(2, campaign="fall", channel="sms"))
    assert len(queue.pending(campaign="spring")) == 2
    assert {v.channel for v in queue.pending(channel="sms")} == {"sms"}
    with pytest.raises(ReviewError, match="unknown filter 'color'"):
        queue.pending(color="red")


def test_a_claim_with_filters_takes_the_oldest_variant_that_matches_them(queue):
    spring = variants(2, campaign="spring")
    fall_sms = variants(2, campaign="fall", channel="sms")
    queue.submit(spring + fall_sms)
    for _ in range(7):  # past the first few claims, where a server plans each one afresh
        assert queue.claim("minji", campaign="fall", channel="sms").variant.id == fall_sms[0].id
        queue.release(fall_sms[0].id, "minji")
    assert queue.claim("minji", channel="sms", stage="awareness") is None
    assert queue.claim("minji").variant.id == spring[0].id
    assert queue.claim("jun", locale="ko-KR", campaign="fall").variant.id == fall_sms[0].id


def test_two_reviewers_never_get_the_same_variant(queue):
    queue.submit(variants(2))
    first = queue.claim("minji")
    second = queue.claim("jun")
    assert first.variant.id != second.variant.id
    assert queue.claim("seo") is None


def test_a_reviewer_gets_their_own_claim_back(queue):
    queue.submit(variants(2))
    assert queue.claim("minji").variant.id == queue.claim("minji").variant.id


def test_claims_hands_out_each_matching_variant_in_turn_as_each_is_decided(queue):
    spring, fall = variants(3, campaign="spring"), variants(2, campaign="fall")
    queue.submit(spring + fall)
    handed_out = []
    for claimed in queue.claims("minji", campaign="spring"):
        handed_out.append(claimed.variant.id)
        if len(handed_out) == 1:
            queue.skip(claimed.variant.id, "minji")  # passed over, not handed out again
        elif len(handed_out) == 2:
            queue.reject(claimed.variant.id, "minji", ["off-brand"])
        else:
            queue.edit(claimed.variant.id, "minji", Copy(headline="새 헤드라인", body="새 본문",
                                                         cta="신청하기"))  # fmt: skip
    assert handed_out == [v.id for v in spring]
    assert [queue.status(v.id) for v in spring] == ["pending", "rejected", "edited"]
    assert queue.pending_count(campaign="fall") == 2


def test_leaving_claims_early_gives_back_the_variant_claimed_with_the_last_decision(queue):
    batch = variants(3)
    queue.submit(batch)
    for claimed in queue.claims("minji"):
        queue.approve(claimed.variant.id, "minji")
        break
    assert queue.claim("jun").variant.id == batch[1].id  # not held by minji until it lapses


def test_a_variant_claims_hands_out_and_nobody_decides_is_an_error_not_an_endless_loop(queue):
    queue.submit(variants(2))
    with pytest.raises(ReviewError, match="came back undecided"):
        for _claimed in queue.claims("minji"):
            pass


def test_claims_goes_on_past_a_decision_refused_because_another_reviewer_made_one(queue):
    batch = variants(2)
    queue.submit(batch)
    handed_out = []
    for claimed in queue.claims("minji"):
        handed_out.append(claimed.variant.id)
        if claimed.variant.id == batch[0].id:
            queue.reject(batch[0].id, "jun", ["compliance"], override=True)  # the lead steps in
            with pytest.raises(ReviewError, match="already rejected"):
                queue.approve(claimed.variant.id, "minji")
        else:
            queue.approve(claimed.variant.id, "minji")
    assert handed_out == [batch[0].id, batch[1].id]
    assert [queue.status(v.id) for v in batch] == ["rejected", "approved"]


def test_a_decision_in_claims_stands_when_the_claim_after_it_fails(tmp_path, monkeypatch):
    batch = variants(2)
    with ReviewQueue(tmp_path / "review.db") as queue:
        queue.submit(batch)
        loop = queue.claims("minji")
        first = next(loop)

        def full_disk(*_args):
            raise StoreError("the disk is full")

        monkeypatch.setattr(queue.store, "claim", full_disk)
        assert queue.approve(first.variant.id, "minji").action == "approve"
        monkeypatch.undo()
        assert next(loop).variant.id == batch[1].id  # claimed again, by the loop itself
        assert queue.status(first.variant.id) == "approved"


def test_one_reviewer_has_one_claims_loop_at_a_time(queue):
    queue.submit(variants(2))
    first = queue.claims("minji")
    next(first)
    with pytest.raises(ReviewError, match="already working through this queue"):
        next(queue.claims("minji"))
    assert next(queue.claims("jun")) is not None  # another reviewer's is their own


def test_an_expired_lease_frees_the_variant(queue, clock):
    queue.submit(variants(1))
    held = queue.claim("minji")
    assert queue.claim("jun") is None
    clock.now += 61
    assert queue.claim("jun").variant.id == held.variant.id


def test_deciding_on_a_variant_someone_else_holds_is_an_error(queue):
    queue.submit(variants(1))
    held = queue.claim("minji")
    with pytest.raises(ReviewError, match="being reviewed by minji"):
        queue.approve(held.variant.id, "jun")
    queue.approve(held.variant.id, "jun", override=True)
    assert queue.status(held.variant.id) == "approved"


def test_taking_a_variant_reads_it_and_holds_it_alone_unless_another_holds_it(queue):
    first, second = variants(2)
    queue.submit([first, second])
    taken = queue.take(first.id, "minji")
    assert taken.variant == first and taken.held_by is None
    assert queue.take(first.id, "jun") == (first, "minji")
    assert queue.take(second.id, "minji").held_by is None  # and the first given back
    assert queue.take(first.id, "jun").held_by is None
    assert queue.hold(second.id, "jun") == "minji"


def test_taking_or_holding_a_variant_that_is_not_there_names_it(queue):
    with pytest.raises(ReviewError, match="no variant 'v_gone'"):
        queue.take("v_gone", "minji")
    with pytest.raises(ReviewError, match="no variant 'v_gone'"):
        queue.hold("v_gone", "minji")


def test_every_decision_kind_and_the_status_it_leaves(queue):
    a, b, c, d = variants(4)
    queue.submit([a, b, c, d])
    queue.approve(a.id, "minji")
    queue.edit(b.id, "minji", Copy(headline="새 헤드라인", body="새 본문", cta="신청하기"))
    queue.reject(c.id, "minji", ["too-long", "off-brand"], note="길어요")
    queue.skip(d.id, "minji")
    assert [queue.status(v.id) for v in (a, b, c, d)] == [
        "approved",
        "edited",
        "rejected",
        "pending",
    ]
    stats = queue.stats()
    assert (stats["approved"], stats["edited"], stats["rejected"], stats["pending"]) == (1, 1, 1, 1)


def test_a_decided_variant_is_not_silently_overwritten(queue):
    (v,) = variants(1)
    queue.submit([v])
    queue.approve(v.id, "minji")
    with pytest.raises(ReviewError, match="already approved"):
        queue.reject(v.id, "jun", ["other"])


def test_undo_appends_a_reversal_and_restores_pending(queue):
    (v,) = variants(1)
    queue.submit([v])
    queue.reject(v.id, "minji", ["wrong-tone"])
    undone = queue.undo("minji")
    assert undone.action == "undo" and queue.status(v.id) == "pending"
    assert [d.action for d in queue.history(v.id)] == ["reject", "undo"]
    assert queue.undo("minji") is None  # nothing left to undo


def test_skipped_variants_are_not_served_again_to_the_same_reviewer(queue):
    queue.submit(variants(2))
    first = queue.claim("minji").variant
    queue.skip(first.id, "minji")
    assert queue.claim("minji").variant.id != first.id
    assert queue.claim("jun").variant.id == first.id


def test_unknown_reason_tags_are_refused(queue):
    (v,) = variants(1)
    queue.submit([v])
    with pytest.raises(ReviewError, match="unknown reason 'ugly'"):
        queue.reject(v.id, "minji", ["ugly"])


def test_an_edit_that_breaks_the_brand_needs_force(queue_location):
    with ReviewQueue(queue_location, checker=Brand.load("runfit")) as queue:
        (v,) = variants(1)
        queue.submit([v])
        bad = Copy(headline="업계 최고의 코칭", body="함께 달려요", cta="신청")
        with pytest.raises(ReviewError, match=r"ko-ad-law\.Superlatives"):
            queue.edit(v.id, "minji", bad)
        assert queue.status(v.id) == "pending"
        queue.edit(v.id, "minji", bad, force=True)
        assert queue.status(v.id) == "edited"


def test_approved_gives_the_final_copy(queue):
    a, b = variants(2)
    queue.submit([a, b])
    queue.approve(a.id, "minji")
    edited = Copy(headline="고친 헤드라인", body="고친 본문", cta="신청")
    queue.edit(b.id, "minji", edited)
    finals = {variant.id: (copy, decision.action) for variant, copy, decision in queue.approved()}
    assert finals == {a.id: (a.copy, "approve"), b.id: (edited, "edit")}


def test_decisions_survive_reopening_the_queue(queue_location):
    path = queue_location
    (v,) = variants(1)
    with ReviewQueue(path) as queue:
        queue.submit([v])
        queue.approve(v.id, "minji")
    with ReviewQueue(path) as queue:
        assert queue.status(v.id) == "approved"
        assert [d.reviewer for d in queue.history(v.id)] == ["minji"]


def test_a_closed_queue_says_so_instead_of_opening_itself_again(queue_location, monkeypatch):
    batch = variants(3)
    queue = ReviewQueue(queue_location)
    queue.submit(batch)
    loop = queue.claims("minji")
    handed = next(loop)
    queue.approve(handed.variant.id, "minji")  # the next is claimed with it, held by the loop
    queue.close()
    queue.close()  # closing twice is no error
    with pytest.raises(StoreError, match="this queue was closed; open it again"):
        queue.approve(batch[2].id, "minji")

    def tried(*_args):
        raise AssertionError("a closed queue was asked to give back a lease")

    monkeypatch.setattr(queue, "release", tried)
    loop.close()  # as Python ends a loop left open: its lease lapses instead, nothing tried
    with ReviewQueue(queue_location) as again:
        assert again.status(batch[2].id) == "pending"
        assert again.stats()["pending"] == 2


def test_an_edit_over_the_channels_limit_is_refused_unless_forced(queue):
    (variant,) = variants(1)
    queue.submit([variant])
    long = Copy(headline="가" * 200, body=variant.copy.body, cta=variant.copy.cta)
    with pytest.raises(ReviewError, match=r"dco\.Length"):
        queue.edit(variant.id, "minji", long)
    assert queue.edit(variant.id, "minji", long, force=True).action == "edit"


def test_an_edit_a_spreadsheet_would_run_as_a_formula_is_refused_unless_forced(queue):
    (variant,) = variants(1)
    queue.submit([variant])
    formula = Copy(headline="=1+1", body=variant.copy.body, cta=variant.copy.cta)
    with pytest.raises(ReviewError, match=r"headline opens as a spreadsheet formula"):
        queue.edit(variant.id, "minji", formula)
    assert queue.edit(variant.id, "minji", formula, force=True).action == "edit"


def test_a_reviewer_who_skipped_many_is_served_the_oldest_they_did_not_skip(queue, clock):
    batch = variants(8)
    queue.submit(batch)
    held = queue.claim("jun")  # batch[0], leased to someone else
    for v in batch[1:6]:
        queue.skip(v.id, "minji")
    assert queue.claim("minji").variant.id == batch[6].id
    queue.release(batch[6].id, "minji")
    # What reopens behind the skips comes first again: the other reviewer's lease running out,
    # an undone skip, a decision undone by someone else.
    clock.now += 61
    assert queue.claim("minji").variant.id == held.variant.id
    queue.approve(held.variant.id, "minji")
    queue.undo("minji")  # undoes the approval: batch[0] is pending again
    queue.undo("minji")  # undoes the skip of batch[5]
    assert queue.claim("minji").variant.id == batch[0].id
    queue.reject(batch[0].id, "minji", ["other"])
    assert queue.claim("minji").variant.id == batch[5].id


def test_undoing_a_decision_made_over_another_leaves_the_other_standing(queue):
    (variant,) = variants(1)
    queue.submit([variant])
    queue.approve(variant.id, "kim")
    queue.reject(variant.id, "lee", ["other"], override=True)
    assert queue.status(variant.id) == "rejected"
    assert queue.undo("lee").variant_id == variant.id
    assert queue.status(variant.id) == "approved"
    (standing,) = queue.decided()
    assert (standing.action, standing.reviewer) == ("approve", "kim")
    assert queue.undo("lee") is None  # lee has nothing left standing


def test_a_decision_undone_elsewhere_returns_its_variant_to_every_reviewer(queue):
    batch = variants(4)
    queue.submit(batch)
    queue.approve(batch[0].id, "jun")
    for v in batch[1:3]:
        queue.skip(v.id, "minji")
    assert queue.claim("minji").variant.id == batch[3].id
    queue.release(batch[3].id, "minji")
    queue.undo("jun")
    assert queue.claim("minji").variant.id == batch[0].id


def test_a_variant_whose_text_cannot_be_stored_is_named_and_none_of_its_batch_is_stored(tmp_path):
    from dco.models import Copy

    good, bad = variants(2)
    # Built in Python past validation: "\ud83c" alone is half of an emoji's surrogate pair.
    bad = bad.model_copy(update={"copy": Copy.trusted(headline="첫 주 \ud83c", body="b", cta="c")})
    with ReviewQueue(tmp_path / "q.db") as queue:
        with pytest.raises(ReviewError, match=rf"variant {bad.id} cannot be stored: .*surrogate"):
            queue.submit([good, bad])
        assert queue.stats()["total"] == 0


@pytest.mark.parametrize(
    "decide",
    [
        pytest.param(lambda q, v: q.approve(v, "kim\udcff"), id="reviewer"),
        pytest.param(lambda q, v: q.reject(v, "kim", ["other"], note="\ud83d 별로"), id="note"),
        pytest.param(
            lambda q, v: q.edit(v, "kim", {"headline": "첫 주\ud83c", "body": "b", "cta": "c"}),
            id="edited copy",
        ),
    ],
)
def test_a_decision_with_text_no_database_holds_is_refused_by_name_and_not_recorded(queue, decide):
    # A lone surrogate: a byte of a command's argument that was not UTF-8, or half an emoji.
    (variant,) = variants(1)
    queue.submit([variant])
    with pytest.raises(ReviewError, match=r"holds a lone surrogate .* give it as UTF-8 text"):
        decide(queue, variant.id)
    assert queue.decided() == [] and queue.pending_count() == 1


def test_a_filter_no_database_holds_is_refused_by_its_name(queue):
    queue.submit(variants(1))
    with pytest.raises(ReviewError, match=r"^campaign '\\udcff' holds a lone surrogate"):
        queue.decision_counts(campaign="\udcff")
    with pytest.raises(ReviewError, match=r"^channel '\\udcff' holds a lone surrogate"):
        queue.claim("kim", channel="\udcff")


@pytest.mark.parametrize("reviewer", ["", "   "])
def test_a_blank_reviewer_can_neither_claim_nor_decide(queue, reviewer):
    (variant,) = variants(1)
    queue.submit([variant])
    for act in (lambda: queue.claim(reviewer), lambda: queue.approve(variant.id, reviewer)):
        with pytest.raises(ReviewError, match="needs the reviewer's name"):
            act()
    assert queue.claim("kim").variant.id == variant.id  # no lease was left in a blank name
