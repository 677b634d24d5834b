import pytest

from dco.channels.catalog import channel_names, get_channel, load_catalog
from dco.errors import ConfigError, UnknownNameError
from dco.models import Copy

REQUIRED = [
    "google_rsa",
    "google_display",
    "meta_feed",
    "naver_powerlink",
    "kakao_friendtalk",
    "kakao_alimtalk",
    "sms",
    "lms",
    "email",
    "push",
    "generic",
]


def test_catalog_has_the_required_channels():
    assert set(REQUIRED) <= set(channel_names())


def test_every_channel_records_its_source():
    for name in channel_names():
        assert get_channel(name).source.strip(), name


@pytest.mark.parametrize(
    ("channel", "field", "limit", "unit"),
    [
        ("google_rsa", "headline", 30, "google_width"),
        ("google_rsa", "description", 90, "google_width"),
        ("google_rsa", "path", 15, "google_width"),
        ("naver_powerlink", "title", 15, "chars"),
        ("naver_powerlink", "description", 45, "chars"),
        ("sms", "message", 90, "cp949_bytes"),
        ("lms", "message", 2000, "cp949_bytes"),
    ],
)
def test_documented_limits(channel, field, limit, unit):
    spec = get_channel(channel)
    assert spec.fields[field].limit == limit
    assert spec.unit_of(field) == unit


def test_sms_measures_the_whole_message_together_in_cp949_bytes():
    copy = Copy(headline="(광고) 하프 마라톤", body="첫 주 무료", cta="무료수신거부 080-000-0000")
    (message,) = get_channel("sms").measure(copy)
    assert message.copy_fields == ("headline", "body", "cta")
    assert message.text == "(광고) 하프 마라톤\n첫 주 무료\n무료수신거부 080-000-0000"
    assert message.length == 18 + 1 + 10 + 1 + 25


def test_fifteen_hangul_fill_a_google_headline_and_sixteen_do_not():
    rsa = get_channel("google_rsa")
    fits = rsa.measure(Copy(headline="가" * 15))[0]
    over = rsa.measure(Copy(headline="가" * 16))[0]
    assert (fits.length, fits.over) == (30, False)
    assert (over.length, over.over) == (32, True)


def test_emoji_in_sms_is_reported_not_miscounted():
    (message,) = get_channel("sms").measure(Copy(body="첫 주 무료 👟"))
    assert message.length is None
    assert message.over
    assert "U+1F45F" in message.problem


def test_limit_for_a_copy_field_is_the_tightest_bound():
    assert get_channel("naver_powerlink").limit_for("headline") == (15, "chars")
    assert get_channel("google_rsa").limit_for("cta") == (30, "google_width")


def test_unknown_channel_suggests_the_nearest():
    with pytest.raises(UnknownNameError, match="Did you mean 'google_rsa'"):
        get_channel("google_rs")


def test_a_user_catalog_adds_channels(tmp_path):
    path = tmp_path / "channels.yaml"
    path.write_text(
        "channels:\n"
        "  kiosk:\n"
        "    name: In-store kiosk\n"
        "    unit: chars\n"
        "    source: our kiosk vendor's spec\n"
        "    fields:\n"
        "      title: {label: Title, limit: 12, copy: [headline]}\n",
        encoding="utf-8",
    )
    catalog = load_catalog(path)
    assert catalog["kiosk"].fields["title"].limit == 12
    assert "google_rsa" in catalog


def test_a_bad_user_catalog_names_file_line_and_key(tmp_path):
    path = tmp_path / "channels.yaml"
    path.write_text(
        "channels:\n"
        "  kiosk:\n"
        "    name: In-store kiosk\n"
        "    unit: chars\n"
        "    source: spec\n"
        "    fields:\n"
        "      title: {label: Title, limt: 12}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_catalog(path)
    message = str(caught.value)
    assert f"{path}:7:" in message
    assert "channels.kiosk.fields.title.limt" in message
    assert "Did you mean 'limit'?" in message


def test_fill_is_the_share_of_the_fields_tightest_limit_counted_in_its_unit():
    google = get_channel("google_rsa")
    assert google.fill("headline", "하프 마라톤") == pytest.approx(11 / 30)  # Hangul counts 2
    sms = get_channel("sms")  # cp949 bytes: Hangul 2, the rest 1
    assert sms.fill("headline", "(광고) 첫 주 무료") == pytest.approx(17 / 90)
    assert get_channel("email").fill("body", "no limit on an e-mail's body") is None


@pytest.mark.parametrize(
    "channel, copy",
    [
        ("google_rsa", Copy(headline="하프 마라톤 10주 완성 코칭 프로그램", body="짧게")),
        ("google_rsa", Copy(headline="Run", body="A short body", cta="Go")),
        ("sms", Copy(headline="(광고) 러닝", body="첫 주 무료 🏃", cta="신청")),
        ("sms", Copy(headline="러닝 " * 30, body="코칭 " * 20, cta="신청")),
    ],
)
def test_overflows_are_the_measures_over_their_limit(channel, copy):
    spec = get_channel(channel)
    assert spec.overflows(copy) == [m for m in spec.measure(copy) if m.over]
