import json
import re

import pytest

from dco import yamlfile
from dco.errors import ConfigError
from dco.models import Brief, DcoModel
from dco.yamlfile import parse


class Settings(DcoModel):
    name: str
    size: int = 1


def test_syntax_error_names_file_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: ok\nsize: [1, 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml:3:1: invalid YAML"):
        yamlfile.load(path)


def test_duplicate_keys_with_two_values_are_an_error(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("name: a\nname: b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"dup\.yaml:2:1: duplicate key 'name' with another"):
        yamlfile.load(path)


def test_a_key_repeated_with_its_value_is_read_once():
    # Published Vale styles repeat swap entries (proselint's Diacritical: Bronte twice).
    assert yamlfile.parse("swap:\n  Bronte: Brontë\n  Bronte: Brontë\n").data == {
        "swap": {"Bronte": "Brontë"}
    }


def test_an_escaped_single_quote_in_double_quotes_is_a_quote_as_vale_reads_it():
    text = 'description: "you\\\'re only looking"\nlevel: error\n'
    assert yamlfile.parse(text).data == {"description": "you're only looking", "level": "error"}


def test_other_unknown_escapes_stay_errors():
    with pytest.raises(ConfigError, match=r"<string>:1:\d+: invalid YAML: found unknown escape"):
        yamlfile.parse('a: "bad \\q"\n')


def test_wrong_type_names_the_key_and_its_line():
    document = yamlfile.parse("name: x\nsize: many\n", "s.yaml")
    with pytest.raises(ConfigError, match=r"s\.yaml:2:1: key 'size': must be a whole number"):
        document.validate(Settings)


def test_a_wrong_list_is_said_as_the_user_writes_it():
    document = yamlfile.parse("product: 러닝\nbenefits: 맞춤 플랜\n", "b.yaml")
    with pytest.raises(ConfigError, match=r"b\.yaml:2:1: key 'benefits': must be a list, "
                       r"e\.g\. \[맞춤 플랜\]"):  # fmt: skip
        document.validate(Brief)


def test_missing_key_is_named_in_full():
    document = yamlfile.parse("size: 2\n", "s.yaml")
    with pytest.raises(ConfigError, match=r"key 'name': is required"):
        document.validate(Settings)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        yamlfile.load(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("? [a, b]\n: c\n", "a key must be a plain value"),
        ("name: !!python/object:os.system x\n", "invalid YAML"),
        ("name: !custom x\n", "invalid YAML"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ("base: &b {x: 1}\nother:\n  <<: [*b, 2]\n", "'<<' merges mappings only"),
        # Values YAML reads as dates or numbers that Python cannot hold: each at its place.
        ("name: x\nstarts: 2026-13-01\n", "brand.yaml:2:9: '2026-13-01' cannot be read as YAML"),
        ("? 2026-02-30\n: x\n", "brand.yaml:1:3: '2026-02-30' cannot be read as YAML"),
        ("n: " + "7" * 5000 + "\n", "brand.yaml:1:4: a value 5,000 characters long cannot"),
    ],
)
def test_malformed_yaml_is_one_located_error(text, problem):
    with pytest.raises(ConfigError, match=re.escape(problem)):
        parse(text, "brand.yaml")


def test_aliases_that_expand_without_bound_are_refused_quickly():
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        laughs += f"{level}: &{level} [{', '.join(['*' + previous] * 9)}]\n"
    with pytest.raises(ConfigError, match="expands to far more values than it has text"):
        parse(laughs, "rules/Laughs.yml")


def test_merge_keys_fill_in_what_a_mapping_does_not_say():
    data = parse("base: &b {level: error, message: m}\nrule:\n  <<: *b\n  level: warning\n").data
    assert data["rule"] == {"level": "warning", "message": "m"}


def test_every_problem_in_a_file_is_named_in_line_order():
    document = yamlfile.parse("product: 러닝\nbenefits: 맞춤\naudience: 5\noffer: [a]\n", "b.yaml")
    with pytest.raises(ConfigError) as error:
        document.validate(Brief, what="brief")
    assert str(error.value) == (
        "b.yaml:2:1: brief: key 'benefits': must be a list, e.g. [맞춤] (and line 3 key "
        "'audience' must be text; line 4 key 'offer' must be text)"
    )


def test_users_json_naming_a_key_twice_is_refused_wherever_it_is_read(tmp_path):
    from tests.conftest import run_dco

    briefs = tmp_path / "briefs.jsonl"
    briefs.write_text('{"product": "코칭", "channel": "sms"}\n'
                      '{"product": "코칭", "product": "러닝화", "channel": "sms"}\n',
                      encoding="utf-8")  # fmt: skip
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text('{"text": "러닝화 최저가", "stage": "awareness", "stage": "decision"}\n',
                        encoding="utf-8")  # fmt: skip
    told = [
        run_dco("generate", "--brief", str(briefs), "--stage", "decision").stderr,
        run_dco("classify", "--eval", str(labelled)).stderr,
        run_dco("classify", "-", stdin='{"text": "a", "text": "b"}\n').stderr,
    ]
    assert "briefs.jsonl:2: an object names 'product' twice" in told[0]
    assert "labelled.jsonl:1: an object names 'stage' twice" in told[1]
    assert "<stdin>:1: an object names 'text' twice" in told[2]


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        (
            '{"product": ' + "[" * 5000 + "]" * 5000 + "}",
            "1:511: invalid JSON: nested more than 500",
        ),
        ('{"product": 1' + "0" * 5000 + "}", "1:13: invalid JSON: a number 5,001 digits long"),
    ],
)
def test_users_json_python_cannot_hold_is_one_located_error(tmp_path, given, problem):
    from tests.conftest import run_dco

    brief = tmp_path / "brief.json"
    brief.write_text(given, encoding="utf-8")
    done = run_dco("generate", "--brief", str(brief), "--stage", "decision")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith(f"dco: error: {brief}:{problem}")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # Windows Notepad's UTF-8 puts a BOM first, which JSON refused ("Unexpected UTF-8 BOM").
        ("brief.json", '\ufeff{"product": "하프 마라톤 코칭", "channel": "sms"}'.encode()),
        ("brief.yaml", "product: 하프 마라톤 코칭\nchannel: sms\n".encode("cp949")),
    ],
)
def test_a_brief_saved_as_windows_saves_it_is_read(tmp_path, name, data):
    from tests.conftest import run_dco

    brief = tmp_path / name
    brief.write_bytes(data)
    done = run_dco("generate", "--brief", str(brief), "--stage", "decision", "-n", "1", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["briefs"][0]["product"] == "하프 마라톤 코칭"
