import json

import pytest

from tests.conftest import run_dco


def lint_written(path, text, *options):
    """`dco lint` run on `path` once `text` is written to it, against the runfit brand."""
    path.write_text(text, encoding="utf-8")
    return run_dco("lint", str(path), "--brand", "runfit", *options)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_clean_copy_exits_0(tmp_path):
    path = write(tmp_path, "ok.txt", "함께 달려요\n")
    result = run_dco("lint", path, "--brand", "runfit")
    assert result.returncode == 0, result.stderr
    assert "0 errors" in result.stderr


def test_an_error_finding_exits_1_with_location_and_excerpt(tmp_path):
    path = write(tmp_path, "ads.txt", "업계 최고의 코칭이에요\n")
    result = run_dco("lint", path, "--brand", "runfit")
    assert result.returncode == 1
    assert f"{path}:1:4 error ko-ad-law.Superlatives" in result.stdout
    assert "업계 최고의 코칭이에요" in result.stdout


def test_the_summary_counts_in_the_right_number(tmp_path):
    path = write(tmp_path, "ads.txt", "업계 최고의 코칭이에요\n")
    summary = run_dco("lint", path, "--brand", "runfit").stderr
    assert "1 error, 0 warnings, 0 suggestions in 1 piece of copy across 1 file" in summary


def test_fail_level_decides_what_fails(tmp_path):
    path = write(tmp_path, "ads.txt", "저렴한 코칭이에요\n")  # a warning only
    assert run_dco("lint", path, "--brand", "runfit").returncode == 0
    assert run_dco("lint", path, "--brand", "runfit", "--fail-level", "warning").returncode == 1


def test_configuration_errors_exit_2_in_one_line(tmp_path):
    path = write(tmp_path, "ads.txt", "x\n")
    result = run_dco("lint", path, "--brand", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr.startswith("dco: error: no brand folder")


def test_sarif_format_is_json_on_stdout(tmp_path):
    path = write(tmp_path, "ads.txt", "업계 최고의 코칭이에요\n")
    result = run_dco("lint", path, "--brand", "runfit", "--format", "sarif")
    assert json.loads(result.stdout)["runs"][0]["results"][0]["ruleId"] == "ko-ad-law.Superlatives"


def test_github_format(tmp_path):
    path = write(tmp_path, "ads.txt", "업계 최고의 코칭이에요\n")
    result = run_dco("lint", path, "--brand", "runfit", "--format", "github")
    assert result.stdout.startswith(f"::error file={path},line=1,col=4")


def test_fix_flag_rewrites_and_reports(tmp_path):
    path = write(tmp_path, "ads.txt", "저렴한 코칭이에요\n")
    result = run_dco("lint", path, "--brand", "runfit", "--fix")
    assert "1 fixed" in result.stderr
    assert (tmp_path / "ads.txt").read_text(encoding="utf-8") == "합리적인 코칭이에요\n"


def test_a_vale_style_with_a_spelling_rule_lints_and_says_the_rule_is_not_run(tmp_path):
    brand = tmp_path / "acme"
    (brand / "rules").mkdir(parents=True)
    (brand / "brand.yaml").write_text("name: Acme\n", encoding="utf-8")
    (brand / "rules" / "Spelling.yml").write_text(
        "extends: spelling\nmessage: \"Did you really mean '%s'?\"\nlevel: error\n"
    )
    (brand / "rules" / "Hype.yml").write_text("extends: existence\nlevel: error\ntokens: [epic]\n")
    path = write(tmp_path, "ads.txt", "An epic plan\n")
    result = run_dco("lint", path, "--brand", str(brand), "--format", "json")
    assert result.returncode == 1
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["Acme.Hype"]
    assert json.loads(result.stdout)["summary"]["skipped_rules"] == ["Acme.Spelling"]
    assert "rule Acme.Spelling is not run" in result.stderr


# -- never green on input that was not read ------------------------------------------------------


def test_an_empty_file_is_an_error_not_a_pass(tmp_path):
    path = write(tmp_path, "empty.txt", "\n\n")
    result = run_dco("lint", path, "--brand", "runfit")
    assert result.returncode == 2
    assert result.stderr.startswith(f"dco: error: {path}: no copy to check")


def test_csv_headers_naming_no_copy_field_get_a_mapping_to_use(tmp_path):
    path = write(tmp_path, "ko_headers.csv", "제목,본문,버튼\n봄맞이 할인,지금 신청하세요,신청\n")
    result = run_dco("lint", path, "--brand", "runfit")
    assert result.returncode == 2
    assert "no headline/body/cta column with copy (found 제목, 본문, 버튼)" in result.stderr
    assert "--column headline=제목 --column body=본문 --column cta=버튼" in result.stderr
    mapped = run_dco("lint", path, "--brand", "runfit", "--column", "headline=제목",
                     "--column", "body=본문", "--column", "cta=버튼")  # fmt: skip
    assert mapped.returncode == 0, mapped.stderr


def test_a_folder_without_copy_files_is_an_error(tmp_path):
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "brief.docx").write_bytes(b"PK")
    result = run_dco("lint", str(tmp_path / "copy"), "--brand", "runfit")
    assert result.returncode == 2
    assert "no copy file in it" in result.stderr


def test_a_cp949_csv_from_excel_is_read(tmp_path):
    path = tmp_path / "ads.csv"
    path.write_bytes("headline,body,cta\r\n업계 최고의 코칭,함께 달려요,신청\r\n".encode("cp949"))
    result = run_dco("lint", str(path), "--brand", "runfit")
    assert result.returncode == 1
    assert "ko-ad-law.Superlatives" in result.stdout


def test_fix_keeps_the_encoding_and_line_endings_and_reports_what_remains(tmp_path):
    path = tmp_path / "ads.csv"
    original = "headline,body,cta\r\n업계 최고의 코칭,저렴한 가격이에요,신청\r\n"
    path.write_bytes(original.encode("cp949"))
    result = run_dco("lint", str(path), "--brand", "runfit", "--fix")
    assert path.read_bytes().decode("cp949") == (
        "headline,body,cta\r\n업계 최고의 코칭,합리적인 가격이에요,신청\r\n"
    )
    assert "Vocabulary" not in result.stdout  # fixed, so no longer reported
    assert "1 error, 0 warnings" in result.stderr and "1 fixed" in result.stderr


# -- channel limits are part of the gate ---------------------------------------------------------


def test_fields_over_a_channels_hard_limit_are_errors_in_its_unit(tmp_path):
    description = "매주 맞춤 피드백과 페이스 가이드로 하프 마라톤을 완주해요. " * 3
    rows = [
        "headline,body,cta,channel",
        f"하프 마라톤 10주 완성,{description.strip()},시작하기,google_rsa",
        "하프 마라톤 10주 완성 코칭 프로그램 지금 시작,완주해요,신청,naver_powerlink",
    ]
    path = write(tmp_path, "over.csv", "\n".join(rows) + "\n")
    result = run_dco("lint", path, "--brand", "runfit", "--format", "json")
    assert result.returncode == 1
    lengths = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "dco.Length"]
    assert [(f["line"], f["field"], f["level"]) for f in lengths] == [
        (2, "body", "error"),
        (3, "headline", "error"),
    ]
    assert "google_width" in lengths[0]["message"] and "limit is 90" in lengths[0]["message"]


def test_a_text_line_linted_as_sms_is_the_whole_message(tmp_path):
    lines = "봄맞이 20% 할인! 무료수신거부 080-123-4567\n지금 달려요 🏃\n"
    path = write(tmp_path, "sms.txt", lines)
    result = run_dco("lint", path, "--brand", "runfit", "--channel", "sms", "--format", "json")
    found = {(f["line"], f["rule"]) for f in json.loads(result.stdout)["findings"]}
    assert (1, "ko-ad-law.AdPrefix") in found  # the "(광고)" that must open the message
    assert (2, "dco.Encoding") in found  # an emoji cannot be sent in cp949
    long = "(광고) 런핏 02-000-0000 " + "가" * 60 + " 무료수신거부 080-123-4567\n"
    over = run_dco("lint", write(tmp_path, "long.txt", long), "--brand", "runfit",
                   "--channel", "sms", "--format", "json")  # fmt: skip
    assert [f["rule"] for f in json.loads(over.stdout)["findings"]] == ["dco.Length"]


# -- bounded, and no traceback on any input ------------------------------------------------------


def test_a_csv_cell_over_128_kb_is_read(tmp_path):
    path = write(
        tmp_path, "long.csv", "headline,body\n업계 최고의 코칭," + "달려요 " * 40_000 + "\n"
    )
    result = run_dco("lint", path, "--brand", "runfit")
    assert result.returncode == 1 and "ko-ad-law.Superlatives" in result.stdout


def test_json_nested_without_end_is_one_error(tmp_path):
    path = write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    result = run_dco("lint", path, "--brand", "runfit")
    assert result.returncode == 2
    assert result.stderr == f"dco: error: {path}:1:500: invalid JSON: nested more than 500 deep\n"


def test_a_number_longer_than_python_reads_is_one_error_at_its_line(tmp_path):
    path = write(
        tmp_path, "long.jsonl", '{"headline": "a"}\n{"headline": "b", "n": ' + "9" * 5000 + "}\n"
    )
    result = run_dco("lint", path, "--brand", "runfit")
    assert result.returncode == 2
    assert result.stderr.startswith(f"dco: error: {path}:2:24: invalid JSON: a number 5,000 digits")


def test_half_an_emoji_escaped_in_jsonl_is_reported_not_a_crash(tmp_path):
    path = write(tmp_path, "half.jsonl", '{"headline": "\\ud83d 업계 최고"}\n')
    result = run_dco("lint", path, "--brand", "runfit")
    assert result.returncode == 1 and "ko-ad-law.Superlatives" in result.stdout


def test_the_text_format_shows_a_match_in_its_neighbourhood_not_its_whole_line(tmp_path):
    path = write(tmp_path, "long.txt", "가" * 5_000 + " 업계 최고의 코칭 " + "나" * 5_000 + "\n")
    result = run_dco("lint", path, "--brand", "runfit")
    excerpt = result.stdout.splitlines()[1]
    assert "최고" in excerpt and len(excerpt) < 120


def test_findings_past_the_cap_in_one_piece_of_copy_are_counted_not_listed(tmp_path):
    path = write(tmp_path, "paste.txt", "업계 최고 " * 150 + "\n")
    result = run_dco("lint", path, "--brand", "runfit", "--format", "json")
    data = json.loads(result.stdout)
    superlatives = [f for f in data["findings"] if f["rule"] == "ko-ad-law.Superlatives"]
    assert len(data["findings"]) == 100 and len(superlatives) == 100
    assert data["summary"]["error"] == 150 and data["summary"]["not_listed"] == 50
    assert result.returncode == 1


def test_findings_in_records_point_at_the_files_own_line_and_column(tmp_path):
    rows = (
        'id,headline,body\n1,"좋은 ""코칭"", 업계 최고",함께 달려요\n'
        '2,"여러 줄\n업계 최고의 코칭",합리적\n'
    )
    path = write(tmp_path, "ads.csv", rows)
    found = json.loads(run_dco("lint", path, "--brand", "runfit", "--format", "json").stdout)
    lines = rows.split("\n")
    expected = [(2, lines[1].index("최고") + 1), (4, lines[3].index("최고") + 1)]
    assert [(f["line"], f["column"]) for f in found["findings"]] == expected
    jsonl = '{"id": 1, "headline": "\\ud83c\\udfc3 \\"달려\\" 업계 최고"}\n'
    found = json.loads(run_dco("lint", write(tmp_path, "ads.jsonl", jsonl), "--brand", "runfit",
                               "--format", "json").stdout)  # fmt: skip
    assert [(f["line"], f["column"]) for f in found["findings"]] == [(1, jsonl.index("최고") + 1)]
    variants = (
        '{"variants": [\n  {"id": "a", "copy": {"headline": "좋아요", "body": "함께 달려요"}},\n'
        '  {"id": "b",\n   "copy": {"headline": "\\u003c 업계 최고", "body": "x"}}\n]}\n'
    )
    found = json.loads(run_dco("lint", write(tmp_path, "ads.json", variants), "--brand", "runfit",
                               "--format", "json").stdout)  # fmt: skip
    fourth = variants.split("\n")[3]
    assert [(f["line"], f["column"]) for f in found["findings"]] == [(4, fourth.index("최고") + 1)]


def test_standard_input_is_linted_as_vale_lints_it_and_reported_as_stdin_txt():
    done = run_dco("lint", "-", "--brand", "runfit", stdin="업계 최고의 코칭이에요\n")
    assert done.returncode == 1
    assert done.stdout.startswith("stdin.txt:1:4 error ko-ad-law.Superlatives ")


def test_standard_input_takes_the_format_ext_names():
    record = '{"headline": "최고의 코칭", "body": "코치와 10주 훈련", "cta": "신청"}\n'
    done = run_dco("lint", "-", "--ext", ".jsonl", "--brand", "runfit", "--format", "json",
                   stdin=record)  # fmt: skip
    assert done.returncode == 1
    [finding] = [f for f in json.loads(done.stdout)["findings"] if "Superlatives" in f["rule"]]
    assert finding["path"] == "stdin.jsonl" and finding["record"] == "record 1.headline"


def test_standard_input_that_is_empty_fails_the_gate_instead_of_passing():
    done = run_dco("lint", "-", "--brand", "runfit", stdin="")
    assert done.returncode == 2 and "stdin.txt: no copy to check (an empty file)" in done.stderr


def test_standard_input_cannot_be_fixed_nor_named_twice_nor_take_an_unknown_format():
    fixed = run_dco("lint", "-", "--fix", "--brand", "runfit", stdin="저렴한 코칭\n")
    assert fixed.returncode == 2 and "--fix rewrites files" in fixed.stderr
    twice = run_dco("lint", "-", "-", "--brand", "runfit", stdin="코칭\n")
    assert twice.returncode == 2 and "named twice" in twice.stderr
    python = run_dco("lint", "-", "--ext", ".py", "--brand", "runfit", stdin="코칭\n")
    assert python.returncode == 2 and "--ext .py: standard input can be one of" in python.stderr


def test_a_pipe_named_as_a_path_says_to_pipe_it_in_with_a_dash(tmp_path):
    import os

    pipe = tmp_path / "copy.txt"
    os.mkfifo(pipe)  # what <(command) names: opening it to read would wait for a writer
    done = run_dco("lint", str(pipe), "--brand", "runfit")
    assert done.returncode == 2
    assert "not a file or a folder (a pipe or a device)" in done.stderr
    assert "give -" in done.stderr


def test_standard_input_from_a_terminal_says_how_to_end_it():
    import os
    import pty
    import subprocess
    import sys

    typing, terminal = pty.openpty()
    done = subprocess.Popen(
        [sys.executable, "-m", "dco", "lint", "-", "--brand", "runfit"],
        stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )  # fmt: skip
    os.close(terminal)
    os.write(typing, "업계 최고의 코칭이에요\n".encode() + b"\x04")  # a line, then Ctrl-D
    out, err = done.communicate(timeout=120)
    os.close(typing)
    assert "reading copy from the terminal: end it with Ctrl-D" in err.decode()
    assert done.returncode == 1 and out.decode().startswith("stdin.txt:1:4 error ")


@pytest.mark.parametrize(
    ("name", "content", "told"),
    [
        ("copy.jsonl", '{"headline": "함께 달려요"}\n"업계 최고의 코칭"\n',
         "copy.jsonl:2: record 2 is text, not an object with headline/body/cta"),
        ("copy.json", '[{"headline": "함께 달려요"}, 5]',
         "copy.json: record 2 is a number (5), not an object with headline/body/cta"),
        ("copy.jsonl", '{"headline": "함께 달려요"}\n{"body": ["최고"]}\n',
         "copy.jsonl:2: record 2: 'body' is a list, not text"),
        ("copy.jsonl", '{"headline": "함께 달려요", "lint_ignore": 5}\n',
         "copy.jsonl:1: record 1: 'lint_ignore' is a number (5); give a rule's id"),
        ("copy.jsonl", '{"headline": "함께 달려요", "lint_ignore": ["Runfit.X", 5]}\n',
         "'lint_ignore' is a list holding a number (5)"),
        ("copy.jsonl", '{"headline": "함께 달려요", "channel": 5}\n',
         "copy.jsonl:1: record 1: 'channel' is a number (5), not a channel's name"),
        ("copy.jsonl", '{"headline": "함께 달려요", "channel": "sms_kr"}\n',
         "copy.jsonl:1: record 1: unknown channel 'sms_kr'"),
    ],
)  # fmt: skip
def test_a_record_the_gate_cannot_read_is_named_and_never_passed_over(
    tmp_path, name, content, told
):
    done = lint_written(tmp_path / name, content)
    assert done.returncode == 2, done.stdout
    assert told in done.stderr and "Traceback" not in done.stderr


def test_fixing_a_csv_keeps_a_rows_cells_past_the_header_and_a_short_row_short(tmp_path):
    path = tmp_path / "copy.csv"
    written = (
        "headline,body,cta\n저렴한 코칭,좋아요,신청\n저렴한 가격,좋아요,신청,메모\n저렴한 플랜\n"
    )
    done = lint_written(path, written, "--fix")
    assert done.returncode == 0, done.stderr
    assert path.read_text(encoding="utf-8") == (
        "headline,body,cta\n합리적인 코칭,좋아요,신청\n"
        "합리적인 가격,좋아요,신청,메모\n합리적인 플랜\n"
    )


def test_a_csv_naming_a_copy_column_twice_is_refused_not_half_read(tmp_path):
    done = lint_written(tmp_path / "copy.csv", "headline,headline\n업계 최고의 코칭,좋아요\n")
    assert done.returncode == 2
    assert "copy.csv: its header names 'headline' twice" in done.stderr


def test_fixing_a_csv_with_another_column_named_twice_is_refused_and_leaves_it(tmp_path):
    path, original = tmp_path / "copy.csv", "headline,note,note\n저렴한 코칭,a,b\n"
    done = lint_written(path, original, "--fix")
    assert done.returncode == 2 and "names 'note' twice, so --fix cannot rewrite it" in done.stderr
    assert path.read_text(encoding="utf-8") == original


def test_a_json_record_naming_a_key_twice_is_refused_not_half_read(tmp_path):
    done = lint_written(
        tmp_path / "copy.jsonl", '{"headline": "업계 최고", "headline": "좋아요"}\n'
    )
    assert done.returncode == 2
    assert "copy.jsonl:1: an object names 'headline' twice" in done.stderr


def test_a_record_naming_no_copy_field_among_records_that_do_fails_the_gate(tmp_path):
    # A misspelt key: its copy, an unbacked superlative, would have passed unread.
    path = write(tmp_path, "ads.jsonl", '{"headline": "봄 러닝 코칭"}\n'
                                        '{"id": "v9", "headlne": "업계 최고의 코칭"}\n'
                                        '{"headline": ""}\n')  # fmt: skip
    result = run_dco("lint", path, "--brand", "runfit")
    assert result.returncode == 2
    assert result.stderr == (
        f"dco: error: {path}:2: record 2 has no headline/body/cta field (its keys: id, headlne), "
        "so none of it would be checked; name its copy as the other records do. Did you mean "
        "'headline'?\n"
    )
