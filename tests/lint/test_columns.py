from dco.lint.columns import guess_columns


def test_korean_headers_are_mapped_to_copy_fields():
    expected = {"headline": "제목", "body": "본문", "cta": "버튼"}
    assert guess_columns(["제목", "본문", "버튼"]) == expected


def test_spacing_case_and_unknown_names_do_not_matter():
    assert guess_columns(["ID", "Ad Title", "call_to_action", "날짜"]) == {
        "headline": "Ad Title",
        "cta": "call_to_action",
    }
