"""Reading Markdown as Vale does: rendered text, the scope of each block, and file positions."""

import html

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dco.brand import Brand, BrandSpec
from dco.brand.loader import MarkdownReading
from dco.brand.vale import Existence
from dco.lint.files import lint
from dco.lint.markdown import read
from dco.lint.placing import Positions

BRAND = Brand.load("runfit")


def _pieces(source: str, reading: MarkdownReading | None = None, **options) -> list[tuple]:
    return [(p.scope, p.text) for p in read(source, reading, **options).pieces]


def _located(source: str, piece) -> str:
    start, end = piece.positions.span(0, len(piece.text))
    return source[start:end]


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("In the **Project name** field.", "In the Project name field."),
        ("_free_ for a week", "free for a week"),
        ("**무료**로 시작", "무료로 시작"),  # one word, as the reader sees it
        ("\\*첫 달 한정 *무료*", "*첫 달 한정 무료"),
        ("[무료 체험](https://runfit.kr) 신청", "무료 체험 신청"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("5 * 3 = 15", "5 * 3 = 15"),
    ],
)
def test_markup_is_removed_without_leaving_spaces(source, text):
    assert _pieces(source, inline=False) == [("paragraph", text)]


def test_code_spans_read_as_stars_of_their_length_and_code_blocks_not_at_all():
    source = "Enter `animals` here.\n\n```python\n최고 = 1\n```\n\n    최저가 = 2\n"
    assert _pieces(source, inline=False) == [("paragraph", "Enter ******* here.")]


def test_each_block_is_read_under_its_scope():
    source = (
        "# Title\n\n## Sub\n\nPlain.\n\n- item one\n- item two\n\n> quoted\n>\n> second\n\n"
        "| Head |\n|------|\n| cell |\n"
    )
    assert _pieces(source, inline=False) == [
        ("heading.h1", "Title"),
        ("heading.h2", "Sub"),
        ("paragraph", "Plain."),
        ("list", "item one"),
        ("list", "item two"),
        ("blockquote", "quoted"),
        ("paragraph", "second"),  # as in Vale, only a quote's first paragraph is the quote's
        ("table.header", "Head"),
        ("table.cell", "cell"),
    ]


def test_markup_text_is_read_again_under_its_own_scope_within_its_block():
    source = "## A **bold** [link](x.md) `code` ![a runner](r.png)\n"
    assert _pieces(source) == [
        ("heading.h2", "A bold link ****"),
        ("strong in heading.h2", "bold"),
        ("link in heading.h2", "link"),
        ("code in heading.h2", "code"),
        ("alt", "a runner"),
    ]


def test_a_bare_url_is_not_prose():
    assert _pieces("See https://abc.com/term now", inline=False) == [
        ("paragraph", "See " + "*" * len("https://abc.com/term") + " now")
    ]


def test_front_matter_is_not_read():
    assert _pieces("---\ntitle: 최고\n---\n\n본문\n", inline=False) == [("paragraph", "본문")]


def test_the_whole_file_and_the_summary_are_pieces_when_asked_for():
    source = "# 제목\n\nOne.\n\n- Two.\n"
    pieces = {p.scope: p for p in read(source, raw=True, summary=True).pieces}
    assert pieces["raw"].text == source and pieces["raw"].positions.span(0, 3) == (0, 3)
    assert pieces["summary"].text == "One.\n\nTwo."
    # A judgement on the whole summary is reported where Vale reports it: the file's start.
    assert pieces["summary"].positions.at(0) == 0


def test_sentences_are_pieces_when_asked_for():
    source = "First one. Second one.\n"
    assert [p for p in _pieces(source, sentences=True) if p[0] == "sentence"] == [
        ("sentence", "First one."),
        ("sentence", "Second one."),
    ]


@given(st.text(alphabet="*_`\\&;#>-| \nab가1.![]()<>", max_size=60))
@example("a &amp; b")
@example("> a\nb")
@example("- a\n  b\n\n  c")
@example("a\\*b\\\nc")
@example("`\n`1 ")  # a line break in a code span reads as a space: not the space after it
def test_every_rendered_character_sits_where_the_file_has_it(source):
    for piece in read(source, raw=False).pieces:
        for index, char in enumerate(piece.text):
            found = source[piece.positions.at(index)]
            assert (
                found == char
                or char == "*"  # code, read as stars
                or (char in "\n " and found in "\r\n")  # in code, a line break is a space
                or found == "&"  # an entity: placed at its start
                or html.unescape(found) == char
            ), (source, piece, index)


def test_a_plain_paragraph_is_placed_as_one_run():
    (piece,) = read("A long plain paragraph of copy.\n").pieces
    assert piece.positions.starts == [0] and piece.positions.origins == [0]


def test_positions_slice_and_extend_by_runs():
    positions = Positions()
    positions.add(10, 3)
    positions.add(20, 2)
    assert [positions.at(i) for i in range(5)] == [10, 11, 12, 20, 21]
    part = positions.sliced(2, 4)
    assert [part.at(i) for i in range(2)] == [12, 20]
    assert positions.span(1, 4) == (11, 21)


def test_lone_cr_line_endings_are_lines(tmp_path):
    path = tmp_path / "page.md"
    path.write_bytes("# 제목\r\r러닝 코치 최고의 코칭\r".encode())
    (located,) = lint([path], BRAND).findings
    assert (located.line, located.column) == (3, 7)


def test_the_brands_reading_skips_and_ignores_what_it_names():
    reading = MarkdownReading(
        skipped_scopes=["blockquote"],
        ignored_scopes=["code", "strong"],
        ignored_classes=["nop"],
        token_ignores=[r"\$[^$\n]+\$"],
        block_ignores=[r"(?s)\{\{< file >\}\}.*?\{\{< /file >\}\}"],
    )
    source = (
        'A **bold** $x^2$ and <span class="nop">TODO</span> end.\n\n> skipped\n\n'
        "{{< file >}}\nhidden\n{{< /file >}}\n\nLast.\n"
    )
    assert _pieces(source, reading, inline=False) == [
        ("paragraph", "A **** ***** and **** end."),
        ("paragraph", "Last."),
    ]


def test_bold_markers_do_not_count_as_an_offers_footnote_mark(tmp_path):
    # `\*` is one of a free offer's conditions (a footnote mark); `**` around the word is not.
    path = tmp_path / "page.md"
    path.write_text("지금 **무료**로 시작하세요.\n\n무료* 체험\n", encoding="utf-8")
    found = [(f.line, f.finding.rule) for f in lint([path], BRAND).findings]
    assert (1, "en-ftc-free.FreeConditions") in found
    assert (3, "en-ftc-free.FreeConditions") not in found


def test_an_image_does_not_count_as_an_exclamation_mark(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("![러닝](coach.png) 함께 달려요!\n", encoding="utf-8")
    assert [f.finding.rule for f in lint([path], BRAND).findings] == []


def test_a_hashtag_at_the_start_of_a_line_is_copy_not_a_heading(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("#러닝 #하프마라톤 최고의 코칭\n", encoding="utf-8")
    (located,) = lint([path], BRAND).findings
    assert located.finding.field == "paragraph" and located.column == 12


def test_setext_headings_are_headlines(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("최고의 코칭\n=====\n\n***\n\nThe best coach ##\n-----\n", encoding="utf-8")
    found = [(f.line, f.finding.field, f.finding.match) for f in lint([path], BRAND).findings]
    assert found == [(1, "heading.h1", "최고"), (6, "heading.h2", "best")]


def test_a_rule_reading_a_sentence_and_its_paragraph_reports_a_match_once(tmp_path):
    negated = Existence(extends="existence", id="T.Todo", tokens=["TODO"], scope="~blockquote")
    path = tmp_path / "page.md"
    path.write_text("One TODO here. Two.\n\n> TODO quoted\n", encoding="utf-8")
    found = lint([path], Brand(BrandSpec(name="t"), [negated])).findings
    assert [(f.line, f.column) for f in found] == [(1, 5)]


def test_comments_switch_rules_off_in_the_copy_but_not_over_the_whole_file(tmp_path):
    raw = Existence(extends="existence", id="T.Html", raw=[r"\]\([\w/.]+\.html\)"], scope="raw")
    prose = Existence(extends="existence", id="T.Todo", tokens=["TODO"])
    path = tmp_path / "page.md"
    path.write_text(
        "<!-- vale T.Html = NO -->\n<!-- vale T.Todo = NO -->\n\nTODO [see](a.html)\n",
        encoding="utf-8",
    )
    found = lint([path], Brand(BrandSpec(name="t"), [raw, prose])).findings
    assert [(f.finding.rule, f.line, f.column) for f in found] == [("T.Html", 4, 10)]


def test_fix_rewrites_a_match_only_where_the_file_spells_it(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("저렴한 코칭\n\n**저렴**한 코칭\n", encoding="utf-8")
    result = lint([path], BRAND, fix=True)
    assert path.read_text(encoding="utf-8") == "합리적인 코칭\n\n**저렴**한 코칭\n"
    assert [f.line for f in result.findings if f.finding.rule == "Runfit.Vocabulary"] == [3]


def test_an_html_blocks_text_is_read_element_by_element_where_it_stands():
    source = (
        "Intro.\n\n<table>\n  <caption>최고의 표</caption>\n  <tr><td>January</td>"
        '<td>$100</td></tr>\n</table>\n\n<p class="nop">hidden</p>\n\n<script>x = 1</script>\n'
    )
    pieces = read(source, MarkdownReading(ignored_classes=["nop"]), inline=False).pieces
    assert [(p.scope, p.text) for p in pieces] == [
        ("paragraph", "Intro."),
        ("table.caption", "최고의 표"),
        ("table.cell", "January"),
        ("table.cell", "$100"),
    ]
    caption = pieces[1]
    start, end = caption.positions.span(0, len(caption.text))
    assert source[start:end] == "최고의 표"
