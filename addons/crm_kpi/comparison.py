"""The statistics of the before/after go-live comparison and of the cohort
table, in plain Python: Welch's t-test of the means, a same-season paired
comparison, an interrupted time series (scipy, statsmodels), and the
cohort shares and their averages."""

import warnings

import numpy as np

from odoo.addons.crm_suite_base.periods import add_months, month_count, month_number

# fewer months than this on a side of the go-live: the comparison warns
MIN_SIDE_MONTHS = 6


def compare_series(series, go_live, env):
    """The statistics of ``crm.kpi.snapshot.get_comparison`` for a series
    [(month, value)] and a go-live month."""
    import statsmodels.api as sm

    before = [value for month, value in series if month < go_live]
    after = [value for month, value in series if month >= go_live]
    result = {
        "baseline_months": len(before),
        "after_months": len(after),
        "baseline_mean": float(np.mean(before)) if before else None,
        "after_mean": float(np.mean(after)) if after else None,
        "change": None,
        "change_pct": None,
        "ci_low": None,
        "ci_high": None,
        "p_value": None,
        "warning": _warning(len(before), len(after), env),
        "same_season": None,
        "its": None,
    }
    if before and after:
        result["change"] = result["after_mean"] - result["baseline_mean"]
        if result["baseline_mean"]:
            result["change_pct"] = result["change"] / abs(result["baseline_mean"]) * 100
    if len(before) >= 2 and len(after) >= 2 and np.var(before + after) > 0:
        result.update(_t_test(after, before, paired=False))
    result["same_season"] = _same_season(series, go_live)
    result["its"] = _interrupted_time_series(series, go_live, sm, np)
    return result


def _warning(before, after, env):
    """The warning of a comparison of ``before`` and ``after`` months;
    False when both sides are long enough."""
    if before >= MIN_SIDE_MONTHS and after >= MIN_SIDE_MONTHS:
        return False
    return env._(
        "Fewer than 6 months on one side (%(before)s before, %(after)s after): "
        "the comparison is not reliable.",
        before=before,
        after=after,
    )


def _t_test(a, b, paired):
    """{p_value, ci_low, ci_high} of the t-test of ``a`` against ``b``:
    paired, or Welch's (unequal variances)."""
    from scipy import stats

    # a side whose values are all equal (e.g. no complaint at all) is
    # valid for the test; scipy only warns about its precision
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if paired:
            test = stats.ttest_rel(a, b)
        else:
            test = stats.ttest_ind(a, b, equal_var=False)
    interval = test.confidence_interval(0.95)
    return {
        "p_value": float(test.pvalue),
        "ci_low": float(interval.low),
        "ci_high": float(interval.high),
    }


def _same_season(series, go_live):
    """Each month after go-live against the same calendar month a year
    before, when that month was before go-live (so the seasons cancel out)."""
    values = dict(series)
    pairs = [
        (value, values[add_months(month, -12)])
        for month, value in series
        if month >= go_live
        and add_months(month, -12) < go_live
        and add_months(month, -12) in values
    ]
    if not pairs:
        return None
    differences = [a - b for a, b in pairs]
    summary = {
        "pairs": len(pairs),
        "mean_difference": sum(differences) / len(differences),
        "p_value": None,
        "ci_low": None,
        "ci_high": None,
    }
    if len(pairs) >= 2 and len(set(differences)) > 1:
        after, before = zip(*pairs, strict=True)
        summary.update(_t_test(list(after), list(before), paired=True))
    return summary


def _interrupted_time_series(series, go_live, sm, np):
    """OLS: value ~ time + after + time since go-live (+ month-of-year terms
    with 24 months or more); the level and slope changes with their 95%
    intervals."""
    if len(series) < 8 or not any(m >= go_live for m, _v in series):
        return None
    if not any(m < go_live for m, _v in series):
        return None
    seasonal = len(series) >= 24
    exog = np.array(_its_rows(series, go_live, seasonal))
    exog = exog[:, np.any(exog != 0, axis=0)]  # drop month terms never seen
    if exog.shape[0] <= exog.shape[1]:
        return None
    fit = sm.OLS(np.array([value for _m, value in series]), exog).fit()
    interval = fit.conf_int(0.05)
    return {
        "level_change": float(fit.params[2]),
        "level_ci": [float(interval[2][0]), float(interval[2][1])],
        "level_p_value": float(fit.pvalues[2]),
        "slope_change": float(fit.params[3]),
        "slope_ci": [float(interval[3][0]), float(interval[3][1])],
        "slope_p_value": float(fit.pvalues[3]),
        "seasonal": seasonal,
        "months": len(series),
    }


def _its_rows(series, go_live, seasonal):
    """The rows of the interrupted time series' design matrix: constant,
    months since the first, after go-live, months since go-live (and a
    term per month of the year but January when ``seasonal``)."""
    first = month_number(series[0][0])
    rows = []
    for month, _value in series:
        t = month_number(month) - first
        since = month_number(month) - month_number(go_live)
        row = [1.0, t, 1.0 if since >= 0 else 0.0, max(since, 0)]
        if seasonal:
            row += [1.0 if month.month == m else 0.0 for m in range(2, 13)]
        rows.append(row)
    return rows


def cohort_table(counts, last, go_live, horizon):
    """The cohort table of ``crm.kpi.snapshot.get_cohort_table`` from
    ``counts`` {cohort month: {k: customers who bought k months after}},
    up to the month ``last``; cohorts from the go-live month on are
    "after" (all are "before" without a go-live month)."""
    table = {"before": [], "after": []}
    for cohort in sorted(counts):
        size = counts[cohort].get(0, 0)
        observed = month_count(cohort, last) - 1
        shares = [
            round(100.0 * counts[cohort].get(k, 0) / size, 1)
            if size and k <= observed
            else None
            for k in range(1, horizon + 1)
        ]
        side = "after" if go_live and cohort >= go_live else "before"
        table[side].append({"cohort": cohort, "size": size, "shares": shares})
    for side in ("before", "after"):
        table[side + "_average"] = cohort_average(table[side], horizon)
    return table


def cohort_average(rows, horizon):
    """The size-weighted share of ``rows`` for each k (None when no cohort
    has been observed that long)."""
    average = []
    for k in range(horizon):
        seen = [(r["size"], r["shares"][k]) for r in rows if r["shares"][k] is not None]
        weight = sum(size for size, _share in seen)
        average.append(
            round(sum(size * share for size, share in seen) / weight, 1)
            if weight
            else None
        )
    return average
