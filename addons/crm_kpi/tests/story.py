"""A seeded story of monthly KPI snapshots, drawn from a generative model
rather than posted invoice by invoice (quick enough for many seeds).

Month t (first days, from ``first``), calendar month c:

- season s = 1 + 0.15 sin(2π (c - 1) / 12);
- ramp r = 0 before go-live, (k + 1) / (T + 1) in the k-th of the T
  transition months, 1 after them; the CRM multiplies the purchase
  frequency by lift = 1 + effect × r;
- each KPI has its own noise u on the log scale, AR(1):
  u(t) = φ u(t-1) + ε, ε ~ N(0, σ²), started from its stationary law;
- customer base N ~ Poisson(1200); each customer buys a Poisson number of
  invoices of mean λ = 0.4 s lift e^u, so invoices I ~ Poisson(N λ) and
  active customers A ~ Binomial(N, 1 - e^-λ); new customers
  ~ Poisson(60 s); order value 150 e^u, revenue = I × order value;
- retained ~ Binomial(N, 1 - 0.04 e^u) (no effect), churn = 100 -
  retention; repeat purchase rate ~ Binomial(N, P(Poisson(1.6 lift e^u)
  ≥ 2)) / N; purchase frequency = 12 I / N (annualised); lifetime value =
  12 revenue / N × min(10, 1 / annual churn); claims ~ Poisson(0.02 A e^u)
  per 100 active customers; resolution days 6 e^u; DSO 40 e^u.

With effect 0 every series is stationary but for the season.
"""

import math

import numpy as np
from dateutil.relativedelta import relativedelta

PHI = 0.3
SIGMA = 0.05
BASE_CUSTOMERS = 1200


def ar1(rng, months, phi=None, sigma=SIGMA):
    """An AR(1) series of ``months`` values, from its stationary law."""
    phi = PHI if phi is None else phi
    noise = np.empty(months)
    noise[0] = rng.normal(0, sigma / math.sqrt(1 - phi**2))
    for t in range(1, months):
        noise[t] = phi * noise[t - 1] + rng.normal(0, sigma)
    return noise


def ramp(index, go_live_index, transition):
    """r of the model: 0 before go-live, rising over the transition, then 1."""
    if index < go_live_index:
        return 0.0
    if index < go_live_index + transition:
        return (index - go_live_index + 1) / (transition + 1)
    return 1.0


def story(seed, first, go_live_index, transition, months, effect=0.0):
    """({KPI code: [(month, value)]}, {month: active customers}) of the
    model above, for ``months`` months from ``first``, go-live in the
    month of index ``go_live_index``."""
    rng = np.random.default_rng(seed)
    noise = {name: np.exp(ar1(rng, months)) for name in "ivrpcds"}
    series, customers = {}, {}
    for t in range(months):
        month = first + relativedelta(months=t)
        season = 1 + 0.15 * math.sin(2 * math.pi * (month.month - 1) / 12)
        lift = 1 + effect * ramp(t, go_live_index, transition)
        values = month_values(rng, season, lift, {k: v[t] for k, v in noise.items()})
        customers[month] = values["active_customers"]
        for code, value in values.items():
            series.setdefault(code, []).append((month, value))
    return series, customers


def month_values(rng, season, lift, noise):
    """{KPI code: value} of one month of the model."""
    base = rng.poisson(BASE_CUSTOMERS)
    rate = 0.4 * season * lift * noise["i"]
    invoices = rng.poisson(base * rate)
    active = rng.binomial(base, 1 - math.exp(-rate))
    revenue = invoices * 150 * noise["v"]
    retention = 100 * rng.binomial(base, 1 - 0.04 * noise["r"]) / base
    repeat = 1.6 * lift * noise["p"]
    annual_churn = 12 * (100 - retention) / 100
    return {
        "active_customers": float(active),
        "new_customers": float(rng.poisson(60 * season)),
        "revenue": revenue,
        "average_order_value": revenue / invoices,
        "revenue_per_customer": revenue / active,
        "retention_rate": retention,
        "churn_rate": 100 - retention,
        "repeat_purchase_rate": 100
        * rng.binomial(base, 1 - math.exp(-repeat) * (1 + repeat))
        / base,
        "purchase_frequency": 12 * invoices / base,
        "customer_lifetime_value": 12
        * revenue
        / base
        * min(10, 1 / annual_churn if annual_churn else 10),
        "complaint_rate": 100 * rng.poisson(0.02 * active * noise["c"]) / active,
        "complaint_resolution_days": 6 * noise["d"],
        "days_sales_outstanding": 40 * noise["s"],
    }
