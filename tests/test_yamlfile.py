import pytest

from dco import yamlfile
from dco.errors import ConfigError
from dco.models import DcoModel


class Settings(DcoModel):
    name: str
    size: int = 1


def test_syntax_error_names_file_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: ok\nsize: [1, 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml:3:1: invalid YAML"):
        yamlfile.load(path)


def test_duplicate_keys_are_an_error(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("name: a\nname: b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"dup\.yaml:2:1: duplicate key 'name'"):
        yamlfile.load(path)


def test_wrong_type_names_the_key_and_its_line():
    document = yamlfile.parse("name: x\nsize: many\n", "s.yaml")
    with pytest.raises(
        ConfigError, match=r"s\.yaml:2:1: key 'size': Input should be a valid integer"
    ):
        document.validate(Settings)


def test_missing_key_is_named_in_full():
    document = yamlfile.parse("size: 2\n", "s.yaml")
    with pytest.raises(ConfigError, match=r"key 'name': Field required"):
        document.validate(Settings)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        yamlfile.load(tmp_path / "nope.yaml")
