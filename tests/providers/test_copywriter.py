"""The offline copywriter reads what the templates write, by the tag names both share."""

import json

import pytest

from dco.generation.plan import make_plan
from dco.models import Brief, Signals
from dco.prompts import tags
from dco.prompts.templates import default_prompts
from dco.providers.base import ChatRequest, Message
from dco.providers.copywriter import read_prompt
from dco.testing import FakeProvider
from dco.tuning import TuningProfile
from dco.tuning.profile import LocaleLessons, Preference, Section

BRIEF = Brief(product="하프 마라톤 코칭", offer="첫 주 무료", benefits=["완주"], channel="sms")


def planned(**options):
    return make_plan(
        BRIEF, signals=Signals(text="하프 마라톤 코칭 가격"), stage=None, brand=None, n=3,
        channel=None, provider=FakeProvider(), prompts=None, temperature=0.8, seed=1,
        max_tokens=None, max_repairs=2, profile=options.get("profile"), context_rules=None,
    )  # fmt: skip


def test_the_copywriter_reads_back_the_brief_and_task_the_user_prompt_renders():
    plan = planned()
    brief, task, reviewers = read_prompt(plan.request(plan.first_messages()))
    assert brief == {k: v for k, v in plan.brief_data.items() if v is not None}
    assert task == json.loads(json.dumps(plan.task(plan.n)))
    assert reviewers == {}


def test_the_copywriter_reads_back_what_reviewers_taught():
    profile = TuningProfile(
        locales={"ko-KR": LocaleLessons(
            preferences=[Preference(prefer="러너님", avoid="첫 주", support=3, reviewers=2)],
        )},
        sections=[Section(stage="decision", channel="sms", locale="ko-KR", notes=["짧게"])],
    )  # fmt: skip
    plan = planned(profile=profile)
    _, _, reviewers = read_prompt(plan.request(plan.first_messages()))
    assert reviewers == json.loads(json.dumps(plan.guidance.prompt_data()))
    assert reviewers["prefer"] == [{"instead_of": "첫 주", "use": "러너님"}]


def test_the_last_task_of_a_repair_request_is_the_one_read():
    plan = planned()
    repair = default_prompts().render(
        "repair.user.j2", problems=[], keep=[], missing=2, reply_problem=None,
        task=plan.task(2, ["최고"]),
    )  # fmt: skip
    request = ChatRequest(
        messages=(*plan.first_messages(), Message("assistant", "{}"), Message("user", repair))
    )
    _, task, _ = read_prompt(request)
    assert task["n"] == 2 and task["avoid"] == ["최고"]


def test_every_tag_the_user_prompt_fences_is_a_shared_tag():
    plan = planned()
    _, user = plan.first_messages()
    written = {match["tag"] for match in tags.fenced(*tags.TAGS).finditer(user.content)}
    assert written == {tags.BRIEF, tags.CUSTOMER, tags.POLICY, tags.TASK}
    # and none is left unread: outside the fenced data, the prompt opens no tag
    assert "<" not in tags.fenced(*tags.TAGS).sub("", user.content)


def test_an_unknown_tag_is_refused_by_name():
    with pytest.raises(ValueError, match="no prompt tag 'breif'"):
        tags.fenced("breif")
