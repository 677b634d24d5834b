import json

import pytest

from tests.conftest import DATA, run_dco


def test_classify_prints_stage_confidence_and_reasons():
    result = run_dco("classify", "하프 마라톤 목표 설정 방법", "--event", "page_view:blog")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("awareness  confidence 0.")
    assert "(decided by the learned layer)" in result.stdout.splitlines()[0]
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


@pytest.mark.parametrize("off", ["0", "false", "off", ""])
def test_debug_variable_set_to_off_keeps_the_one_line(off):
    result = run_dco("classify", "x", "--event", "nope", env={"DCO_DEBUG": off})
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_a_stream_that_takes_only_ascii_gets_escapes_not_a_traceback():
    # A terminal or pipe set to ASCII (PYTHONIOENCODING, an old locale) cannot take Hangul.
    shown = run_dco("classify", "러닝화 최저가", env={"PYTHONIOENCODING": "ascii"})
    assert shown.returncode == 0, shown.stderr
    assert "'\\ucd5c\\uc800\\uac00' \\u2192 decision cue" in shown.stdout


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


def test_eval_speaks_korean_and_names_the_stages_by_their_labels():
    result = run_dco("--lang", "ko", "classify", "--eval", str(DATA / "funnel_dev.jsonl"))
    assert result.returncode == 0, result.stderr
    assert "정확도" in result.stdout and "매크로 F1" in result.stdout
    assert "혼동 행렬" in result.stdout  # its title folds to the width of the table
    header = next(line for line in result.stdout.splitlines() if "정밀도" in line)
    assert "재현율" in header and "표본 수" in header
    assert "precision" not in result.stdout and "consideration" not in result.stdout


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


def _made_up_training_file(path):
    """Labelled rows whose stage only the made-up word 'zorp' (decision) or 'blick' tells."""
    lines = []
    for n in range(30):
        lines.append({"text": f"zorp item{'abc'[n % 3]}", "stage": "decision"})
        lines.append({"text": f"blick item{'abc'[n % 3]}", "stage": "awareness"})
        lines.append({"text": f"vunt item{'abc'[n % 3]}", "stage": "consideration"})
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_train_writes_a_model_that_classify_then_uses(tmp_path):
    rows = _made_up_training_file(tmp_path / "labelled.jsonl")
    model = tmp_path / "funnel_model.json"
    trained = run_dco("classify", "--train", str(rows), "--out", str(model), "--folds", "3")
    assert trained.returncode == 0, trained.stderr
    assert "3-fold cross-validation" in trained.stdout
    assert "cross-validating: fold 3 of 3" in trained.stderr
    assert json.loads(model.read_text())["about"]["cross_validated"]["folds"] == 3
    used = run_dco("classify", "zorp", "--model", str(model), "--json")
    assert json.loads(used.stdout)["stage"] == "decision"
    assert json.loads(used.stdout)["decided_by"] == "learned"
    unused = run_dco("classify", "zorp", "--lexicon-only", "--json")
    assert json.loads(unused.stdout)["decided_by"] == "default"


def test_a_brand_folder_model_is_used_by_brand(tmp_path):
    rows = _made_up_training_file(tmp_path / "labelled.jsonl")
    brand = tmp_path / "brand"
    brand.mkdir()
    run_dco("classify", "--train", str(rows), "--out", str(brand / "funnel_model.json"),
            "--folds", "0")  # fmt: skip
    result = run_dco("classify", "zorp", "--brand", str(brand), "--json")
    assert json.loads(result.stdout)["stage"] == "decision"


def test_train_without_out_says_what_to_add():
    result = run_dco("classify", "--train", str(DATA / "funnel_dev.jsonl"))
    assert result.returncode == 2
    assert "--train needs --out FILE" in result.stderr


def test_a_model_file_that_is_not_one_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "model.json"
    bad.write_text('{"format": "other"}')
    result = run_dco("classify", "러닝화", "--model", str(bad))
    assert result.returncode == 2
    assert "not a dco funnel model" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_eval_names_the_stages_macro_f1_leaves_out(tmp_path):
    rows = tmp_path / "two.jsonl"
    rows.write_text('{"text": "how to run", "stage": "awareness"}\n'
                    '{"text": "buy shoes", "stage": "decision"}\n')  # fmt: skip
    result = run_dco("classify", "--eval", str(rows), "--json")
    data = json.loads(result.stdout)
    assert data["macro_f1_over"] == ["awareness", "decision"]
    assert data["left_out"] == ["consideration"]


def test_provider_gives_a_second_opinion_and_says_it_decided():
    result = run_dco("classify", "zqxv blorf", "--provider", "fake", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["decided_by"] == "provider"
    assert any(r.startswith("second opinion from fake-copywriter") for r in data["reasons"])


def test_always_ask_without_a_provider_says_what_is_missing():
    result = run_dco("classify", "러닝화", "--always-ask")
    assert result.returncode == 2
    assert "--always-ask and --cache go with --provider SPEC" in result.stderr


def test_train_with_eval_scores_the_new_model_on_held_out_rows(tmp_path):
    rows = _made_up_training_file(tmp_path / "labelled.jsonl")
    held_out = tmp_path / "held_out.jsonl"
    held_out.write_text('{"text": "zorp", "stage": "decision"}\n'
                        '{"text": "blick", "stage": "awareness"}\n')  # fmt: skip
    result = run_dco("classify", "--train", str(rows), "--out", str(tmp_path / "m.json"),
                     "--eval", str(held_out), "--folds", "0", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["held_out"]["accuracy"] == 1.0


def test_one_fold_is_a_usage_error_not_a_traceback(tmp_path):
    result = run_dco("classify", "--train", str(DATA / "funnel_dev.jsonl"), "--out",
                     str(tmp_path / "model.json"), "--folds", "1")  # fmt: skip
    assert result.returncode == 2
    assert "--folds takes 0" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "model.json").exists()


def test_a_stream_of_customers_is_tabled_in_korean_and_a_bad_line_is_counted():
    done = run_dco("--lang", "ko", "classify", "-", stdin="러닝화 최저가\n{bad\n하프 마라톤이란\n")
    assert done.returncode == 1
    header = next(line for line in done.stdout.splitlines() if "텍스트" in line)
    assert "단계" in header and "확신도" in header and "첫 번째 근거" in header
    assert "1줄을 읽을 수 없었습니다" in done.stderr


def test_eval_counts_every_question_the_model_was_asked_and_the_replies_it_could_not_use(
    tmp_path,
):
    from tests.chat_server import chat_server, completion

    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        '{"text": "러닝화 최저가", "stage": "decision"}\n'
        '{"text": "하프 마라톤이란", "stage": "awareness"}\n'
        '{"text": "러닝 코칭 후기", "stage": "consideration"}\n',
        encoding="utf-8",
    )
    replies = iter([
        {"stage": "decision", "confidence": 0.9, "reasons": ["price"]},
        {"stage": "purchase", "confidence": 0.9, "reasons": []},  # not a funnel stage
        {"stage": "consideration", "confidence": 0.8, "reasons": ["reviews"]},
    ])  # fmt: skip
    with chat_server(lambda body: (200, completion(json.dumps(next(replies))))) as port:
        env = {"OPENAI_API_KEY": "sk-local", "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1"}
        done = run_dco("classify", "--eval", str(rows), "--provider", "openai/local",
                       "--always-ask", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "asked about 3 of 3 rows; 1 of its replies could not be used" in done.stderr


def test_an_unknown_event_pasted_long_is_named_cut_not_echoed_whole():
    result = run_dco("classify", "러닝화", "-e", "page_view:" + "x" * 100_000)
    assert result.returncode == 2
    assert "unknown event 'page_view:xxx" in result.stderr and "…'" in result.stderr
    assert len(result.stderr) < 2_000
