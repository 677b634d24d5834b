import json

from tests.conftest import DATA, run_dco


def test_classify_prints_stage_confidence_and_reasons():
    result = run_dco("classify", "하프 마라톤 목표 설정 방법", "--event", "page_view:blog")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("awareness  confidence 0.86")
    assert "'방법' → awareness cue (+1.0)" in result.stdout
    assert "event page_view:blog → awareness (+1.5)" in result.stdout


def test_classify_json_is_the_stage_result():
    result = run_dco("classify", "러닝화 최저가", "--event", "add_to_cart", "--json")
    data = json.loads(result.stdout)
    assert data["stage"] == "decision"
    assert set(data["scores"]) == {"awareness", "consideration", "decision"}
    assert data["defaulted"] is False


def test_classify_events_only():
    result = run_dco("classify", "--event", "compare_view", "--json")
    assert json.loads(result.stdout)["stage"] == "consideration"


def test_unknown_event_is_one_line_and_exit_2():
    result = run_dco("classify", "러닝화", "--event", "add_to_kart")
    assert result.returncode == 2
    assert result.stdout == ""
    first, *rest = result.stderr.strip().splitlines()
    assert first.startswith("dco: error: ")
    assert "unknown event 'add_to_kart'" in first and "Did you mean 'add_to_cart'?" in first
    assert "Traceback" not in result.stderr
    assert rest == []


def test_debug_variable_shows_the_traceback():
    result = run_dco("classify", "x", "--event", "nope", env={"DCO_DEBUG": "1"})
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_nothing_to_classify_is_a_usage_error():
    result = run_dco("classify")
    assert result.returncode == 2
    assert "give a TEXT" in result.stderr


def test_stdin_lines_are_classified_one_per_line():
    lines = '러닝화 추천\n\n{"text": "", "events": ["add_to_cart"]}\nhow to run faster\n'
    result = run_dco("classify", "-", "--json", stdin=lines)
    assert result.returncode == 0, result.stderr
    stages = [json.loads(line)["stage"] for line in result.stdout.splitlines()]
    assert stages == ["consideration", "decision", "awareness"]


def test_eval_prints_accuracy_macro_f1_per_class_and_confusion():
    result = run_dco("classify", "--eval", str(DATA / "funnel_dev.jsonl"))
    assert result.returncode == 0, result.stderr
    assert "accuracy" in result.stdout and "macro-F1" in result.stdout
    assert "precision" in result.stdout and "recall" in result.stdout
    assert "confusion (rows: true, columns: predicted)" in result.stdout


def test_eval_json_counts_every_row(tmp_path):
    path = tmp_path / "mini.jsonl"
    path.write_text(
        '{"text": "러닝화 최저가", "stage": "decision"}\n'
        '{"text": "러닝화 추천", "stage": "decision"}\n',
        encoding="utf-8",
    )
    data = json.loads(run_dco("classify", "--eval", str(path), "--json").stdout)
    assert data["total"] == 2
    assert data["accuracy"] == 0.5
    assert data["confusion"]["decision"] == {"awareness": 0, "consideration": 1, "decision": 1}
    assert data["errors"][0]["line"] == 2


def test_list_events_shows_the_vocabulary():
    data = json.loads(run_dco("classify", "--list-events", "--json").stdout)
    assert "page_view:pricing" in data and "add_to_cart" in data


def test_stdin_keeps_extra_fields_and_reports_bad_lines_by_number():
    lines = (
        '{"id": 7, "text": "러닝화 최저가"}\n{"text": 3}\n{broken\n'
        '{"id": "x", "text": "러닝화 추천"}\n'
    )
    result = run_dco("classify", "-", "--json", stdin=lines)
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["stage"]) for r in records] == [(7, "decision"), ("x", "consideration")]
    assert "<stdin>:2: key 'text': must be text" in result.stderr
    assert "<stdin>:3: not JSON" in result.stderr
