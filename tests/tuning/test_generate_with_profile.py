from dco.generation import generate
from dco.models import Brief
from dco.testing import FakeProvider
from dco.text.units import measure
from dco.tuning import TuningProfile
from dco.tuning.profile import Example, LocaleLessons, Preference, Section

BRIEF = Brief(
    product="하프 마라톤 코칭", offer="첫 주 무료", benefits=["완주"], channel="google_rsa"
)


def profile(**section):
    return TuningProfile(
        locales={"ko-KR": LocaleLessons(
            preferences=[Preference(prefer="러너님", avoid="첫 주", support=3, reviewers=2)],
            avoid=["지금"],
        )},
        sections=[Section(stage="decision", channel="google_rsa", locale="ko-KR", **section)],
    )  # fmt: skip


def test_a_profile_reaches_the_prompt_as_data_and_changes_the_prompt_version():
    fake = FakeProvider()
    plain = generate(BRIEF, stage="decision", n=3, provider=fake, seed=1)
    example = Example(headline="코치와 완주해요", body="10주면 충분해요.", cta="시작하기",
                      variant_id="v_1", seq=1)  # fmt: skip
    tuned = generate(BRIEF, stage="decision", n=3, provider=fake, seed=1,
                     profile=profile(examples=[example], notes=["Keep it short."]))  # fmt: skip
    system, user = fake.calls[-1].messages
    assert "Keep it short." in system.content and "<reviewers>" in system.content
    assert '"instead_of": "첫 주"' in user.content and "코치와 완주해요" in user.content
    assert tuned.prompt_version != plain.prompt_version
    assert all(v.provenance.prompt_version == tuned.prompt_version for v in tuned)


def test_a_profile_for_another_stage_leaves_the_prompt_and_its_version_alone():
    fake = FakeProvider()
    plain = generate(BRIEF, stage="awareness", n=2, provider=fake, seed=1)
    other = TuningProfile(
        sections=[Section(stage="decision", channel="google_rsa", locale="ko-KR", notes=["x"])]
    )
    tuned = generate(BRIEF, stage="awareness", n=2, provider=fake, seed=1, profile=other)
    assert tuned.prompt_version == plain.prompt_version
    assert "<reviewers>" not in fake.calls[-1].messages[1].content


def test_the_fake_honours_preferences_avoided_words_and_tightened_lengths():
    fake = FakeProvider()
    plain = generate(BRIEF, stage="decision", n=5, provider=fake, seed=1)
    assert any("첫 주" in v.copy.headline + v.copy.body for v in plain)
    tuned = generate(BRIEF, stage="decision", n=5, provider=fake, seed=1,
                     profile=profile(lengths={"body": 0.5}))  # fmt: skip
    text = " ".join(v.copy.headline + " " + v.copy.body for v in tuned)
    assert "첫 주" not in text and "지금" not in text
    assert "러너님" in text
    body = tuned.policy.lengths["body"]
    assert all(measure(v.copy.body, body.unit) <= int(body.limit * 0.5) for v in tuned)
