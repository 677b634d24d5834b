"""dco speaks English or Korean: every message has its translation, and the language is chosen
by --lang, DCO_LANG, dco.toml or the locale, in that order."""

import ast
import gettext
import re

import polib
import pytest

from dco import i18n
from dco.cli.translations import messages, po_path, untranslated
from dco.errors import ConfigError
from tests.conftest import REPO, run_dco

PLACEHOLDER = re.compile(r"\{[a-z_]*(?:![rs])?(?::[^{}]*)?\}")


def test_every_message_dco_shows_has_a_korean_translation():
    lacking = untranslated("ko")
    assert lacking == [], "run `python -m dco.cli.translations` and translate: " + "; ".join(
        f"{where}: {text[:50]!r}" for text, where in lacking[:5]
    )


def test_translations_keep_every_placeholder_and_help_paragraph_marker():
    for entry in polib.pofile(str(po_path("ko"))):
        # Korean has one form: it translates the plural, whose placeholders may be the ones
        # the singular lacks (click fills both).
        original = entry.msgid_plural or entry.msgid
        for translation in [entry.msgstr, *entry.msgstr_plural.values()]:
            if not translation:
                continue
            assert sorted(PLACEHOLDER.findall(translation)) == sorted(
                PLACEHOLDER.findall(original)
            ), entry.msgid
            assert translation.count("\b") == original.count("\b"), entry.msgid
            assert translation.count("%s") == original.count("%s"), entry.msgid


def test_the_compiled_catalogue_matches_its_source():
    with po_path("ko").with_suffix(".mo").open("rb") as compiled:
        shipped = gettext.GNUTranslations(compiled)
    for entry in polib.pofile(str(po_path("ko"))):
        if entry.msgstr:
            assert shipped.gettext(entry.msgid) == entry.msgstr, "recompile: " + entry.msgid
        for count, translation in entry.msgstr_plural.items():
            shown = shipped.ngettext(entry.msgid, entry.msgid_plural, count + 2)
            assert shown == translation, "recompile: " + entry.msgid


def test_no_translation_is_left_for_a_message_the_code_no_longer_shows():
    current = set(messages())
    stale = [e.msgid for e in polib.pofile(str(po_path("ko"))) if e.msgid not in current]
    assert stale == []


@pytest.mark.parametrize(
    ("option", "setting", "environ", "expected"),
    [
        ("ko", "en", {"LANG": "en_US.UTF-8"}, "ko"),
        (None, "ko", {"LANG": "en_US.UTF-8"}, "ko"),
        (None, None, {"LANG": "ko_KR.UTF-8"}, "ko"),
        (None, None, {"LANGUAGE": "en", "LANG": "ko_KR.UTF-8"}, "en"),
        (None, None, {"LC_ALL": "C"}, "en"),
        (None, None, {}, "en"),
        ("ko-KR", None, {}, "ko"),
    ],
)
def test_the_language_is_the_option_then_the_setting_then_the_locale(
    option, setting, environ, expected
):
    assert i18n.language_from(option, setting, environ) == expected


def test_a_language_dco_does_not_speak_names_those_it_does():
    with pytest.raises(ConfigError, match="'fr' is not a language dco speaks; use one of en, ko"):
        i18n.language_from("fr")


def test_a_korean_locale_gives_korean_help_including_clicks_own_words():
    result = run_dco("--help", env={"DCO_LANG": "", "LANG": "ko_KR.UTF-8", "LANGUAGE": ""})
    assert result.returncode == 0
    assert result.stdout.startswith("사용법: dco")
    assert "사람이 검토하는, 퍼널 단계에 맞춘 마케팅 카피." in result.stdout
    assert "이 도움말을 보여 주고 끝냅니다." in result.stdout
    assert "Funnel-aware" not in result.stdout


def test_lang_after_a_command_wins_over_dco_lang():
    result = run_dco("lint", "--help", "--lang", "ko", env={"DCO_LANG": "en"})
    shown = " ".join(result.stdout.split())
    assert "카피 파일을 브랜드 가이드라인에 맞춰 검사합니다" in shown
    assert "브랜드 폴더(brand.yaml + rules/) 또는 내장 브랜드 이름." in shown


def test_dco_toml_sets_the_language_and_dco_config_says_so(tmp_path):
    (tmp_path / "dco.toml").write_text('lang = "ko"\n', encoding="utf-8")
    env = {"DCO_LANG": "", "LANG": "en_US.UTF-8"}
    config = run_dco("config", "--json", env=env, cwd=tmp_path)
    assert '"lang": {\n    "value": "ko",\n    "from": "dco.toml"' in config.stdout
    error = run_dco("review", str(tmp_path / "q.db"), env=env, cwd=tmp_path)
    assert error.returncode == 2
    assert error.stderr.startswith("dco: 오류: dco review에는 터미널이 필요합니다")


def test_an_unknown_language_is_one_line_and_exit_2():
    result = run_dco("--lang", "fr", "--help")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "dco: error: --lang 'fr' is not a language dco speaks; use one of en, ko"
    )


def test_korean_help_is_wrapped_by_the_columns_hangul_takes():
    from rich.cells import cell_len

    result = run_dco("generate", "--help", "--lang", "ko", env={"COLUMNS": "80"})
    options = result.stdout.split("옵션:", 1)[1].splitlines()
    assert len(options) > 20
    assert max(cell_len(line) for line in options) <= 80
    # Wrapped at spaces between words: no Hangul word is cut at a line's end.
    assert "--timeout FLOAT RANGE" in result.stdout
    assert "몇 분이 걸릴 수 있습니다." in " ".join(result.stdout.split())


def test_a_lint_error_names_the_columns_and_the_fix_in_korean(tmp_path):
    report = tmp_path / "소재.csv"
    report.write_text("제목,본문,버튼\n봄 세일,20% 할인,구매\n", encoding="utf-8")
    result = run_dco("lint", str(report), "--brand", "runfit", "--lang", "ko")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"dco: 오류: {report}: 카피가 든 headline/body/cta 열이 없습니다 (찾은 열: 제목, 본문, "
        "버튼). 이렇게 연결하세요: --column headline=제목 --column body=본문 --column cta=버튼"
    )


def test_shipped_rules_report_in_korean_and_a_teams_own_rule_as_written(tmp_path):
    copy = tmp_path / "copy.txt"
    copy.write_text("업계 최고의 러닝 코칭\n", encoding="utf-8")
    result = run_dco("lint", str(copy), "--brand", "runfit", "--lang", "ko")
    assert "'최고'은(는) 절대적 표현입니다" in result.stdout
    own = tmp_path / "brand"
    (own / "rules").mkdir(parents=True)
    (own / "brand.yaml").write_text("name: 우리\n", encoding="utf-8")
    (own / "rules" / "Coaching.yml").write_text(
        "extends: existence\nmessage: \"Say '%s' only with the coach's name.\"\n"
        "level: warning\ntokens: [코칭]\n",
        encoding="utf-8",
    )
    mine = run_dco("lint", str(copy), "--brand", str(own), "--lang", "ko")
    assert "Say '코칭' only with the coach's name." in mine.stdout


def test_what_the_data_files_say_to_a_reader_reads_in_korean_and_a_teams_own_as_written(
    tmp_path,
):
    def shown(*args):  # the words, without the table's borders
        return " ".join(run_dco(*args, "--lang", "ko").stdout.replace("│", " ").split())

    sms = shown("channels", "sms")
    assert '참고: 광고 SMS는 "(광고)"로 시작하고' in sms
    assert "Korean carriers' short message service" in sms  # a source is cited as written
    assert "page_view:home 홈페이지를 봤습니다." in shown("classify", "--list-events").replace(
        "│", ""
    )
    assert "dco review가 결정을 기록할 때 쓰는 이름" in shown("config")
    own = tmp_path / "channels.yaml"
    own.write_text("version: 1\nchannels:\n  poster:\n    name: Shop poster\n    unit: chars\n"
                   "    source: our print shop\n    notes: Printed in store.\n"
                   "    fields:\n      line: {label: Poster line, limit: 20, copy: [headline]}\n",
                   encoding="utf-8")  # fmt: skip
    poster = shown("channels", "poster", "--catalog", str(own))
    assert "Shop poster" in poster and "참고: Printed in store." in poster


def test_the_classifiers_reasons_read_in_korean():
    result = run_dco("classify", "sql order descending", "--lexicon-only", "--lang", "ko")
    shown = " ".join(result.stdout.split())
    assert shown.startswith("인지 확신도 0.33 (결정: 기본 단계)")
    assert "'order' 제외: 예약하거나 주문할 것, 상업적 단어 또는 바로 뒤의 목적어" in shown
    assert "기본 단계 인지 (어휘 사전의 default_stage)" in shown


def lint_in_korean_with_brand(folder, brand_yaml):
    """`dco lint --lang ko` of one line of copy against a brand folder holding `brand_yaml`."""
    (folder / "brand.yaml").write_text(brand_yaml, encoding="utf-8")
    copy = folder / "copy.txt"
    copy.write_text("봄맞이 할인\n", encoding="utf-8")
    return run_dco("lint", str(copy), "--brand", str(folder), "--lang", "ko")


def test_a_brand_file_typo_is_named_in_korean_with_the_field_meant(tmp_path):
    result = lint_in_korean_with_brand(tmp_path, "name: 우리\nchanels: [sms]\n")
    assert result.returncode == 2
    assert (
        f"{tmp_path / 'brand.yaml'}:2:1: brand: 키 'chanels': dco가 모르는 필드입니다. "
        "'channels'을(를) 말한 건가요?"
    ) in result.stderr


@pytest.mark.parametrize("columns", ["72", "80", "84"])
def test_the_korean_demo_folds_its_tables_and_loses_no_character(tmp_path, columns):
    result = run_dco("demo", "--lang", "ko", env={"COLUMNS": columns}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= int(columns) for line in lines)
    # A cell too narrow for its text folds; rich's default would cut it with an ellipsis.
    assert not [line for line in lines if "…" in line]


def test_the_korean_demo_names_each_findings_level_in_korean(tmp_path):
    result = run_dco("demo", "--lang", "ko", env={"COLUMNS": "200"}, cwd=tmp_path)
    levels = [line.split()[0] for line in result.stdout.splitlines() if ".Superlatives " in line]
    assert levels == ["오류"]


def test_queue_and_provider_errors_speak_korean(tmp_path):
    not_a_queue = tmp_path / "notes.db"
    not_a_queue.write_text("not a database", encoding="utf-8")
    queue = run_dco("stats", str(not_a_queue), "--lang", "ko")
    assert queue.returncode == 2
    assert f"{not_a_queue}: SQLite 데이터베이스가 아닙니다" in queue.stderr
    brief = tmp_path / "brief.yaml"
    brief.write_text("product: 하프 마라톤 코칭\nchannel: sms\n", encoding="utf-8")
    keyless = run_dco("generate", "--brief", str(brief), "--stage", "decision",
                      "--provider", "openai", "--lang", "ko",
                      env={"OPENAI_API_KEY": ""})  # fmt: skip
    assert keyless.returncode == 2
    assert "OpenAI 제공자의 API 키가 없습니다" in keyless.stderr


def test_a_reports_bad_rows_are_listed_in_korean_and_the_rest_land(tmp_path):
    from dco.models import Brief, Copy, FunnelStage, Variant
    from dco.review import ReviewQueue

    variant = Variant(copy=Copy(headline="하프 10주 완성"), brief=Brief(product="코칭"),
                      stage=FunnelStage.DECISION)  # fmt: skip
    queue = tmp_path / "review.db"
    with ReviewQueue(queue) as q:
        q.submit([variant])
    report = tmp_path / "report.csv"
    report.write_text(
        "variant_id,date,impressions,clicks\n"
        f"{variant.id},2026-12-01,100,4\n{variant.id},2026-12-02,10,40\n",
        encoding="utf-8",
    )
    result = run_dco("outcomes", "import", str(report), str(queue), "--lang", "ko")
    assert result.returncode == 1
    assert f"{report}에서 1행을" in result.stdout
    assert f"{report}:3: 클릭(40)이 노출(10)보다 많습니다" in result.stderr


def test_a_brand_file_channel_typo_is_named_in_korean(tmp_path):
    result = lint_in_korean_with_brand(tmp_path, "name: 우리\nchannels: [smss]\n")
    assert result.returncode == 2
    assert "키 'channels': 알 수 없는 채널 'smss'. 'sms'을(를) 말한 건가요?" in result.stderr


UNTRANSLATED_RAISES = {
    # Python's own protocol: `from dco import x` of a name that is not there.
    "dco/_lazy.py": 1,
    # The kind of name (`unknown_name("channel", …)`), not a message: the message is translated.
    # (The channel catalogue's other one is a mistake in dco's own channel table.)
    "dco/channels/catalog.py": 2,
    "dco/cli/channels.py": 1,
    "dco/outcomes/reports.py": 1,
    "dco/providers/__init__.py": 1,
    "dco/text/units.py": 1,
    # The language cannot be chosen in the language being chosen.
    "dco/i18n.py": 1,
    # Only placeholders ("{where}: {e}"): nothing to translate.
    "dco/funnel/learned.py": 1,
    # A library caller's mistake (arguments of the wrong size or range, a decision built
    # wrong), which no file or option of the CLI leads to.
    "dco/funnel/evaluation.py": 1,
    "dco/funnel/training.py": 3,
    "dco/models/values.py": 5,
    "dco/outcomes/bandit.py": 1,
    "dco/prompts/tags.py": 1,
    "dco/serving/selection.py": 1,
}
"""Errors raised with a message written in place, by file, and why each stays so. The test
fails when a file raises more (wrap the new message in _() and translate it) or fewer (take
it off this list, so that the list stays true)."""


def test_no_new_error_message_escapes_the_catalogue():
    package = REPO / "dco"
    counts = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                message = node.exc.args[0]
                if isinstance(message, ast.JoinedStr) or (
                    isinstance(message, ast.Constant) and isinstance(message.value, str)
                ):
                    name = path.relative_to(REPO).as_posix()
                    counts[name] = counts.get(name, 0) + 1
    assert counts == UNTRANSLATED_RAISES


def test_no_table_heading_escapes_the_catalogue():
    """A table's title and column names are what a Korean reader meets first: each literal one
    is a symbol or a unit (CTR, F1, 95 %), or it goes through _()."""
    written_in_place = []
    for path in sorted((REPO / "dco").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):
                # for column in ("stage", "decided"): table.add_column(column)
                headed = any(
                    isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "add_column"
                    for call in ast.walk(node)
                )
                if headed and any(
                    isinstance(item, ast.Constant) and re.search(r"[a-z]{2}", str(item.value))
                    for item in node.iter.elts
                ):
                    written_in_place.append(f"{path.relative_to(REPO)}:{node.lineno}")
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            texts = []
            if name == "add_column" and node.args:
                texts.append(node.args[0])
            if name in ("add_column", "Table"):
                texts += [k.value for k in node.keywords if k.arg in ("header", "title")]
            for text in texts:
                if isinstance(text, ast.JoinedStr) or (
                    isinstance(text, ast.Constant)
                    and isinstance(text.value, str)
                    and re.search(r"[a-z]{2}", text.value)
                ):
                    written_in_place.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert written_in_place == []


def test_an_empty_text_stays_empty_not_the_catalogues_header():
    from dco import i18n

    i18n.use("ko")
    try:
        assert i18n._("") == ""  # gettext's own answer is the header: "Project-Id-Version: …"
    finally:
        i18n.use("en")
