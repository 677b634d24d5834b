import json

from tests.conftest import run_dco


def test_channels_table_lists_every_channel_with_units():
    result = run_dco("channels")
    assert result.returncode == 0, result.stderr
    for name in ("google_rsa", "naver_powerlink", "sms", "lms", "kakao_alimtalk", "generic"):
        assert name in result.stdout
    assert "google_width" in result.stdout and "cp949_bytes" in result.stdout


def test_channels_json_is_data():
    data = json.loads(run_dco("channels", "--json").stdout)
    assert data["sms"]["fields"]["message"]["limit"] == 90
    assert data["sms"]["unit"] == "cp949_bytes"
    assert data["google_rsa"]["fields"]["headline"]["copy"] == ["headline", "cta"]


def test_one_channel_shows_its_source():
    result = run_dco("channels", "naver_powerlink")
    assert "source:" in result.stdout and "45" in result.stdout


def test_unknown_channel_is_exit_2_with_a_suggestion():
    result = run_dco("channels", "naver")
    assert result.returncode == 2
    assert "unknown channel 'naver'" in result.stderr


def test_the_channel_table_and_its_notes_speak_korean():
    done = run_dco("--lang", "ko", "channels", "google_rsa")
    assert done.returncode == 0, done.stderr
    header = next(line for line in done.stdout.splitlines() if "필드" in line)
    assert "제한" in header and "단위" in header and "재는 카피" in header
    assert "출처:" in done.stdout and "source:" not in done.stdout
