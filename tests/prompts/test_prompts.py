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
         "its loops and calls ran past 1,000,000 steps"),
        # Loops over a list count their steps too: a billion here, with one range() of 1,000.
        ("{% set l = range(1000)|list %}{% for a in l %}{% for b in l %}{% for c in l %}"
         "{% endfor %}{% endfor %}{% endfor %}", "its loops and calls ran past 1,000,000 steps"),
        # Calls count as steps: this macro would call itself 2 ** 40 times.
        ("{% macro twice(n) %}{% if n %}{{ twice(n - 1) }}{{ twice(n - 1) }}{% endif %}"
         "{% endmacro %}{{ twice(40) }}", "its loops and calls ran past 1,000,000 steps"),
        # What a macro or a {% set %} block writes counts, though it is not the prompt.
        ("{% set big = 'x' * 5000 %}{% set kept %}{% for i in range(1000) %}{{ big }}{% endfor %}"
         "{% endset %}", "it wrote more than 4,000,000 characters in all"),
        ("{{ 'copy ' * 100000000 }}", "a repeat of 500,000,000 characters written out"),
        # A list is weighed by what it holds written out, not by its length: one long text
        # held a million times, or a list of itself twice, doubled forty times.
        ("{{ ['x' * 1000000] * 1000000 }}", "a repeat of 1,000,003,000,000 characters"),
        ("{% set ns = namespace(x=['ab']) %}{% for i in range(60) %}{% set ns.x = [ns.x, ns.x] %}"
         "{% endfor %}", "a text or list 1,179,644 long"),
        ("{{ 9 ** 99999999 }}", "a power of 99,999,999"),
        ("{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}", "calls itself without end"),
        ("{% extends 'generate.system.j2' %}", "calls itself without end"),
        ("{% for i in range(99999) %}{{ '하프 마라톤 코칭 ' * 2 }}{% endfor %}",
         "wrote more than 1,000,000 characters"),
        # Each way a template makes a value, asked for one no prompt holds: refused before it
        # is made, not after the memory is taken.
        ("{{ 'x'|center(2000000000) }}", "a text or list 2,000,000,000 long"),
        ("{{ 'x'.ljust(2000000000) }}", "a text or list 2,000,000,000 long"),
        ("{{ 'a\tb'.expandtabs(2000000000) }}", "a text or list 2,000,000,003 long"),
        ("{{ 'ab'|indent(2000000000, first=True) }}", "a text or list 2,000,000,002 long"),
        ("{{ '%2000000000s' % 'x' }}", "a text or list 2,000,000,000 long"),
        ("{{ '%*s' % (2000000000, 'x') }}", "a text or list 2,000,000,000 long"),
        ("{{ '%s'|format('x') ~ '%-2000000000s'|format('x') }}",
         "a text or list 2,000,000,000 long"),
        ("{{ '{:>{w}}'.format('x', w=2000000000) }}", "a text or list 2,000,000,000 long"),
        ("{{ ('a' * 1000) | replace('a', 'b' * 1000) | replace('b', 'c' * 1000) }}",
         "a text or list 1,000,000,000 long"),
        ("{{ [1] | batch(2000000000, fill_with=0) | list }}", "a text or list 2,000,000,000 long"),
        ("{{ lipsum(1, max=2000000000) }}", "a text or list 20,000,000,000 long"),
        ("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
         "{% endfor %}", "a text or list 1,048,576 long"),
        ("{% set ns = namespace(s=[1]) %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
         "{% endfor %}", "a text or list 1,048,580 long"),
        ("{% macro grow(s, n) %}{{ grow(s ~ s, n - 1) if n else s }}{% endmacro %}"
         "{{ grow('ab', 40)|length }}", "a text or list 1,048,576 long"),
        ("{% set ns = namespace(n=10 ** 1000) %}{% for i in range(30) %}"
         "{% set ns.n = ns.n * ns.n %}{% endfor %}", "a number of about 32,000 digits"),
        ("{{ (10 ** 1000) ** 1000 }}", "a number of about 1,000,021 digits"),
    ],
)  # fmt: skip
def test_a_template_that_runs_away_is_stopped_and_named(tmp_path, template, said):
    # A team's own template, by mistake: an error, not a hang or a prompt of gigabytes.
    (tmp_path / "generate.system.j2").write_text(template, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"prompt template generate\.system\.j2") as error:
        PromptSet(tmp_path).render("generate.system.j2", policy=None)
    assert said in str(error.value)


@pytest.mark.parametrize(
    ("template", "rendered"),
    [
        ("{{ '%5.2f|%-4s|%%' % (3.14159, 'ab') }}", "3.14|ab  |%"),
        ("{{ '%.1f'|format(0.25) }} {{ '%(n)03d'|format(n=7) }}", "0.2 007"),
        ("{{ '{:>6}|{:.3}|{w:^{n}}'.format('ab', 1.23456, w='c', n=3) }}", "ab|1.23| c"),
        ("{{ 'a,b'.split(',') | join(' - ') }}|{{ 'x'.center(5, '*') }}", "a - b|**x**"),
        ("{{ [1, 2, 3] | batch(2, fill_with=0) | list }}", "[[1, 2], [3, 0]]"),
        ("{{ 'a\nb' | indent(2, first=True) }}|{{ 'aa' | replace('a', 'bc', 1) }}", "a\n  b|bca"),
        ("{% set ns = namespace(s='') %}{% for i in range(3) %}{% set ns.s = ns.s ~ i %}"
         "{% endfor %}{{ ns.s }} {{ 2 ** 64 * 3 }}", "012 55340232221128654848"),
        ("{% for x in 'abc' %}{{ loop.index }}/{{ loop.length }}{{ x }}{% else %}-{% endfor %}"
         "|{% for x in [] %}{% else %}none{% endfor %}"
         "|{% for k, v in {'a': 1}|dictsort %}{{ k }}={{ v }}{% endfor %}"
         "|{% for x in [1, 2, 3, 4] if x is even %}{{ x }}{% endfor %}",
         "1/3a2/3b3/3c|none|a=1|24"),
    ],
)  # fmt: skip
def test_formats_and_filters_a_prompt_uses_still_render(tmp_path, template, rendered):
    (tmp_path / "generate.system.j2").write_text(template, encoding="utf-8")
    assert PromptSet(tmp_path).render("generate.system.j2", policy=None) == rendered


def test_a_template_that_fails_is_named_with_its_line(tmp_path):
    # A team's template with a mistake: its file and line, as a template error is, not a bare
    # "division by zero" on every brief.
    (tmp_path / "generate.system.j2").write_text("Write copy.\n\n{{ 10 / 0 }}", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        PromptSet(tmp_path).render("generate.system.j2", policy=None)
    assert str(error.value) == (
        "prompt template generate.system.j2:3: ZeroDivisionError: division by zero"
    )


def test_a_mistake_in_an_included_template_names_that_template(tmp_path):
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "voice.j2").write_text("Voice:\n{{ policy.tone.missing }}", "utf-8")
    (tmp_path / "generate.system.j2").write_text("{% include 'parts/voice.j2' %}", "utf-8")
    with pytest.raises(ConfigError, match=r"^prompt template parts/voice\.j2:2: .*'missing'"):
        PromptSet(tmp_path).render("generate.system.j2", policy={"tone": "warm"})


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
