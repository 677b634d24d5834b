import json

from tests.conftest import run_dco


def test_demo_runs_offline_and_classifies_korean_and_english(tmp_path):
    result = run_dco("demo", "--queue", str(tmp_path / "review.db"))
    assert result.returncode == 0, result.stderr
    assert "하프 마라톤 목표 설정" in result.stdout and "how to train" in result.stdout
    for stage in ("awareness", "consideration", "decision"):
        assert stage in result.stdout


def test_demo_json_holds_results_and_channel_measures(tmp_path):
    data = json.loads(run_dco("demo", "--json", "--queue", str(tmp_path / "review.db")).stdout)
    stages = {c["result"]["stage"] for c in data["customers"]}
    assert stages == {"awareness", "consideration", "decision"}
    sms = [m for m in data["measures"] if m["channel"] == "sms"]
    assert sms and all(f["unit"] == "cp949_bytes" for m in sms for f in m["fields"])


def test_help_teaches_the_commands():
    result = run_dco("--help")
    for command in ("demo", "classify", "channels", "measure"):
        assert command in result.stdout


def test_demo_checks_copy_against_the_example_brand(tmp_path):
    data = json.loads(run_dco("demo", "--json", "--queue", str(tmp_path / "review.db")).stdout)
    rules = {f["rule"] for check in data["checks"] for f in check["findings"]}
    assert "ko-ad-law.Superlatives" in rules
    assert any(not check["findings"] for check in data["checks"])


def test_demo_fills_the_review_queue(tmp_path):
    from dco.review import ReviewQueue

    path = tmp_path / "review.db"
    data = json.loads(run_dco("demo", "--json", "--queue", str(path)).stdout)
    assert data["queue"]["pending"] >= 1
    with ReviewQueue(path) as queue:
        assert queue.stats()["pending"] == data["queue"]["pending"]


def test_at_80_columns_no_customer_text_loses_a_character(tmp_path):
    from dco import resources

    done = run_dco("demo", "--queue", str(tmp_path / "q.db"), env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    table = done.stdout.split("\n2. ")[0]  # the first section: the customers' table
    # Each cell's lines, joined, hold the customer's whole text (folded at spaces, not cut).
    cells = " ".join(
        line.split("│")[1].strip() for line in table.splitlines() if line.count("│") > 2
    )
    for customer in resources.load_data("demo.yaml").data["customers"]:
        text = customer.get("text") if isinstance(customer, dict) else customer
        if text:
            assert " ".join(text.split()) in " ".join(cells.split()), text
    assert "…" not in table
