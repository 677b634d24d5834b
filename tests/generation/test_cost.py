"""What a run cost, priced from the editable price table."""

from dco import i18n
from dco.generation import Spend, generate
from dco.generation.cost import price_of, spend_line
from dco.models import Brief
from dco.testing import FakeProvider


def test_a_dated_model_id_takes_its_familys_price_and_the_longest_name_wins():
    assert price_of("gpt-4o-mini-2024-07-18") == price_of("gpt-4o-mini")
    assert price_of("gpt-4o-mini") != price_of("gpt-4o")
    assert price_of("someone-elses-model") is None


def test_the_spend_line_counts_tokens_per_accepted_variant_and_prices_them():
    spend = Spend(requests=3, prompt_tokens=2_000_000, completion_tokens=500_000, repairs=2)
    line = spend_line(spend, accepted=5, model="gpt-4o-mini")
    assert line.startswith("3 requests (2 repair rounds, 0 retried), 2,000,000 prompt")
    assert "500,000 per accepted variant" in line and "$0.6000 at gpt-4o-mini's price" in line
    assert "no price for mystery" in spend_line(spend, accepted=0, model="mystery")


def test_a_generation_reports_what_it_spent_as_the_server_counted_it():
    fake = FakeProvider().then_invalid_json()
    result = generate(Brief(product="하프 마라톤 코칭"), stage="decision", n=2, provider=fake)
    assert result.spend.requests == len(fake.calls) == 2 and result.spend.repairs == 1
    assert result.spend.prompt_tokens == sum(
        sum(len(m.content) for m in call.messages) // 3 for call in fake.calls
    )


def test_a_campaign_reports_the_share_of_its_prompts_every_brief_shares():
    from dco.generation import generate_many

    briefs = [Brief(product="하프 마라톤 코칭"), Brief(product="10K 러닝 클래스")]
    batch = generate_many(briefs, stage="decision", n=1, provider=FakeProvider())
    first, second = (r.first_prompt for r in batch.results)
    assert first != second and 0.5 < batch.shared_prefix() < 1
    # What varies per brief comes last: the prompts part only inside the brief, after the policy.
    shared = next(i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b)
    assert "</policy>" in first[:shared] and first[:shared].endswith('"product": "')


def test_the_spend_line_speaks_the_language_in_use():
    spend = Spend(requests=2, prompt_tokens=1_000, completion_tokens=200, repairs=1)
    i18n.use("ko")
    try:
        line = spend_line(spend, accepted=2, model="gpt-4o-mini", batch=True)
    finally:
        i18n.use("en")
    assert line.startswith("요청 2건 (수정 1회, 재시도 0회), 토큰 프롬프트 1,000 + 응답 200")
    assert "승인된 변형당 600" in line and "gpt-4o-mini의 Batch API 가격으로 $" in line
