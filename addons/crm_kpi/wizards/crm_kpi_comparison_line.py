from odoo import api, fields, models

from ..catalogue import FORMULA_VERSION, KPIS, kpi_selection

STATISTICS = (
    "baseline_months",
    "transition_months",
    "after_months",
    "baseline_mean",
    "transition_mean",
    "after_mean",
    "change",
    "change_pct",
    "ci_low",
    "ci_high",
    "p_value",
    "p_value_adjusted",
    "test",
    "significant",
    "verdict",
    "has_test",
    "warning",
    "same_season_difference",
    "its_level_change",
    "its_slope_change",
    "its_level_p_value",
    "its_level_ci_low",
    "its_level_ci_high",
    "its_slope_p_value",
    "its_slope_ci_low",
    "its_slope_ci_high",
    "same_season_p_value",
    "has_change",
    "has_change_pct",
    "has_same_season",
    "has_same_season_test",
    "has_its",
)


class CrmKpiComparisonLine(models.TransientModel):
    """One KPI of a comparison. The line itself is saved (so that its
    buttons can open the months behind it); its figures are computed from
    the snapshots, for the comparison's company and segment."""

    _name = "crm.kpi.comparison.line"
    _description = "KPI Before/After Comparison Line"
    _order = "id"

    comparison_id = fields.Many2one(
        "crm.kpi.comparison", required=True, ondelete="cascade"
    )
    kpi_code = fields.Selection(kpi_selection(), string="KPI", required=True)
    formula = fields.Char(compute="_compute_formula")
    baseline_months = fields.Integer(
        string="Months Before", compute="_compute_statistics"
    )
    transition_months = fields.Integer(
        string="Months in Transition", compute="_compute_statistics"
    )
    after_months = fields.Integer(string="Months After", compute="_compute_statistics")
    baseline_mean = fields.Float(digits=(16, 2), compute="_compute_statistics")
    transition_mean = fields.Float(
        digits=(16, 2),
        compute="_compute_statistics",
        help="Mean of the transition months, left out of the tests.",
    )
    after_mean = fields.Float(digits=(16, 2), compute="_compute_statistics")
    change = fields.Float(digits=(16, 2), compute="_compute_statistics")
    change_pct = fields.Float(
        string="Change (%)", digits=(16, 1), compute="_compute_statistics"
    )
    ci_low = fields.Float(
        string="95% CI Low", digits=(16, 2), compute="_compute_statistics"
    )
    ci_high = fields.Float(
        string="95% CI High", digits=(16, 2), compute="_compute_statistics"
    )
    p_value = fields.Float(
        string="p-value", digits=(16, 4), compute="_compute_statistics"
    )
    p_value_adjusted = fields.Float(
        string="Adjusted p-value",
        digits=(16, 4),
        compute="_compute_statistics",
        help="Benjamini-Hochberg adjusted across the KPIs of the segment: the "
        "change is significant below 0.05.",
    )
    test = fields.Char(
        compute="_compute_statistics", help="The test the p-values come from."
    )
    has_test = fields.Boolean(compute="_compute_statistics")
    significant = fields.Boolean(compute="_compute_statistics")
    verdict = fields.Selection(
        [
            ("improved", "Improved"),
            ("worsened", "Worsened"),
            ("no_change", "No significant change"),
        ],
        compute="_compute_statistics",
        help="A significant change in the KPI's better direction is an "
        "improvement, in its worse direction a worsening.",
    )
    warning = fields.Char(compute="_compute_statistics")
    same_season_difference = fields.Float(
        digits=(16, 2),
        compute="_compute_statistics",
        help="Mean difference between each month after and the baseline month "
        "of the same calendar month.",
    )
    its_level_change = fields.Float(
        string="Level Change (ITS)",
        digits=(16, 2),
        compute="_compute_statistics",
        help="Jump at the end of the transition estimated by the interrupted "
        "time series (the transition left out).",
    )
    its_slope_change = fields.Float(
        string="Slope Change (ITS)",
        digits=(16, 3),
        compute="_compute_statistics",
        help="Change of the monthly trend after the transition.",
    )
    its_level_p_value = fields.Float(
        string="Level p-value (ITS)",
        digits=(16, 4),
        compute="_compute_statistics",
        help="From the OLS of the interrupted time series with Newey-West "
        "standard errors, floor(4 (n/100)^(2/9)) lags for its n months.",
    )
    its_level_ci_low = fields.Float(
        string="Level 95% CI Low (ITS)", digits=(16, 2), compute="_compute_statistics"
    )
    its_level_ci_high = fields.Float(
        string="Level 95% CI High (ITS)",
        digits=(16, 2),
        compute="_compute_statistics",
    )
    its_slope_p_value = fields.Float(
        string="Slope p-value (ITS)",
        digits=(16, 4),
        compute="_compute_statistics",
        help="From the OLS of the interrupted time series with Newey-West "
        "standard errors, floor(4 (n/100)^(2/9)) lags for its n months.",
    )
    its_slope_ci_low = fields.Float(
        string="Slope 95% CI Low (ITS)", digits=(16, 3), compute="_compute_statistics"
    )
    its_slope_ci_high = fields.Float(
        string="Slope 95% CI High (ITS)",
        digits=(16, 3),
        compute="_compute_statistics",
    )
    same_season_p_value = fields.Float(
        string="Same-season p-value",
        digits=(16, 4),
        compute="_compute_statistics",
        help="Paired t-test of each month after against the baseline month of "
        "the same calendar month.",
    )
    has_change = fields.Boolean(compute="_compute_statistics")
    has_change_pct = fields.Boolean(
        string="Has Change (%)", compute="_compute_statistics"
    )
    has_same_season = fields.Boolean(compute="_compute_statistics")
    has_same_season_test = fields.Boolean(compute="_compute_statistics")
    has_its = fields.Boolean(string="Has ITS", compute="_compute_statistics")

    @api.depends(
        "kpi_code",
        "comparison_id.company_id",
        "comparison_id.segment_type",
        "comparison_id.segment_value",
    )
    def _compute_statistics(self):
        Snapshot = self.env["crm.kpi.snapshot"]
        # the KPIs of a segment are compared together (adjusted p-values)
        segments = {}
        for line in self:
            comparison = line.comparison_id
            if not line.kpi_code or not comparison.company_id:
                line.update(dict.fromkeys(STATISTICS, False))
                continue
            key = (
                comparison.company_id,
                comparison.segment_type,
                comparison.segment_value or "all",
            )
            if key not in segments:
                segments[key] = Snapshot.with_company(key[0]).get_comparisons(*key[1:])
            data = segments[key][line.kpi_code]
            line.update(
                {
                    **line._mean_statistics(data),
                    **line._same_season_statistics(data["same_season"] or {}),
                    **line._its_statistics(data["its"] or {}),
                }
            )

    @staticmethod
    def _mean_statistics(data):
        """The fields of the comparison of the means."""
        return {
            "has_change": data["change"] is not None,
            "has_change_pct": data["change_pct"] is not None,
            **{
                f"{side}_{key}": data[f"{side}_{key}"] or 0
                for side in ("baseline", "transition", "after")
                for key in ("months", "mean")
            },
            "change": data["change"] or 0.0,
            "change_pct": data["change_pct"] or 0.0,
            "ci_low": data["ci_low"] or 0.0,
            "ci_high": data["ci_high"] or 0.0,
            "p_value": data["p_value"] if data["p_value"] is not None else 1.0,
            "p_value_adjusted": data["p_value_adjusted"]
            if data["p_value_adjusted"] is not None
            else 1.0,
            "test": data["test"] or False,
            "significant": data["significant"],
            "verdict": data["verdict"],
            "has_test": data["p_value"] is not None,
            "warning": data["warning"] or False,
        }

    @staticmethod
    def _same_season_statistics(season):
        return {
            "has_same_season": bool(season),
            "has_same_season_test": season.get("p_value") is not None,
            "same_season_p_value": season.get("p_value") or 0.0,
            "same_season_difference": season.get("mean_difference") or 0.0,
        }

    @staticmethod
    def _its_statistics(its):
        """The fields of the interrupted time series."""
        level_ci = its.get("level_ci") or (0.0, 0.0)
        slope_ci = its.get("slope_ci") or (0.0, 0.0)
        return {
            "has_its": bool(its),
            "its_level_change": its.get("level_change") or 0.0,
            "its_level_p_value": its.get("level_p_value") or 0.0,
            "its_level_ci_low": level_ci[0],
            "its_level_ci_high": level_ci[1],
            "its_slope_change": its.get("slope_change") or 0.0,
            "its_slope_p_value": its.get("slope_p_value") or 0.0,
            "its_slope_ci_low": slope_ci[0],
            "its_slope_ci_high": slope_ci[1],
        }

    @api.depends("kpi_code")
    def _compute_formula(self):
        for line in self:
            line.formula = str(KPIS[line.kpi_code].help) if line.kpi_code else ""

    def action_open_baseline(self):
        """The baseline months: the snapshots behind the baseline mean."""
        return self._open_snapshots("baseline")

    def action_open_after(self):
        """The months after go-live: the snapshots behind the after mean."""
        return self._open_snapshots("after")

    def action_open_trend(self):
        """The trend chart of the line's KPI, for the comparison's segment:
        every month as one line, the go-live and the transition marked, the
        baseline and after means drawn over their months."""
        self.ensure_one()
        kpi = dict(self._fields["kpi_code"]._description_selection(self.env))[
            self.kpi_code
        ]
        comparison = self.comparison_id
        return {
            "type": "ir.actions.client",
            "tag": "crm_kpi_trend",
            "name": self._side_title("both", kpi),
            "params": {
                "kpi_code": self.kpi_code,
                "segment_type": comparison.segment_type,
                "segment_value": comparison.segment_value or "all",
            },
        }

    def _open_snapshots(self, side):
        self.ensure_one()
        kpi = dict(self._fields["kpi_code"]._description_selection(self.env))[
            self.kpi_code
        ]
        return {
            "type": "ir.actions.act_window",
            "name": self._side_title(side, kpi),
            "res_model": "crm.kpi.snapshot",
            "views": [
                (self.env.ref("crm_kpi.crm_kpi_snapshot_view_list").id, "list"),
                (self.env.ref("crm_kpi.crm_kpi_snapshot_view_graph").id, "graph"),
            ],
            "domain": self._snapshot_domain(self._months(side)),
            "context": {"graph_mode": "bar"},
        }

    def _side_title(self, side, kpi):
        if side == "baseline":
            return self.env._("%(kpi)s: months before go-live", kpi=kpi)
        if side == "after":
            return self.env._("%(kpi)s: months after go-live", kpi=kpi)
        return self.env._("%(kpi)s: before and after go-live", kpi=kpi)

    def _months(self, side):
        """The months the mean of ``side`` averages: ``months`` of
        ``get_comparison`` (the transition left out, equal lengths)."""
        comparison = self.comparison_id
        result = (
            self.env["crm.kpi.snapshot"]
            .with_company(comparison.company_id)
            .get_comparison(
                self.kpi_code,
                comparison.segment_type,
                comparison.segment_value or "all",
            )
        )
        return result["months"][side]

    def _snapshot_domain(self, months):
        """The snapshots the comparison averages: the current formula's, with
        a value, of the line's KPI and the comparison's company and segment."""
        comparison = self.comparison_id
        return [
            ("company_id", "=", comparison.company_id.id),
            ("kpi_code", "=", self.kpi_code),
            ("segment_type", "=", comparison.segment_type),
            ("segment_value", "=", comparison.segment_value or "all"),
            ("formula_version", "=", FORMULA_VERSION),
            ("has_value", "=", True),
            ("date_from", "in", months),
        ]
