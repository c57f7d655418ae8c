def post_init_hook(env):
    """Give claims that already sit in a closing stage a closing date.

    The real date is unknown for them; the last change of the claim is the
    closest record of it, and is what OCA's own reports show as "Update Date".
    A claim dated after its last change (crm_claim's demo data has some) is
    taken as closed on its own date, since no claim closes before its date.
    """
    claims = (
        env["crm.claim"]
        .with_context(active_test=False)
        .search([("stage_id.is_closed", "=", True), ("date_closed", "=", False)])
    )
    grouped = claims.grouped(
        lambda claim: max(claim.write_date, claim.date or claim.write_date)
    )
    for date_closed, group in grouped.items():
        group.write({"date_closed": date_closed})
