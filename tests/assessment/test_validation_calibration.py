"""The calibration table by score band, and the Wilson interval of each band's rate."""

import numpy as np
import pytest

from highharm.assessment.validation import data_from_arrays, validate, wilson_interval


def test_it_makes_quantile_bands_by_hand():
    # scores 1 2 2 3 4 (outcomes 0 0 1 1 0), two bands of about 5/2 rows; ties stay together:
    # band 1 = {1, 2, 2}: n 3, mean 5/3, 1 positive; band 2 = {3, 4}: n 2, mean 3.5, 1 positive.
    report = validate(data_from_arrays([1, 2, 2, 3, 4], [0, 0, 1, 1, 0]), bands=2, bootstrap=0)
    one, two = report["calibration"]
    assert (one["lower"], one["upper"], one["n"], one["positives"]) == (1, 2, 3, 1)
    assert one["mean_score"] == pytest.approx(5 / 3)
    assert one["observed_rate"] == pytest.approx(1 / 3)
    assert (two["lower"], two["upper"], two["n"], two["positives"]) == (3, 4, 2, 1)
    assert two["mean_score"] == pytest.approx(3.5)
    assert two["observed_rate"] == pytest.approx(0.5)


def test_it_never_splits_tied_scores_so_may_make_fewer_bands():
    # 0 appears 8 times out of 10: it cannot be cut into deciles
    report = validate(data_from_arrays([0] * 8 + [1, 2], [0] * 9 + [1]), bands=10, bootstrap=0)
    assert [b["n"] for b in report["calibration"]] == [8, 1, 1]
    assert report["bands_requested"] == 10


def test_it_makes_equal_width_bands_on_request():
    # range 0..10 in 2 bands of width 5: [0, 5) and [5, 10] (the top value goes in the last band)
    score = [0, 1, 4, 5, 9, 10]
    report = validate(
        data_from_arrays(score, [0, 0, 1, 0, 1, 1]), bands=2, band_method="equal", bootstrap=0
    )
    assert [(b["lower"], b["upper"], b["n"]) for b in report["calibration"]] == [
        (0, 4, 3),
        (5, 10, 3),
    ]


def test_its_bands_add_up_to_the_whole_sample():
    rng = np.random.default_rng(3)
    score = rng.normal(size=1000)
    outcome = (rng.random(1000) < 0.3).astype(int)
    bands = validate(data_from_arrays(score, outcome), bootstrap=0)["calibration"]
    assert len(bands) == 10
    assert sum(b["n"] for b in bands) == 1000
    assert sum(b["positives"] for b in bands) == outcome.sum()
    assert all(b["n"] == 100 for b in bands)  # distinct scores: exact deciles
    uppers = [b["upper"] for b in bands]
    lowers = [b["lower"] for b in bands]
    assert all(u < low for u, low in zip(uppers, lowers[1:], strict=False))


def test_it_computes_the_wilson_interval():
    # 10 of 100, z = 1.95996: centre (0.1 + z²/200)/(1 + z²/100) = 0.114799,
    # half-width z·sqrt(0.1·0.9/100 + z²/40000)/(1 + z²/100) = 0.059568 -> 0.05523 to 0.17437
    low, high = wilson_interval(10, 100)
    assert low == pytest.approx(0.05523, abs=1e-5)
    assert high == pytest.approx(0.17437, abs=1e-5)
    assert wilson_interval(0, 20)[0] == pytest.approx(0, abs=1e-12)
    assert wilson_interval(0, 0) is None
