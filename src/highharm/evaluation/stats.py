"""Statistics for the evaluation (pure: numpy, scipy, statsmodels, lifelines; no Django).

Every function returns plain dicts of numbers and words, ready for JSON, and
says what it could not do instead of failing: a report with too few people
should still render, with the reason the test was not run.

- `sign_test`: exact two-sided binomial test on the signs of the per-person
  changes; zero changes are counted and reported, and left out of the
  binomial count (the usual convention, stated in the output).
- `wilcoxon_signed_rank`: Pratt's zero handling (zeros ranked, then their
  ranks dropped) as the main result and Wilcoxon's (zeros dropped before
  ranking) alongside it, with the number of zeros; exact conditional p-values
  (ties and zeros allowed) up to 50 non-zero changes, the normal
  approximation (Cureton's zero correction, tie correction) above that.
- `bootstrap_indices`, `did_replicates`, `did_bootstrap`: the difference in
  differences with a percentile bootstrap interval, resampling people within
  each group, seeded and vectorised.
- `negative_binomial`: counts before and after in each group with exposure
  (log of days observed) and a period x group interaction, person-clustered
  standard errors.
- `kaplan_meier`: time to first re-offence after the index date, by cohort,
  censored at the end of follow-up or the as-of date; log-rank test.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import stats as st

EXACT_WILCOXON_MAX = 50


def _p(x):
    """A p-value to 4 significant figures (small p-values keep their precision)."""
    if x is None or math.isnan(float(x)):
        return None
    x = float(x)
    return 0.0 if x == 0 else float(f"{x:.4g}")


def _f(x, digits: int = 4):
    if x is None:
        return None
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return None
    return round(x, digits)


# --- sign test ---------------------------------------------------------------


def binomial_two_sided_p(k: int, n: int) -> float:
    """Exact two-sided p for k successes in n trials at p = 1/2 (doubling the smaller tail)."""
    if n == 0:
        return 1.0
    tail = min(k, n - k)
    return float(min(1.0, 2.0 * st.binom.cdf(tail, n, 0.5)))


def sign_test(differences) -> dict:
    """Signs of after - before: how many fell, rose, stayed the same, and the exact p-value."""
    d = np.asarray(differences, dtype=float)
    fell = int((d < 0).sum())
    rose = int((d > 0).sum())
    zeros = int((d == 0).sum())
    n = fell + rose
    result = {
        "n": int(d.size),
        "decreases": fell,
        "increases": rose,
        "zeros": zeros,
        "p_value": _p(binomial_two_sided_p(fell, n)) if n else None,
        "zero_handling": (
            f"{zeros} {'person' if zeros == 1 else 'people'} with no change {'is' if zeros == 1 else 'are'} reported and left out of the binomial count"
            if zeros
            else "no person had a zero change"
        ),
    }
    if n == 0:
        result["note"] = "every change is zero: the test cannot be run"
    return result


# --- Wilcoxon signed-rank ----------------------------------------------------


def _signed_rank_parts(d: np.ndarray, zero_method: str):
    """Ranks of |d| (average ranks for ties) for the non-zero differences, per zero method."""
    if zero_method == "wilcox":
        d = d[d != 0]
        ranks = st.rankdata(np.abs(d))
    elif zero_method == "pratt":
        ranks = st.rankdata(np.abs(d))
        keep = d != 0
        d, ranks = d[keep], ranks[keep]
    else:  # pragma: no cover - guarded by callers
        raise ValueError(zero_method)
    return d, ranks


def _exact_conditional_p(ranks: np.ndarray, r_plus: float) -> float:
    """Exact two-sided p of R+ under random signs, given these (possibly tied) ranks."""
    doubled = np.rint(ranks * 2).astype(np.int64)  # average ranks are multiples of 1/2
    total = int(doubled.sum())
    counts = np.zeros(total + 1, dtype=float)
    counts[0] = 1.0
    for r in doubled:  # at most EXACT_WILCOXON_MAX steps over an array of a few thousand
        shifted = np.zeros_like(counts)
        shifted[r:] = counts[: total + 1 - r]
        counts = counts + shifted
    probs = counts / counts.sum()
    observed = int(round(r_plus * 2))
    lower = probs[: observed + 1].sum()
    upper = probs[observed:].sum()
    return float(min(1.0, 2.0 * min(lower, upper)))


def _signed_rank(d: np.ndarray, zero_method: str) -> dict:
    n_zero = int((d == 0).sum())
    nonzero, ranks = _signed_rank_parts(d, zero_method)
    r_plus = float(ranks[nonzero > 0].sum())
    r_minus = float(ranks[nonzero < 0].sum())
    out = {"r_plus": _f(r_plus), "r_minus": _f(r_minus), "n_used": int(nonzero.size)}
    if nonzero.size == 0:
        out.update(z=None, p_value=None, method="not run: every change is zero")
        return out
    # Normal approximation (Cureton's correction for Pratt's zeros; tie correction).
    count = nonzero.size + (n_zero if zero_method == "pratt" else 0)
    mean = count * (count + 1) / 4.0
    var = count * (count + 1) * (2 * count + 1) / 24.0
    if zero_method == "pratt":
        mean -= n_zero * (n_zero + 1) / 4.0
        var -= n_zero * (n_zero + 1) * (2 * n_zero + 1) / 24.0
    _, tie_counts = np.unique(np.abs(nonzero), return_counts=True)
    var -= float((tie_counts**3 - tie_counts).sum()) / 48.0
    z = (r_plus - mean) / math.sqrt(var) if var > 0 else float("nan")
    if nonzero.size <= EXACT_WILCOXON_MAX:
        p = _exact_conditional_p(ranks, r_plus)
        method = "exact (all sign patterns, ties and zeros allowed)"
    else:
        p = float(2.0 * st.norm.sf(abs(z))) if not math.isnan(z) else float("nan")
        method = "normal approximation, no continuity correction"
    out.update(z=_f(z), p_value=_p(p), method=method)
    return out


def wilcoxon_signed_rank(differences) -> dict:
    """Wilcoxon signed-rank test of after - before, zeros handled two ways and counted."""
    d = np.asarray(differences, dtype=float)
    n_zero = int((d == 0).sum())
    return {
        "n": int(d.size),
        "zeros": n_zero,
        "pratt": _signed_rank(d, "pratt"),
        "wilcox": _signed_rank(d, "wilcox"),
        "zero_handling": (
            "Pratt (main result): zero changes are ranked with the rest, then their ranks are "
            "left out; Wilcoxon: zero changes are removed before ranking. "
            f"{n_zero} of {d.size} people had a zero change."
        ),
    }


# --- difference in differences -----------------------------------------------


def bootstrap_indices(n: int, replicates: int, rng: np.random.Generator, *, chunk: int = 250):
    """Yield blocks of resampling indices, shape (rows, n), `replicates` rows in all."""
    done = 0
    while done < replicates:
        rows = min(chunk, replicates - done)
        yield rng.integers(0, n, size=(rows, n), dtype=np.int32 if n < 2**31 else np.int64)
        done += rows


def did_replicates(changes_cohort, changes_comparison, idx_cohort, idx_comparison):
    """Bootstrap replicates of mean(cohort change) - mean(comparison change).

    changes_*: arrays (people,) or (people, measures); idx_*: (replicates, people).
    Returns (replicates,) or (replicates, measures).
    """
    return mean_replicates(changes_cohort, idx_cohort) - mean_replicates(
        changes_comparison, idx_comparison
    )


def mean_replicates(changes, idx):
    """Mean of each resample: (people,) -> (replicates,); (people, k) -> (replicates, k).

    Each measure is gathered from its own contiguous column: averaging a
    (replicates, people, k) block along the middle axis is several times slower.
    """
    values = np.asarray(changes, dtype=float)
    if values.ndim == 1:
        return values[idx].mean(axis=1)
    columns = [np.ascontiguousarray(values[:, j]) for j in range(values.shape[1])]
    return np.stack([column[idx].mean(axis=1) for column in columns], axis=1)


def percentile_interval(replicates, level: float = 0.95):
    alpha = (1 - level) / 2
    return np.quantile(np.asarray(replicates, dtype=float), [alpha, 1 - alpha], axis=0)


def did_bootstrap(
    changes_cohort,
    changes_comparison=None,
    *,
    replicates: int = 2000,
    seed: int = 20240601,
    level: float = 0.95,
) -> dict:
    """Naive mean change in the cohort and, with a comparison, the difference in differences.

    changes_*: (people, measures) arrays of after - before per person (measures
    are, for example, offences and harm). The same resampled people serve both
    measures and both estimates. Returns {"naive": {...}, "did": {...} or None},
    each with `estimate` and `ci` as lists over the measures.
    """
    a = np.atleast_2d(np.asarray(changes_cohort, dtype=float).T).T
    rng = np.random.default_rng(seed)
    result = {"replicates": replicates, "seed": seed, "level": level}
    if a.shape[0] == 0:
        return result | {"naive": None, "did": None}
    naive_reps, did_reps = [], []
    b = None
    if changes_comparison is not None and len(changes_comparison):
        b = np.atleast_2d(np.asarray(changes_comparison, dtype=float).T).T
    # Draw cohort then comparison indices chunk by chunk, from one seeded stream.
    gen_a = bootstrap_indices(a.shape[0], replicates, rng)
    gen_b = bootstrap_indices(b.shape[0], replicates, rng) if b is not None else None
    for idx_a in gen_a:
        m_a = mean_replicates(a, idx_a)
        naive_reps.append(m_a)
        if gen_b is not None:
            idx_b = next(gen_b)
            did_reps.append(m_a - mean_replicates(b, idx_b))
    naive = np.concatenate(naive_reps)
    result["naive"] = {
        "estimate": [float(x) for x in a.mean(axis=0)],
        "ci": percentile_interval(naive, level).T.tolist(),
    }
    if b is None:
        result["did"] = None
    else:
        did = np.concatenate(did_reps)
        result["did"] = {
            "estimate": [float(x) for x in a.mean(axis=0) - b.mean(axis=0)],
            "ci": percentile_interval(did, level).T.tolist(),
        }
    return result


# --- negative binomial model -------------------------------------------------


def negative_binomial(
    counts_before,
    counts_after,
    exposure_before,
    exposure_after,
    treated,
) -> dict:
    """Negative binomial regression of counts on period, group and period x group.

    One row per person and period, offset log(years observed). With a comparison
    group, exp(period x group) is the ratio by which the cohort's after/before
    rate ratio differs from the comparison's (the relative difference in
    differences); without one, exp(period) is the cohort's after/before rate
    ratio. Standard errors are clustered by person (each person gives two rows).
    Rows with no days observed are left out.
    """
    from statsmodels.discrete.discrete_model import NegativeBinomial, Poisson

    cb = np.asarray(counts_before, dtype=float)
    ca = np.asarray(counts_after, dtype=float)
    eb = np.asarray(exposure_before, dtype=float)
    ea = np.asarray(exposure_after, dtype=float)
    g = np.asarray(treated, dtype=float)
    n = cb.size
    person = np.concatenate([np.arange(n), np.arange(n)])
    y = np.concatenate([cb, ca])
    exposure = np.concatenate([eb, ea])
    period = np.concatenate([np.zeros(n), np.ones(n)])
    group = np.concatenate([g, g])
    two_groups = bool(g.min() != g.max()) if n else False
    keep = exposure > 0
    columns = ["constant", "after"]
    design = [np.ones_like(y), period]
    if two_groups:
        columns += ["cohort", "after_x_cohort"]
        design += [group, period * group]
    X = np.column_stack(design)[keep]
    y, exposure, person = y[keep], exposure[keep], person[keep]
    out = {
        "rows": int(y.size),
        "people": int(np.unique(person).size),
        "terms": columns,
        "effect_term": "after_x_cohort" if two_groups else "after",
    }
    if y.size < 2 * len(columns) + 2 or y.sum() == 0:
        out["note"] = "too few people or no offences: the model was not fitted"
        return out
    exposure = exposure / 365.25  # years: better conditioned than days
    fit, problem = None, ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            start = np.append(Poisson(y, X, exposure=exposure).fit(disp=0).params, 0.5)
        except Exception:  # noqa: BLE001 - fall back to the default start
            start = None
        for method in ("bfgs", "nm"):
            try:
                candidate = NegativeBinomial(y, X, exposure=exposure, loglike_method="nb2").fit(
                    disp=0,
                    method=method,
                    start_params=start,
                    maxiter=2000 if method == "nm" else 300,
                    cov_type="cluster",
                    cov_kwds={"groups": person},
                )
            except Exception as exc:  # noqa: BLE001 - report why, never crash the report
                problem = f"{type(exc).__name__}: {exc}"[:200]
                continue
            if np.all(np.isfinite(candidate.params)) and np.all(np.isfinite(candidate.bse)):
                fit = candidate
                break
            problem = "the estimates were not finite"
    if fit is None:
        out["note"] = f"the model could not be fitted ({problem})"
        return out
    params = np.asarray(fit.params)
    conf = np.asarray(fit.conf_int())
    pvalues = np.asarray(fit.pvalues)
    out.update(
        coefficients={
            name: {
                "estimate": _f(params[i]),
                "rate_ratio": _f(math.exp(params[i]) if abs(params[i]) < 700 else float("nan")),
                "ci": [_f(math.exp(conf[i][0])), _f(math.exp(conf[i][1]))]
                if np.all(np.abs(conf[i]) < 700)
                else [None, None],
                "p_value": _p(pvalues[i]),
            }
            for i, name in enumerate(columns)
        },
        alpha=_f(params[-1]),
        converged=bool(fit.mle_retvals.get("converged", True)),
    )
    out["rate_ratio"] = out["coefficients"][out["effect_term"]]["rate_ratio"]
    out["ci"] = out["coefficients"][out["effect_term"]]["ci"]
    out["p_value"] = out["coefficients"][out["effect_term"]]["p_value"]
    if not out["converged"]:
        out["note"] = "the fit did not converge: treat the figures with caution"
    return out


# --- Kaplan-Meier ------------------------------------------------------------


def kaplan_meier(durations, events, labels, *, horizon: int) -> dict:
    """Kaplan-Meier survival (no re-offence) by cohort, with a log-rank test between two.

    durations: days from index to the first offence (event) or to the end of
    observation (censored). Returns, per label, the curve as step points, the
    share still free of offending at `horizon` days, and the median time.
    """
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import logrank_test

    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=bool)
    labels = np.asarray(labels)
    curves = {}
    for label in list(dict.fromkeys(labels.tolist())):
        mask = labels == label
        if not mask.any():
            continue
        km = KaplanMeierFitter().fit(durations[mask], events[mask], label=str(label))
        sf = km.survival_function_
        times = sf.index.to_numpy(dtype=float)
        surv = sf.iloc[:, 0].to_numpy(dtype=float)
        at_horizon = float(km.predict(min(float(horizon), float(durations[mask].max()))))
        median = km.median_survival_time_
        curves[str(label)] = {
            "n": int(mask.sum()),
            "events": int(events[mask].sum()),
            "censored": int((~events[mask]).sum()),
            "times": [float(t) for t in times],
            "survival": [round(float(s), 6) for s in surv],
            "free_at_horizon": _f(at_horizon),
            "observed_to_horizon": bool(durations[mask].max() >= horizon),
            "median_days": None if not np.isfinite(median) else float(median),
        }
    out = {"horizon_days": horizon, "curves": curves}
    names = list(curves)
    if len(names) == 2:
        m0, m1 = labels == names[0], labels == names[1]
        res = logrank_test(durations[m0], durations[m1], events[m0], events[m1])
        out["logrank_p"] = _p(res.p_value)
    return out
