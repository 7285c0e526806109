"""A cohort shaped like the unit's own evaluation (8 people), built by hand.

Offences before -> after per person: 5->3, 4->0, 3->2, 2->0, 2->0, 2->1, 1->2, 1->1.
By hand: 20 offences before, 9 after, a change of (9 - 20) / 20 = -55%; six fell
(5->3, 4->0, 3->2, 2->0, 2->0, 2->1), three had none after (4->0, 2->0, 2->0),
one rose (1->2) and one stayed the same (1->1).
"""

import datetime as dt

INDEX = dt.date(2024, 1, 1)
BEFORE = [5, 4, 3, 2, 2, 2, 1, 1]
AFTER = [3, 0, 2, 0, 0, 1, 2, 1]
HARM = {"ABH": 180.0, "CA": 28.0}

HEADER = (
    "crime_reference,occurred_on,offence_code,perpetrator_ref,victim_ref,relationship,"
    "domestic,stalking,sexual,strangulation,weapon,breach,outcome\n"
)


def write_seedlike(directory):
    """Write cohort.csv, incidents.csv and catalogue.csv; return their paths."""
    cohort = directory / "cohort.csv"
    cohort.write_text(
        "perpetrator_ref,index_date\n" + "".join(f"HH{i:03d},01/01/2024\n" for i in range(8))
    )
    lines, n = [], 0
    for i, (before, after) in enumerate(zip(BEFORE, AFTER, strict=True)):
        for j in range(before):  # ABH, 10, 40, 70 ... days before the index date
            n += 1
            day = INDEX - dt.timedelta(days=10 + 30 * j)
            lines.append(f"CR{n},{day},ABH,HH{i:03d},,partner,Y,N,N,N,N,N,charged\n")
        for j in range(after):  # common assault, 20, 60, 100 days after
            n += 1
            day = INDEX + dt.timedelta(days=20 + 40 * j)
            lines.append(f"CR{n},{day},CA,HH{i:03d},,partner,Y,N,N,N,N,N,charged\n")
    # Someone outside the cohort, and a record that takes the data past the follow-up.
    lines.append("CR999,2025-03-01,CA,HH999,,partner,Y,N,N,N,N,N,charged\n")
    incidents = directory / "incidents.csv"
    incidents.write_text(HEADER + "".join(lines))
    catalogue = directory / "catalogue.csv"
    catalogue.write_text("code,harm_days\nABH,180\nCA,28\n")
    return cohort, incidents, catalogue
