from odoo import Command, api, fields, models

from ..catalogue import KPIS, SEGMENT_TYPES

COHORT_HORIZON = 12
COHORT_ROWS = 18


class CrmKpiComparison(models.TransientModel):
    _name = "crm.kpi.comparison"
    _description = "KPI Before/After Comparison"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    go_live_date = fields.Date(related="company_id.crm_go_live_date")
    segment_type = fields.Selection(SEGMENT_TYPES, required=True, default="all")
    segment_value = fields.Char(default="all")
    line_ids = fields.One2many(
        "crm.kpi.comparison.line",
        "comparison_id",
        readonly=True,
        default=lambda self: [Command.create({"kpi_code": code}) for code in KPIS],
        help="One line per KPI; its figures follow the segment.",
    )
    cohort_line_ids = fields.One2many(
        "crm.kpi.cohort.line",
        "comparison_id",
        string="Cohort Retention",
        readonly=True,
        default=lambda self: self._default_cohort_lines(),
    )

    def _compute_display_name(self):
        for wizard in self:
            wizard.display_name = self.env._("Before / After Go-live")

    @api.onchange("segment_type", "segment_value")
    def _onchange_segment_cohorts(self):
        """The cohort table follows the segment (empty while the segment's
        key is not yet an id)."""
        segment = self.segment_value or ""
        lines = []
        if self.segment_type == "all":
            lines = self._default_cohort_lines()
        elif segment.isdigit() or not segment:
            lines = self._default_cohort_lines(self.segment_type, segment)
        self.cohort_line_ids = [Command.clear()] + lines

    def _default_cohort_lines(self, segment_type="all", segment_value="all"):
        """The averages of the cohorts of a segment before and after go-live
        (and their customers), then the last cohorts of each side."""
        table = self.env["crm.kpi.snapshot"].get_cohort_table(
            COHORT_HORIZON, segment_type, segment_value
        )
        rows = [
            self._average_row(table, "before", self.env._("Average before go-live")),
            self._average_row(table, "after", self.env._("Average after go-live")),
        ]
        for side in ("before", "after"):
            rows += [
                self._cohort_row(cohort, side) for cohort in table[side][-COHORT_ROWS:]
            ]
        return [
            Command.create(dict(row, sequence=index)) for index, row in enumerate(rows)
        ]

    def _average_row(self, table, side, name):
        return {
            "name": name,
            "side": side,
            "size": sum(cohort["size"] for cohort in table[side]),
            **self.env["crm.kpi.cohort.line"]._shares(table[side + "_average"]),
        }

    def _cohort_row(self, cohort, side):
        return {
            "name": cohort["cohort"].strftime("%Y-%m"),
            "cohort": cohort["cohort"],
            "side": side,
            "size": cohort["size"],
            **self.env["crm.kpi.cohort.line"]._shares(cohort["shares"]),
        }

    @api.model
    def action_open(self):
        """The comparison screen of the current company. The comparison is
        saved before it shows, so that each of its lines can be clicked to
        open the months behind its figures."""
        self.env["crm.kpi.snapshot"]._comparison_months()  # needs a go-live date
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_kpi.crm_kpi_comparison_action"
        )
        action["res_id"] = self.create({}).id
        return action
