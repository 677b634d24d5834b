"""Linting files: every input format, locations, silencing, fixes and every output format."""

import json
from xml.etree import ElementTree

import pytest

from dco.brand import Brand
from dco.errors import ConfigError
from dco.lint.files import lint
from dco.lint.formats import to_github, to_json, to_junit, to_sarif
from dco.lint.results import LintResult

BRAND = Brand.load("runfit")


def test_txt_lines_are_pieces_of_copy_located_in_the_file(tmp_path):
    path = tmp_path / "ads.txt"
    path.write_text("합리적인 코칭이에요\n\n업계 최고의 코칭이에요\n", encoding="utf-8")
    result = lint([path], BRAND)
    (located,) = result.findings
    assert (located.line, located.column, located.end_column) == (3, 4, 6)
    assert located.finding.rule == "ko-ad-law.Superlatives"
    assert result.assets == 2 and result.failed("error")


def test_markdown_skips_code_urls_and_front_matter(tmp_path):
    path = tmp_path / "page.md"
    path.write_text(
        "---\ntitle: 최고\n---\n# 하프 코칭\n\n`최고` https://best.example.com/최고\n\n```\n최고\n```\n",
        encoding="utf-8",
    )
    assert lint([path], BRAND).findings == []


def test_markdown_headings_are_headlines(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("# Train For Your First Half\n\nBody text here.\n", encoding="utf-8")
    (located,) = lint([path], BRAND).findings
    assert located.finding.rule == "Runfit.HeadlineCase" and located.finding.field == "heading.h1"
    assert (located.line, located.column) == (1, 3)


def test_vale_comments_silence_and_are_counted(tmp_path):
    path = tmp_path / "page.md"
    path.write_text(
        "<!-- vale off -->\n최고의 코칭\n<!-- vale on -->\n\n"
        "<!-- vale ko-ad-law.Superlatives = NO -->\n최초의 코칭\n"
        "<!-- vale ko-ad-law.Superlatives = YES -->\n\n유일한 코칭\n",
        encoding="utf-8",
    )
    result = lint([path], BRAND)
    assert [f.finding.match for f in result.findings] == ["유일"]
    assert result.silenced == 2


def test_records_name_record_and_field(tmp_path):
    path = tmp_path / "ads.jsonl"
    line = json.dumps({"id": "a1", "headline": "하프 코칭", "body": "업계 최고예요", "cta": "신청"},
                      ensure_ascii=False)  # fmt: skip
    path.write_text(line + "\n", encoding="utf-8")
    (located,) = lint([path], BRAND).findings
    # the record and field by name; the line and column of the match in the file itself
    assert located.record == "a1.body" and located.line == 1
    assert located.column == line.index("최고") + 1


def test_dco_variants_json_is_read_from_copy(tmp_path):
    path = tmp_path / "variants.json"
    copy = {"headline": "RunFit 코칭", "body": "함께 달려요", "cta": "신청"}
    variant = {"id": "v_1", "channel": "google_rsa", "copy": copy}
    path.write_text(json.dumps([variant], ensure_ascii=False), encoding="utf-8")
    found = {(f.finding.rule, f.record) for f in lint([path], BRAND).findings}
    assert ("Runfit.Spelling", "v_1.headline") in found
    assert {record for _, record in found} == {"v_1.headline"}


def test_csv_with_mapped_columns_and_a_per_record_silence(tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(
        "제목,본문,lint_ignore\n"
        "최고의 코칭,함께 달려요,\n"
        "최초의 코칭,함께 달려요,ko-ad-law.Superlatives\n",
        encoding="utf-8",
    )
    result = lint([path], BRAND, columns={"headline": "제목", "body": "본문"})
    assert [(f.line, f.finding.match) for f in result.findings] == [(2, "최고")]
    assert result.silenced == 1


def test_channel_rules_follow_the_records_channel(tmp_path):
    path = tmp_path / "sms.jsonl"
    record = {"headline": "하프 코칭", "body": "함께 달려요", "cta": "신청", "channel": "sms"}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    rules = {f.finding.rule for f in lint([path], BRAND).findings}
    assert {"ko-ad-law.AdPrefix", "ko-ad-law.OptOut"} <= rules


def test_copy_held_to_a_channel_is_held_to_what_no_export_may_carry(tmp_path):
    path = tmp_path / "ads.jsonl"
    headlines = ['=HYPERLINK("https://evil.example","코칭")', "-30% 할인"]
    records = [{"headline": h, "body": "함께 달려요", "channel": "google_rsa"} for h in headlines]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    found = [(f.line, f.finding.field, f.finding.level) for f in lint([path], BRAND).findings
             if f.finding.rule == "dco.Formula"]  # fmt: skip
    assert found == [(1, "headline", "error")]


def test_fix_rewrites_text_files(tmp_path):
    path = tmp_path / "ads.txt"
    path.write_text("저렴한 코칭이에요\nRunFit과 달려요\n", encoding="utf-8")
    result = lint([path], BRAND, fix=True)
    assert result.fixed == 2
    assert path.read_text(encoding="utf-8") == "합리적인 코칭이에요\nRunfit과 달려요\n"


def test_fix_rewrites_jsonl_records(tmp_path):
    path = tmp_path / "ads.jsonl"
    path.write_text('{"headline": "저렴한 코칭", "body": "함께 달려요"}\n', encoding="utf-8")
    lint([path], BRAND, fix=True)
    assert json.loads(path.read_text(encoding="utf-8"))["headline"] == "합리적인 코칭"


def test_unsupported_files_and_missing_paths_are_clear_errors(tmp_path):
    (tmp_path / "ads.docx").write_text("x")
    with pytest.raises(ConfigError, match=r"cannot lint \.docx"):
        lint([tmp_path / "ads.docx"], BRAND)
    with pytest.raises(ConfigError, match="no such file"):
        lint([tmp_path / "nope.txt"], BRAND)


@pytest.fixture
def result(tmp_path):
    path = tmp_path / "ads.txt"
    path.write_text("업계 최고의 코칭이에요\n저렴한 코칭, 100% 만족\n", encoding="utf-8")
    return lint([path], BRAND)


def test_json_output(result):
    data = json.loads(to_json(result))
    assert data["summary"]["error"] == 2 and data["summary"]["warning"] == 1
    assert {f["rule"] for f in data["findings"]} == {"ko-ad-law.Superlatives", "Runfit.Vocabulary"}


def test_sarif_output_has_the_required_structure(result):
    log = json.loads(to_sarif(result))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert run["tool"]["driver"]["name"] == "dco"
    for item in run["results"]:
        assert item["level"] in {"error", "warning", "note"}
        assert rules[item["ruleIndex"]] == item["ruleId"]
        region = item["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert item["message"]["text"]


def test_github_annotations(result):
    lines = to_github(result).splitlines()
    assert lines[0].startswith("::error file=") and ",line=1,col=4," in lines[0]
    assert any(line.startswith("::warning ") for line in lines)


def test_github_annotations_escape_newlines_and_commas():
    from dco.lint.formats import _data, _property

    assert _data("a\nb%") == "a%0Ab%25"
    assert _property("a,b:c") == "a%2Cb%3Ac"


def test_junit_fails_a_case_per_finding_at_or_above_the_fail_level(result):
    root = ElementTree.fromstring(to_junit(result, "warning").split("?>", 1)[1])
    assert len(root.findall(".//failure")) == 3 and root.get("failures") == "3"


def test_junit_findings_below_the_fail_level_pass_with_the_finding_as_output(result):
    root = ElementTree.fromstring(to_junit(result).split("?>", 1)[1])  # fails on errors only
    assert len(root.findall(".//failure")) == 2 and root.get("failures") == "2"
    (passing,) = [c for c in root.iter("testcase") if c.find("failure") is None]
    assert "Runfit.Vocabulary (warning)" in passing.findtext("system-out")
    assert root.get("errors") == "0" and float(root.get("time")) >= 0


def test_junit_output_for_clean_copy_has_one_passing_case(tmp_path):
    path = tmp_path / "ok.txt"
    path.write_text("함께 달려요\n", encoding="utf-8")
    root = ElementTree.fromstring(to_junit(lint([path], BRAND)).split("?>", 1)[1])
    assert root.get("failures") == "0" and len(root.findall(".//testcase")) == 1


@pytest.mark.parametrize("fail_level", ["error", "warning", "suggestion"])
def test_junit_output_validates_against_the_jenkins_junit_schema(tmp_path, fail_level):
    import xmlschema

    from tests.conftest import DATA

    path = tmp_path / "광고 <문구> & co.txt"
    path.write_text("업계 최고의 코칭이에요\n저렴한 코칭, 100% 만족\n", encoding="utf-8")
    schema = xmlschema.XMLSchema(DATA / "junit-10.xsd")
    for result in (lint([path], BRAND, channel="sms"), LintResult()):
        schema.validate(to_junit(result, fail_level).encode("utf-8"))


def test_sarif_output_validates_against_the_official_schema_formats_included(tmp_path):
    import jsonschema

    from tests.conftest import DATA

    # A Korean path and a law.go.kr link with Korean in it: both must be percent-encoded URIs.
    path = tmp_path / "광고 문구.txt"
    path.write_text("업계 최고의 코칭이에요\n(광고 봄맞이 할인\n", encoding="utf-8")
    log = json.loads(to_sarif(lint([path], BRAND, channel="sms")))
    schema = json.loads((DATA / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    assert checker.conforms("https://www.law.go.kr/법령/x", "uri") is False  # the check is on
    jsonschema.validate(log, schema, format_checker=checker)
    jsonschema.validate(json.loads(to_sarif(LintResult())), schema, format_checker=checker)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert any("%EB%B2%95%EB%A0%B9" in r.get("helpUri", "") for r in run["tool"]["driver"]["rules"])
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert "%EA%B4%91%EA%B3%A0%20" in uri  # "광고 "


def test_sarif_rules_are_described_by_their_messages(result):
    rules = {r["id"]: r for r in json.loads(to_sarif(result))["runs"][0]["tool"]["driver"]["rules"]}
    described = rules["ko-ad-law.Superlatives"]["shortDescription"]["text"]
    assert described != "ko-ad-law.Superlatives" and "absolute" in described


def test_a_snippet_is_the_match_and_its_neighbourhood():
    from dco.lint.results import snippet

    text = "가" * 100 + "최고" + "나" * 100
    around = snippet(text, 100, 102, around=5)
    assert around.text == "가" * 5 + "최고" + "나" * 5
    assert (around.start, around.end, around.lead, around.trail) == (5, 7, True, True)
    assert snippet("최고", 0, 2) == snippet("최고", 0, 2, around=40)  # short text: all of it
    assert snippet("최고", 0, 2).lead is False and snippet("최고", 0, 2).trail is False
