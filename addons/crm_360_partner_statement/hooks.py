# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

STATEMENT_GROUPS = (
    "partner_statement.group_outstanding_statement",
    "partner_statement.group_activity_statement",
)


def post_init_hook(env):
    """Turn on the outstanding and activity statements for invoicing users,
    as ticking them in the Invoicing settings does; an administrator may turn
    them off there afterwards, and a later update does not turn them back on.
    """
    invoicing = env.ref("account.group_account_invoice")
    for xmlid in STATEMENT_GROUPS:
        invoicing._apply_group(env.ref(xmlid))
