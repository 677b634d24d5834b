import pytest

from dco.channels.catalog import get_channel
from dco.errors import ConfigError
from dco.models import FunnelStage
from dco.prompts.policy import field_limits, policy_for
from dco.prompts.templates import EncodedData, PromptSet, data_json, default_prompts


def test_stage_policies_differ_in_tone_and_length():
    table = default_prompts().policies
    rsa = get_channel("google_rsa")
    awareness = policy_for(FunnelStage.AWARENESS, rsa, table)
    decision = policy_for(FunnelStage.DECISION, rsa, table)
    assert awareness.tone != decision.tone
    assert awareness.lengths["body"].target > decision.lengths["body"].target
    assert awareness.lengths["headline"].limit == decision.lengths["headline"].limit == 30


def test_korean_defaults_to_haeyo_and_a_brand_can_override():
    table = default_prompts().policies
    rsa = get_channel("google_rsa")
    assert policy_for(FunnelStage.DECISION, rsa, table).formality == "haeyo"
    assert policy_for(FunnelStage.DECISION, rsa, table, formality="hamnida").formality == "hamnida"
    assert policy_for(FunnelStage.DECISION, rsa, table, locale="en-US").formality is None


def test_sms_shares_its_bytes_between_the_fields():
    limits = field_limits(get_channel("sms"), {"headline": 0.3, "body": 0.5, "cta": 0.2})
    assert sum(limit for limit, _ in limits.values()) <= 90 - 2  # two newlines between three
    assert {unit for _, unit in limits.values()} == {"cp949_bytes"}


def test_missing_template_variable_is_an_error_not_blank_text(tmp_path):
    (tmp_path / "generate.system.j2").write_text("Hello {{ nobody }}", encoding="utf-8")
    prompts = PromptSet(tmp_path)
    with pytest.raises(ConfigError, match="'nobody' is undefined"):
        prompts.render("generate.system.j2", policy=None)


def test_template_syntax_errors_name_file_and_line(tmp_path):
    (tmp_path / "generate.user.j2").write_text("ok\n{% if %}", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"generate\.user\.j2:2: template syntax error"):
        PromptSet(tmp_path)


def test_a_template_that_is_not_utf8_is_named_with_what_to_do(tmp_path):
    (tmp_path / "generate.user.j2").write_bytes("{{ brief }} 카피".encode("cp949"))
    with pytest.raises(
        ConfigError, match=r"generate\.user\.j2: not UTF-8 text .*save the template"
    ):
        PromptSet(tmp_path)


def test_sandbox_refuses_unsafe_attribute_access(tmp_path):
    (tmp_path / "generate.system.j2").write_text("{{ policy.__class__.__mro__ }}", encoding="utf-8")
    with pytest.raises(ConfigError, match="unsafe"):
        PromptSet(tmp_path).render("generate.system.j2", policy=object())


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
         "its loops ran past 1,000,000 steps"),
        ("{{ 'copy ' * 100000000 }}", "a repeat of 500,000,000 items"),
        ("{{ 9 ** 99999999 }}", "a power of 99,999,999"),
        ("{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}", "calls itself without end"),
        ("{% extends 'generate.system.j2' %}", "calls itself without end"),
        ("{% for i in range(99999) %}{{ '하프 마라톤 코칭 ' * 2 }}{% endfor %}",
         "wrote 1,999,979 characters; no prompt for copy needs more than 1,000,000"),
    ],
)  # fmt: skip
def test_a_template_that_runs_away_is_stopped_and_named(tmp_path, template, said):
    # A team's own template, by mistake: an error, not a hang or a prompt of gigabytes.
    (tmp_path / "generate.system.j2").write_text(template, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"prompt template generate\.system\.j2") as error:
        PromptSet(tmp_path).render("generate.system.j2", policy=None)
    assert said in str(error.value)


def test_loops_and_repeats_a_prompt_needs_still_render(tmp_path):
    (tmp_path / "generate.system.j2").write_text(
        "{% for i in range(3) %}{{ i * 2 }}{{ '-' * 3 }}{% endfor %}{{ 2 ** 10 }}", encoding="utf-8"
    )
    prompts = PromptSet(tmp_path)
    for _ in range(2):  # each render has a budget of its own
        assert prompts.render("generate.system.j2", policy=None) == "0---2---4---1024"


def test_version_depends_on_the_parts():
    prompts = default_prompts()
    assert prompts.version({"a": 1}) == prompts.version({"a": 1}) != prompts.version({"a": 2})


def test_encoded_data_reads_as_its_mapping_and_encodes_as_fresh_data_would():
    policy = {"tone": "따뜻하게 </policy>", "lengths": {"headline": [15, 30]}}
    encoded = EncodedData(policy)
    assert encoded["lengths"]["headline"] == [15, 30]
    assert data_json(encoded) == data_json(dict(policy))
    assert "</policy>" not in data_json(encoded)  # escaped, as any data in a prompt is
