from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from odoo.addons.crm_suite_base.customer import (
    CUSTOMER_INVOICE,
    posted_customer_moves_domain,
)

from .. import locking
from ..rules import EPSILON, window_start
from .crm_loyalty_tier import MANAGER_GROUP

# The fields the engine keeps, read from the commercial partner's row of
# crm.loyalty.state in the current company: {field: column of the state}.
ENGINE_COLUMNS = {
    "loyalty_tier_id": "tier_id",
    "loyalty_earned_tier_id": "earned_tier_id",
    "loyalty_amount": "amount",
    "loyalty_review_date": "review_date",
    "loyalty_at_risk": "at_risk",
    "loyalty_previous_pricelist_id": "previous_pricelist_id",
}
ENGINE_FIELDS = list(ENGINE_COLUMNS)
# computed from ENGINE_FIELDS: invalidated with them when the engine writes
NEXT_FIELDS = [
    "loyalty_next_tier_id",
    "loyalty_amount_to_next",
    "loyalty_amount_to_keep",
    "loyalty_progress",
    "loyalty_keep_message",
]
# set while base's merge wizard copies the values of merged customers
MERGE_CONTEXT_KEY = "crm_loyalty_partner_merge"
OVERRIDE_FIELDS = [
    "loyalty_override_tier_id",
    "loyalty_override_until",
    "loyalty_override_reason",
]


def _loyalty_search_values(field, value):
    """(values, whether empty matches) of an ``in`` search on ``field``: the
    values as the state's column holds them (a boolean or a float is never
    empty there: False and 0.0)."""
    values = list(value)
    if field.type == "boolean":
        return [bool(v) for v in values], False
    if field.type == "float":
        return [float(v or 0.0) for v in values], False
    nullable = any(v is False or v is None for v in values)
    values = [v for v in values if v is not False and v is not None]
    if field.type == "many2one":
        values = [v.id if hasattr(v, "id") else v for v in values]
    if field.type == "date":
        values = [fields.Date.to_date(v) for v in values]
    return values, nullable


class ResPartner(models.Model):
    _inherit = "res.partner"

    loyalty_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        compute="_compute_loyalty_state",
        search="_search_loyalty_tier_id",
        help="The customer's tier in the current company: earned from spend, or "
        "raised by an override.",
    )
    loyalty_earned_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        string="Earned Tier",
        compute="_compute_loyalty_state",
        search="_search_loyalty_earned_tier_id",
        help="The tier the customer holds from spend alone, whatever the override.",
    )
    loyalty_amount = fields.Float(
        string="Qualifying Spend",
        compute="_compute_loyalty_state",
        search="_search_loyalty_amount",
        digits="Account",
        help="Posted invoices minus credit notes, untaxed, in the company's "
        "currency, of the customer and its contacts over the loyalty window.",
    )
    loyalty_currency_id = fields.Many2one(
        "res.currency", compute="_compute_loyalty_currency_id"
    )
    loyalty_review_date = fields.Date(
        string="Tier Review Date",
        compute="_compute_loyalty_state",
        search="_search_loyalty_review_date",
        help="When the tier is next reviewed: after this date and the grace "
        "period, a customer who no longer spends enough drops one tier.",
    )
    loyalty_at_risk = fields.Boolean(
        string="Tier at Risk",
        compute="_compute_loyalty_state",
        search="_search_loyalty_at_risk",
        help="The spend so far is below what the current tier needs.",
    )
    loyalty_next_tier_id = fields.Many2one(
        "crm.loyalty.tier", string="Next Tier", compute="_compute_loyalty_next"
    )
    loyalty_amount_to_next = fields.Float(
        string="Spend to Next Tier", compute="_compute_loyalty_next", digits="Account"
    )
    loyalty_amount_to_keep = fields.Float(
        string="Spend to Keep the Tier",
        compute="_compute_loyalty_next",
        digits="Account",
    )
    loyalty_progress = fields.Float(
        string="Progress to Next Tier", compute="_compute_loyalty_next"
    )
    loyalty_keep_message = fields.Char(
        string="To Keep the Tier", compute="_compute_loyalty_next"
    )
    loyalty_override_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        string="Override Tier",
        company_dependent=True,
        help="A floor: the customer is at least in this tier until the override ends.",
    )
    loyalty_override_until = fields.Date(
        string="Override Until",
        company_dependent=True,
        help="Last day of the override; empty for no end.",
    )
    loyalty_override_reason = fields.Char(
        string="Override Reason", company_dependent=True
    )
    loyalty_previous_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist Before Tier",
        compute="_compute_loyalty_state",
        search="_search_loyalty_previous_pricelist_id",
        help="The customer's own pricelist, given back when they leave a tier "
        "that has a pricelist.",
    )
    loyalty_history_ids = fields.One2many(
        "crm.loyalty.tier.history",
        "partner_id",
        string="Tier History",
        domain=lambda self: [("company_id", "=", self.env.company.id)],
    )

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_loyalty_state(self):
        """The state of each partner's commercial partner in the current
        company, for the whole recordset in one query: contacts show their
        company's tier."""
        commercial = {
            partner: partner.commercial_partner_id._origin.id for partner in self
        }
        rows = self._read_loyalty_states({pid for pid in commercial.values() if pid})
        Tier = self.env["crm.loyalty.tier"]
        Pricelist = self.env["product.pricelist"]
        empty = (None,) * len(ENGINE_COLUMNS)
        for partner in self:
            tier, earned, amount, review, at_risk, previous_pl = rows.get(
                commercial[partner], empty
            )
            partner.loyalty_tier_id = Tier.browse(tier)
            partner.loyalty_earned_tier_id = Tier.browse(earned)
            partner.loyalty_amount = amount or 0.0
            partner.loyalty_review_date = review
            partner.loyalty_at_risk = bool(at_risk)
            partner.loyalty_previous_pricelist_id = Pricelist.browse(previous_pl)

    def _read_loyalty_states(self, ids):
        """{commercial partner id: its state's ENGINE_COLUMNS} of the
        commercial partners ``ids`` with a state in the current company."""
        if not ids:
            return {}
        self.env["crm.loyalty.state"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT partner_id, %s FROM crm_loyalty_state "
                "WHERE company_id = %s AND partner_id = ANY(%s)",
                SQL(", ").join(map(SQL.identifier, ENGINE_COLUMNS.values())),
                self.env.company.id,
                sorted(ids),
            )
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    def _field_to_sql(self, alias, fname, query=None):
        """The loyalty fields in SQL, from the commercial partner's state in
        the current company: for grouping by tier, ordering and searching."""
        column = ENGINE_COLUMNS.get(fname)
        if column is None:
            return super()._field_to_sql(alias, fname, query)
        company = self.env.company.id
        if query is None:
            sql = SQL(
                "(SELECT s.%s FROM crm_loyalty_state s WHERE s.partner_id = %s "
                "AND s.company_id = %s)",
                SQL.identifier(column),
                SQL.identifier(alias, "commercial_partner_id"),
                company,
            )
        else:
            # at most one row per partner (unique per customer and company)
            state = query.make_alias(alias, "loyalty_state")
            query.add_join(
                "LEFT JOIN",
                state,
                "crm_loyalty_state",
                SQL(
                    "%s = %s AND %s = %s",
                    SQL.identifier(state, "partner_id"),
                    SQL.identifier(alias, "commercial_partner_id"),
                    SQL.identifier(state, "company_id"),
                    company,
                ),
            )
            sql = SQL.identifier(state, column)
        if fname == "loyalty_amount":
            return SQL("COALESCE(%s, 0)", sql)
        if fname == "loyalty_at_risk":
            return SQL("COALESCE(%s, FALSE)", sql)
        return sql

    def _search_loyalty_state(self, fname, operator, value):
        """Domain of the partners whose ``fname`` (a loyalty field kept by the
        engine) satisfies ``operator`` ``value``."""
        field = self._fields[fname]
        if field.type == "many2one" and operator in (
            "like",
            "ilike",
            "=like",
            "=ilike",
        ):
            # a tier's name, as typed in the search bar
            operator, value = "any", [("display_name", operator, value)]
        if field.type == "many2one" and operator in ("any", "not any"):
            return self._search_loyalty_any(field, operator, value)
        if operator in ("<", ">", "<=", ">=") and field.type in ("float", "date"):

            def to_sql(model, alias, query):
                return SQL(
                    "%s %s %s",
                    model._field_to_sql(alias, fname, query),
                    SQL(operator),
                    value,
                )

            return Domain.custom(to_sql=to_sql)
        if operator != "in":
            return NotImplemented
        return self._search_loyalty_in(field, value)

    def _search_loyalty_any(self, field, operator, value):
        """Domain of the partners whose ``field`` (a many2one kept by the
        engine) is (``any``) or is not (``not any``) a record of ``value``
        (a domain of its model)."""
        subquery = self.env[field.comodel_name]._search(value)

        def to_sql(model, alias, query):
            sql = model._field_to_sql(alias, field.name, query)
            if operator == "any":
                return SQL("%s IN %s", sql, subquery.subselect())
            return SQL("(%s IS NULL OR %s NOT IN %s)", sql, sql, subquery.subselect())

        return Domain.custom(to_sql=to_sql)

    def _search_loyalty_in(self, field, value):
        """Domain of the partners whose ``field`` (kept by the engine) is one
        of ``value`` (False or None: empty)."""
        values, nullable = _loyalty_search_values(field, value)

        def to_sql(model, alias, query):
            sql = model._field_to_sql(alias, field.name, query)
            conditions = []
            if values:
                conditions.append(SQL("%s = ANY(%s)", sql, values))
            if nullable:
                conditions.append(SQL("%s IS NULL", sql))
            if not conditions:
                return SQL("FALSE")
            return SQL("(%s)", SQL(" OR ").join(conditions))

        return Domain.custom(to_sql=to_sql)

    def _search_loyalty_tier_id(self, operator, value):
        return self._search_loyalty_state("loyalty_tier_id", operator, value)

    def _search_loyalty_earned_tier_id(self, operator, value):
        return self._search_loyalty_state("loyalty_earned_tier_id", operator, value)

    def _search_loyalty_amount(self, operator, value):
        return self._search_loyalty_state("loyalty_amount", operator, value)

    def _search_loyalty_review_date(self, operator, value):
        return self._search_loyalty_state("loyalty_review_date", operator, value)

    def _search_loyalty_at_risk(self, operator, value):
        return self._search_loyalty_state("loyalty_at_risk", operator, value)

    def _search_loyalty_previous_pricelist_id(self, operator, value):
        return self._search_loyalty_state(
            "loyalty_previous_pricelist_id", operator, value
        )

    @api.depends_context("company")
    def _compute_loyalty_currency_id(self):
        self.loyalty_currency_id = self.env.company.currency_id

    @api.depends("loyalty_tier_id", "loyalty_amount")
    @api.depends_context("company")
    def _compute_loyalty_next(self):
        tiers = self.env["crm.loyalty.tier"].search_fetch(
            [("company_id", "=", self.env.company.id)],
            ["name", "min_amount"],
            order="min_amount",
        )
        kept = self._loyalty_spend_kept()
        for partner in self:
            current = partner.loyalty_tier_id
            above = tiers.filtered(
                lambda t, c=current: t.min_amount > (c.min_amount if c else -1)
            )
            following = above[:1]
            partner.loyalty_next_tier_id = following
            amount = partner.loyalty_amount
            partner.loyalty_amount_to_next = (
                max(following.min_amount - amount, 0.0) if following else 0.0
            )
            commercial = partner.commercial_partner_id._origin.id
            partner.loyalty_amount_to_keep = (
                max(current.min_amount - kept.get(commercial, amount), 0.0)
                if current
                else 0.0
            )
            partner.loyalty_keep_message = partner._loyalty_keep_message(current)
            partner.loyalty_progress = (
                min(100.0, 100.0 * amount / following.min_amount)
                if following and following.min_amount
                else 100.0
            )

    def _loyalty_spend_kept(self):
        """{commercial partner id: the spend that will still count when its
        tier is decided (the review date plus the grace period)} of the
        partners whose tier is their own (not raised by an override) and has
        a review date: the invoices that leave the window before then no
        longer keep the tier."""
        company = self.env.company
        decisions = {}
        for partner in self:
            if (
                partner.loyalty_tier_id
                and partner.loyalty_tier_id == partner.loyalty_earned_tier_id
                and partner.loyalty_review_date
            ):
                decisions[partner.commercial_partner_id._origin.id] = (
                    partner.loyalty_review_date
                    + timedelta(days=max(company.loyalty_grace_days, 0))
                )
        kept = self.env["crm.loyalty.engine"]._read_spend_kept(
            company, fields.Date.context_today(self), decisions
        )
        return {pid: kept.get(pid, 0.0) for pid in decisions}

    def _loyalty_keep_message(self, tier):
        """What the customer must spend by its review date to keep ``tier``
        (False when what it has spent will still keep it)."""
        if not (
            self.loyalty_review_date
            and tier == self.loyalty_earned_tier_id
            and self.loyalty_amount_to_keep > EPSILON
        ):
            return False
        return self.env._(
            "Spend %(amount)s by %(date)s to keep the %(tier)s tier.",
            amount=self.env.company.currency_id.format(self.loyalty_amount_to_keep),
            date=format_date(self.env, self.loyalty_review_date),
            tier=tier.name,
        )

    def _loyalty_window_start(self, day):
        """First day of this customer's loyalty window in the current company
        on ``day`` (the anniversary window starts on the last anniversary of
        its first invoice; None without one)."""
        company = self.env.company
        start = window_start(
            company.loyalty_window_type, company.loyalty_window_months, day
        )
        if start or company.loyalty_window_type != "anniversary":
            return start
        first = (
            self.env["account.move"]
            .search(
                [
                    ("commercial_partner_id", "=", self.id),
                    ("company_id", "=", company.id),
                    ("move_type", "=", CUSTOMER_INVOICE),
                    ("state", "=", "posted"),
                    ("invoice_date", "<=", fields.Date.context_today(self)),
                ],
                order="invoice_date",
                limit=1,
            )
            .invoice_date
        )
        if not first:
            return None
        return first + relativedelta(years=relativedelta(day, first).years)

    def _loyalty_counted_moves(self):
        """The posted invoices and credit notes this customer's qualifying
        spend counts today in the current company, as the user may read them."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        start = self._loyalty_window_start(today)
        if not start:
            return self.env["account.move"]
        return self.env["account.move"].search(
            [
                *posted_customer_moves_domain(),
                ("commercial_partner_id", "=", self.id),
                ("company_id", "=", self.env.company.id),
                ("invoice_date", ">=", start),
                ("invoice_date", "<=", today),
            ],
            order="invoice_date desc, id desc",
        )

    def _loyalty_moves_leaving(self, moves):
        """Those of ``moves`` that leave the window before the customer's
        tier is decided (its review date plus the grace period): the spend
        they count no longer keeps the tier."""
        self.ensure_one()
        if not (
            self.loyalty_review_date
            and self.loyalty_tier_id
            and self.loyalty_tier_id == self.loyalty_earned_tier_id
        ):
            return moves.browse()
        decided = self.loyalty_review_date + timedelta(
            days=max(self.env.company.loyalty_grace_days, 0)
        )
        start = self._loyalty_window_start(decided)
        return moves.filtered(lambda move: start and move.invoice_date < start)

    @api.constrains(*OVERRIDE_FIELDS)
    def _check_loyalty_override(self):
        for partner in self:
            partner._check_override_values(
                partner.loyalty_override_tier_id,
                partner.loyalty_override_until,
                partner.loyalty_override_reason,
            )

    def _check_override_values(self, tier, until, reason):
        """Raise when an override names a tier the engine would ignore, lacks a
        reason or does not end on a date to come."""
        if not tier:
            return
        error = (
            self._override_tier_error(tier)
            or self._override_reason_error(tier, reason)
            or self._override_end_error(until)
        )
        if error:
            raise ValidationError(error)

    def _override_reason_error(self, tier, reason):
        if not (reason or "").strip():
            return self.env._(
                "Say why %(partner)s gets the %(tier)s tier: the override "
                "reason is required.",
                partner=self.display_name,
                tier=tier.name,
            )
        return None

    def _override_end_error(self, until):
        """Why ``until`` cannot end an override (None when it can: a day to
        come, or nothing for no end)."""
        try:
            until = fields.Date.to_date(until)
        except (TypeError, ValueError):
            return self.env._(
                "The override end %(value)s is not a date: choose a day in "
                "the calendar or leave it empty.",
                value=until,
            )
        if until and until < fields.Date.context_today(self):
            return self.env._(
                "The override of %(partner)s would end on %(date)s, which is "
                "in the past: choose a later date or leave it empty.",
                partner=self.display_name,
                date=until,
            )
        return None

    def _override_tier_error(self, tier):
        """Why the engine would ignore ``tier`` as an override in the current
        company (None when it would not)."""
        company = self.env.company
        if not tier.exists():
            return self.env._(
                "The override tier no longer exists: choose another tier."
            )
        if tier.company_id != company:
            return self.env._(
                "Tier %(tier)s belongs to %(other)s: choose a tier of "
                "%(company)s for the override.",
                tier=tier.name,
                other=tier.company_id.name,
                company=company.name,
            )
        if not tier.active:
            return self.env._(
                "Tier %(tier)s is archived: choose an active tier for the override.",
                tier=tier.name,
            )
        return None

    def _override_tier_of(self, vals):
        """The override tier of ``vals`` (one id or nothing) as a record."""
        value = vals["loyalty_override_tier_id"]
        if value and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationError(
                self.env._(
                    "Choose one tier for the override (got %(value)r).", value=value
                )
            )
        return self.env["crm.loyalty.tier"].browse(value or [])

    def write(self, vals):
        if self.env.context.get(MERGE_CONTEXT_KEY):
            # merging customers: the values Odoo copies from the merged
            # customers are not a user's override, and the engine recomputes
            # the tier from all the invoices
            vals = {
                key: value for key, value in vals.items() if key not in OVERRIDE_FIELDS
            }
        overriding = set(OVERRIDE_FIELDS) & set(vals)
        if overriding:  # check before anything is written
            self._check_override_write(vals)
        result = super().write(vals)
        if overriding:
            self.env["crm.loyalty.engine"].recompute_company(
                self.env.company,
                self.commercial_partner_id,
                writer=locking.CUSTOMER_EDIT,
            )
        return result

    def _check_override_write(self, vals):
        """Raise unless the user may write the override values ``vals`` and
        they make a valid override of each partner."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only Loyalty Managers can override a customer's tier.")
            )
        for partner in self:
            partner._check_override_values(
                self._override_tier_of(vals)
                if "loyalty_override_tier_id" in vals
                else partner.loyalty_override_tier_id,
                vals.get("loyalty_override_until", partner.loyalty_override_until),
                vals.get("loyalty_override_reason", partner.loyalty_override_reason),
            )

    def _increase_rank(self, field, n=1):
        """Count the rank of the customers whose records the posting locked
        in the posting's transaction (locking.py): accounting counts it after
        the commit, in a transaction that fails when a recompute is repricing
        the customer."""
        locked = locking.locked_by_posting(self.env)
        now = self.filtered(lambda partner: partner.commercial_partner_id.id in locked)
        for partner in now.sudo():
            partner[field] += n
        return super(ResPartner, self - now)._increase_rank(field, n)

    def action_loyalty_recompute(self):
        self.env["crm.loyalty.tier"]._check_manager()
        self.env["crm.loyalty.engine"].recompute_company(
            self.env.company, self.commercial_partner_id
        )
