"""The review app in Korean: its keys, dialogs and help read in Korean and still fit 80×24."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO


def shown_in_korean(tmp_path, key):
    done = subprocess.run(
        [sys.executable, "-m", "tests.review.korean_app", str(tmp_path), key],
        capture_output=True, text=True, encoding="utf-8", cwd=REPO, timeout=120,
        env={**os.environ, "DCO_LANG": "ko"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("question_mark", "이 창에서 내린 마지막 결정 되돌리기"),
        ("r", "반려: 스페이스로 이유 선택"),
        ("e", "수정 — ctrl+s 저장, esc 취소"),
        ("slash", "카피의 단어로 거릅니다"),
    ],
)
def test_every_screen_speaks_korean_and_fits_80_by_24(tmp_path, key, expected):
    shown = shown_in_korean(tmp_path, key)
    assert "승인" in shown["footer"] and "반려" in shown["footer"]
    assert expected in shown["dialog"]
    assert shown["outside"] == []
