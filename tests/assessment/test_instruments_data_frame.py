"""The HHU tool's data part over a whole force (Polars) equals the one-person scorer."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highharm.assessment import instruments as I

HHU = I.builtin_definitions()["hhu"]

ROW = st.fixed_dictionaries(
    {
        "recency_days": st.integers(0, 729),
        "frequency": st.integers(1, 40),
        "harm_sum": st.floats(0, 8000, allow_nan=False).map(lambda x: round(x, 2)),
        "harm_max": st.floats(0, 4000, allow_nan=False).map(lambda x: round(x, 2)),
        "victims": st.integers(0, 8),
        "serial": st.booleans(),
        "escalating_harm": st.booleans(),
        "gaps_shortening": st.booleans(),
        "flag_stalking": st.booleans(),
        "flag_strangulation": st.booleans(),
        "flag_breach": st.booleans(),
        "flag_sexual": st.booleans(),
        "flag_weapon": st.booleans(),
        "flag_coercive_control": st.booleans(),
    }
)
NO_ANSWERS = {i.id: "no" for i in HHU.asked_items}


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=30))
def test_it_matches_the_one_person_scorer_row_by_row(rows):
    frame = pl.DataFrame(rows)
    points = I.data_points_frame(frame, HHU, score_column="hhu_data")
    assert points.height == len(rows)
    for row, got in zip(rows, points.iter_rows(named=True), strict=True):
        one = I.score(HHU, NO_ANSWERS, measures=row)
        assert got["hhu_data"] == pytest.approx(one.total)
        for item in one.items:
            if item.kind == "data":
                assert got[f"item_{item.id}"] == item.contribution


def test_it_refuses_measures_it_lacks():
    with pytest.raises(I.InstrumentError, match="the measures lack"):
        I.data_points_frame(pl.DataFrame({"frequency": [1]}), HHU)
