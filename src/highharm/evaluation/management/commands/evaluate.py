"""`highharm evaluate`: before and after, against a comparison group, as text, JSON or PDF."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from highharm.evaluation import formatting as fmt
from highharm.evaluation.readers import EvaluationInputError, read_cohort
from highharm.evaluation.selectors import COHORT_KINDS, CohortNotAvailable, cohort_from_database


def _date(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CommandError(f"--as-of {text!r} is not a date (YYYY-MM-DD or dd/mm/yyyy)")


class Command(BaseCommand):
    help = (
        "Evaluate a cohort of managed perpetrators: offences and harm before and after each "
        "person's index date, against a comparison group when one is given."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--cohort", metavar="FILE", help="perpetrator_ref,index_date[,group]")
        source.add_argument(
            "--cohort-from", choices=sorted(COHORT_KINDS), help="a cohort from the database"
        )
        comparison = parser.add_mutually_exclusive_group()
        comparison.add_argument("--comparison", metavar="FILE", help="the comparison cohort")
        comparison.add_argument("--comparison-from", choices=sorted(COHORT_KINDS))
        parser.add_argument(
            "--incidents", metavar="FILE", help="incidents CSV/Parquet (default: the database)"
        )
        parser.add_argument(
            "--catalogue",
            metavar="FILE",
            help="offence catalogue CSV (default: the database's, else data/offences.csv)",
        )
        parser.add_argument("--before-days", type=int, default=365)
        parser.add_argument("--after-days", type=int, default=365)
        parser.add_argument(
            "--as-of", help="records complete up to this date (default: latest incident)"
        )
        parser.add_argument("--format", choices=["text", "json", "pdf"], default="text")
        parser.add_argument("--out", metavar="FILE", help="write here instead of standard output")
        parser.add_argument("--bootstrap", type=int, default=2000, help="bootstrap replicates")
        parser.add_argument("--seed", type=int, default=20240601)
        parser.add_argument("--title", default="Evaluation")
        parser.add_argument(
            "--pseudonymise",
            action="store_true",
            help="show pseudonyms instead of references (as analysts see them)",
        )

    def _progress(self, message: str):
        if self.verbosity >= 1:
            self.stderr.write(message)

    def _cohort(self, path, kind, name):
        if path:
            return read_cohort(path, name=str(path)), f"file {path}"
        try:
            return cohort_from_database(kind), f"database ({kind})"
        except CohortNotAvailable as exc:
            raise CommandError(str(exc))

    def handle(self, *args, **options):
        from highharm.evaluation import reports, services

        self.verbosity = options["verbosity"]
        if options["format"] == "pdf" and not options["out"]:
            raise CommandError("--format pdf needs --out FILE")
        started = time.perf_counter()
        try:
            cohort, cohort_source = self._cohort(
                options["cohort"], options["cohort_from"], "cohort"
            )
            comparison, comparison_source = None, None
            if options["comparison"] or options["comparison_from"]:
                comparison, comparison_source = self._cohort(
                    options["comparison"], options["comparison_from"], "comparison"
                )
            self._progress(
                f"Evaluating {cohort.height} people"
                + (f" against {comparison.height}" if comparison is not None else "")
                + "…"
            )
            result = services.evaluation_compute(
                cohort=cohort,
                comparison=comparison,
                incidents_path=options["incidents"],
                catalogue_path=options["catalogue"],
                before_days=options["before_days"],
                after_days=options["after_days"],
                as_of=_date(options["as_of"]) if options["as_of"] else None,
                bootstrap=options["bootstrap"],
                seed=options["seed"],
                successes_from_database=(
                    not options["incidents"]
                    or bool(options["cohort_from"] or options["comparison_from"])
                ),
                sources={"cohort": cohort_source}
                | ({"comparison": comparison_source} if comparison_source else {}),
            )
        except EvaluationInputError as exc:
            raise CommandError(str(exc))
        self._progress(f"Evaluated in {time.perf_counter() - started:.1f} s.")

        if options["pseudonymise"]:
            label = reports.label_for(False)
            for person in result["people"]:
                person["perpetrator_ref"] = label(person["perpetrator_ref"])

        if options["format"] == "pdf":
            pdf = reports.render_pdf(
                result, show_identity=not options["pseudonymise"], title=options["title"]
            )
            Path(options["out"]).write_bytes(pdf)
            self._progress(f"Wrote {options['out']} ({len(pdf):,} bytes).")
            return
        text = (
            json.dumps(result, indent=2, ensure_ascii=False)
            if options["format"] == "json"
            else as_text(result, title=options["title"])
        )
        if options["out"]:
            Path(options["out"]).write_text(text + "\n", encoding="utf-8")
            self._progress(f"Wrote {options['out']}.")
        else:
            self.stdout.write(text)


def as_text(result: dict, *, title: str) -> str:
    p = result["parameters"]
    lines = [
        title,
        "=" * len(title),
        f"Windows: {p['before_days']} days before, {p['after_days']} days after the index date; "
        f"records up to {p['as_of']}.",
        f"Maryland Scientific Methods Scale level {result['sms_level']}.",
        "",
    ]
    if result["warnings"]:
        lines.append("Warnings:")
        lines += [f"  ! {w}" for w in result["warnings"]]
        lines.append("")
    lines += [f"- {line}" for line in result["findings"]]
    lines.append("")
    groups = [g for g in ("cohort", "comparison") if g in result]
    header = f"{'':28}" + "".join(f"{g:>14}" for g in groups)
    rows = [
        ("people", "n", fmt.count),
        ("with full follow-up", "n_analysed", fmt.count),
        ("follow-up incomplete", "incomplete_follow_up", fmt.count),
        ("offences before", "offences_before", fmt.count),
        ("offences after", "offences_after", fmt.count),
        ("change in offences", "offences_change_pct", fmt.pct),
        ("harm before (days)", "harm_before", fmt.days),
        ("harm after (days)", "harm_after", fmt.days),
        ("change in harm", "harm_change_pct", fmt.pct),
        ("reduced", "reduced", fmt.count),
        ("no further offending", "no_further_offending", fmt.count),
    ]
    lines.append(header)
    for name, key, f in rows:
        lines.append(f"{name:28}" + "".join(f"{f(result[g][key]):>14}" for g in groups))
    lines.append("")
    did, naive = result["did"], result["naive"]
    if did["estimate"] is not None:
        lines.append(
            f"Difference in differences (offences per person): {fmt.signed(did['estimate'])} "
            f"(95% interval {fmt.interval(did['ci'])}); harm days per person: "
            f"{fmt.signed(did['harm']['estimate'], 1)} ({fmt.interval(did['harm']['ci'], 1)})."
        )
    lines.append(
        f"Naive before/after change in the cohort (offences per person): "
        f"{fmt.signed(naive['estimate'])} (95% interval {fmt.interval(naive['ci'])})."
    )
    nb = result["statistics"]["negative_binomial"]
    if nb.get("rate_ratio") is not None:
        lines.append(
            f"Negative binomial rate ratio ({nb['effect_term']}): {fmt.ratio(nb['rate_ratio'])} "
            f"(95% interval {fmt.ratio_interval(nb['ci'])})."
        )
    sign = result["statistics"]["sign_test"]["cohort"]
    wil = result["statistics"]["wilcoxon"]["cohort"]
    lines.append(
        f"Sign test: {sign['decreases']} fell, {sign['increases']} rose, {sign['zeros']} unchanged, "
        f"p = {fmt.pvalue(sign['p_value'])}. Wilcoxon (Pratt): p = "
        f"{fmt.pvalue(wil['pratt']['p_value'])}; zeros removed: p = "
        f"{fmt.pvalue(wil['wilcox']['p_value'])}."
    )
    lines += successes_text(result.get("other_successes"))
    return "\n".join(lines)


SAFEGUARDING_TEXT = {
    "dvds_disclosures": "DVDS disclosures made",
    "protection_orders_obtained": "protection orders obtained",
    "idva_referrals": "victims referred to an IDVA",
    "isva_referrals": "victims referred to an ISVA",
}


def successes_text(data: dict | None) -> list[str]:
    if data is None:
        return []
    lines = ["", "Other successes"]
    if not data.get("available"):
        return lines + [f"  {data.get('note', 'not counted')}."]
    lines.append(f"  ({data['window']})")
    names = {"cohort": "Managed cohort", "comparison": "Comparison group"}
    for g in ("cohort", "comparison"):
        s = data.get(g)
        if not s:
            continue
        lines.append(
            f"{names[g]}: {fmt.count(s['interventions'])} interventions for "
            f"{fmt.count(s['people_with_interventions'])} of {fmt.count(s['people'])} people."
        )
        lines.append(
            "  Safeguarding: "
            + "; ".join(
                f"{label} {fmt.count(s['safeguarding'][k])}"
                for k, label in SAFEGUARDING_TEXT.items()
            )
            + "."
        )
        for r in s["by_type"]:
            lines.append(
                f"  {r['kind']:13} {r['type']:24} {fmt.count(r['count']):>6} "
                f"({fmt.count(r['completed'])} completed)"
            )
        if s["outcomes"]:
            lines.append(
                "  Outcomes: "
                + ", ".join(f"{r['outcome']} {fmt.count(r['count'])}" for r in s["outcomes"])
                + "."
            )
        for r in [{"kind": "all"} | s["engagement"]["overall"], *s["engagement"]["by_kind"]]:
            lines.append(
                f"  Engagement ({r['kind']}): {fmt.share(r['rate'])} engaged "
                f"({fmt.count(r['engaged'])} engaged, {fmt.count(r['partly'])} partly, "
                f"{fmt.count(r['not_engaged'])} not, {fmt.count(r['unknown'])} not known)."
            )
    return lines
