from datetime import datetime, timezone

import pytest

from dco.brand import Brand
from dco.errors import ConfigError
from dco.generation import generate
from dco.models import Brief, Signals
from dco.serving.context import Condition, ContextRule, ContextRules
from dco.testing import FakeProvider
from tests.conftest import WEDNESDAY_NOON_SEOUL

MONDAY_8AM_SEOUL = "2026-11-23T08:10+09:00"


def rules(**when):
    return ContextRules(rules=[ContextRule(name="r", when=Condition(**when), tags=["t"])])


def matches(rule_set, **context):
    return [r.name for r in rule_set.match(context)]


@pytest.mark.parametrize(
    ("when", "hit", "miss"),
    [
        ({"weather": ["rain", "snow"]}, {"weather": "Rain"}, {"weather": "clear"}),
        ({"device": ["mobile"]}, {"device": "mobile"}, {"device": "desktop"}),
        ({"source": ["kakao"]}, {"source": "KAKAO"}, {"source": "naver"}),
        ({"region": ["KR"]}, {"region": "KR-11"}, {"region": "JP-13"}),
        ({"region": ["KR-11"]}, {"region": "kr-11"}, {"region": "KR-26"}),
        ({"day_of_week": ["mon"]}, {"time": MONDAY_8AM_SEOUL}, {"time": "2026-11-24T08:10+09:00"}),
        ({"time_of_day": ["07:00-09:30"]}, {"time": MONDAY_8AM_SEOUL},
         {"time": "2026-11-23T10:00+09:00"}),
        ({"season": ["winter"]}, {"time": "2026-01-05T12:00+09:00"},
         {"time": "2026-07-05T12:00+09:00"}),
    ],
)  # fmt: skip
def test_each_condition_kind_matches_its_context_and_nothing_else(when, hit, miss):
    assert matches(rules(**when), **hit) == ["r"]
    assert matches(rules(**when), **miss) == []


def test_a_condition_on_a_missing_key_does_not_hold():
    assert matches(rules(weather=["rain"])) == []
    assert matches(rules(weather=["rain"], device=["mobile"]), weather="rain") == []


def test_a_timestamp_with_an_offset_is_read_in_the_customers_own_zone():
    commute = rules(time_of_day=["07:00-09:30"], day_of_week=["mon"])
    # Sunday 23:10 UTC is Monday 08:10 in Seoul, the rules file's zone.
    assert matches(commute, time="2026-11-22T23:10:00Z") == ["r"]
    # The same moment for a customer in London is Sunday night.
    assert matches(commute, time="2026-11-22T23:10:00Z", timezone="Europe/London") == []
    # Without an offset the time is already local.
    assert matches(commute, time="2026-11-23T08:10", timezone="Europe/London") == ["r"]


def test_without_a_time_the_rules_use_the_present_moment():
    late = rules(time_of_day=["22:00-05:00"])  # crosses midnight
    at_night = datetime(2026, 11, 23, 15, 30, tzinfo=timezone.utc)  # 00:30 in Seoul
    assert [r.name for r in late.match({}, now=at_night)] == ["r"]


def test_the_southern_hemisphere_turns_the_seasons():
    south = ContextRules(hemisphere="south", timezone="Australia/Sydney",
                         rules=rules(season=["summer"]).rules)  # fmt: skip
    assert matches(south, time="2026-01-05T12:00+11:00") == ["r"]


def test_bad_rules_are_errors_that_say_what_to_write(tmp_path):
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        Condition(time_of_day=["7am-9am"])
    with pytest.raises(ValueError, match="at least one condition"):
        Condition()
    path = tmp_path / "context.yaml"
    path.write_text("timezone: Mars/Olympus\nrules: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        ContextRules.load(path)
    path.write_text("rules:\n  - name: x\n    when: {wether: [rain]}\n    tags: [a]\n")
    with pytest.raises(ConfigError, match=r"context.yaml:3.*wether.*weather"):
        ContextRules.load(path)
    with pytest.raises(ConfigError, match="ISO 8601"):
        rules(day_of_week=["mon"]).match({"time": "yesterday"})


def test_rain_today_makes_generation_write_for_the_indoor_session_and_tag_it():
    brand = Brand.load("runfit")
    fake = FakeProvider()
    signals = Signals(
        text="하프 마라톤 주 3회 훈련", context={"weather": "rain", "time": MONDAY_8AM_SEOUL}
    )
    brief = Brief(product="하프 마라톤 10주 코칭", channel="kakao_friendtalk")
    result = generate(brief, signals=signals, brand=brand, n=2, provider=fake, seed=1)
    assert len(result) == 2
    assert all(v.tags == ("indoor", "rainy-day", "commute") for v in result)
    assert "indoor strength-and-cardio" in fake.calls[0].messages[1].content
    quiet = {"time": WEDNESDAY_NOON_SEOUL}
    dry = generate(brief, signals=signals.model_copy(update={"context": quiet}), brand=brand,
                   n=2, provider=fake, seed=1)  # fmt: skip
    assert len(dry) == 2 and all(v.tags == () for v in dry)
