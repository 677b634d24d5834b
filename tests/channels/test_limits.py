"""What no export may carry: copy a spreadsheet would run as a formula."""

import pytest

from dco.channels.limits import FORMULA_RULE, copy_findings, formula_findings
from dco.models import Copy


@pytest.mark.parametrize(
    "headline",
    [
        '=HYPERLINK("https://evil.example","마라톤")',
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+cmd|' /C calc'!A0",
        '-HYPERLINK("https://evil.example")',
        "\t=1+1",
    ],
)
def test_a_field_a_spreadsheet_would_run_is_an_error(headline):
    (finding,) = formula_findings(Copy(headline=headline, body="본문", cta="신청"))
    assert (finding.rule, finding.level, finding.field) == (FORMULA_RULE, "error", "headline")
    assert "opens as a spreadsheet formula" in finding.message


@pytest.mark.parametrize(
    "headline",
    [
        "+1 이벤트",
        "-30% 할인",
        "-Free trial (7 days)",
        "+1+1 이벤트(오늘만)",
        " =1+1",
        "하프 =완주",
    ],
)
def test_a_sign_that_is_only_a_sign_is_copy(headline):
    assert formula_findings(Copy(headline=headline, body="본문", cta="신청")) == []


def test_every_field_is_checked_and_the_shared_check_includes_it():
    copy = Copy(headline="마라톤", body='=HYPERLINK("x")', cta="@cta")
    assert [f.field for f in copy_findings(copy, "google_rsa")] == ["body", "cta"]
