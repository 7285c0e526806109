"""Stored runs do not grow without limit: `identify --store` keeps the latest runs and one
run per month, and deletes the rest with their scores (docs/scoring.md)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from highharm.audit.models import AccessLog
from highharm.scoring import services
from highharm.scoring.models import PerpetratorScore, ScoreRun


def _run(as_of: dt.date, stored: dt.datetime, person=None) -> ScoreRun:
    run = ScoreRun.objects.create(
        as_of=as_of, window_days=730, config_version="v", config_sha256="x"
    )
    ScoreRun.objects.filter(pk=run.pk).update(created_at=stored)
    if person is not None:
        PerpetratorScore.objects.create(
            run=run,
            person=person,
            rank=1,
            priority_score=10,
            recency_days=1,
            last_incident_on=as_of,
            first_incident_on=as_of,
            frequency=1,
            harm_sum=1,
            harm_max=1,
            victims=1,
            explanation="x",
        )
    return run


def _history(person=None) -> dict[str, ScoreRun]:
    """Seven runs stored one day apart, in as-of order, named by their as-of date."""
    start = timezone.make_aware(dt.datetime(2025, 5, 1, 2, 0))
    days = ["2025-01-10", "2025-01-31", "2025-02-15", "2025-03-01", "2025-03-20", "2025-03-27"]
    days.append("2025-04-02")
    return {
        day: _run(dt.date.fromisoformat(day), start + dt.timedelta(days=i), person)
        for i, day in enumerate(days)
    }


def test_it_keeps_the_latest_runs_and_the_last_run_of_each_recent_month(perpetrator):
    runs = _history(perpetrator)
    deleted = services.score_runs_prune(keep_latest=2, keep_months=3)
    # Latest two: 04-02, 03-27. Last of April, March, February: 04-02, 03-27, 02-15.
    kept = {"2025-02-15", "2025-03-27", "2025-04-02"}
    assert set(ScoreRun.objects.values_list("as_of", flat=True)) == {
        dt.date.fromisoformat(d) for d in kept
    }
    assert deleted == sorted(runs[d].pk for d in runs if d not in kept)
    # Their scores go with them; the kept runs keep theirs.
    assert sorted(PerpetratorScore.objects.values_list("run__as_of", flat=True)) == sorted(
        dt.date.fromisoformat(d) for d in kept
    )


def test_only_the_latest_run_with_the_smallest_policy(db):
    runs = _history()
    services.score_runs_prune(keep_latest=1, keep_months=0)
    assert list(ScoreRun.objects.values_list("pk", flat=True)) == [runs["2025-04-02"].pk]


def test_latest_means_last_stored_even_for_an_earlier_as_of_date(db):
    runs = _history()
    backfill = _run(dt.date(2024, 12, 1), timezone.make_aware(dt.datetime(2025, 6, 1)))
    services.score_runs_prune(keep_latest=1, keep_months=1)
    # The backfilled run is the latest stored; April 2025 is the most recent month.
    assert set(ScoreRun.objects.values_list("pk", flat=True)) == {
        backfill.pk,
        runs["2025-04-02"].pk,
    }


def test_nothing_is_deleted_while_within_the_policy(db):
    _history()
    assert services.score_runs_prune() == []
    assert ScoreRun.objects.count() == 7


@pytest.mark.parametrize(("latest", "months"), [(0, 3), (2, -1)])
def test_a_policy_that_would_delete_the_latest_run_is_refused(db, latest, months):
    _history()
    with pytest.raises(services.ScoreStoreError, match="keep_"):
        services.score_runs_prune(keep_latest=latest, keep_months=months)
    assert ScoreRun.objects.count() == 7


def _identify(*args) -> str:
    err = io.StringIO()
    call_command("identify", "--no-progress", *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def test_identify_store_applies_the_policy_and_logs_what_it_deleted(perpetrator):
    runs = _history()
    err = _identify("--as-of", "2026-03-01", "--store", "--keep-latest", "2", "--keep-months", "0")
    assert "deleted 6 older run(s)" in err
    # The new run and the latest of the old ones.
    remaining = list(ScoreRun.objects.order_by("created_at").values_list("pk", flat=True))
    assert remaining[0] == runs["2025-04-02"].pk and len(remaining) == 2
    assert PerpetratorScore.objects.get().run_id == remaining[1]
    entry = AccessLog.objects.get(action="score_run_prune")
    assert entry.detail["deleted_runs"] == sorted(
        r.pk for d, r in runs.items() if d != "2025-04-02"
    )


def test_identify_store_keep_all_deletes_nothing(perpetrator):
    _history()
    err = _identify("--as-of", "2026-03-01", "--store", "--keep-latest", "1", "--keep-all")
    assert "deleted" not in err
    assert ScoreRun.objects.count() == 8


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--keep-latest", "0"], "at least 1"), (["--keep-months", "-2"], "0 or more")],
)
def test_identify_refuses_a_bad_policy(db, args, message):
    with pytest.raises(CommandError, match=message):
        _identify("--store", *args)
