"""The offline copywriter: reads a prompt as a model would and writes copy from phrase lists.

It reads the brief in the `<brief>` tag, what reviewers taught in the `<reviewers>` tag, and the
task in the last `<task>` tag of the prompt (the tags are `dco.prompts.tags`), and writes copy in
the request's language from phrase lists (`dco/data/fake_copy.yaml`), keeping each field within
the limit it was given. It honours what a model would honour: words it is told to avoid,
preferred wordings (written in place of what they replace), text required word for word, and
approved examples (whose phrasing joins its own phrases as models to follow). The same request
always gives the same reply. `FakeProvider` answers with it when nothing else is scripted.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
from typing import Any

from dco import resources
from dco.errors import UnencodableTextError
from dco.prompts import tags
from dco.providers.base import ChatRequest
from dco.text.units import measure

_FIELDS = ("headline", "body", "cta")
_READ = tags.fenced(tags.BRIEF, tags.REVIEWERS, tags.TASK)
_SLOT = re.compile(r"\{(product|benefit|offer|audience)(?::(을|를|이|가|은|는|와|과|으로|로))?\}")
# Particle pairs: (after a final consonant, after a vowel).
_PARTICLE_PAIRS = [("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"), ("으로", "로")]
_PARTICLE_PAIR = {particle: pair for pair in _PARTICLE_PAIRS for particle in pair}
_DEFAULTS = {
    "ko": {
        "product": "이 프로그램",
        "benefit": "목표 달성",
        "offer": "첫 주 무료",
        "audience": "누구나",
    },
    "en": {
        "product": "this program",
        "benefit": "your goal",
        "offer": "first week free",
        "audience": "everyone",
    },
}


def write_reply(request: ChatRequest) -> dict[str, Any]:
    """The reply the fake writes for `request` when nothing is scripted: `{"variants": [...]}`."""
    brief, task, reviewers = read_prompt(request)
    language = "ko" if str(task.get("language", "ko")).startswith("ko") else "en"
    stage = task.get("stage", "awareness")
    limits = task.get("limits", {})
    avoid = [w.casefold() for w in task.get("avoid", [])]
    n = max(0, int(task.get("n", 1)))
    phrases = _phrases()[language].get(stage) or _phrases()[language]["awareness"]
    examples = [e for e in reviewers.get("examples", []) if isinstance(e, dict)]
    required: dict[str, list[tuple[str, str]]] = {}
    for item in task.get("required", []):
        if isinstance(item, dict) and item.get("text"):
            # Text the whole asset must carry ("text") goes into its body.
            field = "body" if item.get("field") == "text" else str(item.get("field"))
            position = str(item.get("position", "anywhere"))
            required.setdefault(field, []).append((str(item["text"]), position))
    preferred = [
        (str(p["instead_of"]), str(p["use"]))
        for p in reviewers.get("prefer", [])
        if isinstance(p, dict) and p.get("instead_of") and p.get("use")
    ]
    slots = _slots(brief, language)
    rng = random.Random(_digest(request))
    offset = rng.randrange(1 << 16)
    # Like a model told to write "unlike any so far", avoid repeating earlier lines.
    used: dict[str, set[str]] = {field: set() for field in _FIELDS}
    for earlier in _earlier_variants(request):
        for field in _FIELDS:
            used[field].add(str(earlier.get(field, "")))
    variants = []
    for index in range(n):
        variant = {}
        for number, field in enumerate(_FIELDS):
            limit, unit = limits.get(field, (10_000, "chars"))
            start = offset + index + 3 * number
            models = [str(e[field]) for e in examples if e.get(field)] + phrases[field]
            musts = required.get(field, [])
            room = limit - sum(_length(f"{must} ", unit) for must, _ in musts)
            text = _pick(models, start, slots, index, room, unit, avoid, used[field])
            text = _prefer(text, preferred, room, unit)
            text = _with_required(text, musts)
            used[field].add(text)
            if language == "en":
                text = text[:1].upper() + text[1:]
            variant[field] = text
        variants.append(variant)
    return {"variants": variants}


def _earlier_variants(request: ChatRequest) -> list[dict[str, Any]]:
    earlier = []
    for message in request.messages:
        if message.role != "assistant":
            continue
        try:
            reply = json.loads(message.content)
        except json.JSONDecodeError:
            continue
        if isinstance(reply, dict) and isinstance(reply.get("variants"), list):
            earlier += [v for v in reply["variants"] if isinstance(v, dict)]
    return earlier


def _with_required(text: str, musts: list[tuple[str, str]]) -> str:
    """`text` carrying each required text where it must be, as a model told so would write:
    an opening before it, anything else (an opt-out, an address) on a line of its own after
    it, never run into its last sentence."""
    for must, position in musts:
        if position == "start" and not text.startswith(must):
            text = f"{must} {text}".rstrip()
        elif position != "start" and must not in text:
            text = f"{text.rstrip()}\n{must}" if text.strip() else must
    return text


def _length(text: str, unit: str) -> int:
    try:
        return measure(text, unit)
    except UnencodableTextError:
        return len(text) * 2


def _prefer(text: str, preferred: list[tuple[str, str]], limit: int, unit: str) -> str:
    """`text` with each preferred wording in place of the one it replaces, if it still fits."""
    for avoid, use in preferred:
        pattern = re.compile(re.escape(avoid), re.IGNORECASE if avoid.isascii() else 0)
        replaced = pattern.sub(use.replace("\\", "\\\\"), text)
        if replaced != text and _fits(replaced, limit, unit):
            text = replaced
    return text


def read_prompt(
    request: ChatRequest,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    brief: dict[str, Any] = {}
    task: dict[str, Any] = {}
    reviewers: dict[str, Any] = {}
    for message in request.messages:
        if message.role != "user":
            continue
        for match in _READ.finditer(message.content):
            try:
                value = json.loads(match["body"])
            except json.JSONDecodeError:
                continue
            if match["tag"] == tags.BRIEF:
                brief = value
            elif match["tag"] == tags.REVIEWERS:
                reviewers = value if isinstance(value, dict) else {}
            else:
                task = value  # the last task wins: a repair request restates it
    return brief, task, reviewers


Slots = tuple[tuple[str, tuple[str, ...]], ...]


def _slots(brief: dict[str, Any], language: str) -> Slots:
    defaults = _DEFAULTS[language]
    benefits = tuple(str(b) for b in brief.get("benefits") or [] if b) or (defaults["benefit"],)
    return (
        ("product", (str(brief.get("product") or defaults["product"]),)),
        ("benefit", benefits),
        ("offer", (str(brief.get("offer") or defaults["offer"]),)),
        ("audience", (str(brief.get("audience") or defaults["audience"]),)),
    )


def _pick(
    templates: list[str],
    start: int,
    slots: Slots,
    index: int,
    limit: int,
    unit: str,
    avoid: list[str],
    used: set[str],
) -> str:
    filled, fitting = [], []
    for step in range(len(templates)):
        template = templates[(start + step) % len(templates)]
        text = _filled(template, slots, index + step)
        if any(word in text.casefold() for word in avoid):
            continue
        filled.append(text)
        if _fits(text, limit, unit):
            if text not in used:
                return text
            fitting.append(text)
    # Nothing new fits whole: shorten a phrase not yet used by whole words from its end, as a
    # model squeezing copy would (never cutting a word in two), before repeating one.
    for text in sorted(filled, key=len):
        shortened = _shortened(text, limit, unit)
        if shortened and shortened not in used:
            return shortened
    if fitting:
        return fitting[0]
    return _shortened(min(filled or templates, key=len), limit, unit)


def _shortened(text: str, limit: int, unit: str) -> str:
    """`text` less whole words from its end until it fits, never ending on a one-letter word
    left without what it modified ("첫" of "첫 주 무료"); "" when not even its first fits."""
    words = text.split()
    while words and (not _fits(" ".join(words), limit, unit) or len(words[-1]) == 1):
        words.pop()
    return " ".join(words)


@functools.lru_cache(maxsize=8192)
def _filled(template: str, slots: Slots, index: int) -> str:
    """`template` with its slots filled, the `index`-th value of each slot that has several."""
    values = dict(slots)
    return _SLOT.sub(lambda match: _fill(values, match, index), template)


def _fill(slots: dict[str, tuple[str, ...]], match: re.Match[str], index: int) -> str:
    values = slots[match.group(1)]
    word = values[index % len(values)]
    particle = match.group(2)
    return word + _particle(word, particle) if particle else word


def _particle(word: str, particle: str) -> str:
    """The form of `particle` that follows `word`: 을 after a final consonant, 를 after a vowel."""
    after_consonant, after_vowel = _PARTICLE_PAIR[particle]
    last = word.rstrip()[-1:] or " "
    if not "가" <= last <= "힣":
        return particle  # not Hangul: keep what the phrase wrote
    final = (ord(last) - 0xAC00) % 28
    if after_consonant == "으로" and final == 8:  # ㄹ takes 로: 서울로
        return after_vowel
    return after_consonant if final else after_vowel


@functools.lru_cache(maxsize=4096)
def _fits(text: str, limit: int, unit: str) -> bool:
    try:
        return measure(text, unit) <= limit
    except UnencodableTextError:
        return False


def _digest(request: ChatRequest) -> int:
    key = json.dumps(request.cache_key(), sort_keys=True, ensure_ascii=False)
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


@functools.cache
def _phrases() -> dict[str, Any]:
    document = resources.load_data("fake_copy.yaml")
    return {k: v for k, v in document.data.items() if k != "version"}
