"""Reading the input: formats, encodings, and clear messages for bad rows."""

import numpy as np
import polars as pl
import pytest

from highharm.assessment.validation import ValidationInputError, read_table


def read(text: str | bytes, **columns):
    data = text.encode() if isinstance(text, str) else text
    columns.setdefault("score", "score")
    columns.setdefault("outcome", "outcome")
    return read_table(data, **columns)


def problems(text, **columns) -> str:
    with pytest.raises(ValidationInputError) as caught:
        read(text, **columns)
    return " | ".join(caught.value.problems)


def test_it_reads_a_plain_csv():
    data = read("id,score,outcome\na,1.5,0\nb,2,1\n")
    assert data.score.tolist() == [1.5, 2.0]
    assert data.outcome.tolist() == [0, 1]
    assert data.rows_read == 2 and data.excluded_missing_score == 0


def test_it_reads_columns_whatever_their_order_in_the_file():
    data = read("outcome,area,score\n1,x,10\n0,y,20\n", group="area")
    assert data.score.tolist() == [10, 20]
    assert data.outcome.tolist() == [1, 0]
    assert [data.group_labels[c] for c in data.group] == ["x", "y"]


def test_it_names_a_missing_column_and_suggests_a_close_one():
    message = problems("Score,outcome\n1,0\n")
    assert "score column 'score' is not in the file" in message
    assert "'Score', 'outcome'" in message
    assert "Did you mean 'Score'?" in message


def test_it_names_the_line_of_a_score_that_is_not_a_number():
    # the header is line 1, so the second data row is line 3
    message = problems("score,outcome\n1,0\nabc,1\n3,0\n")
    assert message == "score column 'score' is not a number at line 3 ('abc')"


def test_it_counts_further_bad_lines_without_listing_them_all():
    rows = "".join(f"x{i},0\n" for i in range(8))
    message = problems("score,outcome\n" + rows)
    assert "at line 2 ('x0'), line 3 ('x1'), line 4 ('x2'), line 5 ('x3'), line 6 ('x4')" in message
    assert message.endswith("and 3 more")


def test_it_refuses_an_infinite_score():
    assert "not a number at line 2 ('inf')" in problems("score,outcome\ninf,0\n1,1\n")


def test_it_names_the_line_of_an_outcome_that_is_not_0_or_1():
    message = problems("score,outcome\n1,0\n2,2\n3,\n4,yes\n")
    assert message == (
        "outcome column 'outcome' is not 0 or 1 at line 3 ('2'), line 4 (blank), line 5 ('yes')"
    )


def test_it_reports_every_problem_at_once():
    with pytest.raises(ValidationInputError) as caught:
        read("score,outcome\nabc,0\n1,7\n")
    assert len(caught.value.problems) == 2


def test_it_excludes_and_counts_rows_with_a_missing_score():
    data = read("score,outcome\n1,0\n,1\nNA,0\n2,1\n  ,1\n")
    assert data.score.tolist() == [1, 2]
    assert data.outcome.tolist() == [0, 1]
    assert data.rows_read == 5
    assert data.excluded_missing_score == 3
    assert data.excluded_where == ["line 3", "line 4", "line 6"]


def test_it_refuses_a_file_where_every_score_is_missing():
    assert "every row (2) has a missing score" in problems("score,outcome\n,0\n,1\n")


def test_it_refuses_an_empty_file_and_a_file_without_rows():
    assert "empty" in problems("")
    assert "no rows" in problems("score,outcome\n")


def test_it_refuses_the_same_column_for_two_roles():
    assert "must be different columns" in problems("score,outcome\n1,0\n", outcome="score")


def test_it_reads_semicolons_and_decimal_commas():
    data = read("score;outcome\n0,25;0\n1,5;1\n")
    assert data.score.tolist() == [0.25, 1.5]


def test_it_reads_windows_1252_and_a_utf8_byte_order_mark():
    cp1252 = "score,outcome,area\n1,0,Bournemouth – Poole\n2,1,Bournemouth – Poole\n".encode(
        "cp1252"
    )
    assert read(cp1252, group="area").group_labels == ["Bournemouth – Poole"]
    bom = b"\xef\xbb\xbfscore,outcome\n1,0\n2,1\n"
    assert read(bom).score.tolist() == [1, 2]


def test_it_reads_parquet(tmp_path):
    path = tmp_path / "scores.parquet"
    pl.DataFrame(
        {"score": [1.0, None, 3.0], "outcome": [0, 1, 1], "area": ["a", "b", None]}
    ).write_parquet(path)
    data = read_table(path, score="score", outcome="outcome", group="area")
    assert data.score.tolist() == [1.0, 3.0]
    assert data.excluded_where == ["row 2"]
    assert data.group_labels == ["(missing)", "a"]


def test_it_refuses_a_group_column_that_looks_like_an_identifier():
    rows = "".join(f"{i},{i % 2},P{i}\n" for i in range(60))
    assert "has 60 different values" in problems("score,outcome,ref\n" + rows, group="ref")


def test_it_reads_a_file_by_path(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("score,outcome\n1,0\n2,1\n")
    data = read_table(path, score="score", outcome="outcome")
    assert np.array_equal(data.score, [1.0, 2.0])
    assert data.source == str(path)
    with pytest.raises(ValidationInputError, match="no such file"):
        read_table(tmp_path / "nope.csv", score="score", outcome="outcome")


def test_it_refuses_a_column_named_twice_in_the_header():
    assert "column 'score' appears 2 times" in problems("score,score,outcome\n1,2,0\n")


def test_it_names_the_line_with_too_many_fields():
    message = problems("score,outcome\n1,0\n1,0,5\n2,1\n")
    assert message.startswith("line 3 has 3 fields but the header names 2")


def test_it_refuses_a_file_that_is_not_text():
    assert "not a text (CSV) file" in problems(bytes(range(256)) * 4)
