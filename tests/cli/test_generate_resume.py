"""`dco generate --out --resume` after the process is killed mid-batch, against a real local
OpenAI-compatible server: nothing paid for is lost, nothing is written twice."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.chat_server import chat_server, completion
from tests.conftest import run_dco

BRIEFS = [
    {"product": f"러닝 코칭 {number}", "offer": "첫 주 무료", "channel": "google_rsa"}
    for number in range(1, 7)
]


def _slow_copywriter(body):
    """One variant per request, for the brief the prompt names, a fifth of a second later."""
    prompt = body["messages"][-1]["content"]
    product = next(b["product"] for b in BRIEFS if f'"{b["product"]}"' in prompt)
    time.sleep(0.2)
    variant = {"headline": f"{product} 시작", "body": "코치와 함께 달려요.", "cta": "신청하기"}
    return 200, completion(json.dumps({"variants": [variant]}))


@pytest.fixture
def base_url():
    with chat_server(_slow_copywriter) as port:
        yield f"http://127.0.0.1:{port}/v1"


def _products(out):
    lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    return [json.loads(line)["brief"]["product"] for line in lines]


def test_a_batch_killed_mid_way_resumes_without_loss_or_repeats(tmp_path, base_url):
    briefs = tmp_path / "briefs.json"
    briefs.write_text(json.dumps(BRIEFS, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "variants.jsonl"
    args = ["generate", "--brief", str(briefs), "--stage", "decision", "--n", "1",
            "--provider", "openai/local", "--concurrency", "1", "--out", str(out)]  # fmt: skip
    env = {**os.environ, "OPENAI_API_KEY": "sk-local", "OPENAI_BASE_URL": base_url}
    process = subprocess.Popen([sys.executable, "-m", "dco", *args], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while len(_products(out)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    written = _products(out)
    assert 2 <= len(written) < len(BRIEFS)  # killed mid-batch, what was done is on disk
    resumed = run_dco(*args, "--resume", env={"OPENAI_API_KEY": "sk-local",
                                              "OPENAI_BASE_URL": base_url})  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming: {len(written)} of {len(BRIEFS)} briefs already in" in resumed.stderr
    assert sorted(_products(out)) == sorted(b["product"] for b in BRIEFS)  # each once


def test_a_last_line_cut_short_is_dropped_before_resuming(tmp_path, base_url):
    briefs = tmp_path / "briefs.json"
    briefs.write_text(json.dumps(BRIEFS[:2], ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "variants.jsonl"
    out.write_text('{"id": "v_1", "copy": {"headl', encoding="utf-8")  # a write cut short
    env = {"OPENAI_API_KEY": "sk-local", "OPENAI_BASE_URL": base_url}
    args = ["--stage", "decision", "--n", "1", "--provider", "openai/local", "--out", str(out)]
    done = run_dco("generate", "--brief", str(briefs), *args, "--resume", env=env)
    assert done.returncode == 0, done.stderr
    assert "dropped its last line" in done.stderr
    assert sorted(_products(out)) == ["러닝 코칭 1", "러닝 코칭 2"]
