"""Markdown masking: what Vale does not read is blanked, in place, and everything else is kept."""

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from dco.brand import Brand
from dco.lint.files import lint
from dco.lint.markdown import Block, mask

BRAND = Brand.load("runfit")


@pytest.mark.parametrize(
    ("source", "masked"),
    [
        ("Our plan is **free**.", "Our plan is   free  ."),
        ("_free_ for a week", " free  for a week"),
        ("***strong emphasis***", "   strong emphasis   "),
        ("**무료**로 시작", "  무료  로 시작"),
        ("- **Free** coaching\n- Sign up", "-   Free   coaching\n- Sign up"),
        # Not emphasis, so text: list markers, lone marks, arithmetic, snake_case, the rule of 3.
        ("* item one\n* item two", "* item one\n* item two"),
        ("무료 체험*", "무료 체험*"),
        ("5 * 3 = 15", "5 * 3 = 15"),
        ("snake_case_name", "snake_case_name"),
        ("*foo**bar*", " foo**bar "),
        # Emphasis does not reach across paragraphs.
        ("*무료\n\n체험*", "*무료\n\n체험*"),
    ],
)
def test_emphasis_delimiters_are_blanked_and_other_asterisks_kept(source, masked):
    assert mask(source).text == masked


def test_an_escaped_asterisk_is_text_and_its_backslash_is_not():
    assert mask("\\*첫 달 한정 *무료*").text == " *첫 달 한정  무료 "


def _blank(markup: str) -> str:
    return " " * len(markup)


@pytest.mark.parametrize(
    ("source", "masked"),
    [
        (
            "![러닝 코치](coach.png) 함께 달려요!",
            f"  러닝 코치{_blank('](coach.png)')} 함께 달려요!",
        ),
        ("[무료 체험](https://runfit.kr) 신청", f" 무료 체험{_blank('](https://runfit.kr)')} 신청"),
        (
            "[무료 체험][trial] 신청\n\n[trial]: https://runfit.kr",
            f" 무료 체험{_blank('][trial]')} 신청\n\n{_blank('[trial]: https://runfit.kr')}",
        ),
        ("[광고] 첫 주 무료", "[광고] 첫 주 무료"),
    ],
)
def test_link_and_image_markup_is_blanked_and_their_text_kept(source, masked):
    assert mask(source).text == masked


def test_an_image_does_not_count_as_an_exclamation_mark(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("![러닝](coach.png) 함께 달려요!\n", encoding="utf-8")
    assert [f.finding.rule for f in lint([path], BRAND).findings] == []


def test_html_tags_are_blanked_and_their_text_kept():
    assert mask('<b>free</b> <span class="free">gift</span>').text == (
        "   free                        gift       "
    )


def test_an_indented_code_block_is_blanked_but_an_indented_list_paragraph_is_not():
    code = "Intro.\n\n    최고 = 1\n\nOutro."
    assert mask(code).text == "Intro.\n\n          \n\nOutro."
    listed = "- 첫 항목\n\n    최고의 코칭\n"
    assert mask(listed).text == listed


COMMONMARK = MarkdownIt("commonmark")


def _commonmark_text(paragraph: str) -> str:
    """The text a CommonMark-compliant parser (markdown-it) reads in `paragraph`."""
    tokens = COMMONMARK.parseInline(paragraph)[0].children or []
    newline = {"softbreak": "\n", "hardbreak": "\n"}
    return "".join(t.content if t.type == "text" else newline.get(t.type, "") for t in tokens)


def _thematic_break(line: str) -> bool:
    return [token.type for token in COMMONMARK.parse(line)] == ["hr"]


@given(st.text(alphabet="**__ \\ab가.!\n", max_size=24))
@example("..*_*. _!_.")  # an opener pushed after the stack shrank below a failed search
@example("\\\\_a_")  # an escaped backslash escapes nothing after it
@example("a\\\nb\\\\\nc\\")  # a hard break; an escaped backslash and one at the end are text
def test_emphasis_and_escapes_are_read_as_commonmark_reads_them(text):
    # One paragraph: no blank line, and no thematic break (`***`, which ends a paragraph).
    lines = text.split("\n")
    paragraph = "\n".join(line for line in lines if line.strip() and not _thematic_break(line))
    kept = "".join(c for c, m in zip(paragraph, mask(paragraph).text, strict=True) if c == m)
    trimmed = [line.strip() for line in kept.split("\n")]
    assert trimmed == [line.strip() for line in _commonmark_text(paragraph).split("\n")]


@given(st.text(alphabet="*_\\`<>#-  \nab가1", max_size=60))
def test_masking_keeps_every_position_and_newline(source):
    masked = mask(source).text
    assert len(masked) == len(source)
    assert [i for i, c in enumerate(masked) if c == "\n"] == [
        i for i, c in enumerate(source) if c == "\n"
    ]


def test_bold_markers_do_not_count_as_an_offers_footnote_mark(tmp_path):
    # `\*` is one of a free offer's conditions (a footnote mark); `**` around the word is not.
    path = tmp_path / "page.md"
    path.write_text("지금 **무료**로 시작하세요.\n\n무료* 체험\n", encoding="utf-8")
    found = [(f.line, f.finding.rule) for f in lint([path], BRAND).findings]
    assert (1, "en-ftc-free.FreeConditions") in found
    assert (3, "en-ftc-free.FreeConditions") not in found


def test_a_hashtag_at_the_start_of_a_line_is_copy_not_a_heading(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("#러닝 #하프마라톤 최고의 코칭\n", encoding="utf-8")
    (located,) = lint([path], BRAND).findings
    assert located.finding.field == "body" and located.column == 12


# Lines that open, continue, underline or break blocks; no list items or quotes, whose markers
# dco reads as copy, and none indented as code.
LINES = st.sampled_from([
    "", "러닝 *코칭*", "Free week", "===", "---", "  ---  ", "***", "* * *", "___", "--", "=",
    "= =", "# 제목", "## Title ##", "# #", "#", "### Run \\###", "#러닝",
])  # fmt: skip


def _commonmark_blocks(source: str) -> list[tuple[bool, str]]:
    """(heading?, text without spaces) of each heading and paragraph CommonMark reads."""
    read, heading = [], False
    for token in COMMONMARK.parse(source):
        if token.type in ("heading_open", "paragraph_open"):
            heading = token.type == "heading_open"
        elif token.type == "inline":
            text = "".join(c.content for c in token.children or [] if c.type == "text")
            read.append((heading, "".join(text.split())))
    return read


@given(st.lists(LINES, max_size=8).map("\n".join))
@example("Free week\n===\n***\n러닝\n---")
def test_headings_and_paragraphs_are_the_blocks_commonmark_reads(source):
    assume(not source.startswith("---"))  # front matter, which Vale reads and CommonMark not
    masked = mask(source)
    ours = [
        (heading, "".join(masked.text[start:end].split())) for start, end, heading in masked.blocks
    ]
    assert [block for block in ours if block[1]] == [
        block for block in _commonmark_blocks(source) if block[1]
    ]


def test_setext_headings_are_headlines(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("최고의 코칭\n=====\n\n***\n\nThe best coach ##\n-----\n", encoding="utf-8")
    found = [(f.line, f.finding.field, f.finding.match) for f in lint([path], BRAND).findings]
    assert found == [(1, "headline", "최고"), (6, "headline", "best")]


def test_breaks_underlines_and_closing_hashes_are_blanked():
    masked = mask("제목\n===\n\n* * *\n\n# 제목 ##\n")
    assert masked.text == "제목\n   \n\n     \n\n# 제목   \n"
    assert masked.blocks == [Block(0, 3, True), Block(17, 20, True)]
