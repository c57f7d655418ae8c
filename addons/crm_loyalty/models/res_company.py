from odoo import api, fields, models
from odoo.exceptions import ValidationError

MAX_WINDOW_MONTHS = 120
MAX_GRACE_DAYS = 3650
WINDOW_TYPES = [
    ("rolling", "Rolling window"),
    ("calendar_year", "Calendar year"),
    ("anniversary", "Customer anniversary"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    loyalty_window_type = fields.Selection(
        WINDOW_TYPES,
        string="Loyalty Window",
        default="rolling",
        required=True,
        help="Which invoices count towards a customer's tier: those of the last "
        "months (rolling), those since 1 January (calendar year), or those since "
        "the last anniversary of the customer's first invoice.",
    )
    loyalty_window_months = fields.Integer(
        string="Loyalty Window (months)",
        default=12,
        help="Length of the rolling window, and how long a reached tier is kept "
        "before it is reviewed.",
    )
    loyalty_grace_days = fields.Integer(
        string="Loyalty Grace Period (days)",
        default=30,
        help="Days after the review date before a customer who no longer spends "
        "enough drops one tier.",
    )
    # written by the nightly recompute (crm.loyalty.engine._cron_recompute),
    # in SQL, so that they leave the company's write date alone
    loyalty_last_run = fields.Datetime(
        string="Last Tier Recompute",
        readonly=True,
        help="When the nightly job last brought every customer's tier up to "
        "date, reading the customers whose invoices or dates changed.",
    )
    loyalty_last_full_run = fields.Datetime(
        string="Last Full Tier Recompute",
        readonly=True,
        help="When the nightly job last read every customer's invoices.",
    )
    loyalty_notify_tier_change = fields.Boolean(
        string="E-mail Customers on Tier Changes",
        help="Send the upgrade and downgrade e-mail templates to the customer.",
    )

    @api.constrains("loyalty_window_months")
    def _check_loyalty_window_months(self):
        for company in self:
            months = company.loyalty_window_months
            if not 0 < months <= MAX_WINDOW_MONTHS:
                raise ValidationError(company._loyalty_window_error(months))

    @api.constrains("loyalty_grace_days")
    def _check_loyalty_grace_days(self):
        for company in self:
            if not 0 <= company.loyalty_grace_days <= MAX_GRACE_DAYS:
                raise ValidationError(company._loyalty_grace_error())

    def _loyalty_window_error(self, months):
        """Why ``months`` is no loyalty window for the company."""
        if months <= 0:
            return self.env._(
                "The loyalty window of %(company)s must be at least one month "
                "(it is %(months)s).",
                company=self.name,
                months=months,
            )
        return self.env._(
            "The loyalty window of %(company)s can be at most %(max)s months "
            "(it is %(months)s): enter a shorter window.",
            company=self.name,
            max=MAX_WINDOW_MONTHS,
            months=months,
        )

    def _loyalty_grace_error(self):
        """Why the company's grace period is refused."""
        if self.loyalty_grace_days < 0:
            return self.env._(
                "The loyalty grace period of %(company)s cannot be negative: "
                "enter 0 or more days.",
                company=self.name,
            )
        return self.env._(
            "The loyalty grace period of %(company)s can be at most %(max)s "
            "days: enter a shorter period.",
            company=self.name,
            max=MAX_GRACE_DAYS,
        )
