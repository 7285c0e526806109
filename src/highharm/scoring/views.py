"""The candidate list and the score section of the person page (thin: selectors do the work)."""

from __future__ import annotations

from django.conf import settings
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from highharm.accounts.decorators import capability_required
from highharm.accounts.permissions import Cap, user_can
from highharm.audit.services import access_log_record
from highharm.people.selectors import person_display_name
from highharm.scoring import charts, selectors
from highharm.scoring.candidate_rows import candidate_rows_html
from highharm.scoring.config import SCORABLE_FLAGS
from highharm.scoring.engine import FLAG_LABELS, window_label

REFER_URL_NAME = "referrals:from_candidate"
POINT_LABELS = {
    "recency": "Recency",
    "frequency": "Frequency",
    "harm": "Harm in the window",
    "harm_max": "Most harmful incident",
    "victims": "Victims",
    "serial": "Victims in separate relationships",
    "escalation": "Harm rising",
    "gaps": "Incidents coming closer together",
    **{f: f"Flag: {FLAG_LABELS[f]}" for f in SCORABLE_FLAGS},
}


def _refer_url(user) -> str | None:
    """The referrals app's "refer to triage" endpoint (POST reference), when it exists and the
    user may refer. settings.CANDIDATE_REFER_URL_NAME overrides the URL name."""
    if not user_can(user, Cap.REFERRAL_CREATE):
        return None
    try:
        return reverse(getattr(settings, "CANDIDATE_REFER_URL_NAME", REFER_URL_NAME))
    except NoReverseMatch:
        return None


def _int_or_none(value: str | None, *, low: int, high: int) -> int | None:
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return min(max(number, low), high)


@capability_required(Cap.CANDIDATES_VIEW)
@require_GET
def candidates(request):
    flags = [f for f in request.GET.getlist("flag") if f in selectors.FILTER_FLAGS]
    raw_min = request.GET.get("min_score", "").strip()
    min_score = _int_or_none(raw_min, low=0, high=10_000)
    error = "" if not raw_min or min_score is not None else "Minimum score must be a whole number"
    result = selectors.candidate_list(
        flags=flags, min_score=min_score, page=request.GET.get("page", 1)
    )
    for row in result.rows:
        row.name = (
            person_display_name(user=request.user, person=row.person)
            if row.person
            else row.reference
        )
        row.flag_labels = [FLAG_LABELS.get(f, f) for f in row.flags]
    access_log_record(
        request=request,
        action="view_candidates",
        object_type="candidates",
        object_id=str(result.run.pk) if result.run else "live",
        detail={
            "page": result.page.number,
            "flags": flags,
            "min_score": min_score,
            "shown": [row.reference for row in result.rows],
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    refer_url = _refer_url(request.user)
    return render(
        request,
        "scoring/candidates.html",
        {
            "result": result,
            # Rows written in one pass (scoring/candidate_rows.py), not a template loop.
            "candidate_rows": candidate_rows_html(
                result.rows,
                top_n=result.top_n,
                refer_url=refer_url,
                csrf_token=get_token(request) if refer_url else "",
            ),
            "window": window_label(result.window_days),
            "flag_choices": [
                {"value": f, "label": FLAG_LABELS[f].capitalize(), "checked": f in flags}
                for f in selectors.FILTER_FLAGS
            ],
            "min_score": raw_min if error else ("" if min_score is None else min_score),
            "error": error,
            "filtered": bool(flags or min_score is not None),
            "query": query.urlencode(),
            "refer_url": refer_url,
            "show_identity": user_can(request.user, Cap.PERSON_VIEW_IDENTITY),
        },
    )


def person_section(*, request, person) -> dict | None:
    """The person page's "Identification score" section (settings.PERSON_PAGE_SECTIONS).

    Shown to roles that may see the candidate list: the latest stored score with its
    explanation and points, and a chart of the score over stored runs. With no run
    stored yet, the person's score is computed now from the database.
    """
    if not user_can(request.user, Cap.CANDIDATES_VIEW):
        return None
    history = selectors.person_score_history(person=person)
    latest_run = selectors.latest_run()
    context = {"person": person, "history": history, "latest_run": latest_run}
    if history:
        latest = history[-1]
        context.update(
            {
                "score": latest,
                "live": False,
                "in_latest_run": latest_run is not None and latest.run_id == latest_run.pk,
                "points": _points_rows(latest.points),
                "window": window_label(latest.run.window_days),
                "chart": charts.score_history(
                    [(s.run.as_of, s.priority_score, s.rank) for s in history]
                )
                if len(history) > 1
                else "",
            }
        )
    elif latest_run is not None:
        context.update(
            {"score": None, "live": False, "window": window_label(latest_run.window_days)}
        )
    else:
        config = selectors.scoring_config()
        as_of = timezone.localdate()
        scores, _ = selectors.score_database(as_of=as_of, config=config, perpetrator=person)
        if not scores.height:
            context.update(
                {
                    "score": None,
                    "live": True,
                    "as_of": as_of,
                    "window": window_label(config.window_days),
                }
            )
        else:
            row = scores.row(0, named=True)
            context.update(
                {
                    "score": row,
                    "live": True,
                    "as_of": as_of,
                    "config_version": config.version,
                    "window": window_label(config.window_days),
                    "points": _points_rows(
                        {
                            k.removeprefix("points_"): v
                            for k, v in row.items()
                            if k.startswith("points_")
                        }
                    ),
                }
            )
    return {
        "title": "Identification score",
        "template": "scoring/person_section.html",
        "context": context,
    }


def _points_rows(points: dict) -> list[dict]:
    return [
        {"label": POINT_LABELS.get(name, name), "points": value}
        for name, value in points.items()
        if value
    ]
