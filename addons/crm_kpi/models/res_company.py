from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.crm_suite_base.periods import add_months, month_start

MAX_KPI_MONTHS = 120


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_go_live_date = fields.Date(
        string="CRM Go-live Date",
        help="The day the CRM programme started: KPIs are compared before and "
        "after it.",
    )
    crm_kpi_window_months = fields.Integer(
        string="Customer Base Window (months)",
        default=12,
        help="A customer belongs to the customer base on a day when they have at "
        "least one invoice in the months before it.",
    )
    crm_kpi_baseline_months = fields.Integer(
        string="Baseline (months)",
        default=12,
        help="How many months before the go-live month form the baseline.",
    )
    crm_kpi_transition_months = fields.Integer(
        string="Transition (months)",
        default=3,
        help="How many months from the go-live month on are the transition, "
        "while staff learn the CRM: they are shown but left out of the "
        "before/after test. 0 for none.",
    )
    crm_kpi_equal_length = fields.Boolean(
        string="Equal-length Periods",
        default=True,
        help="Compare the baseline with as many of the most recent months after "
        "the transition, so that both means cover the same number of months.",
    )

    @api.constrains(
        "crm_kpi_window_months", "crm_kpi_baseline_months", "crm_kpi_transition_months"
    )
    def _check_crm_kpi_months(self):
        for company in self:
            if not 0 <= company.crm_kpi_transition_months <= MAX_KPI_MONTHS:
                raise ValidationError(
                    self.env._(
                        "The transition of %(company)s must be from 0 to %(max)s "
                        "months: enter 0 for no transition.",
                        company=company.name,
                        max=MAX_KPI_MONTHS,
                    )
                )
            if company.crm_kpi_window_months < 1 or company.crm_kpi_baseline_months < 1:
                raise ValidationError(
                    self.env._(
                        "The customer base window and the baseline of %(company)s "
                        "must each be at least one month.",
                        company=company.name,
                    )
                )
            if max(company.crm_kpi_window_months, company.crm_kpi_baseline_months) > (
                MAX_KPI_MONTHS
            ):
                raise ValidationError(
                    self.env._(
                        "The customer base window and the baseline of %(company)s "
                        "can each be at most %(max)s months: enter shorter periods.",
                        company=company.name,
                        max=MAX_KPI_MONTHS,
                    )
                )

    @api.constrains("crm_go_live_date")
    def _check_crm_go_live_date(self):
        today = fields.Date.context_today(self)
        for company in self:
            if company.crm_go_live_date and company.crm_go_live_date > today:
                raise ValidationError(
                    self.env._(
                        "The CRM go-live date of %(company)s (%(date)s) is in the "
                        "future: enter the day the CRM actually started.",
                        company=company.name,
                        date=company.crm_go_live_date,
                    )
                )

    def _crm_kpi_go_live_month(self):
        """First day of the go-live month; False without a go-live date (or
        a company)."""
        return self.crm_go_live_date and month_start(self.crm_go_live_date)

    def _crm_kpi_baseline_start(self):
        """First day of the first baseline month: the baseline is the
        ``crm_kpi_baseline_months`` months before the go-live month."""
        go_live = self._crm_kpi_go_live_month()
        return go_live and add_months(go_live, -self.crm_kpi_baseline_months)

    def _crm_kpi_after_start(self):
        """First day of the first month after the transition: the go-live
        month moved by ``crm_kpi_transition_months``."""
        go_live = self._crm_kpi_go_live_month()
        return go_live and add_months(go_live, self.crm_kpi_transition_months)

    def _crm_kpi_period(self, month):
        """Where ``month`` (a first day) stands against the go-live:
        "transition" in the ``crm_kpi_transition_months`` months from the
        go-live month on, "after" from then on, "baseline" in the baseline
        months before the go-live month, else (or without a go-live date)
        "other"."""
        go_live = self._crm_kpi_go_live_month()
        if not go_live or not month:
            return "other"
        if month >= self._crm_kpi_after_start():
            return "after"
        if month >= go_live:
            return "transition"
        if month >= self._crm_kpi_baseline_start():
            return "baseline"
        return "other"
