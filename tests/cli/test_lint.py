import json

from tests.conftest import run_dco


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
