"""The offence codes the generator may emit, and where harm weights come from.

The generator picks codes from its own model (`model.py`), never from the
weights, so its output depends only on its arguments. The weights are read
only to *measure* what was generated (share of harm by the top perpetrators):
from `highharm/data/offences.csv` when it exists, otherwise from the rough
fallback below, which is labelled as such wherever it is used.
"""

from __future__ import annotations

import csv
from pathlib import Path

# The default catalogue's codes (data contract). For each: does the offence
# usually have no identifiable victim on the record, and which incident flags
# the offence itself implies (the importer ORs these with the catalogue's).
VICTIMLESS = frozenset({"IIOC", "BLADEPUB", "WITINT", "PERVJ", "FTS", "THEFT"})

IMPLIED_FLAGS: dict[str, frozenset[str]] = {
    "NFS": frozenset({"strangulation"}),
    "NFSUFF": frozenset({"strangulation"}),
    "CORROSIVE": frozenset({"weapon"}),
    "BLADEPUB": frozenset({"weapon"}),
    "THRWEAP": frozenset({"weapon"}),
    "HARASS": frozenset({"stalking"}),
    "HARFEAR": frozenset({"stalking"}),
    "STALK": frozenset({"stalking"}),
    "STALKF": frozenset({"stalking"}),
    "BRSPO": frozenset({"stalking", "breach"}),
    "BRRO": frozenset({"breach"}),
    "BRNMO": frozenset({"breach", "domestic"}),
    "BRSHPO": frozenset({"breach", "sexual"}),
    "BRDAPO": frozenset({"breach", "domestic"}),
    "BRDVPO": frozenset({"breach", "domestic"}),
    "CCB": frozenset({"domestic"}),
    "DOMNC": frozenset({"domestic"}),
    **{
        code: frozenset({"sexual"})
        for code in (
            "RAPE",
            "AOBP",
            "SEXASLT",
            "CAUSESEX",
            "RAPECH13",
            "SACH13",
            "SACTCH",
            "EXPOSE",
            "VOYEUR",
            "IIOC",
            "DISCIMG",
        )
    },
}

CODES: tuple[str, ...] = (
    "MURDER",
    "MANSL",
    "ATTMUR",
    "GBH18",
    "GBH20",
    "ABH",
    "NFS",
    "NFSUFF",
    "CORROSIVE",
    "CA",
    "THKILL",
    "AFFRAY",
    "POA4",
    "POA4A",
    "FALSEIMP",
    "KIDNAP",
    "BLADEPUB",
    "THRWEAP",
    "HARASS",
    "HARFEAR",
    "STALK",
    "STALKF",
    "MALCOMM",
    "COMMS127",
    "CCB",
    "RAPE",
    "AOBP",
    "SEXASLT",
    "CAUSESEX",
    "RAPECH13",
    "SACH13",
    "SACTCH",
    "EXPOSE",
    "VOYEUR",
    "IIOC",
    "DISCIMG",
    "CD",
    "CDHIGH",
    "ARSON",
    "ARSONLIFE",
    "THRDAM",
    "BRRO",
    "BRNMO",
    "BRSPO",
    "BRSHPO",
    "BRDAPO",
    "BRDVPO",
    "FTS",
    "BURGDW",
    "THEFT",
    "WITINT",
    "PERVJ",
    "DOMNC",
)
CODE_INDEX = {code: i for i, code in enumerate(CODES)}

BREACH_CODES = frozenset({"BRRO", "BRNMO", "BRSPO", "BRSHPO", "BRDAPO", "BRDVPO"})
CHILD_UNDER_13_CODES = frozenset({"RAPECH13", "SACH13"})
CHILD_13_15_CODES = frozenset({"SACTCH"})

# Rough days-of-custody weights, used ONLY to measure harm concentration when
# the real catalogue (src/highharm/data/offences.csv) is not installed. They
# are order-of-magnitude guesses in the spirit of the Cambridge Crime Harm
# Index, not derived from the Sentencing Council guidelines; never score with them.
FALLBACK_HARM_DAYS: dict[str, float] = {
    "MURDER": 5475,
    "MANSL": 2920,
    "ATTMUR": 3650,
    "GBH18": 1460,
    "GBH20": 540,
    "ABH": 182,
    "NFS": 365,
    "NFSUFF": 365,
    "CORROSIVE": 1460,
    "CA": 14,
    "THKILL": 365,
    "AFFRAY": 56,
    "POA4": 2,
    "POA4A": 28,
    "FALSEIMP": 730,
    "KIDNAP": 1095,
    "BLADEPUB": 182,
    "THRWEAP": 182,
    "HARASS": 28,
    "HARFEAR": 365,
    "STALK": 365,
    "STALKF": 730,
    "MALCOMM": 14,
    "COMMS127": 7,
    "CCB": 365,
    "RAPE": 1825,
    "AOBP": 1460,
    "SEXASLT": 365,
    "CAUSESEX": 1095,
    "RAPECH13": 3650,
    "SACH13": 1460,
    "SACTCH": 730,
    "EXPOSE": 28,
    "VOYEUR": 56,
    "IIOC": 182,
    "DISCIMG": 56,
    "CD": 5,
    "CDHIGH": 56,
    "ARSON": 365,
    "ARSONLIFE": 2190,
    "THRDAM": 28,
    "BRRO": 84,
    "BRNMO": 84,
    "BRSPO": 182,
    "BRSHPO": 182,
    "BRDAPO": 84,
    "BRDVPO": 7,
    "FTS": 14,
    "BURGDW": 365,
    "THEFT": 7,
    "WITINT": 730,
    "PERVJ": 365,
    "DOMNC": 0,
}

DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "offences.csv"


def harm_weights(path: Path | None = None) -> tuple[dict[str, float], str]:
    """Harm days per code and where they came from ('catalogue' or 'fallback').

    Codes the catalogue lacks keep their fallback weight, so a partial
    catalogue still measures every generated incident.
    """
    path = DEFAULT_CATALOGUE if path is None else Path(path)
    if not path.exists():
        return dict(FALLBACK_HARM_DAYS), "fallback"
    weights = dict(FALLBACK_HARM_DAYS)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("code") or "").strip()
            raw = (row.get("harm_days") or "").strip()
            if code and raw:
                weights[code] = float(raw)
    return weights, f"catalogue ({path.name})"


def implied_flags(path: Path | None = None) -> dict[str, frozenset[str]]:
    """The flags each offence implies: the catalogue's when installed, else IMPLIED_FLAGS."""
    path = DEFAULT_CATALOGUE if path is None else Path(path)
    if not path.exists():
        return dict(IMPLIED_FLAGS)
    flags = dict(IMPLIED_FLAGS)
    names = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("code") or "").strip()
            if code:
                flags[code] = frozenset(
                    n for n in names if (row.get(n) or "").strip().upper() in {"Y", "1", "TRUE"}
                )
    return flags
