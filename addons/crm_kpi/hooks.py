def post_init_hook(env):
    """Backfill every month from the first invoice to the last closed month."""
    for company in env["res.company"].search([]):
        env["crm.kpi.snapshot"].with_company(company)._backfill()
