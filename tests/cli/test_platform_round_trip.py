"""Export to a platform, read the platform's report back: every row joins its variant."""

import csv
import io
import json

from dco.models import Brief, Copy, FunnelStage, Variant
from dco.outcomes.values import Totals
from dco.review import ReviewQueue
from tests.conftest import run_dco


def approved(tmp_path, channel, count):
    """A queue holding `count` approved variants of one campaign stage for `channel`."""
    path = tmp_path / "review.db"
    brief = Brief(product="하프 마라톤 코칭", channel=channel, campaign="spring")
    batch = [
        Variant(copy=Copy(headline=f"하프 {i}주 완성", body=f"{i}주면 첫 하프를 완주해요.",
                          cta="지금 신청"),
                brief=brief, stage=FunnelStage.DECISION, channel=channel)
        for i in range(count)
    ]  # fmt: skip
    with ReviewQueue(path) as queue:
        queue.submit(batch)
        for v in batch:
            queue.approve(v.id, "minji")
    return path, batch


def approved_campaign(tmp_path, count=8):
    return approved(tmp_path, "google_rsa", count)


def export_google(tmp_path, path, *extra):
    out = tmp_path / "ads.csv"
    done = run_dco("export", str(path), "--channel", "google_rsa", "--out", str(out),
                   "--final-url", "https://runfit.example/half", *extra)  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = out.with_name("ads.google-ads.csv").read_text("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def google_report(ads, days=("2026. 12. 1.", "2026. 12. 2.")):
    """The ads table as Google Ads' Korean interface downloads it: a title row, the date
    range, the header, a row per ad and day, and a total row; cp949 as Excel saves it."""
    lines = ["광고 보고서", "2026년 12월 1일~2026년 12월 2일",
             "캠페인,광고 그룹,라벨,일,노출수,클릭수,전환수"]  # fmt: skip
    for n, ad in enumerate(ads):
        for day in days:
            lines.append(f'{ad["Campaign"]},{ad["Ad group"]},{ad["Labels"]},{day},'
                         f'"1,{n:03d}",{n + 1},--')  # fmt: skip
    lines.append("합계,,,,9999,99,0")
    return ("\r\n".join(lines) + "\r\n").encode("cp949")


def test_per_variant_ads_carry_each_variant_pinned_and_labelled(tmp_path):
    path, batch = approved_campaign(tmp_path)
    ads = export_google(tmp_path, path)
    assert len(ads) == len(batch)
    groups = [ad["Ad group"] for ad in ads]
    assert max(groups.count(g) for g in set(groups)) <= 3  # at most 3 RSAs an ad group
    for ad, variant in zip(ads, batch, strict=True):
        assert ad["Labels"] == f"dco:{variant.id}"
        assert ad["Headline 1"] == variant.copy.headline and ad["Headline 1 position"] == "1"
        assert ad["Description 1"] == variant.copy.body and ad["Description 1 position"] == "1"
        assert sum(bool(ad[f"Headline {i}"]) for i in range(1, 16)) >= 3
        assert sum(bool(ad[f"Description {i}"]) for i in range(1, 5)) >= 2


def test_a_google_report_in_korean_and_cp949_joins_every_row_back(tmp_path):
    path, batch = approved_campaign(tmp_path)
    ads = export_google(tmp_path, path)
    report = tmp_path / "광고 보고서.csv"
    report.write_bytes(google_report(ads))
    done = run_dco("outcomes", "import", str(report), str(path), "--from", "google", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"imported": 2 * len(batch), "problems": []}
    with ReviewQueue(path) as queue:
        totals = queue.outcome_totals()
    for n, variant in enumerate(batch):
        assert totals[variant.id]["all"] == Totals(2 * (1000 + n), 2 * (n + 1), 0)


def test_an_english_google_report_reads_its_dates_and_headers(tmp_path):
    path, batch = approved_campaign(tmp_path, count=3)
    ads = export_google(tmp_path, path)
    rows = ["Ad report", "December 1, 2026 - December 1, 2026", "Labels,Day,Impr.,Clicks,Conv."]
    rows += [f'{ad["Labels"]},"Dec 1, 2026",120,3,1' for ad in ads]
    rows += ["Total: Account,,360,9,3"]
    report = tmp_path / "Ad report.csv"
    report.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    done = run_dco("outcomes", "import", str(report), str(path), "--from", "google")
    assert done.returncode == 0, done.stderr
    with ReviewQueue(path) as queue:
        totals = queue.outcome_totals()
    assert all(totals[v.id]["all"] == Totals(120, 3, 1) for v in batch)


def test_a_google_report_saved_as_unicode_text_is_read_tab_separated(tmp_path):
    # Excel's "Unicode text" and the "Excel CSV" downloads: UTF-16 with its BOM, tabs between.
    path, batch = approved_campaign(tmp_path, count=3)
    ads = export_google(tmp_path, path)
    rows = ["광고 보고서", "라벨\t일\t노출수\t클릭수\t전환수"]
    rows += [f'{ad["Labels"]}\t2026. 12. 1.\t"1,200"\t3\t1' for ad in ads]
    report = tmp_path / "광고 보고서.csv"
    report.write_bytes(("\r\n".join(rows) + "\r\n").encode("utf-16"))
    done = run_dco("outcomes", "import", str(report), str(path), "--from", "google")
    assert done.returncode == 0, done.stderr
    with ReviewQueue(path) as queue:
        totals = queue.outcome_totals()
    assert all(totals[v.id]["all"] == Totals(1200, 3, 1) for v in batch)


def test_a_pooled_ad_is_reported_as_unsplittable_not_credited_to_one_variant(tmp_path):
    path, batch = approved_campaign(tmp_path, count=4)
    (ad,) = export_google(tmp_path, path, "--google-ads-layout", "pooled")
    assert ad["Labels"] == ";".join(f"dco:{v.id}" for v in batch)
    report = tmp_path / "pooled.csv"
    report.write_text(f"Labels,Day,Impr.,Clicks\n{ad['Labels']},2026-12-01,100,4\n", "utf-8")
    done = run_dco("outcomes", "import", str(report), str(path), "--from", "google")
    assert done.returncode == 1
    assert "carries 4 variants" in done.stderr and "--google-ads-layout per-variant" in done.stderr
    with ReviewQueue(path) as queue:
        assert queue.outcome_totals() == {}


def test_a_report_that_is_not_googles_says_which_column_it_looked_for(tmp_path):
    path, _ = approved_campaign(tmp_path, count=1)
    report = tmp_path / "other.csv"
    report.write_text("소재 ID,날짜,노출수,클릭수\nx,2026-12-01,1,1\n", "utf-8")
    done = run_dco("outcomes", "import", str(report), str(path), "--from", "google")
    assert done.returncode == 2
    assert "no column 'Labels' or 'Label' or '라벨' for variant_id" in done.stderr
    assert "소재 ID, 날짜" in done.stderr and "--column variant_id=HEADER" in done.stderr


def test_a_stage_with_too_little_copy_for_an_rsa_is_named(tmp_path):
    path, _ = approved_campaign(tmp_path, count=1)
    export_google(tmp_path, path)
    done = run_dco("export", str(path), "--channel", "google_rsa", "--out",
                   str(tmp_path / "one.csv"), "--final-url", "https://runfit.example")  # fmt: skip
    assert "1 ad (spring - decision) have fewer than 3 headlines" in done.stderr


def approved_naver(tmp_path, count=4):
    return approved(tmp_path, "naver_powerlink", count)


def export_naver(tmp_path, path):
    out = tmp_path / "ads.csv"
    done = run_dco("export", str(path), "--channel", "naver_powerlink", "--out", str(out),
                   "--final-url", "https://runfit.example/half?utm_source=naver",
                   "--naver-adgroup", "grp-a001-01-000000000000001")  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = out.with_name("ads.naver-ads.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def naver_reports(tmp_path, bodies):
    """What the Search Ad API would give back for these ads: the Ad master report (Naver's
    ad ids and the landing URLs) and a 14-column AD report with a row per device."""
    master, stats = [], []
    for n, body in enumerate(bodies):
        ad_id = f"nad-a001-01-{n:015d}"
        ad = body["ad"]
        master.append("\t".join(["1234", body["nccAdgroupId"], ad_id, "20", ad["headline"],
                                 ad["description"], ad["pc"]["final"], ad["mobile"]["final"],
                                 "0", "2026-12-01T00:00:00Z", ""]))  # fmt: skip
        for device, shown in (("P", 100), ("M", 300 + n)):
            stats.append("\t".join(["20261201", "1234", "cmp-a001-01-000000000000001",
                                    body["nccAdgroupId"], "nkw-a001-01-000000000000001", ad_id,
                                    "bsn-a001-00-000000000000001", "27758", device, str(shown),
                                    str(n + 1), "1200", "250", "0"]))  # fmt: skip
    (tmp_path / "Ad_master.tsv").write_text("\n".join(master) + "\n", encoding="utf-8")
    (tmp_path / "AD_20261201.tsv").write_text("\n".join(stats) + "\n", encoding="utf-8")
    return tmp_path / "AD_20261201.tsv", tmp_path / "Ad_master.tsv"


def test_naver_ads_are_the_apis_bodies_with_the_variant_in_the_landing_url(tmp_path):
    path, batch = approved_naver(tmp_path)
    bodies = export_naver(tmp_path, path)
    assert len(bodies) == len(batch)
    for body, variant in zip(bodies, batch, strict=True):
        assert body["type"] == "TEXT_45" and body["nccAdgroupId"] == "grp-a001-01-000000000000001"
        assert body["ad"]["headline"] == variant.copy.headline
        # The CTA is not lost: the description holds the body and the CTA, as the channel
        # composes and measures it.
        assert body["ad"]["description"] == f"{variant.copy.body} {variant.copy.cta}"
        assert body["ad"]["pc"]["final"] == (
            f"https://runfit.example/half?utm_source=naver&utm_content=dco-{variant.id}"
        )


def test_a_naver_report_joins_every_row_back_through_the_master_report(tmp_path):
    path, batch = approved_naver(tmp_path)
    stats, master = naver_reports(tmp_path, export_naver(tmp_path, path))
    done = run_dco("outcomes", "import", str(stats), str(path), "--from", "naver",
                   "--master", str(master), "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"imported": len(batch), "problems": []}
    with ReviewQueue(path) as queue:
        totals = queue.outcome_totals()
    for n, variant in enumerate(batch):  # the PC and mobile rows of a day, added up
        assert totals[variant.id]["all"] == Totals(100 + 300 + n, 2 * (n + 1), 0)


def test_a_naver_report_without_its_master_says_which_file_to_give(tmp_path):
    path, _ = approved_naver(tmp_path, count=1)
    stats, _master = naver_reports(tmp_path, export_naver(tmp_path, path))
    done = run_dco("outcomes", "import", str(stats), str(path), "--from", "naver")
    assert done.returncode == 2
    assert "needs the ad master report" in done.stderr and "--master FILE" in done.stderr


def test_an_ad_dco_did_not_export_is_reported_by_line_and_the_rest_land(tmp_path):
    path, batch = approved_naver(tmp_path, count=2)
    stats, master = naver_reports(tmp_path, export_naver(tmp_path, path))
    foreign = (
        stats.read_text("utf-8")
        .splitlines()[0]
        .replace("nad-a001-01-000000000000000", "nad-a001-01-999999999999999")
    )
    stats.write_text(stats.read_text("utf-8") + foreign + "\n", encoding="utf-8")
    done = run_dco("outcomes", "import", str(stats), str(path), "--from", "naver",
                   "--master", str(master))  # fmt: skip
    assert done.returncode == 1
    assert ":5: ad 'nad-a001-01-999999999999999' is not in the master report" in done.stderr
    with ReviewQueue(path) as queue:
        assert set(queue.outcome_totals()) == {v.id for v in batch}


def test_naver_export_needs_its_ad_group(tmp_path):
    path, _ = approved_naver(tmp_path, count=1)
    out = tmp_path / "ads.csv"
    done = run_dco("export", str(path), "--channel", "naver_powerlink", "--out", str(out),
                   "--final-url", "https://runfit.example/half")  # fmt: skip
    assert done.returncode == 2 and "--naver-adgroup" in done.stderr and not out.exists()


def test_naver_export_needs_a_web_address_to_lead_to(tmp_path):
    path, _ = approved_naver(tmp_path, count=1)
    out = tmp_path / "ads.csv"
    done = run_dco("export", str(path), "--channel", "naver_powerlink", "--out", str(out),
                   "--final-url", "runfit.example/half",
                   "--naver-adgroup", "grp-a001-01-000000000000001")  # fmt: skip
    assert done.returncode == 2 and not out.exists()
    assert "--final-url 'runfit.example/half' is not a web address" in done.stderr
