"""The offline fake as a newcomer meets it: copy that reads as copy."""

from dco.brand import Brand
from dco.generation import generate
from dco.models import Brief
from dco.testing import FakeProvider


def test_the_fake_puts_a_required_line_on_its_own_line_not_into_a_sentence():
    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel="lms")
    result = generate(brief, stage="decision", n=2, brand=Brand.load("runfit"),
                      provider=FakeProvider())  # fmt: skip
    assert result
    for variant in result:
        body = variant.copy.body
        assert body.endswith("\n무료수신거부 080-000-0000") or body == "무료수신거부 080-000-0000"
