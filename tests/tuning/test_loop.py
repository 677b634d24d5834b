import json
import shutil

import pytest

from dco.brand import Brand
from dco.generation import generate
from dco.models import Brief, Copy
from dco.review import ReviewQueue
from dco.simulation import SimulatedReviewer, simulate
from dco.testing import FakeProvider
from dco.tuning import TuningProfile
from tests.conftest import REPO, run_dco


@pytest.fixture(scope="module")
def brand():
    return Brand.load("runfit")


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_three_rounds_of_the_loop_raise_approval_and_lower_edit_distance(brand, locale):
    with ReviewQueue(":memory:") as queue:
        rounds = simulate(queue, rounds=3, brand=brand, locale=locale)
    rates = [r.approval_rate for r in rounds]
    distances = [r.edit_distance for r in rounds]
    assert rates[-1] > rates[0] and rates == sorted(rates)
    assert distances[-1] < distances[0]
    assert rounds[0].prompt_version != rounds[1].prompt_version  # the profile changed the prompt
    assert not any(rounds[0].learned.values()) and rounds[1].learned["preferences"] >= 1


def test_the_simulation_is_deterministic(brand):
    runs = []
    for _ in range(2):
        with ReviewQueue(":memory:") as queue:
            runs.append([r.to_dict() for r in simulate(queue, rounds=2, brand=brand)])
    assert runs[0] == runs[1]


def variant(copy, channel="google_rsa"):
    brief = Brief(product="하프 마라톤 코칭", channel=channel)
    [v] = generate(brief, stage="decision", n=1, provider=FakeProvider(), seed=1)
    return v.model_copy(update={"copy": copy})


def test_the_simulated_reviewer_follows_its_documented_policy(brand):
    reviewer = SimulatedReviewer.for_brand(brand)
    too_long = Copy(headline="하프 마라톤 10주 완성 코칭 프로그램", body="완주해요.", cta="시작")
    assert reviewer.decide(variant(too_long)) == ("reject", None, ("too-long",))
    pushy = Copy(headline="놓치면 후회할 코칭", body="첫 주 무료예요.", cta="시작")
    assert reviewer.decide(variant(pushy)) == ("reject", None, ("wrong-tone",))
    action, edited, _ = reviewer.decide(
        variant(Copy(headline="저렴한 코칭", body="첫 주 무료", cta="시작"))
    )
    assert action == "edit" and edited.headline == "합리적인 코칭"
    assert (
        reviewer.decide(variant(Copy(headline="함께 달려요", body="첫 주 무료", cta="시작")))[0]
        == "approve"
    )


def test_demo_rounds_prints_each_round_as_json():
    done = run_dco("demo", "--rounds", "3", "--json")
    assert done.returncode == 0, done.stderr
    rounds = json.loads(done.stdout)
    assert [r["round"] for r in rounds] == [1, 2, 3]
    assert {"round", "approval_rate", "edit_distance", "prompt_version"} <= set(rounds[0])
    assert rounds[-1]["approval_rate"] > rounds[0]["approval_rate"]


@pytest.fixture
def simulated_db(tmp_path):
    path = tmp_path / "review.db"
    done = run_dco("demo", "--rounds", "1", "--queue", str(path))
    assert done.returncode == 0, done.stderr
    return path


def test_tune_writes_the_profile_beside_the_brand_and_then_reports_no_changes(
    tmp_path, simulated_db
):
    brand_dir = tmp_path / "runfit"
    shutil.copytree(REPO / "brand_guidelines" / "runfit", brand_dir)
    first = run_dco("tune", str(simulated_db), "--brand", str(brand_dir))
    assert first.returncode == 0, first.stderr
    assert "+ prefer [ko-KR]" in first.stdout and "합리적인 over 저렴한" in first.stdout
    assert "+ example" in first.stdout and "+ note" in first.stdout
    profile = TuningProfile.load(brand_dir / "tuning.yaml")
    assert profile.brand == "Runfit" and profile.decisions > 0
    again = run_dco("tune", str(simulated_db), "--brand", str(brand_dir), "--json")
    assert json.loads(again.stdout)["changes"] == []
    (brand_dir / "tuning.yaml").unlink()
    dry = run_dco("tune", str(simulated_db), "--brand", str(brand_dir), "--dry-run")
    assert "+ prefer" in dry.stdout and not (brand_dir / "tuning.yaml").exists()


def test_tune_lists_changes_in_korean_while_its_json_stays_the_same(tmp_path, simulated_db):
    brand_dir = tmp_path / "runfit"
    shutil.copytree(REPO / "brand_guidelines" / "runfit", brand_dir)
    tune = ("tune", str(simulated_db), "--brand", str(brand_dir), "--dry-run")
    listed = run_dco("--lang", "ko", *tune)
    assert listed.returncode == 0, listed.stderr
    assert "+ 선호 [ko-KR] 저렴한 대신 합리적인 (검토자 1명의 수정 " in listed.stdout
    assert "+ 피할 단어 [ko-KR]" in listed.stdout and "+ 예시 [" in listed.stdout
    assert ": 한도의 " in listed.stdout and " of its limit" not in listed.stdout
    korean, english = (json.loads(run_dco("--lang", lang, *tune, "--json").stdout)["changes"]
                       for lang in ("ko", "en"))  # fmt: skip
    assert korean == english
    assert any(c["kind"] == "prefer" and " edits by 1 reviewer)" in c["text"] for c in korean)


def test_proposed_rules_load_into_the_brand_and_dco_lint_applies_them(tmp_path, simulated_db):
    brand_dir = tmp_path / "runfit"
    shutil.copytree(REPO / "brand_guidelines" / "runfit", brand_dir)
    proposals = tmp_path / "proposals"
    done = run_dco("tune", str(simulated_db), "--brand", str(brand_dir),
                   "--propose-rules", str(proposals))  # fmt: skip
    assert done.returncode == 0, done.stderr
    [proposal] = proposals.glob("*.yml")
    assert "Proposed by `dco tune`" in proposal.read_text(encoding="utf-8")
    shutil.copy(proposal, brand_dir / "rules" / proposal.name)
    copy = tmp_path / "copy.txt"
    copy.write_text("저렴한 코칭으로 시작해요\n", encoding="utf-8")
    lint = run_dco("lint", str(copy), "--brand", str(brand_dir), "--format", "json")
    rules = {f["rule"] for f in json.loads(lint.stdout)["findings"]}
    assert f"Runfit.{proposal.stem}" in rules


def test_generate_with_the_brand_finds_its_profile_and_versions_the_prompt_by_it(
    tmp_path, simulated_db
):
    brand_dir = tmp_path / "runfit"
    shutil.copytree(REPO / "brand_guidelines" / "runfit", brand_dir)
    args = ["generate", "--brief", str(REPO / "examples" / "brief.yaml"), "--stage", "decision",
            "--channel", "google_rsa", "--n", "2", "--json", "--brand", str(brand_dir)]  # fmt: skip
    plain = run_dco(*args)
    assert run_dco("tune", str(simulated_db), "--brand", str(brand_dir)).returncode == 0
    tuned = run_dco(*args)
    assert tuned.returncode == 0, tuned.stderr
    assert "prompts tuned by" in tuned.stderr
    version = _first_variant(tuned)["provenance"]["prompt_version"]
    assert version != _first_variant(plain)["provenance"]["prompt_version"]


def _first_variant(result):
    """The first variant of a `dco generate --json` report."""
    return json.loads(result.stdout)["briefs"][0]["variants"][0]
