from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import CUSTOMER_INVOICE, CUSTOMER_MOVE_TYPES

MONTHS_PARAM = "crm_360_mass_mailing.suppression_months"
DEFAULT_MONTHS = 24


class MailingMailing(models.Model):
    """Offer suppression: a mailing to contacts names the products (or
    product categories) it promotes; the customers who bought any of them in
    the last months (the setting, 24 by default), and with the option their
    household, are left out of its recipients when it is sent."""

    _inherit = "mailing.mailing"

    crm_360_product_ids = fields.Many2many(
        "product.product",
        string="Promoted Products",
        help="Customers who bought any of these products recently are left out "
        "of the recipients.",
    )
    crm_360_categ_ids = fields.Many2many(
        "product.category",
        string="Promoted Categories",
        help="Customers who bought a product of these categories (or of their "
        "subcategories) recently are left out of the recipients.",
    )
    crm_360_suppress_household = fields.Boolean(
        string="Also Leave Out Their Household",
        help="Leave out, too, every member of the household of a customer who "
        "bought a promoted product.",
    )
    crm_360_suppressed_count = fields.Integer(
        string="Suppressed",
        compute="_compute_crm_360_suppressed_count",
        help="Recipients of the filter left out because they (or their "
        "household) bought a promoted product recently.",
    )
    crm_360_suppression_months = fields.Integer(
        string="Bought In The Last (Months)",
        compute="_compute_crm_360_suppression_months",
    )

    def _compute_crm_360_suppression_months(self):
        self.crm_360_suppression_months = self._crm_360_months()

    @api.depends(
        "mailing_domain",
        "mailing_model_id",
        "crm_360_product_ids",
        "crm_360_categ_ids",
        "crm_360_suppress_household",
    )
    def _compute_crm_360_suppressed_count(self):
        for mailing in self:
            domain = mailing._crm_360_suppressed_domain()
            mailing.crm_360_suppressed_count = (
                mailing.env["res.partner"].search_count(domain)
                if domain is not None
                else 0
            )

    def _get_recipients(self):
        return super(MailingMailing, self._crm_360_in_company())._get_recipients()

    def _action_send_mail(self, res_ids=None):
        for mailing in self:
            super(MailingMailing, mailing._crm_360_in_company())._action_send_mail(
                res_ids
            )
        return True

    def _get_recipients_domain(self):
        domain = super()._get_recipients_domain()
        buyers = self._crm_360_buyers_sql()
        if buyers is None:
            return domain
        return domain & Domain("commercial_partner_id", "not any!", buyers)

    def action_view_crm_360_suppressed(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Suppressed Recipients"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": self._crm_360_suppressed_domain() or [("id", "=", False)],
            "context": {"create": False},
        }

    def action_view_crm_360_responses(self):
        """The mailing's traces by the recipients' RFM segment at sending and
        by response (opened, replied, clicked, ordered within 30 days)."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "crm_360_mass_mailing.mailing_trace_crm_360_responses_action"
        )
        action["domain"] = [("mass_mailing_id", "=", self.id)]
        return action

    def _crm_360_suppressed_domain(self):
        """The contacts of the mailing's filter that the suppression leaves
        out (None when it does not apply)."""
        self.ensure_one()
        buyers = self._crm_360_buyers_sql()
        if buyers is None:
            return None
        recipients = Domain(self._parse_mailing_domain())
        return recipients & Domain("commercial_partner_id", "any!", buyers)

    def _crm_360_in_company(self):
        """The mailing in its responsible's company: the customers' value
        fields (segment, rank, churn risk...) a filter uses are those of the
        current company, and the mail queue runs as another user."""
        self.ensure_one()
        company = self.user_id.company_id
        if not company or company == self.env.company:
            return self
        if not (self.env.su or company in self.env.user.company_ids):
            return self
        return self.with_company(company)

    def _crm_360_months(self):
        value = (
            self.env["ir.config_parameter"].sudo().get_param(MONTHS_PARAM)
            or DEFAULT_MONTHS
        )
        return int(value)

    def _crm_360_buyers_sql(self):
        """SQL of the commercial partners who bought a promoted product in
        the window (posted customer invoices minus credit notes: a net
        quantity above zero) and, with the option, of the members of their
        households; None when the mailing does not target contacts or
        promotes nothing."""
        if self.mailing_model_real != "res.partner" or not (
            self.crm_360_product_ids or self.crm_360_categ_ids
        ):
            return None
        since = fields.Date.context_today(self) - relativedelta(
            months=self._crm_360_months()
        )
        categories = self.env["product.category"].search(
            [("id", "child_of", self.crm_360_categ_ids.ids)]
        )
        buyers = SQL(
            """
            SELECT m.commercial_partner_id
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
              JOIN product_product pp ON pp.id = l.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE m.state = 'posted' AND m.move_type IN %(types)s
               AND l.display_type = 'product' AND m.invoice_date >= %(since)s
               AND (l.product_id = ANY(%(products)s) OR pt.categ_id = ANY(%(categs)s))
          GROUP BY m.commercial_partner_id
            HAVING SUM(CASE WHEN m.move_type = %(invoice)s THEN l.quantity
                            ELSE -l.quantity END) > 0
            """,
            types=CUSTOMER_MOVE_TYPES,
            invoice=CUSTOMER_INVOICE,
            since=since,
            products=self.crm_360_product_ids.ids,
            categs=categories.ids,
        )
        if not self.crm_360_suppress_household:
            return buyers
        members = self.env["crm.customer.360.value"]._household_members_sql()
        return SQL(
            """
            WITH buyers AS (%(buyers)s), members AS (%(members)s)
            SELECT commercial_partner_id FROM buyers
             UNION
            SELECT other.partner_id
              FROM members mine
              JOIN buyers ON buyers.commercial_partner_id = mine.partner_id
              JOIN members other ON other.household_id = mine.household_id
            """,
            buyers=buyers,
            members=members,
        )
