"""Findings in records point at the file's own line and column."""

import csv
import io
import json

from dco.lint.positions import csv_rows, json_string


def test_csv_cells_are_split_as_the_csv_module_splits_them():
    source = 'a,"b ""q"", c",d\n\n"multi\nline",,x"y\n'
    cells = [[c.start for c in row] for row in csv_rows(source)]
    parsed = list(csv.reader(io.StringIO(source)))
    assert [len(row) for row in cells] == [len(row) for row in parsed if row]
    second = next(iter(csv_rows(source)))[1]
    value = parsed[0][1]  # b "q", c
    assert source[second.offset(value.index("c"))] == "c"
    assert source[second.offset(value.index("q"))] == "q"


def test_a_json_strings_characters_are_found_past_its_escapes():
    value = '🏃 "달려" \\ 업계 최고\n끝'
    line = json.dumps({"id": 1, "headline": value})  # ASCII escapes, a surrogate pair among them
    cell = json_string(line, "headline")
    for char in ("최", "끝", "달"):
        raw = line[cell.offset(value.index(char)) :]
        assert raw.startswith(char) or raw.startswith(json.dumps(char)[1:-1])


def test_a_key_the_line_does_not_have_is_not_found():
    assert json_string('{"body": "x"}', "headline") is None
