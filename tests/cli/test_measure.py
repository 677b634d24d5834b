import json

from tests.conftest import run_dco


def test_measure_prints_every_unit():
    data = json.loads(run_dco("measure", "하프 마라톤", "--json").stdout)
    assert data["lengths"] == {"chars": 6, "google_width": 11, "cp949_bytes": 11, "graphemes": 6}


def test_measure_reports_what_cp949_cannot_carry():
    data = json.loads(run_dco("measure", "무료 👟", "--json").stdout)
    assert data["lengths"]["cp949_bytes"] is None
    assert "U+1F45F" in data["problems"]["cp949_bytes"]


def test_measure_one_unit():
    assert run_dco("measure", "가" * 15, "--unit", "google_width").stdout.strip() == "30"


def test_measure_against_a_channel_flags_over_limit():
    data = json.loads(run_dco("measure", "가" * 16, "--channel", "google_rsa", "--json").stdout)
    assert data[0]["length"] == 32 and data[0]["over"] is True


def test_a_character_sms_cannot_carry_is_shown_as_such_in_korean():
    done = run_dco("--lang", "ko", "measure", "하프 마라톤 👟")
    assert done.returncode == 0, done.stderr
    assert "인코딩할 수 없음" in done.stdout and "cannot encode" not in done.stdout


def test_an_unknown_channel_pasted_long_is_named_cut_not_echoed_whole():
    done = run_dco("measure", "코칭", "--channel", "y" * 100_000)
    assert done.returncode == 2
    assert "unknown channel 'yyy" in done.stderr and "…'" in done.stderr
    assert len(done.stderr) < 2_000
