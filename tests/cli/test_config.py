"""dco.toml (or [tool.dco] in pyproject.toml) sets every command's defaults; DCO_* variables
override it and options override both; `dco config` says where each value came from."""

import json
import os
import subprocess
import sys

import pytest

from dco.review import ReviewQueue
from tests.conftest import REPO
from tests.review.test_queue import variants


def dco_in(folder, *args, env=None):
    """`dco ARGS` run in `folder`, as a user in that project would."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DCO_")}
    return subprocess.run(
        [sys.executable, "-m", "dco", *args], cwd=folder, capture_output=True, text=True,
        encoding="utf-8", timeout=120,
        env={**environment, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "COLUMNS": "200",
             **(env or {})},
    )  # fmt: skip


def test_the_file_sets_defaults_a_variable_overrides_it_and_an_option_overrides_both(tmp_path):
    with ReviewQueue(tmp_path / "team.db") as queue:
        batch = variants(2)
        queue.submit(batch)
        queue.approve(batch[0].id, "kim")
    (tmp_path / "dco.toml").write_text('queue = "team.db"\nfail_level = "warning"\n')
    stats = dco_in(tmp_path, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["overall"]["decided"] == 1
    overridden = dco_in(tmp_path, "stats", "--json", env={"DCO_QUEUE": "other.db"})
    assert overridden.returncode == 2 and "other.db: no review queue here" in overridden.stderr
    given = dco_in(tmp_path, "stats", "team.db", "--json", env={"DCO_QUEUE": "other.db"})
    assert given.returncode == 0
    shown = json.loads(dco_in(tmp_path, "config", "--json", env={"DCO_QUEUE": "x.db"}).stdout)
    assert shown["queue"] == {"value": "x.db", "from": "DCO_QUEUE"}
    assert shown["fail_level"] == {"value": "warning", "from": "dco.toml"}
    assert shown["brand"] == {"value": None, "from": "not set"}


def test_lint_reads_its_fail_level_and_brand_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "campaign"\n\n[tool.dco]\nbrand = "runfit"\nfail_level = "warning"\n'
    )
    (tmp_path / "copy.txt").write_text("지금 바로 신청하세요!! 첫 주 무료!!\n", encoding="utf-8")
    linted = dco_in(tmp_path, "lint", "copy.txt", "--format", "json")  # no --brand needed
    levels = {f["level"] for f in json.loads(linted.stdout)["findings"]}
    assert levels == {"warning"} and linted.returncode == 1  # warnings fail at this level
    passed = dco_in(tmp_path, "lint", "copy.txt", "--fail-level", "error")
    assert passed.returncode == 0
    shown = json.loads(dco_in(tmp_path, "config", "--json").stdout)
    assert shown["brand"] == {"value": "runfit", "from": "pyproject.toml [tool.dco]"}


def test_a_broken_or_unknown_setting_is_one_line_naming_the_file(tmp_path):
    (tmp_path / "dco.toml").write_text('queue = "a.db"\nqueu = "b.db"\n')
    typo = dco_in(tmp_path, "stats")
    assert typo.returncode == 2
    assert typo.stderr.strip().splitlines()[0].startswith("dco: error: ")
    assert "dco.toml: unknown setting 'queu'" in typo.stderr
    (tmp_path / "dco.toml").write_text("queue = \n")
    broken = dco_in(tmp_path, "config")
    assert broken.returncode == 2 and "not TOML dco can read" in broken.stderr
    (tmp_path / "dco.toml").write_text("reviewer = 3\n")
    wrong = dco_in(tmp_path, "config")
    assert wrong.returncode == 2 and "reviewer must be a string" in wrong.stderr


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        (
            "a = 1" + "0" * 5000 + "\n",
            "Exceeds the limit (4300 digits) for integer string conversion: value has 5001 digits",
        ),
    ],
)
def test_a_settings_file_python_cannot_hold_is_one_line(tmp_path, text, why):
    (tmp_path / "dco.toml").write_text(text)
    done = dco_in(tmp_path, "config")
    assert done.returncode == 2
    settings = tmp_path / "dco.toml"
    assert done.stderr == (
        f"dco: error: {settings}: not TOML dco can read ({why}); fix it or remove it\n"
    )


def test_a_settings_file_windows_notepad_saved_with_a_bom_is_read(tmp_path):
    (tmp_path / "dco.toml").write_bytes('\ufeffreviewer = "김민지"\n'.encode())
    done = dco_in(tmp_path, "config", "--json")
    assert done.returncode == 0, done.stderr
    assert "김민지" in done.stdout
