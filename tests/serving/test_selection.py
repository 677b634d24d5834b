import json

import numpy as np
import pytest

from dco.brand import Brand
from dco.errors import SelectionError
from dco.generation import generate
from dco.models import Brief, Signals
from dco.outcomes.bandit import beta_interval, beta_mean, pooled_prior, posterior, regularized_beta
from dco.review import ReviewQueue
from dco.serving.selection import Selector, select
from dco.testing import FakeProvider
from tests.conftest import WEDNESDAY_NOON_SEOUL, run_dco

DECISION = "하프 마라톤 코칭 가격"


def test_posterior_arithmetic_matches_the_hand_computed_values():
    # Beta(2, 8) prior (a 20 % rate worth 10 trials) after 30 clicks in 100 impressions.
    alpha, beta = posterior(30, 100, prior=(2.0, 8.0))
    assert (alpha, beta) == (32.0, 78.0)
    assert beta_mean(alpha, beta) == pytest.approx(32 / 110)
    assert pooled_prior(50, 1000, strength=20) == pytest.approx((1.0, 19.0))
    assert pooled_prior(0, 0, strength=20) == (1.0, 1.0)
    # I_0.5(2, 2) = 0.5 by symmetry; I_x(1, 1) = x; Beta(1, 1)'s 95 % interval is 2.5 %…97.5 %.
    assert regularized_beta(0.5, 2, 2) == pytest.approx(0.5)
    assert regularized_beta(0.3, 1, 1) == pytest.approx(0.3)
    assert beta_interval(1, 1) == pytest.approx((0.025, 0.975))
    # I_x(1, b) = 1 − (1 − x)^b.
    assert regularized_beta(0.1, 1, 5) == pytest.approx(1 - 0.9**5)
    with pytest.raises(ValueError):
        posterior(5, 3, prior=(1, 1))


@pytest.fixture
def queue(queue_location):
    """Selection reads a queue in a SQLite file, and one on a PostgreSQL server, alike."""
    with ReviewQueue(queue_location) as q:
        yield q


def approved(queue, n=5, channel="google_rsa", context=None, brand=None, seed=3):
    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel=channel)
    signals = Signals(text=DECISION, context=context or {})
    batch = list(generate(brief, signals=signals, n=n, provider=FakeProvider(), seed=seed,
                          brand=brand))  # fmt: skip
    queue.submit(batch)
    for v in batch:
        queue.approve(v.id, "kim")
    return batch


def test_thompson_sampling_sends_the_late_traffic_to_the_best_variant(queue):
    batch = approved(queue)
    true_ctr = dict(zip([v.id for v in batch], [0.02, 0.03, 0.05, 0.035, 0.01], strict=True))
    best = max(true_ctr, key=true_ctr.get)
    selector = Selector(queue, channel="google_rsa", locale="ko-KR", seed=42)
    world = np.random.default_rng(7)
    served, regret = [], 0.0
    for _ in range(10_000):
        chosen = selector.select(DECISION).variant_id
        selector.observe(chosen, impressions=1, clicks=int(world.random() < true_ctr[chosen]))
        served.append(chosen)
        regret += true_ctr[best] - true_ctr[chosen]
    share = served[-1000:].count(best) / 1000
    print(f"best variant's share of the last 1,000: {share:.1%}; cumulative regret {regret:.1f}")
    assert share >= 0.9


def test_the_same_seed_gives_the_same_selection(queue):
    approved(queue)
    picks = [select(DECISION, queue, channel="google_rsa", locale="ko-KR", seed=5).variant_id
             for _ in range(2)]  # fmt: skip
    assert picks[0] == picks[1]


def test_variants_tagged_for_the_customers_situation_are_preferred(queue):
    brand = Brand.load("runfit")
    rainy = {"weather": "rain", "time": WEDNESDAY_NOON_SEOUL}
    indoor = {v.id for v in approved(queue, channel="kakao_friendtalk", context=rainy, brand=brand)}
    outdoor = approved(queue, channel="kakao_friendtalk", brand=brand, seed=4,
                       context={"weather": "clear", "time": WEDNESDAY_NOON_SEOUL})  # fmt: skip
    assert all(v.tags == ("outdoor",) for v in outdoor)
    selector = Selector(queue, channel="kakao_friendtalk", locale="ko-KR",
                        context_rules=brand.context_rules, seed=1)  # fmt: skip
    for _ in range(50):
        selection = selector.select(Signals(text=DECISION, context=rainy))
        assert selection.variant_id in indoor
    assert selection.rules == ("rainy-day",) and selection.tags == ("indoor", "rainy-day")
    assert selection.considered == len(indoor) < selection.pool
    no_rule = selector.select(Signals(text=DECISION, context={"time": WEDNESDAY_NOON_SEOUL}))
    assert no_rule.considered == no_rule.pool  # no tags wanted: every variant competes


def test_a_segment_uses_its_own_figures_once_it_has_enough_and_the_pool_until_then(queue):
    batch = approved(queue, n=2)
    a, b = batch[0].id, batch[1].id
    queue.record_outcome(a, impressions=1000, clicks=10, segment="mobile", at="2026-11-23")
    queue.record_outcome(a, impressions=1000, clicks=90, segment="desktop", at="2026-11-23")
    queue.record_outcome(b, impressions=50, clicks=5, segment="mobile", at="2026-11-23")
    selection = Selector(queue, channel="google_rsa", locale="ko-KR", seed=1).select(
        DECISION, segment="mobile"
    )
    figures = {c.variant_id: (c.successes, c.trials, c.segment) for c in selection.candidates}
    assert figures[a] == (10, 1000, "mobile")
    assert figures[b] == (5, 50, "all")  # too few mobile trials: pooled


def test_new_variants_are_explored_now_and_then(queue):
    batch = approved(queue, n=3)
    for v in batch[:2]:
        queue.record_outcome(v.id, impressions=5000, clicks=250, at="2026-11-23")
    selector = Selector(queue, channel="google_rsa", locale="ko-KR", seed=3, explore=0.2)
    picks = [selector.select(DECISION) for _ in range(500)]
    explored = [p for p in picks if p.explored]
    assert 50 <= len(explored) <= 150  # about a fifth
    assert all(p.variant_id == batch[2].id and p.reason.startswith("explored") for p in explored)


def test_a_selection_explains_itself(queue):
    approved(queue, n=3)
    selection = select(DECISION, queue, channel="google_rsa", locale="ko-KR", seed=1)
    assert selection.stage.stage.value == "decision"
    assert selection.reason.startswith("no outcomes recorded yet")
    data = selection.to_dict()
    assert data["variant_id"] == selection.variant_id and len(data["candidates"]) == 3
    assert {"posterior_mean", "low", "high", "trials"} <= set(data["candidates"][0])


def test_no_approved_variant_for_the_stage_is_a_clear_error(queue):
    with pytest.raises(SelectionError, match="no approved decision variant for google_rsa"):
        select(DECISION, queue, channel="google_rsa", locale="ko-KR")


def test_dco_select_prints_the_choice_as_json(queue):
    approved(queue, n=3)
    done = run_dco("select", queue.store.location, "-q", DECISION, "--channel", "google_rsa",
                   "-c", "weather=rain", "-c", f"time={WEDNESDAY_NOON_SEOUL}", "--brand", "runfit",
                   "--seed", "2", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["rules"] == ["rainy-day"] and data["stage"]["stage"] == "decision"


def test_dco_select_explains_its_choice_in_korean(queue):
    approved(queue, n=3)
    done = run_dco("--lang", "ko", "select", queue.store.location, "-q", DECISION,
                   "--channel", "google_rsa", "--seed", "1")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "— 아직 기록된 성과가 없어 3개 중 무작위로 골랐습니다" in done.stdout
    assert "단계 결정 (" in done.stdout and "후보" in done.stdout
    assert "헤드라인" in done.stdout and "candidates" not in done.stdout


def test_a_stage_with_no_approved_copy_can_borrow_the_nearest_stages(queue):
    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel="google_rsa")
    batch = list(generate(brief, stage="consideration", n=2, provider=FakeProvider(), seed=3))
    queue.submit(batch)
    for v in batch:
        queue.approve(v.id, "kim")
    with pytest.raises(SelectionError, match="serve consideration copy with --fallback"):
        select(DECISION, queue, channel="google_rsa", locale="ko-KR")
    chosen = select(DECISION, queue, channel="google_rsa", locale="ko-KR", fallback=True)
    assert chosen.stage.stage.value == "decision" and chosen.served.value == "consideration"
    assert chosen.variant_id in {v.id for v in batch}
    assert chosen.reason.startswith("no approved decision copy, so consideration copy")
    done = run_dco("select", queue.store.location, "-q", DECISION, "--channel", "google_rsa",
                   "--json")  # fmt: skip
    assert done.returncode == 2 and json.loads(done.stdout)["ok"] is False


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("wether=rain", "--context 'wether=rain': write KEY=VALUE with KEY one of weather, time"),
        ("time=notatime", "context time 'notatime' is not an ISO 8601 timestamp"),
        ("timezone=Mars/Base", "unknown time zone 'Mars/Base'"),
    ],
)
def test_a_context_no_rule_could_read_is_refused_without_rules_too(tmp_path, given, said):
    # With no context rules nothing reads the context yet: a mistake still says so at once.
    done = run_dco("select", str(tmp_path / "review.db"), "-q", DECISION, "--channel", "sms",
                   "-c", given)  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith(f"dco: error: {said}")
