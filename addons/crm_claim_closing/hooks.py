def post_init_hook(env):
    """Give claims that already sit in a closing stage a closing date.

    The real date is unknown for them; the last change of the claim is the
    closest record of it, and is what OCA's own reports show as "Update Date".
    """
    claims = (
        env["crm.claim"]
        .with_context(active_test=False)
        .search([("stage_id.is_closed", "=", True), ("date_closed", "=", False)])
    )
    for write_date, group in claims.grouped("write_date").items():
        group.write({"date_closed": write_date})
