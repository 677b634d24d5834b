import csv
import io
import json

from dco.generation import generate
from dco.models import Brief, Copy
from dco.review import ReviewQueue
from dco.testing import FakeProvider
from tests.conftest import run_dco


def filled(tmp_path):
    path = tmp_path / "review.db"
    brief = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", channel="google_rsa",
                  campaign="spring")  # fmt: skip
    a, b, c = generate(brief, stage="decision", n=3, provider=FakeProvider(), seed=2)
    with ReviewQueue(path) as queue:
        queue.submit([a, b, c])
        queue.approve(a.id, "minji")
        queue.edit(b.id, "minji", Copy(headline="업계 최고의 코칭", body="함께 달려요", cta="신청"))
        queue.reject(c.id, "minji", ["off-brand"])
    return path, a, b


def test_export_writes_approved_and_edited_rows(tmp_path):
    path, a, b = filled(tmp_path)
    result = run_dco("export", str(path))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["variant_id"]: r["decision"] for r in rows} == {a.id: "approve", b.id: "edit"}
    edited = next(r for r in rows if r["variant_id"] == b.id)
    assert edited["headline"] == "업계 최고의 코칭" and edited["campaign"] == "spring"
    assert "not checked against a brand" in result.stderr


def test_export_leaves_out_copy_that_breaks_the_brand_unless_forced(tmp_path):
    path, a, _b = filled(tmp_path)
    checked = run_dco("export", str(path), "--brand", "runfit", "--format", "jsonl")
    assert [json.loads(line)["variant_id"] for line in checked.stdout.splitlines()] == [a.id]
    assert "left out 1 approved variant" in checked.stderr
    assert "Runfit's error-level rules" in checked.stderr
    forced = run_dco("export", str(path), "--brand", "runfit", "--format", "jsonl", "--force")
    assert len(forced.stdout.splitlines()) == 2


def test_export_leaves_out_copy_over_its_channels_limit_even_without_a_brand(tmp_path):
    path, a, b = filled(tmp_path)
    with ReviewQueue(path) as queue:
        queue.undo("minji")  # the rejection
        queue.undo("minji")  # the edit of b
        long = Copy(
            headline="하프 마라톤 완주를 위한 열 주짜리 코칭 프로그램", body="함께", cta="신청"
        )
        queue.edit(b.id, "minji", long, force=True)  # 48 google_width units; the limit is 30
    result = run_dco("export", str(path), "--format", "jsonl")
    assert [json.loads(line)["variant_id"] for line in result.stdout.splitlines()] == [a.id]
    assert "left out 1 approved variant over its channel's limits" in result.stderr


def test_pooled_google_ads_editor_rows_group_headlines_and_descriptions(tmp_path):
    path, a, _b = filled(tmp_path)
    out = tmp_path / "ads.csv"
    run_dco("export", str(path), "--channel", "google_rsa", "--out", str(out),
            "--final-url", "https://runfit.example/half",
            "--google-ads-layout", "pooled")  # fmt: skip
    ads = list(
        csv.DictReader(io.StringIO((tmp_path / "ads.google-ads.csv").read_text("utf-8-sig")))
    )
    (ad,) = ads
    assert ad["Campaign"] == "spring" and ad["Ad group"] == "spring - decision"
    assert ad["Ad type"] == "Responsive search ad"
    assert ad["Headline 1"] == a.copy.headline and ad["Description 1"] == a.copy.body
    assert ad["Final URL"] == "https://runfit.example/half"


def test_export_of_a_missing_database_says_how_to_make_one(tmp_path):
    result = run_dco("export", str(tmp_path / "none.db"))
    assert result.returncode == 2 and "dco generate --queue" in result.stderr


def test_a_pooled_stage_with_more_copy_than_one_ad_holds_becomes_several_ads_losing_none(
    tmp_path,
):
    from dco.models import FunnelStage, Variant

    path = tmp_path / "review.db"
    brief = Brief(product="하프 마라톤 코칭", channel="google_rsa", campaign="spring")
    batch = [
        Variant(copy=Copy(headline=f"하프 {i}주 완성", body=f"{i}주면 첫 하프를 달려요.",
                          cta="신청하기"),
                brief=brief, stage=FunnelStage.DECISION, channel="google_rsa")
        for i in range(50)
    ]  # fmt: skip
    with ReviewQueue(path) as queue:
        queue.submit(batch)
        for v in batch:
            queue.approve(v.id, "minji")
    out = tmp_path / "ads.csv"
    missing = run_dco("export", str(path), "--channel", "google_rsa", "--out", str(out))
    assert missing.returncode == 2 and "--final-url" in missing.stderr and not out.exists()
    done = run_dco("export", str(path), "--channel", "google_rsa", "--out", str(out),
                   "--final-url", "https://runfit.example/half",
                   "--google-ads-layout", "pooled")  # fmt: skip
    assert done.returncode == 0, done.stderr
    ads = list(
        csv.DictReader(io.StringIO(out.with_name("ads.google-ads.csv").read_text("utf-8-sig")))
    )
    assert len(ads) == 13  # 50 descriptions, 4 an ad
    descriptions = {ad[f"Description {i}"] for ad in ads for i in range(1, 5)} - {""}
    headlines = {ad[f"Headline {i}"] for ad in ads for i in range(1, 16)} - {""}
    assert descriptions == {v.copy.body for v in batch}
    assert headlines == {v.copy.headline for v in batch} | {"신청하기"}
    assert all(sum(bool(ad[f"Description {i}"]) for i in range(1, 5)) >= 2 for ad in ads)
    assert all(sum(bool(ad[f"Headline {i}"]) for i in range(1, 16)) >= 3 for ad in ads)
    groups = [ad["Ad group"] for ad in ads]
    assert max(groups.count(g) for g in set(groups)) <= 3  # at most 3 RSAs an ad group


def test_export_leaves_out_copy_a_spreadsheet_would_run_as_a_formula(tmp_path):
    path, a, b = filled(tmp_path)
    with ReviewQueue(path) as queue:
        queue.undo("minji")  # the rejection
        queue.undo("minji")  # the edit of b
        formula = Copy(headline='=HYPERLINK("https://evil.example","코칭")', body="함께",
                       cta="신청")  # fmt: skip
        queue.edit(b.id, "minji", formula, force=True)
    result = run_dco("export", str(path), "--format", "csv")
    assert [r["variant_id"] for r in csv.DictReader(io.StringIO(result.stdout))] == [a.id]
    assert (
        "left out 1 approved variant over its channel's limits or opening as a spreadsheet "
        "formula" in " ".join(result.stderr.split())
    )


def test_export_to_a_folder_that_is_not_there_is_one_line_exit_2(tmp_path):
    path, _, _ = filled(tmp_path)
    out = tmp_path / "no such folder" / "ads.csv"
    done = run_dco("export", str(path), "--channel", "google_rsa", "--out", str(out),
                   "--final-url", "https://runfit.example/half")  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{out}: cannot write there (No such file or directory)" in done.stderr
