# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command

BILLING_GROUP = "crm_360.group_crm_360_billing"
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


def uninstall_hook(env):
    """The statement groups no longer see the 360 billing figures; the
    statements stay turned on, as partner_statement's own setting."""
    billing = env.ref(BILLING_GROUP, raise_if_not_found=False)
    if not billing:
        return
    for xmlid in STATEMENT_GROUPS:
        group = env.ref(xmlid, raise_if_not_found=False)
        if group:
            group.implied_ids = [Command.unlink(billing.id)]
