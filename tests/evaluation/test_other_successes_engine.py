"""The other-successes engine against a plain-Python count of the same interventions."""

import datetime as dt
from collections import Counter

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from highharm.evaluation.successes import other_successes

TYPES = {
    "housing": "engagement",
    "perpetrator_programme": "engagement",
    "dvpo": "enforcement",
    "ro": "enforcement",
    "dvpn": "enforcement",
    "dvds_right_to_ask": "safeguarding",
    "idva_referral": "safeguarding",
    "isva_referral": "safeguarding",
}
STATUSES = ["planned", "in_progress", "completed", "stopped", "declined"]
OUTCOMES = [
    "pending",
    "housing_secured",
    "order_obtained",
    "disclosure_made",
    "programme_completed",
]
ENGAGED = ["engaged", "partly", "not_engaged", "not_applicable", "not_known"]
REFS = ["A", "B", "C", "D"]
BASE = dt.date(2025, 1, 1)

intervention = st.fixed_dictionaries(
    {
        "perpetrator_ref": st.sampled_from(REFS + ["OUTSIDER"]),
        "type": st.sampled_from(sorted(TYPES)),
        "status": st.sampled_from(STATUSES),
        "outcome": st.sampled_from(OUTCOMES),
        "engaged": st.sampled_from(ENGAGED),
        "day": st.integers(-100, 500),
    }
)
person = st.tuples(
    st.sampled_from(REFS), st.sampled_from(["cohort", "comparison"]), st.integers(0, 200)
)


def reference(people, rows, as_of):
    """Plain Python: for each cohort label, the people's interventions in [index, as_of]."""
    out = {}
    for label in ("cohort", "comparison"):
        mine = [(r, d) for r, c, d in people if c == label]
        if not mine:
            continue
        done = [
            x
            for ref, index in mine
            for x in rows
            if x["perpetrator_ref"] == ref
            and index <= x["day"]
            and BASE + dt.timedelta(x["day"]) <= as_of
        ]
        known = [x for x in done if x["engaged"] in ("engaged", "partly", "not_engaged")]
        out[label] = {
            "people": len({r for r, _ in mine}),
            "interventions": len(done),
            "with": len({x["perpetrator_ref"] for x in done}),
            "by_type": Counter(x["type"] for x in done),
            "completed": Counter(x["type"] for x in done if x["status"] == "completed"),
            "pairs": Counter((x["type"], x["outcome"]) for x in done),
            "dvds": sum(
                x["type"] == "dvds_right_to_ask" and x["outcome"] == "disclosure_made" for x in done
            ),
            "orders": sum(
                x["type"] in ("dvpo", "ro") and x["outcome"] == "order_obtained" for x in done
            ),
            "idva": sum(
                x["type"] == "idva_referral" and x["status"] not in ("planned", "declined")
                for x in done
            ),
            "rate": (sum(x["engaged"] == "engaged" for x in known) / len(known)) if known else None,
        }
    return out


def frames(people, rows):
    p = pl.DataFrame(
        {
            "perpetrator_ref": [r for r, _, _ in people],
            "index_date": [BASE + dt.timedelta(d) for _, _, d in people],
            "cohort": [c for _, c, _ in people],
        }
    )
    i = pl.DataFrame(
        {
            "perpetrator_ref": [x["perpetrator_ref"] for x in rows],
            "kind": [TYPES[x["type"]] for x in rows],
            "type": [x["type"] for x in rows],
            "status": [x["status"] for x in rows],
            "outcome": [x["outcome"] for x in rows],
            "engaged": [x["engaged"] for x in rows],
            "started_on": [BASE + dt.timedelta(x["day"]) for x in rows],
        },
        schema={
            "perpetrator_ref": pl.String,
            "kind": pl.String,
            "type": pl.String,
            "status": pl.String,
            "outcome": pl.String,
            "engaged": pl.String,
            "started_on": pl.Date,
        },
    )
    return p, i


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(person, min_size=1, max_size=6, unique_by=lambda t: (t[0], t[1])),
    rows=st.lists(intervention, max_size=25),
    as_of_day=st.integers(0, 500),
)
def test_it_counts_as_a_plain_implementation_does(people, rows, as_of_day):
    as_of = BASE + dt.timedelta(as_of_day)
    p, i = frames(people, rows)
    got = other_successes(people=p, interventions=i, as_of=as_of)
    want = reference(people, rows, as_of)
    assert set(want) == {k for k in ("cohort", "comparison") if k in got}
    for label, w in want.items():
        g = got[label]
        assert g["people"] == w["people"]
        assert g["interventions"] == w["interventions"]
        assert g["people_with_interventions"] == w["with"]
        assert {r["type"]: r["count"] for r in g["by_type"]} == dict(w["by_type"])
        assert {r["type"]: r["completed"] for r in g["by_type"] if r["completed"]} == dict(
            w["completed"]
        )
        assert {(r["type"], r["outcome"]): r["count"] for r in g["by_type_outcome"]} == dict(
            w["pairs"]
        )
        assert g["safeguarding"]["dvds_disclosures"] == w["dvds"]
        assert g["safeguarding"]["protection_orders_obtained"] == w["orders"]
        assert g["safeguarding"]["idva_referrals"] == w["idva"]
        rate = g["engagement"]["overall"]["rate"]
        assert (rate is None) == (w["rate"] is None)
        if rate is not None:
            assert abs(rate - w["rate"]) < 1e-4


def test_it_says_interventions_were_not_read_without_a_database():
    p, _ = frames([("A", "cohort", 0)], [])
    got = other_successes(people=p, interventions=None, as_of=BASE)
    assert got["available"] is False and "were not read" in got["note"]
