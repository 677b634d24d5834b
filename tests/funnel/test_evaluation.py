import pytest

from dco.errors import ConfigError
from dco.funnel.evaluation import LabelledRow, evaluate, read_labelled
from dco.models import FunnelStage, Signals

A, C, D = FunnelStage.AWARENESS, FunnelStage.CONSIDERATION, FunnelStage.DECISION


def rows(*stages):
    return [LabelledRow(Signals(text=str(i)), stage, i + 1) for i, stage in enumerate(stages)]


def test_figures_match_a_hand_computed_example():
    truth = rows(A, A, C, C, D, D)
    predicted = [A, C, C, C, D, A]
    result = evaluate(truth, predicted)
    assert result.accuracy == pytest.approx(4 / 6)
    # awareness: P 1/2 R 1/2; consideration: P 2/3 R 1; decision: P 1 R 1/2
    assert result.per_class[A].f1 == pytest.approx(0.5)
    assert result.per_class[C].f1 == pytest.approx(0.8)
    assert result.per_class[D].f1 == pytest.approx(2 / 3)
    assert result.macro_f1 == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    assert result.confusion[D][A] == 1
    assert [(row.line, guess) for row, guess in result.errors] == [(2, C), (6, A)]


def test_macro_f1_leaves_out_stages_with_no_gold_rows_and_names_them():
    truth = rows(A, A, D, D)
    predicted = [A, C, D, D]  # one awareness row predicted as consideration, which has no gold row
    result = evaluate(truth, predicted)
    assert result.left_out == (C,)
    assert result.averaged == (A, D)
    # awareness: P 1 R 1/2 → 2/3; decision: P 1 R 1 → 1; consideration's F1 of 0 is not averaged.
    assert result.macro_f1 == pytest.approx((2 / 3 + 1) / 2)
    assert result.to_dict()["left_out"] == ["consideration"]


def test_read_labelled_reports_the_line_of_a_bad_stage(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"text": "a", "stage": "awareness"}\n{"text": "b", "stage": "buy"}\n')
    with pytest.raises(ConfigError, match=r"set\.jsonl:2: key 'stage': 'buy' is not one of"):
        read_labelled(path)


def test_read_labelled_reports_invalid_json_with_its_position(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"text": "a", "stage": "awareness"}\n{"text": \n')
    with pytest.raises(ConfigError, match=r"set\.jsonl:2:\d+: invalid JSON"):
        read_labelled(path)


def test_read_labelled_reports_an_unknown_event_with_its_line(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('\n{"text": "a", "events": ["add_to_kart"], "stage": "decision"}\n')
    with pytest.raises(ConfigError, match=r"set\.jsonl:2: key 'events\.0\.name': .*add_to_kart"):
        read_labelled(path)


def test_labelled_rows_come_from_csv_in_utf8_or_cp949_and_keep_their_other_fields(tmp_path):
    text = (
        "id,text,events,stage\n7,러닝화 최저가,,decision\n"
        "8,러닝화,add_to_cart product_view,decision\n"
    )
    for name, encoding in (("utf8.csv", "utf-8-sig"), ("excel.csv", "cp949")):
        (tmp_path / name).write_bytes(text.encode(encoding))
        rows = read_labelled(tmp_path / name)
        assert [(r.extra, r.stage.value, r.line) for r in rows] == [
            ({"id": "7"}, "decision", 2), ({"id": "8"}, "decision", 3),
        ]  # fmt: skip
        assert [str(e) for e in rows[1].signals.events] == ["add_to_cart", "product_view"]


def test_a_csv_without_the_columns_says_what_it_found(tmp_path):
    (tmp_path / "x.csv").write_text("검색어,단계\n러닝화,decision\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"needs 'text' and 'stage' columns \(found 검색어, 단계\)"
    ):
        read_labelled(tmp_path / "x.csv")


def test_a_quote_never_closed_names_the_row_it_opens_in(tmp_path, cells_of_a_kilobyte):
    labelled = tmp_path / "labelled.csv"
    rows = 'text,stage\n러닝화,decision\n"러닝화 최저가,decision\n' + "러닝화,decision\n" * 200
    labelled.write_text(rows, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_labelled(labelled)
    assert str(error.value).startswith(
        f'{labelled}:3: a cell in this row runs past 64 MB: is a quote (") opened and never closed?'
    )


def test_an_id_in_a_json_row_is_kept_and_reported_with_its_error(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(
        '{"id": "q-17", "text": "마라톤 준비", "stage": "decision"}\n', encoding="utf-8"
    )
    (row,) = read_labelled(path)
    result = evaluate([row], [FunnelStage.AWARENESS])
    assert result.to_dict()["errors"][0]["id"] == "q-17"
