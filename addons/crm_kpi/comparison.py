"""The statistics of the go-live comparison and of the cohort table, in
plain Python (numpy, scipy, statsmodels).

A comparison has three periods of calendar months (:class:`Periods`): the
baseline before the go-live month, the transition (the go-live month and
the months after it while staff learn the CRM) and the after period. The
transition is shown but left out of every test. With equal lengths, the
after period is the most recent months, as many as the baseline has, so
that both means cover the same number of months (and, with a baseline of
12 months, each calendar month once).

The before/after test is the OLS regression of the monthly value on a
constant and an "after" dummy, with Newey-West (HAC, Bartlett kernel)
standard errors and Student's t inference, with ``hac_lags(n)`` lags: the
rule of thumb of Newey and West (1994), floor(4 (n / 100) ^ (2/9)). The
interrupted time series uses the same errors. The KPIs of one comparison
(one segment) are tested together: their p-values are adjusted by
Benjamini-Hochberg, and a change is significant when its adjusted
p-value is below 5%. Same-season differences pair each month after with
the baseline month of the same calendar month (paired t-test).
"""

import warnings
from dataclasses import dataclass

import numpy as np

from odoo.addons.crm_suite_base.periods import add_months, month_count, month_number

SIGNIFICANCE = 0.05
# fewer months than this on a side of the go-live: the comparison warns
MIN_SIDE_MONTHS = 6
# fewer customers than this in a month of a segment: the comparison warns
MIN_SEGMENT_CUSTOMERS = 30
# a warning lists at most this many months
LISTED_MONTHS = 3


@dataclass(frozen=True)
class Periods:
    """The calendar months (first days, oldest first) of each period of a
    comparison: ``baseline`` and ``after`` are those the means and the test
    cover (after the equal-length cut), ``transition`` those left out;
    ``its_baseline`` and ``its_after`` all the months of each side, for
    the interrupted time series."""

    baseline: tuple
    transition: tuple
    after: tuple
    its_baseline: tuple
    its_after: tuple


def months_from(first, last):
    """The first days of the months from ``first`` to ``last``."""
    return tuple(add_months(first, i) for i in range(month_count(first, last)))


def comparison_periods(start, go_live, after_start, last, equal_length):
    """The :class:`Periods` of a comparison: baseline from ``start`` to the
    month before ``go_live``, transition to the month before
    ``after_start``, after from there to ``last``. With ``equal_length``,
    the longer side is cut to the length of the other: the after period
    to its most recent months; the baseline to the months of the same
    calendar months as the after period (or, when it lacks one, to its
    most recent months)."""
    baseline = months_from(start, add_months(go_live, -1))
    transition = months_from(go_live, add_months(after_start, -1))
    after = months_from(after_start, last) if after_start <= last else ()
    its = (baseline, after)
    if equal_length and after:
        if len(after) > len(baseline):
            after = after[len(after) - len(baseline) :]
        elif len(after) < len(baseline):
            matches = [b for _a, b in season_pairs(after, baseline)]
            if None in matches:
                baseline = baseline[len(baseline) - len(after) :]
            else:
                baseline = tuple(sorted(matches))
    return Periods(baseline, transition, after, *its)


def season_pairs(after, baseline):
    """[(month after, baseline month or None)]: each month after with the
    closest earlier baseline month of the same calendar month not yet
    paired."""
    free = sorted(baseline, reverse=True)
    pairs = []
    for month in after:
        match = next((b for b in free if b.month == month.month), None)
        if match:
            free.remove(match)
        pairs.append((month, match))
    return pairs


def periods_around(series, go_live):
    """The :class:`Periods` of a whole ``series`` [(month, value)] split at
    ``go_live``, with no transition and no cut (for a series on its own)."""
    months = [month for month, _value in series]
    return comparison_periods(months[0], go_live, go_live, months[-1], False)


def hac_lags(n):
    """Lags of the Newey-West errors for ``n`` months: floor(4 (n/100)^(2/9))."""
    return int(4 * (n / 100) ** (2 / 9))


def hac_fit(values, exog):
    """(coefficients, p-values, 95% intervals) of statsmodels' OLS fit of
    ``values`` on ``exog`` with Newey-West errors (:func:`hac_lags` lags,
    Bartlett kernel, small-sample correction n / (n - k)) and t inference;
    a p-value that cannot be computed is NaN."""
    import statsmodels.api as sm

    with warnings.catch_warnings():
        # a series whose values are all equal is valid; numpy warns of a 0/0
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = sm.OLS(np.asarray(values, dtype=float), exog).fit(
            cov_type="HAC",
            cov_kwds={"maxlags": hac_lags(len(values)), "use_correction": True},
            use_t=True,
        )
        return fit.params, fit.pvalues, fit.conf_int(SIGNIFICANCE)


def _finite(value):
    return float(value) if np.isfinite(value) else None


def before_after_test(before, after):
    """{p_value, ci_low, ci_high, lags} of the change of the mean from
    ``before`` to ``after`` (values in time order): the OLS coefficient of
    an "after" dummy, with Newey-West errors."""
    dummy = np.r_[np.zeros(len(before)), np.ones(len(after))]
    _params, p_values, intervals = hac_fit(
        list(before) + list(after), np.column_stack([np.ones_like(dummy), dummy])
    )
    return {
        "p_value": _finite(p_values[1]),
        "ci_low": float(intervals[1][0]),
        "ci_high": float(intervals[1][1]),
        "lags": hac_lags(len(dummy)),
    }


def compare_series(series, periods, env, higher_is_better=True, customers=None):
    """The statistics of one KPI (see ``crm.kpi.snapshot.get_comparison``)
    for a ``series`` [(month, value)] of the months that have a value,
    the comparison's :class:`Periods`, whether the KPI is better higher,
    and ``customers`` {month: customers of the segment} for the warning of
    small segments (None: no such warning)."""
    values = dict(series)
    sides = {
        side: [values[m] for m in getattr(periods, side) if m in values]
        for side in ("baseline", "transition", "after")
    }
    result = {
        "baseline_months": len(sides["baseline"]),
        "transition_months": len(sides["transition"]),
        "after_months": len(sides["after"]),
        "months": {
            side: [m for m in getattr(periods, side) if m in values]
            for side in ("baseline", "transition", "after")
        },
        "higher_is_better": higher_is_better,
        **{f"{side}_mean": _mean(sides[side]) for side in sides},
        **_change(sides["baseline"], sides["after"], env),
        "warning": _warnings(periods, values, sides, customers, env),
        "same_season": _same_season(periods, values, env),
        "its": _interrupted_time_series(periods, values, env),
    }
    return with_verdict(result, result["p_value"])


def _mean(values):
    return float(np.mean(values)) if values else None


def _change(before, after, env):
    """The change of the mean and its test (None where there is none)."""
    change = {
        key: None
        for key in ("change", "change_pct", "ci_low", "ci_high", "p_value", "test")
    }
    if before and after:
        change["change"] = _mean(after) - _mean(before)
        if _mean(before):
            change["change_pct"] = change["change"] / abs(_mean(before)) * 100
    if len(before) >= 2 and len(after) >= 2 and np.var(before + after) > 0:
        test = before_after_test(before, after)
        lags = test.pop("lags")
        change.update(test, test=hac_test_name(lags, env))
    return change


def hac_test_name(lags, env):
    return env._("OLS with Newey-West SE (lags=%(lags)s)", lags=lags)


def with_verdict(result, p_value_adjusted):
    """``result`` with its adjusted p-value, whether its change is
    significant, and its verdict: "improved" or "worsened" (significant,
    in the KPI's better or worse direction) or "no_change"."""
    significant = p_value_adjusted is not None and p_value_adjusted < SIGNIFICANCE
    verdict = "no_change"
    if significant and result["change"]:
        better = (result["change"] > 0) == result["higher_is_better"]
        verdict = "improved" if better else "worsened"
    result.update(
        p_value_adjusted=p_value_adjusted, significant=significant, verdict=verdict
    )
    return result


def adjust_p_values(results):
    """Adjust the p-values of ``results`` {KPI code: result} (the KPIs of
    one comparison) by Benjamini-Hochberg, and set each verdict on the
    adjusted p-value."""
    from scipy import stats

    tested = [code for code, result in results.items() if result["p_value"] is not None]
    adjusted = dict.fromkeys(results)
    if tested:
        p_values = [results[code]["p_value"] for code in tested]
        adjusted |= dict(
            zip(tested, stats.false_discovery_control(p_values), strict=True)
        )
    for code, result in results.items():
        with_verdict(result, None if adjusted[code] is None else float(adjusted[code]))
    return results


def compare_kpis(series, periods, env, kpis, customers=None):
    """{KPI code: statistics} of the ``series`` {code: [(month, value)]} of
    the ``kpis`` {code: Kpi} of one segment, their p-values adjusted
    together (:func:`adjust_p_values`)."""
    return adjust_p_values(
        {
            code: compare_series(
                series.get(code, []), periods, env, kpi.higher_is_better, customers
            )
            for code, kpi in kpis.items()
        }
    )


def _warnings(periods, values, sides, customers, env):
    """The warnings of a comparison, in one text; False when there is none."""
    found = []
    before, after = len(sides["baseline"]), len(sides["after"])
    if before < MIN_SIDE_MONTHS or after < MIN_SIDE_MONTHS:
        found.append(
            env._(
                "Fewer than 6 months on one side (%(before)s before, %(after)s "
                "after): the comparison is not reliable.",
                before=before,
                after=after,
            )
        )
    months = periods.baseline + periods.transition + periods.after
    missing = [m for m in months if m not in values]
    if missing:
        found.append(
            env._(
                "No value in %(count)s month(s) (%(months)s).",
                count=len(missing),
                months=_month_list(missing),
            )
        )
    small = [
        m
        for m in months
        if customers is not None and customers.get(m, 0) < MIN_SEGMENT_CUSTOMERS
    ]
    if small:
        found.append(
            env._(
                "Fewer than 30 customers in %(count)s month(s) of this segment "
                "(%(months)s): a few customers move the figure.",
                count=len(small),
                months=_month_list(small),
            )
        )
    return " ".join(found) or False


def _month_list(months):
    listed = ", ".join(m.strftime("%Y-%m") for m in months[:LISTED_MONTHS])
    return listed + (", …" if len(months) > LISTED_MONTHS else "")


def _same_season(periods, values, env):
    """Each month after against the baseline month of the same calendar
    month (:func:`season_pairs`), so that the seasons cancel out."""
    pairs = [
        (values[a], values[b])
        for a, b in season_pairs(periods.after, periods.baseline)
        if b and a in values and b in values
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
        "test": None,
    }
    if len(pairs) >= 2 and len(set(differences)) > 1:
        after, before = zip(*pairs, strict=True)
        summary.update(
            _paired_t_test(list(after), list(before)), test=env._("Paired t-test")
        )
    return summary


def _paired_t_test(a, b):
    """{p_value, ci_low, ci_high} of the paired t-test of ``a`` against ``b``."""
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        test = stats.ttest_rel(a, b)
    interval = test.confidence_interval(1 - SIGNIFICANCE)
    # a difference that never varies has no p-value nor interval (NaN)
    return {
        "p_value": _finite(test.pvalue),
        "ci_low": _finite(interval.low),
        "ci_high": _finite(interval.high),
    }


def _interrupted_time_series(periods, values, env):
    """OLS with Newey-West errors: value ~ time + after + months since the
    after period began (+ an annual season, one sine and cosine, with 24
    months or more: month-of-year dummies would leave too few degrees of
    freedom for the Newey-West errors), on
    every baseline and after month (the transition left out); the level
    and slope changes with their 95% intervals."""
    months = [m for m in periods.its_baseline + periods.its_after if m in values]
    if not periods.its_after or len(months) < 8:
        return None
    if np.var([values[m] for m in months]) == 0:
        return None
    after_start = periods.its_after[0]
    if not any(m >= after_start for m in months) or months[0] >= after_start:
        return None
    seasonal = len(months) >= 24
    exog = np.array(_its_rows(months, after_start, seasonal))
    if exog.shape[0] <= exog.shape[1] or np.linalg.matrix_rank(exog) < exog.shape[1]:
        # too few months, or not enough after the go-live to fit a slope
        return None
    params, p_values, interval = hac_fit([values[m] for m in months], exog)
    return {
        "level_change": float(params[2]),
        "level_ci": [float(interval[2][0]), float(interval[2][1])],
        "level_p_value": _finite(p_values[2]),
        "slope_change": float(params[3]),
        "slope_ci": [float(interval[3][0]), float(interval[3][1])],
        "slope_p_value": _finite(p_values[3]),
        "seasonal": seasonal,
        "months": len(months),
        "test": hac_test_name(hac_lags(len(months)), env),
    }


def _its_rows(months, after_start, seasonal):
    """The rows of the interrupted time series' design matrix: constant,
    months since the first, after, months since the after period began
    (and the sine and cosine of the month of the year, an annual season,
    when ``seasonal``)."""
    first = month_number(months[0])
    rows = []
    for month in months:
        since = month_number(month) - month_number(after_start)
        row = [1.0, month_number(month) - first, float(since >= 0), max(since, 0)]
        if seasonal:
            angle = 2 * np.pi * (month.month - 1) / 12
            row += [np.sin(angle), np.cos(angle)]
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
