import json

import pytest

from dco.errors import ConfigError, OutcomeError, ReviewError
from dco.outcomes.reports import read_report
from dco.outcomes.values import Totals
from dco.review import ReviewQueue
from tests.conftest import run_dco
from tests.review.test_queue import variants


@pytest.fixture
def queue(queue_location):
    with ReviewQueue(queue_location) as q:
        q.submit(variants(3))
        yield q


def ids(queue):
    return [v.id for v in queue.pending()]


def test_recording_the_same_variant_segment_and_day_again_replaces_the_figures(queue):
    first, second, _ = ids(queue)
    queue.record_outcome(first, impressions=100, clicks=5, at="2026-11-23")
    queue.record_outcome(first, impressions=120, clicks=6, at="2026-11-23T18:00:00+09:00")
    queue.record_outcome(first, impressions=50, clicks=1, conversions=1, at="2026.11.24")
    queue.record_outcome(second, impressions=80, clicks=4, segment="mobile", at="2026-11-23")
    queue.record_outcome(second, impressions=20, clicks=0, segment="desktop", at="2026-11-23")
    totals = queue.outcome_totals()
    assert totals[first] == {"all": Totals(170, 7, 1)}
    assert totals[second] == {"mobile": Totals(80, 4, 0), "desktop": Totals(20, 0, 0),
                              "all": Totals(100, 4, 0)}  # fmt: skip


def test_impossible_figures_and_unknown_variants_are_refused_with_the_reason(queue):
    first = ids(queue)[0]
    with pytest.raises(OutcomeError, match=r"clicks \(11\) exceed impressions \(10\)"):
        queue.record_outcome(first, impressions=10, clicks=11)
    with pytest.raises(OutcomeError, match="conversions"):
        queue.record_outcome(first, impressions=10, clicks=1, conversions=2)
    with pytest.raises(OutcomeError, match="not a day"):
        queue.record_outcome(first, impressions=10, at="yesterday")
    with pytest.raises(ReviewError, match="no variant 'v_nope'"):
        queue.record_outcome("v_nope", impressions=10)
    assert queue.outcome_totals() == {}


REPORT = """variant_id,date,impressions,clicks,conversions,segment
{a},2026-11-23,"1,200",36,3,mobile
{a},2026-11-23,800,12,0,desktop
{b},2026/11/23,500,five,0,
{b},2026-11-24,500,20,1,
v_unknown,2026-11-24,10,1,0,
{c},,10,1,0,
"""


def test_importing_a_report_twice_counts_it_once_and_lists_bad_rows_by_line(queue, tmp_path):
    a, b, c = ids(queue)
    report = tmp_path / "report.csv"
    report.write_text(REPORT.format(a=a, b=b, c=c), encoding="utf-8")
    for _ in range(2):
        done = run_dco("outcomes", "import", str(report), queue.store.location, "--json")
        assert done.returncode == 1  # some rows were bad
        result = json.loads(done.stdout)
        assert result["imported"] == 3
        assert result["problems"] == [
            {"line": 4, "problem": "clicks 'five' is not a whole number"},
            {"line": 6, "problem": f"no variant 'v_unknown' in {queue.store.location}"},
            {"line": 7, "problem": "no date"},
        ]
    totals = queue.outcome_totals()
    assert totals[a]["all"] == Totals(2000, 48, 3)
    assert totals[b] == {"all": Totals(500, 20, 1)}


def test_figures_a_queue_cannot_hold_are_bad_rows_not_a_crash(queue, tmp_path):
    a = ids(queue)[0]
    most = 2**63 - 1
    report = tmp_path / "report.csv"
    report.write_text(
        "variant_id,date,impressions,clicks\n"
        f"{a},2026-11-21,100,5\n"
        f"{a},2026-11-22,99999999999999999999999,1\n"  # past a BIGINT
        f"{a},2026-11-23,{'9' * 100_000},1\n"  # past what int() reads without a limit
        f"{a},2026-11-24,²,1\n"  # a digit to str.isdigit(), and no number
        f"{a},2026-11-25,{most},1\n{a},2026-11-25,{most},1\n",  # each fits; the sum does not
        encoding="utf-8",
    )
    done = run_dco("outcomes", "import", str(report), queue.store.location)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout.startswith("imported 1 row from ")
    told = " ".join(done.stderr.split())
    assert "report.csv:3: impressions 99999999999999999999999 is more than a queue can hold" in told
    assert "report.csv:4: impressions 999999999999999999999999999999… is more than" in told
    assert "report.csv:5: impressions '²' is not a whole number" in told
    assert f"report.csv:6: impressions {2 * most} is more than a queue can hold" in told
    assert "4 rows not imported" in told
    assert queue.outcome_totals()[a]["all"].impressions == 100


def test_a_korean_report_in_cp949_with_its_own_headers_is_read_through_a_mapping(queue, tmp_path):
    a = ids(queue)[0]
    report = tmp_path / "naver.csv"
    report.write_bytes(f"소재 ID,날짜,노출수,클릭수\n{a},2026.11.23,300,9\n".encode("cp949"))
    read = read_report(report, {"variant_id": "소재 ID", "date": "날짜",
                                "impressions": "노출수", "clicks": "클릭수"})  # fmt: skip
    assert read.problems == [] and read.outcomes[0].impressions == 300
    done = run_dco("outcomes", "import", str(report), queue.store.location)
    assert done.returncode == 2 and "--column variant_id=HEADER" in done.stderr


def test_a_quote_never_closed_in_a_report_names_the_row_it_opens_in(tmp_path, cells_of_a_kilobyte):
    report = tmp_path / "report.csv"
    report.write_text("variant_id,date,impressions,clicks\nv_1,2026-12-01,10,1\n"
                      '"v_2,2026-12-01,10,1\n' + "v_3,2026-12-01,10,1\n" * 100,
                      encoding="utf-8")  # fmt: skip
    with pytest.raises(ConfigError, match=r"report\.csv:3: a cell in this row runs past 64 MB"):
        read_report(report)


def test_a_device_given_as_a_report_is_refused_not_read_without_end(tmp_path):
    done = run_dco("outcomes", "import", "/dev/zero", str(tmp_path / "review.db"))
    assert done.returncode == 2
    assert (
        done.stderr
        == "dco: error: /dev/zero: a device, not a file; give a file, or pipe the text in\n"
    )


def test_a_file_that_is_no_report_is_quoted_briefly(tmp_path):
    report = tmp_path / "report.csv"
    report.write_text("x" * 100_000 + "\n", encoding="utf-8")
    done = run_dco("outcomes", "import", str(report), str(tmp_path / "review.db"))
    assert done.returncode == 2
    assert f"(the first row has {'x' * 200}…);" in done.stderr and len(done.stderr) < 1000
