def post_init_hook(env):
    """Keep the figures per customer and month of the posted moves, then
    backfill every month from the first invoice to the last closed month."""
    env["crm.kpi.customer.month"]._rebuild()
    for company in env["res.company"].search([]):
        env["crm.kpi.snapshot"].with_company(company)._backfill()
